//! STS sessions end to end without a socket (spec T6–T8, K2/K3): expiry with `ExpiredToken` (through a
//! second server on the same database whose clock runs ahead), GetSessionToken's MFA keys and limits,
//! and GetFederationToken's session-policy rules and principal tags.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

mod common;

use common::*;

const POLICY_VERSION: &str = "2012-10-17";

fn policy(statements: &str) -> String {
    format!("{{\"Version\":\"{POLICY_VERSION}\",\"Statement\":[{statements}]}}")
}

async fn iam(s: &Server, pairs: &[(&str, &str)]) -> Answer {
    let mut all = vec![("Action", pairs[0].1), ("Version", "2010-05-08")];
    all.extend_from_slice(&pairs[1..]);
    send(&s.app, Unsigned::form(form(&all)).sign(&root(), "iam")).await
}

/// A user with tags and one inline policy, and an access key.
async fn user(s: &Server, name: &str, doc: &str, tags: &[(&str, &str)]) -> Creds {
    let mut pairs = vec![("Action", "CreateUser".to_string()), ("UserName", name.to_string())];
    for (i, (k, v)) in tags.iter().enumerate() {
        pairs.push((Box::leak(format!("Tags.member.{}.Key", i + 1).into_boxed_str()), k.to_string()));
        pairs.push((Box::leak(format!("Tags.member.{}.Value", i + 1).into_boxed_str()), v.to_string()));
    }
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(iam(s, &refs).await.status, 200);
    let a =
        iam(s, &[("Action", "PutUserPolicy"), ("UserName", name), ("PolicyName", "p"), ("PolicyDocument", doc)]).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = iam(s, &[("Action", "CreateAccessKey"), ("UserName", name)]).await;
    Creds { akid: a.xml("AccessKeyId"), secret: a.xml("SecretAccessKey"), token: None }
}

async fn sts(app: &axum::Router, creds: &Creds, pairs: &[(&str, &str)], t: i64) -> Answer {
    let mut all = vec![("Action", pairs[0].1), ("Version", "2011-06-15")];
    all.extend_from_slice(&pairs[1..]);
    send(app, Unsigned::form(form(&all)).sign_at(creds, "sts", "us-east-1", t)).await
}

fn session_creds(a: &Answer) -> Creds {
    assert_eq!(a.status, 200, "{}", a.body);
    Creds { akid: a.xml("AccessKeyId"), secret: a.xml("SecretAccessKey"), token: Some(a.xml("SessionToken")) }
}

#[tokio::test]
async fn temporary_credentials_expire_with_expired_token() {
    let s = Server::new("expiry");
    let c = user(&s, "u", &policy(r#"{"Effect":"Allow","Action":"sts:*","Resource":"*"}"#), &[]).await;
    let a = sts(&s.app, &c, &[("Action", "GetSessionToken"), ("DurationSeconds", "900")], now()).await;
    let session = session_creds(&a);
    assert!(session.akid.starts_with("ASIA"));
    let expiration = a.xml("Expiration");
    assert_eq!(expiration.len(), 20, "{expiration}");
    // Valid now, on this server.
    let a = sts(&s.app, &session, &[("Action", "GetCallerIdentity")], now()).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.xml("Arn").ends_with(":user/u"));
    // A server on the same database whose clock is 901 s ahead sees them expired; long-term keys still work.
    let (_, later) = s.sibling(901);
    let t = now() + 901;
    let a = sts(&later, &session, &[("Action", "GetCallerIdentity")], t).await;
    assert_eq!((a.status.as_u16(), a.code().as_str()), (403, "ExpiredToken"), "{}", a.body);
    assert_eq!(a.message(), "The security token included in the request is expired");
    let a = sts(&later, &c, &[("Action", "GetCallerIdentity")], t).await;
    assert_eq!(a.status, 200, "{}", a.body);
    // 899 s ahead they still work; on SageMaker the expiry is a JSON error.
    let (_, almost) = s.sibling(899);
    let a = sts(&almost, &session, &[("Action", "GetCallerIdentity")], now() + 899).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a =
        send(&later, Unsigned::json("SageMaker.ListTrainingJobs", "{}").sign_at(&session, "sagemaker", "us-east-1", t))
            .await;
    assert_eq!((a.status.as_u16(), a.code().as_str()), (400, "ExpiredTokenException"), "{}", a.body);
    assert_eq!(a.header("x-amzn-ErrorType"), Some("ExpiredTokenException"));
}

#[tokio::test]
async fn get_session_token_keeps_the_user_and_adds_mfa_keys() {
    let s = Server::new("gst");
    let doc = policy(
        r#"{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"300"},"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:00Z"}}},
           {"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}"#,
    );
    let c = user(&s, "mfa-user", &doc, &[]).await;
    let t = now();
    // Without MFA: the principal is the user, and IAM refuses the token outright.
    let plain = session_creds(&sts(&s.app, &c, &[("Action", "GetSessionToken")], t).await);
    let a = sts(&s.app, &plain, &[("Action", "GetCallerIdentity")], t).await;
    assert!(a.xml("Arn").ends_with(":user/mfa-user") && a.xml("UserId").starts_with("AIDA"), "{}", a.body);
    let a = send(&s.app, Unsigned::form("Action=GetUser&Version=2010-05-08").sign(&plain, "iam")).await;
    assert_eq!((a.status.as_u16(), a.code().as_str()), (403, "InvalidClientTokenId"), "{}", a.body);
    // No STS but AssumeRole and GetCallerIdentity.
    for op in ["GetSessionToken", "GetFederationToken"] {
        let a = sts(&s.app, &plain, &[("Action", op), ("Name", "fed")], t).await;
        assert_eq!((a.status.as_u16(), a.code().as_str()), (403, "AccessDenied"), "{}", a.body);
        assert_eq!(a.message(), format!("Cannot call {op} with session credentials"));
    }
    // With MFA: IAM works, and the MFA condition keys are present.
    let mfa = session_creds(
        &sts(
            &s.app,
            &c,
            &[
                ("Action", "GetSessionToken"),
                ("SerialNumber", "arn:aws:iam::111122223333:mfa/mfa-user"),
                ("TokenCode", "123456"),
            ],
            t,
        )
        .await,
    );
    let a = send(&s.app, Unsigned::form("Action=ListUsers&Version=2010-05-08").sign(&mfa, "iam")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    // Long-term keys carry no MFA: the conditional allow does not apply.
    let a = send(&s.app, Unsigned::form("Action=ListUsers&Version=2010-05-08").sign(&c, "iam")).await;
    assert_eq!(a.code(), "AccessDenied");
    // Half the MFA pair, or a rejected code.
    let a = sts(&s.app, &c, &[("Action", "GetSessionToken"), ("TokenCode", "123456")], t).await;
    assert_eq!(
        a.message(),
        "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
    );
    let a =
        sts(&s.app, &c, &[("Action", "GetSessionToken"), ("SerialNumber", "GAHT12345678"), ("TokenCode", "000000")], t)
            .await;
    assert_eq!(a.code(), "AccessDenied");
    // Duration bounds: 900..=129600 for users; root is cut to an hour.
    let a = sts(&s.app, &c, &[("Action", "GetSessionToken"), ("DurationSeconds", "129601")], t).await;
    assert_eq!(a.message(), "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600");
    let a = sts(&s.app, &root(), &[("Action", "GetSessionToken"), ("DurationSeconds", "129600")], t).await;
    let root_session = session_creds(&a);
    assert_eq!(a.xml("Expiration"), sagegate_server::call::iso8601(t + 3600));
    let a = sts(&s.app, &root_session, &[("Action", "GetCallerIdentity")], t).await;
    assert_eq!(a.xml("Arn"), format!("arn:aws:iam::{ACCOUNT}:root"));
    assert_eq!(a.xml("UserId"), ACCOUNT);
}

#[tokio::test]
async fn federated_users_get_only_what_session_policies_allow() {
    let s = Server::new("fed");
    let doc = policy(
        r#"{"Effect":"Allow","Action":["sts:GetFederationToken","sts:TagSession","sagemaker:*"],"Resource":"*"}"#,
    );
    let c = user(&s, "federator", &doc, &[("team", "ml"), ("site", "x")]).await;
    let t = now();
    let describe = Unsigned::json;
    // No session policy: nothing is allowed.
    let a = sts(&s.app, &c, &[("Action", "GetFederationToken"), ("Name", "bob")], t).await;
    let bare = session_creds(&a);
    assert_eq!(a.xml("Arn"), format!("arn:aws:sts::{ACCOUNT}:federated-user/bob"));
    assert_eq!(a.xml("FederatedUserId"), format!("{ACCOUNT}:bob"));
    assert!(!a.body.contains("PackedPolicySize"));
    let me = sts(&s.app, &bare, &[("Action", "GetCallerIdentity")], t).await;
    assert_eq!(me.xml("UserId"), format!("{ACCOUNT}:bob"));
    let a = send(
        &s.app,
        describe("SageMaker.DescribeNotebookInstance", r#"{"NotebookInstanceName":"nb"}"#).sign(&bare, "sagemaker"),
    )
    .await;
    assert_eq!(a.code(), "AccessDeniedException");
    assert_eq!(a.message(), format!("User: arn:aws:sts::{ACCOUNT}:federated-user/bob is not authorized to perform: sagemaker:DescribeNotebookInstance on resource: arn:aws:sagemaker:us-east-1:{ACCOUNT}:notebook-instance/nb because no session policy allows the sagemaker:DescribeNotebookInstance action"));
    // Federated users cannot call IAM, nor STS beyond GetCallerIdentity.
    let a = send(&s.app, Unsigned::form("Action=ListUsers&Version=2010-05-08").sign(&bare, "iam")).await;
    assert_eq!(a.code(), "InvalidClientTokenId");
    let a = sts(
        &s.app,
        &bare,
        &[("Action", "AssumeRole"), ("RoleArn", "arn:aws:iam::111122223333:role/x"), ("RoleSessionName", "s")],
        t,
    )
    .await;
    assert_eq!(a.code(), "AccessDenied");
    // A session policy conditioned on a principal tag: the passed tag overrides the user's (T6).
    let session_policy = policy(
        r#"{"Effect":"Allow","Action":"sagemaker:Describe*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Team":"data","aws:PrincipalTag/site":"x"}}}"#,
    );
    let a = sts(
        &s.app,
        &c,
        &[
            ("Action", "GetFederationToken"),
            ("Name", "carol"),
            ("Policy", &session_policy),
            ("Tags.member.1.Key", "Team"),
            ("Tags.member.1.Value", "data"),
        ],
        t,
    )
    .await;
    let tagged = session_creds(&a);
    assert!(a.xml("PackedPolicySize").parse::<u32>().unwrap() > 0);
    let a = send(
        &s.app,
        describe("SageMaker.DescribeNotebookInstance", r#"{"NotebookInstanceName":"nb"}"#).sign(&tagged, "sagemaker"),
    )
    .await;
    assert_eq!(
        (a.code(), a.message()),
        ("ValidationException".to_string(), "RecordNotFound".to_string()),
        "allowed, then not found: {}",
        a.body
    );
    let a = send(
        &s.app,
        describe("SageMaker.DeleteNotebookInstance", r#"{"NotebookInstanceName":"nb"}"#).sign(&tagged, "sagemaker"),
    )
    .await;
    assert_eq!(a.code(), "AccessDeniedException");
    // The identity policy still bounds the federated user: the user may not call iam:*, so neither may it.
    let a = sts(
        &s.app,
        &c,
        &[
            ("Action", "GetFederationToken"),
            ("Name", "dave"),
            ("Policy", &policy(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#)),
        ],
        t,
    )
    .await;
    let wide = session_creds(&a);
    let a = send(
        &s.app,
        describe("SageMaker.DescribeNotebookInstance", r#"{"NotebookInstanceName":"nb"}"#).sign(&wide, "sagemaker"),
    )
    .await;
    assert_eq!(a.code(), "ValidationException", "allowed, then not found: {}", a.body);
    // Authorization of GetFederationToken itself, on the federated-user ARN.
    let d = user(&s, "nofed", &policy(r#"{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"arn:aws:sts::111122223333:federated-user/only-*"}"#), &[]).await;
    let a = sts(&s.app, &d, &[("Action", "GetFederationToken"), ("Name", "other")], t).await;
    assert_eq!(a.message(), format!("User: arn:aws:iam::{ACCOUNT}:user/nofed is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::{ACCOUNT}:federated-user/other because no identity-based policy allows the sts:GetFederationToken action"));
    assert_eq!(sts(&s.app, &d, &[("Action", "GetFederationToken"), ("Name", "only-me")], t).await.status, 200);
    // Passing tags also needs sts:TagSession.
    let a = sts(
        &s.app,
        &d,
        &[
            ("Action", "GetFederationToken"),
            ("Name", "only-me"),
            ("Tags.member.1.Key", "k"),
            ("Tags.member.1.Value", "v"),
        ],
        t,
    )
    .await;
    assert!(a.message().contains("sts:TagSession"), "{}", a.body);
    // Root may federate too; its federated user has root's identity step, limited by the session policy.
    let a = sts(
        &s.app,
        &root(),
        &[
            ("Action", "GetFederationToken"),
            ("Name", "rootfed"),
            ("Policy", &policy(r#"{"Effect":"Allow","Action":"sagemaker:Describe*","Resource":"*"}"#)),
        ],
        t,
    )
    .await;
    let rootfed = session_creds(&a);
    let a = send(
        &s.app,
        describe("SageMaker.DescribeNotebookInstance", r#"{"NotebookInstanceName":"nb"}"#).sign(&rootfed, "sagemaker"),
    )
    .await;
    assert_eq!(a.code(), "ValidationException", "allowed, then not found: {}", a.body);
    let a = send(
        &s.app,
        describe("SageMaker.DeleteNotebookInstance", r#"{"NotebookInstanceName":"nb"}"#).sign(&rootfed, "sagemaker"),
    )
    .await;
    assert_eq!(a.code(), "AccessDeniedException");
}
