//! Nothing to build: this crate only holds `tests/`, which drive a running `sagegate serve` with the AWS
//! SDK for Rust (see scripts/sdk-tests).
