//! Differential testing of sagegate's policy engine against the open-source simulator
//! `@cloud-copilot/iam-simulate`, which runs as an external node process (`tools/oracle/runner.mjs`,
//! installed by `scripts/install-oracle`). See `docs/differential-testing.md`.
//!
//! - [`gen`]: seeded generator of random CASE documents;
//! - [`oracle`]: the node child process (JSON Lines);
//! - [`engine`]: our engine, in-process;
//! - [`features`] and [`allowlist`]: the spec's section-15 allow-list and its selectors;
//! - [`harness`]: comparison, classification, minimization and the summary.

pub mod allowlist;
pub mod case_util;
pub mod engine;
pub mod features;
pub mod gen;
pub mod harness;
pub mod minimize;
pub mod oracle;
pub mod rng;
