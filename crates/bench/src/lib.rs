//! Benchmarks of sagegate's policy engine against the `cedar-policy` crate on the same workloads.
//! See `docs/benchmarks.md`; run with `scripts/bench engine`.

pub mod cedar;
pub mod ours;
pub mod sigv4;
pub mod workloads;
