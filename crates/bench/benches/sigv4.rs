//! SigV4 verification speed: the spec's test vector 1 (wire spec §9), with and without the signing-key
//! cache a server keeps (target: ≤ 8 µs per verification with a cached key).

use criterion::{criterion_group, criterion_main, Criterion};
use sagegate_bench::sigv4::{config, lookup, now, request};
use sagegate_sigv4::{verify, verify_cached, SigningKeyCache};

fn bench(c: &mut Criterion) {
    let (req, cfg, now) = (request(), config(), now());
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
