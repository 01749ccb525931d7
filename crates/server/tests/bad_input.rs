//! Bad input never crashes the server or loses data (issue 4 item 6): oversized bodies, malformed form
//! data, invalid percent-encoding and UTF-8, JSON that is not an object, unknown actions and targets,
//! the wrong protocol for the signed service, and huge or deeply nested policy documents. Each gets an
//! AWS-shaped error with `x-amzn-RequestId` and `Date` (JSON errors also `x-amzn-ErrorType` and
//! `__type`), and a failed call leaves the store exactly as it was.
//!
//! The server is driven without a socket (`tower::ServiceExt::oneshot`) over a SQLite store in a temp dir.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

mod common;

use common::*;

/// The headers and body shape every error carries (wire spec §2, §3.4, §4.3).
fn assert_error_shape(a: &Answer, status: u16, code: &str) {
    assert_eq!(a.status.as_u16(), status, "status of {a:?}");
    assert_eq!(a.code(), code, "code of {a:?}");
    let id = a.header("x-amzn-RequestId").expect("x-amzn-RequestId");
    assert_eq!(id.len(), 36, "request id {id}");
    let date = a.header("date").expect("Date");
    assert!(date.ends_with(" GMT") && date.len() == 29, "Date {date}");
    let ctype = a.header("content-type").unwrap_or_default();
    if ctype == "application/x-amz-json-1.1" {
        assert_eq!(a.header("x-amzn-ErrorType"), Some(code), "x-amzn-ErrorType of {a:?}");
        let v: serde_json::Value = serde_json::from_str(&a.body).expect("JSON error body");
        assert!(v["__type"].as_str().is_some_and(|t| t.ends_with(code)), "__type of {a:?}");
    } else {
        assert_eq!(ctype, "text/xml", "content type of {a:?}");
        assert!(a.body.starts_with("<ErrorResponse xmlns=\"https://"), "{}", a.body);
        assert_eq!(between(&a.body, "<RequestId>", "</RequestId>"), Some(id));
        let kind = if status >= 500 { "Receiver" } else { "Sender" };
        assert_eq!(between(&a.body, "<Type>", "</Type>"), Some(kind));
    }
}

fn iam_ns(a: &Answer) -> bool {
    a.body.contains("xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"")
}

fn sts_ns(a: &Answer) -> bool {
    a.body.contains("xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"")
}

async fn create_user(s: &Server, name: &str) {
    let a = send(
        &s.app,
        Unsigned::form(form(&[("Action", "CreateUser"), ("Version", "2010-05-08"), ("UserName", name)]))
            .sign(&root(), "iam"),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
}

#[tokio::test]
async fn oversized_bodies_are_refused_in_the_routed_protocol() {
    let s = Server::new("big");
    let before = s.snapshot();
    let limit = sagegate_server::MAX_BODY_BYTES;
    // Query, with Content-Length declared: refused before the body is read.
    let mut big = form(&[("Action", "CreateUser"), ("Version", "2010-05-08"), ("UserName", "big")]).into_bytes();
    big.extend(b"&Pad=");
    big.resize(limit + 1, b'a');
    let mut req = Unsigned::form(big.clone()).sign(&root(), "iam");
    req.headers_mut().insert("content-length", (limit + 1).into());
    let a = send(&s.app, req).await;
    assert_error_shape(&a, 413, "RequestEntityTooLarge");
    assert_eq!(a.message(), format!("Request body must be no larger than {limit} bytes."));
    assert!(iam_ns(&a));
    // Without a Content-Length header: refused by the reader once the limit is crossed.
    let a = send(&s.app, Unsigned::form(big).sign(&root(), "iam")).await;
    assert_error_shape(&a, 413, "RequestEntityTooLarge");
    // STS by its URL, SageMaker by its target.
    let mut req = Unsigned {
        method: "POST",
        query: "Action=GetCallerIdentity&Version=2011-06-15".into(),
        headers: vec![],
        body: vec![b' '; limit + 1],
    }
    .sign(&root(), "sts");
    req.headers_mut().insert("content-length", (limit + 1).into());
    let a = send(&s.app, req).await;
    assert_error_shape(&a, 413, "RequestEntityTooLarge");
    assert!(sts_ns(&a));
    let mut body = b"{\"NotebookInstanceName\": \"".to_vec();
    body.resize(limit + 10, b'x');
    let a = send(&s.app, Unsigned::json("SageMaker.DescribeNotebookInstance", body).sign(&root(), "sagemaker")).await;
    assert_error_shape(&a, 413, "RequestEntityTooLarge");
    // Exactly at the limit is accepted (and then fails on its content, not its size).
    let mut ok = form(&[("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]).into_bytes();
    ok.extend(b"&Pad=");
    ok.resize(limit, b'a');
    let a = send(&s.app, Unsigned::form(ok).sign(&root(), "sts")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(s.snapshot(), before);
}

#[tokio::test]
async fn malformed_form_data_is_malformed_query_string() {
    let s = Server::new("form");
    let before = s.snapshot();
    let cases: [(&[u8], &str); 5] = [
        (b"Action=CreateUser&Version=2010-05-08&UserName=a%ZZ", "Invalid percent-encoding in the query string: '%ZZ'."),
        (b"Action=CreateUser&Version=2010-05-08&UserName=a%4", "Invalid percent-encoding in the query string: '%4'."),
        (
            b"Action=CreateUser&Version=2010-05-08&UserName=%FF%FE",
            "The query string is not valid UTF-8 once percent-decoded.",
        ),
        (b"Action=CreateUser&Version=2010-05-08&UserName=\xff\xfe", "The request body is not valid UTF-8."),
        (b"Action=CreateUser&Version=2010-05-08&%=x", "Invalid percent-encoding in the query string: '%'."),
    ];
    for (body, message) in cases {
        let a = send(&s.app, Unsigned::form(body.to_vec()).sign(&root(), "iam")).await;
        assert_error_shape(&a, 400, "MalformedQueryString");
        assert_eq!(a.message(), message);
        assert!(iam_ns(&a));
    }
    // In the URL query too, and in STS's namespace when the request names STS's version.
    let req = Unsigned {
        method: "GET",
        query: "Action=GetCallerIdentity&Version=2011-06-15&X=%G0".into(),
        headers: vec![],
        body: vec![],
    }
    .unsigned();
    let a = send(&s.app, req).await;
    assert_error_shape(&a, 400, "MalformedQueryString");
    assert!(sts_ns(&a));
    // `+` is a space and an empty value is fine (`Tags=` is an empty list).
    let a =
        send(&s.app, Unsigned::form("Action=CreateUser&Version=2010-05-08&UserName=a+b&Tags=").sign(&root(), "iam"))
            .await;
    assert_error_shape(&a, 400, "ValidationError");
    assert_eq!(s.snapshot(), before);
    create_user(&s, "ok-user").await;
    assert_ne!(s.snapshot(), before);
}

#[tokio::test]
async fn json_bodies_that_are_not_objects_are_serialization_exceptions() {
    let s = Server::new("json");
    let before = s.snapshot();
    let nested = "[".repeat(100_000);
    let bodies: [&[u8]; 7] =
        [b"[1, 2]", b"\"text\"", b"42", b"null", b"{\"a\": ", b"{\"a\": \"\xff\"}", nested.as_bytes()];
    for body in bodies {
        let a =
            send(&s.app, Unsigned::json("SageMaker.ListTrainingJobs", body.to_vec()).sign(&root(), "sagemaker")).await;
        assert_error_shape(&a, 400, "SerializationException");
        assert_eq!(a.header("content-type"), Some("application/x-amz-json-1.1"));
    }
    // Deeply nested but valid-looking objects stay within serde_json's recursion limit.
    let deep = format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let a = send(&s.app, Unsigned::json("SageMaker.ListTrainingJobs", deep).sign(&root(), "sagemaker")).await;
    assert_error_shape(&a, 400, "SerializationException");
    assert_eq!(s.snapshot(), before);
}

#[tokio::test]
async fn unknown_actions_and_targets() {
    let s = Server::new("unknown");
    let a = send(&s.app, Unsigned::form("Action=Frobnicate&Version=2010-05-08").sign(&root(), "iam")).await;
    assert_error_shape(&a, 400, "InvalidAction");
    assert_eq!(a.message(), "Could not find operation Frobnicate for version 2010-05-08");
    let a = send(&s.app, Unsigned::form("Action=Frobnicate&Version=2011-06-15").sign(&root(), "sts")).await;
    assert_error_shape(&a, 400, "InvalidAction");
    assert_eq!(a.message(), "Could not find operation Frobnicate for version 2011-06-15");
    assert!(sts_ns(&a));
    // An operation name is case-sensitive.
    let a = send(&s.app, Unsigned::form("Action=getcalleridentity&Version=2011-06-15").sign(&root(), "sts")).await;
    assert_error_shape(&a, 400, "InvalidAction");
    let a = send(&s.app, Unsigned::form("Action=ListUsers&Version=2099-01-01").sign(&root(), "iam")).await;
    assert_error_shape(&a, 400, "InvalidAction");
    assert_eq!(a.message(), "Could not find operation ListUsers for version 2099-01-01");
    let a = send(&s.app, Unsigned::form("Version=2010-05-08").sign(&root(), "iam")).await;
    assert_error_shape(&a, 400, "InvalidAction");
    let a = send(&s.app, Unsigned::form("").sign(&root(), "iam")).await;
    assert_error_shape(&a, 400, "InvalidAction");
    let a = send(&s.app, Unsigned::json("SageMaker.Frobnicate", "{}").sign(&root(), "sagemaker")).await;
    assert_error_shape(&a, 400, "UnknownOperationException");
    let a = send(&s.app, Unsigned::json("Frobnicator_20240101.Go", "{}").sign(&root(), "sagemaker")).await;
    assert_error_shape(&a, 400, "UnknownOperationException");
    assert_eq!(a.message(), "Unknown target: Frobnicator_20240101.Go");
}

#[tokio::test]
async fn the_wrong_protocol_for_the_signed_service_is_a_scope_error() {
    let s = Server::new("scope");
    // SageMaker JSON signed for IAM.
    let a = send(&s.app, Unsigned::json("SageMaker.ListTrainingJobs", "{}").sign(&root(), "iam")).await;
    assert_error_shape(&a, 400, "InvalidSignatureException");
    assert_eq!(a.message(), "Credential should be scoped to correct service: 'sagemaker'. ");
    // IAM Query signed for SageMaker, and STS signed for IAM.
    let a = send(&s.app, Unsigned::form("Action=ListUsers&Version=2010-05-08").sign(&root(), "sagemaker")).await;
    assert_error_shape(&a, 403, "SignatureDoesNotMatch");
    assert_eq!(a.message(), "Credential should be scoped to correct service: 'iam'. ");
    assert!(iam_ns(&a));
    let a = send(&s.app, Unsigned::form("Action=GetCallerIdentity&Version=2011-06-15").sign(&root(), "iam")).await;
    assert_error_shape(&a, 403, "SignatureDoesNotMatch");
    assert_eq!(a.message(), "Credential should be scoped to correct service: 'sts'. ");
    assert!(sts_ns(&a));
    // And the right ones work.
    let a = send(&s.app, Unsigned::form("Action=GetCallerIdentity&Version=2011-06-15").sign(&root(), "sts")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.xml("Arn"), format!("arn:aws:iam::{ACCOUNT}:root"));
}

#[tokio::test]
async fn missing_authentication_is_shaped_per_protocol() {
    let s = Server::new("noauth");
    let a = send(&s.app, Unsigned::form("Action=ListUsers&Version=2010-05-08").unsigned()).await;
    assert_error_shape(&a, 403, "MissingAuthenticationToken");
    let a = send(&s.app, Unsigned::json("SageMaker.ListTrainingJobs", "{}").unsigned()).await;
    assert_error_shape(&a, 400, "MissingAuthenticationTokenException");
}

/// A policy document nested `depth` levels deep.
fn nested_policy(depth: usize) -> String {
    format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":\"*\",\"Condition\":{{\"StringEquals\":{{\"aws:username\":{}\"x\"{}}}}}}}]}}",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

/// A syntactically valid policy of about `bytes` bytes.
fn huge_policy(bytes: usize) -> String {
    let n = bytes / 40;
    let actions: Vec<String> = (0..n).map(|i| format!("\"iam:GetUser{i:08}\"")).collect();
    format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[{}],\"Resource\":\"*\"}}]}}",
        actions.join(",")
    )
}

#[tokio::test]
async fn huge_or_deeply_nested_policies_are_rejected_without_a_trace() {
    let s = Server::new("policies");
    create_user(&s, "alice").await;
    let role_trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#;
    let a = send(
        &s.app,
        Unsigned::form(form(&[
            ("Action", "CreateRole"),
            ("Version", "2010-05-08"),
            ("RoleName", "r"),
            ("AssumeRolePolicyDocument", role_trust),
        ]))
        .sign(&root(), "iam"),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let before = s.snapshot();
    let accepted = ["MalformedPolicyDocument", "LimitExceeded", "ValidationError"];
    for doc in [nested_policy(100_000), nested_policy(70), huge_policy(1 << 20), huge_policy(7 << 20)] {
        for (action, extra) in [
            ("PutUserPolicy", vec![("UserName", "alice"), ("PolicyName", "p")]),
            ("PutRolePolicy", vec![("RoleName", "r"), ("PolicyName", "p")]),
            ("CreatePolicy", vec![("PolicyName", "p")]),
            ("CreateRole", vec![("RoleName", "r2")]),
        ] {
            let field = if action == "CreateRole" { "AssumeRolePolicyDocument" } else { "PolicyDocument" };
            let mut pairs = vec![("Action", action), ("Version", "2010-05-08"), (field, doc.as_str())];
            pairs.extend(extra);
            let a = send(&s.app, Unsigned::form(form(&pairs)).sign(&root(), "iam")).await;
            assert!(a.status.is_client_error(), "{action}: {} {}", a.status, &a.body[..a.body.len().min(300)]);
            assert!(accepted.contains(&a.code().as_str()), "{action}: {}", a.code());
            assert!(a.header("x-amzn-RequestId").is_some() && a.header("date").is_some());
        }
        // A session policy: STS answers in its own namespace.
        let a = send(
            &s.app,
            Unsigned::form(form(&[
                ("Action", "GetFederationToken"),
                ("Version", "2011-06-15"),
                ("Name", "fed"),
                ("Policy", doc.as_str()),
            ]))
            .sign(&root(), "sts"),
        )
        .await;
        assert!(a.status.is_client_error() && sts_ns(&a), "{}", a.status);
        assert!(
            ["MalformedPolicyDocument", "PackedPolicyTooLarge", "ValidationError"].contains(&a.code().as_str()),
            "{}",
            a.code()
        );
    }
    assert_eq!(s.snapshot(), before, "a rejected policy must leave the store unchanged");
}

#[tokio::test]
async fn failed_writes_leave_the_store_unchanged() {
    let s = Server::new("atomic");
    create_user(&s, "bob").await;
    let before = s.snapshot();
    // Already exists.
    let a = send(
        &s.app,
        Unsigned::form(form(&[("Action", "CreateUser"), ("Version", "2010-05-08"), ("UserName", "bob")]))
            .sign(&root(), "iam"),
    )
    .await;
    assert_error_shape(&a, 409, "EntityAlreadyExists");
    // Invalid name, unknown user, bad policy text.
    let a = send(
        &s.app,
        Unsigned::form(form(&[("Action", "CreateUser"), ("Version", "2010-05-08"), ("UserName", "b b")]))
            .sign(&root(), "iam"),
    )
    .await;
    assert_error_shape(&a, 400, "ValidationError");
    let a = send(
        &s.app,
        Unsigned::form(form(&[
            ("Action", "PutUserPolicy"),
            ("Version", "2010-05-08"),
            ("UserName", "nobody"),
            ("PolicyName", "p"),
            (
                "PolicyDocument",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#,
            ),
        ]))
        .sign(&root(), "iam"),
    )
    .await;
    assert_error_shape(&a, 404, "NoSuchEntity");
    let a = send(
        &s.app,
        Unsigned::form(form(&[
            ("Action", "PutUserPolicy"),
            ("Version", "2010-05-08"),
            ("UserName", "bob"),
            ("PolicyName", "p"),
            ("PolicyDocument", "{not json"),
        ]))
        .sign(&root(), "iam"),
    )
    .await;
    assert_error_shape(&a, 400, "MalformedPolicyDocument");
    assert_eq!(s.snapshot(), before);
    // Denied calls write nothing either.
    let a = send(
        &s.app,
        Unsigned::form(form(&[("Action", "CreateAccessKey"), ("Version", "2010-05-08"), ("UserName", "bob")]))
            .sign(&root(), "iam"),
    )
    .await;
    assert_eq!(a.status, 200);
    let key = Creds { akid: a.xml("AccessKeyId"), secret: a.xml("SecretAccessKey"), token: None };
    let before = s.snapshot();
    let a = send(
        &s.app,
        Unsigned::form(form(&[("Action", "CreateUser"), ("Version", "2010-05-08"), ("UserName", "carol")]))
            .sign(&key, "iam"),
    )
    .await;
    assert_error_shape(&a, 403, "AccessDenied");
    let a = send(
        &s.app,
        Unsigned::form(form(&[("Action", "GetFederationToken"), ("Version", "2011-06-15"), ("Name", "fed")]))
            .sign(&key, "sts"),
    )
    .await;
    assert_error_shape(&a, 403, "AccessDenied");
    // Bad STS input.
    let a = send(
        &s.app,
        Unsigned::form(form(&[("Action", "GetSessionToken"), ("Version", "2011-06-15"), ("DurationSeconds", "12")]))
            .sign(&key, "sts"),
    )
    .await;
    assert_error_shape(&a, 400, "ValidationError");
    let a = send(
        &s.app,
        Unsigned::form(form(&[("Action", "GetSessionToken"), ("Version", "2011-06-15"), ("DurationSeconds", "a lot")]))
            .sign(&key, "sts"),
    )
    .await;
    assert_error_shape(&a, 400, "ValidationError");
    assert_eq!(s.snapshot(), before);
}

#[tokio::test]
async fn a_panicking_handler_becomes_an_internal_failure() {
    let caught = sagegate_server::http::catch_panic(async { panic!("boom") }).await;
    assert!(caught.is_err());
    let fine = sagegate_server::http::catch_panic(async { 7 }).await;
    assert_eq!(fine, Ok(7));
}
