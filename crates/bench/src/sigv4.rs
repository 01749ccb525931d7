//! The SigV4 verification workload, shared by `benches/sigv4.rs` (criterion) and `bin/sigv4.rs`
//! (instruction counts under valgrind): the wire spec's test vector 1 (§9), a SageMaker POST with four
//! signed headers, a 32-byte body and an unsigned `User-Agent`.

use sagegate_sigv4::{parse_amz_date, HttpRequest, KeyRecord, VerifyConfig};

pub const AKID: &str = "AKIDEXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub const TIME: &str = "20261122T102333Z";
pub const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sagemaker/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=454eecc83fbc6e7c679663e9d9bbdb411c87a7c710d3b57a2859caddc50e93c6";
pub const BODY: &[u8] = br#"{"NotebookInstanceName": "nb-a"}"#;

/// The request, as the server hands it to `verify`.
pub fn request() -> HttpRequest<'static> {
    let headers = vec![
        ("Content-Type", "application/x-amz-json-1.1"),
        ("Host", "127.0.0.1:5056"),
        ("X-Amz-Date", TIME),
        ("X-Amz-Target", "SageMaker.DescribeNotebookInstance"),
        ("Authorization", AUTH),
        ("User-Agent", "Boto3/1.44.5 md/Botocore#1.44.5 ua/2.1 os/linux"),
    ];
    HttpRequest { method: "POST", path: "/", query: "", headers, body: BODY }
}

pub fn config() -> VerifyConfig {
    VerifyConfig {
        service: "sagemaker".into(),
        regions: vec!["us-east-1".into()],
        max_clock_skew: 900,
        presigned_grace: 0,
    }
}

/// The request's own time, so the skew check passes.
pub fn now() -> i64 {
    parse_amz_date(TIME).unwrap_or_default()
}

/// The credential lookup (the server's is an O(1) map read that clones the record, as here).
pub fn lookup(akid: &str) -> Option<KeyRecord> {
    (akid == AKID).then(|| KeyRecord { secret: SECRET.into(), session_token: None, expires_at: None })
}
