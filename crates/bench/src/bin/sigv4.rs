//! SigV4 verifications in a loop, nothing else, for instruction counts under valgrind
//! (`scripts/bench instructions`): `sigv4 cached N` verifies the bench request N times with a warm
//! signing-key cache, `sigv4 derived N` derives the key each time. Runs of N and 2N, difference / N, give
//! the instructions per verification.
#![allow(clippy::panic)]

use sagegate_bench::sigv4::{config, lookup, now, request};
use sagegate_sigv4::{verify, verify_cached, SigningKeyCache};
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, n] = args.as_slice() else {
        panic!("usage: sigv4 cached|derived N");
    };
    let n: usize = n.parse().unwrap_or_else(|e| panic!("N: {e}"));
    let (req, cfg, now) = (request(), config(), now());
    let cache = SigningKeyCache::new();
    let mut ok = 0usize;
    for _ in 0..n {
        let r = match mode.as_str() {
            "cached" => verify_cached(black_box(&req), &cfg, now, lookup, &cache),
            "derived" => verify(black_box(&req), &cfg, now, lookup),
            other => panic!("mode must be cached or derived, not `{other}`"),
        };
        ok += usize::from(r.is_ok());
    }
    if ok != n {
        panic!("{} of {n} verifications failed", n - ok);
    }
    println!("{mode}: {ok}/{n} verified");
}
