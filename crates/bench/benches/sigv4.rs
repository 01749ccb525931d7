//! SigV4 verification speed: the spec's test vector 1 (wire spec §9), with and without the signing-key
//! cache a server keeps (target: ≤ 8 µs per verification with a cached key).

use criterion::{criterion_group, criterion_main, Criterion};
use sagegate_sigv4::{parse_amz_date, verify, verify_cached, HttpRequest, KeyRecord, SigningKeyCache, VerifyConfig};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sagemaker/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=454eecc83fbc6e7c679663e9d9bbdb411c87a7c710d3b57a2859caddc50e93c6";

fn bench(c: &mut Criterion) {
    let headers = vec![
        ("Content-Type", "application/x-amz-json-1.1"),
        ("Host", "127.0.0.1:5056"),
        ("X-Amz-Date", "20261122T102333Z"),
        ("X-Amz-Target", "SageMaker.DescribeNotebookInstance"),
        ("Authorization", AUTH),
        ("User-Agent", "Boto3/1.44.5 md/Botocore#1.44.5 ua/2.1 os/linux"),
    ];
    let req =
        HttpRequest { method: "POST", path: "/", query: "", headers, body: br#"{"NotebookInstanceName": "nb-a"}"# };
    let cfg = VerifyConfig {
        service: "sagemaker".into(),
        regions: vec!["us-east-1".into()],
        max_clock_skew: 900,
        presigned_grace: 0,
    };
    let now = parse_amz_date("20261122T102333Z").unwrap_or_default();
    let lookup = |_: &str| Some(KeyRecord { secret: SECRET.into(), session_token: None, expires_at: None });
    assert!(verify(&req, &cfg, now, lookup).is_ok(), "the vector must verify");
    let cache = SigningKeyCache::new();
    let mut g = c.benchmark_group("sigv4");
    g.bench_function("verify, cached signing key", |b| {
        b.iter(|| verify_cached(&req, &cfg, now, lookup, &cache).is_ok())
    });
    g.bench_function("verify, key derived each time", |b| b.iter(|| verify(&req, &cfg, now, lookup).is_ok()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
