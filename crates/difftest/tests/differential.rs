//! A 500-case differential sample against the iam-simulate oracle (spec section 15).
//!
//! Runs only when the oracle is installed (`scripts/install-oracle` creates `tools/oracle/node_modules`);
//! otherwise it prints why it skipped and passes. The full run is `scripts/difftest` (10,000 cases).

use sagegate_difftest::allowlist::AllowList;
use sagegate_difftest::harness::{self, Config};
use sagegate_difftest::oracle;

#[test]
fn differential_sample_agrees_with_the_oracle() {
    let root = harness::default_root();
    if !root.join("tools").join("oracle").join("node_modules").is_dir() || !oracle::installed(&root) {
        eprintln!(
            "SKIPPED differential test: the iam-simulate oracle is not installed \
             (run scripts/install-oracle, which needs node and npm)"
        );
        return;
    }
    let mut cfg = Config::new(root);
    cfg.cases = std::env::var("DIFFTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(500);
    cfg.seed = std::env::var("DIFFTEST_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(20_240_601);
    cfg.jobs = 2;
    cfg.max_reports = 5;
    cfg.out_dir = cfg.root.join("target").join("difftest-test");
    let allow = match AllowList::load(&cfg.allowlist) {
        Ok(a) => a,
        Err(e) => panic!("allow-list: {e}"),
    };
    let report = match harness::run(&cfg) {
        Ok(r) => r,
        Err(e) => panic!("differential run could not complete: {e}"),
    };
    let text = harness::render(&cfg, &report, &allow);
    println!("{text}");
    assert!(report.compared > 0, "no decisions were compared");
    assert!(
        !report.failed(),
        "differential test failed: {} unexplained disagreement(s), {} engine panic(s), {} harness error(s)\n{text}",
        report.unexplained.len(),
        report.panics.len(),
        report.harness_errors.len()
    );
}
