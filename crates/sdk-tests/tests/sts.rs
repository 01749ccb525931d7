//! The AWS SDK for Rust as a client of `sagegate serve` (issue 4 item 7): `aws-config` with
//! `BehaviorVersion::latest()`, an `endpoint_url`, static credentials and a plain-HTTP hyper client.
//! scripts/sdk-tests starts the server and sets SAGEGATE_ENDPOINT and the root credentials; without them
//! the tests say so and pass.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use aws_sdk_sts::config::Credentials;
use aws_sdk_sts::error::ProvideErrorMetadata;

struct Target {
    endpoint: String,
    akid: String,
    secret: String,
}

fn target() -> Option<Target> {
    let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (get("SAGEGATE_ENDPOINT"), get("SAGEGATE_ROOT_ACCESS_KEY_ID"), get("SAGEGATE_ROOT_SECRET_ACCESS_KEY")) {
        (Some(endpoint), Some(akid), Some(secret)) => Some(Target { endpoint, akid, secret }),
        _ => {
            eprintln!(
                "skipped: no server; run scripts/sdk-tests (it starts `sagegate serve` and sets SAGEGATE_ENDPOINT)"
            );
            None
        }
    }
}

async fn sts(t: &Target, akid: &str, secret: &str, token: Option<String>) -> aws_sdk_sts::Client {
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&t.endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(Credentials::new(akid, secret, token, None, "static"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    aws_sdk_sts::Client::new(&conf)
}

#[tokio::test]
async fn get_caller_identity_and_session_token() {
    let Some(t) = target() else { return };
    let root = sts(&t, &t.akid, &t.secret, None).await;
    let me = root.get_caller_identity().send().await.expect("GetCallerIdentity");
    let account = me.account().expect("Account").to_string();
    assert_eq!(me.arn(), Some(format!("arn:aws:iam::{account}:root").as_str()));
    assert_eq!(me.user_id(), Some(account.as_str()));

    // Temporary credentials through the SDK, then used by it (X-Amz-Security-Token).
    let out = root.get_session_token().duration_seconds(900).send().await.expect("GetSessionToken");
    let c = out.credentials().expect("Credentials");
    assert!(c.access_key_id().starts_with("ASIA"));
    let session = sts(&t, c.access_key_id(), c.secret_access_key(), Some(c.session_token().to_string())).await;
    let me = session.get_caller_identity().send().await.expect("GetCallerIdentity with a session");
    assert_eq!(me.arn(), Some(format!("arn:aws:iam::{account}:root").as_str()));
}

#[tokio::test]
async fn errors_carry_aws_codes() {
    let Some(t) = target() else { return };
    let bad = sts(&t, &t.akid, "not-the-secret-not-the-secret-not-the-se", None).await;
    let err = bad.get_caller_identity().send().await.expect_err("a wrong secret must fail");
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err:?}");
    assert!(err.message().unwrap_or_default().starts_with("The request signature we calculated does not match"));
    let unknown = sts(&t, "AKIAUNKNOWNKEY000000", &t.secret, None).await;
    let err = unknown.get_caller_identity().send().await.expect_err("an unknown key must fail");
    assert_eq!(err.code(), Some("InvalidClientTokenId"), "{err:?}");
    assert_eq!(err.message(), Some("The security token included in the request is invalid."));
    // A service-side validation error, modelled or not, keeps its code.
    let root = sts(&t, &t.akid, &t.secret, None).await;
    let err = root.get_session_token().duration_seconds(100).send().await.expect_err("too short");
    assert_eq!(err.code(), Some("ValidationError"), "{err:?}");
}
