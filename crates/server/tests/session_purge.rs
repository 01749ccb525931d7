//! Expired STS sessions are purged (one transaction, an hour after they expire), with what federated
//! sessions keep, and their sealed tokens still answer `ExpiredToken` afterwards; sessions not yet due,
//! and long-term keys, stay.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

mod common;

use common::*;
use sagegate_server::sts::token::{purge_expired, PURGE_AFTER};

async fn iam(s: &Server, pairs: &[(&str, &str)]) -> Answer {
    let mut all = vec![("Action", pairs[0].1), ("Version", "2010-05-08")];
    all.extend_from_slice(&pairs[1..]);
    send(&s.app, Unsigned::form(form(&all)).sign(&root(), "iam")).await
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

fn stored_sessions(s: &Server) -> Vec<String> {
    let (_, rows) = s.snapshot();
    rows.into_iter().filter(|(kind, ..)| kind == "session").map(|(_, k, _)| k).collect()
}

#[tokio::test]
async fn expired_sessions_are_purged_and_still_answer_expired_token() {
    let s = Server::new("purge");
    assert_eq!(iam(&s, &[("Action", "CreateUser"), ("UserName", "u")]).await.status, 200);
    let a = iam(&s, &[("Action", "CreateAccessKey"), ("UserName", "u")]).await;
    let user = Creds { akid: a.xml("AccessKeyId"), secret: a.xml("SecretAccessKey"), token: None };
    let short =
        session_creds(&sts(&s.app, &user, &[("Action", "GetSessionToken"), ("DurationSeconds", "900")], now()).await);
    let long =
        session_creds(&sts(&s.app, &user, &[("Action", "GetSessionToken"), ("DurationSeconds", "7200")], now()).await);
    assert_eq!(stored_sessions(&s).len(), 2);

    // Nothing is due yet: no transaction at all.
    let before = s.store.change_counter().unwrap();
    assert_eq!(purge_expired(&s.state).unwrap(), 0);
    assert_eq!(s.store.change_counter().unwrap(), before);

    // A process whose clock is past the short session's expiry plus the margin purges it, in one
    // transaction, and leaves the long session alone.
    let ahead = 900 + PURGE_AFTER + 1;
    let (later_state, later) = s.sibling(ahead);
    let t = now() + ahead;
    let a = sts(&later, &short, &[("Action", "GetCallerIdentity")], t).await;
    assert_eq!((a.status.as_u16(), a.code().as_str()), (403, "ExpiredToken"), "stored and expired: {}", a.body);
    let before = s.store.change_counter().unwrap();
    assert_eq!(purge_expired(&later_state).unwrap(), 1);
    assert_eq!(s.store.change_counter().unwrap(), before + 1, "one transaction");
    assert_eq!(stored_sessions(&s), vec![long.akid.clone()]);
    assert_eq!(purge_expired(&later_state).unwrap(), 0, "nothing left to purge");

    // Purged, its sealed token still proves that it expired: ExpiredToken, on Query and JSON alike.
    let a = sts(&later, &short, &[("Action", "GetCallerIdentity")], t).await;
    assert_eq!((a.status.as_u16(), a.code().as_str()), (403, "ExpiredToken"), "purged: {}", a.body);
    assert_eq!(a.message(), "The security token included in the request is expired");
    let a =
        send(&later, Unsigned::json("SageMaker.ListTrainingJobs", "{}").sign_at(&short, "sagemaker", "us-east-1", t))
            .await;
    assert_eq!((a.status.as_u16(), a.code().as_str()), (400, "ExpiredTokenException"), "{}", a.body);
    // A token altered by one character proves nothing: the key is simply unknown.
    let mut forged = short.clone();
    let mut token = forged.token.take().unwrap().into_bytes();
    let i = token.len() - 3;
    token[i] = if token[i] == b'A' { b'B' } else { b'A' };
    forged.token = Some(String::from_utf8(token).unwrap());
    let a = sts(&later, &forged, &[("Action", "GetCallerIdentity")], t).await;
    assert_eq!((a.status.as_u16(), a.code().as_str()), (403, "InvalidClientTokenId"), "{}", a.body);

    // The long session and the long-term key still work where they have not expired.
    s.state.refresh().unwrap();
    let a = sts(&s.app, &long, &[("Action", "GetCallerIdentity")], now()).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = sts(&later, &user, &[("Action", "GetCallerIdentity")], t).await;
    assert_eq!(a.status, 200, "{}", a.body);
}

#[tokio::test]
async fn a_purge_that_fails_leaves_every_session_in_place() {
    let s = Server::new("purge-atomic");
    assert_eq!(iam(&s, &[("Action", "CreateUser"), ("UserName", "u")]).await.status, 200);
    let a = iam(&s, &[("Action", "CreateAccessKey"), ("UserName", "u")]).await;
    let user = Creds { akid: a.xml("AccessKeyId"), secret: a.xml("SecretAccessKey"), token: None };
    for _ in 0..3 {
        session_creds(&sts(&s.app, &user, &[("Action", "GetSessionToken"), ("DurationSeconds", "900")], now()).await);
    }
    let (later_state, _) = s.sibling(900 + PURGE_AFTER + 1);
    // Corrupt one of the three records: the purge reads each inside its transaction and fails on it,
    // so the transaction rolls back and none of the three is deleted.
    let keys = stored_sessions(&s);
    s.store.transaction(&mut |tx| tx.put("session", &keys[1], &serde_json::json!({"not": "a session"}))).unwrap();
    let before = s.snapshot();
    assert!(purge_expired(&later_state).is_err());
    assert_eq!(s.snapshot(), before);
}

fn kind_keys(s: &Server, kind: &str) -> Vec<String> {
    let mut keys = Vec::new();
    s.store
        .transaction(&mut |tx| {
            keys = tx.list(kind, "", None, 10_000)?.into_iter().map(|(k, _)| k).collect();
            Ok(())
        })
        .unwrap();
    keys
}

fn b64url(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[tokio::test]
async fn a_federated_session_is_purged_with_what_it_keeps() {
    let s = Server::new("purge-federated");
    let host = "idp.example.com";
    let a = iam(
        &s,
        &[
            ("Action", "CreateOpenIDConnectProvider"),
            ("Url", "https://idp.example.com"),
            ("ClientIDList.member.1", "app"),
        ],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let provider = a.xml("OpenIDConnectProviderArn");
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{provider}"}},"Action":"sts:AssumeRoleWithWebIdentity"}}]}}"#
    );
    let a = iam(&s, &[("Action", "CreateRole"), ("RoleName", "web"), ("AssumeRolePolicyDocument", &trust)]).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let t = now();
    let claims = format!(r#"{{"iss":"https://{host}","aud":"app","sub":"u1","iat":{t},"exp":{}}}"#, t + 600);
    let token = format!("{}.{}.{}", b64url(br#"{"alg":"RS256"}"#), b64url(claims.as_bytes()), b64url(b"signature"));
    let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/web");
    let body = form(&[
        ("Action", "AssumeRoleWithWebIdentity"),
        ("Version", "2011-06-15"),
        ("RoleArn", &role_arn),
        ("RoleSessionName", "s1"),
        ("WebIdentityToken", &token),
        ("DurationSeconds", "900"),
    ]);
    // Unsigned, as clients send it.
    let a = send(&s.app, Unsigned::form(body).unsigned()).await;
    let session = session_creds(&a);
    assert_eq!(a.xml("SubjectFromWebIdentityToken"), "u1");
    assert_eq!(kind_keys(&s, "session"), vec![session.akid.clone()]);
    assert_eq!(kind_keys(&s, "session-federation"), vec![session.akid.clone()]);
    let (later_state, _) = s.sibling(900 + PURGE_AFTER + 1);
    let before = s.store.change_counter().unwrap();
    assert_eq!(purge_expired(&later_state).unwrap(), 1);
    assert_eq!(s.store.change_counter().unwrap(), before + 1, "one transaction");
    assert!(kind_keys(&s, "session").is_empty() && kind_keys(&s, "session-federation").is_empty());
}
