//! Arbitrary text → `Case::from_json` → `run`. Must never panic (`run` promises to report problems as
//! failures of the outcome).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagegate_policy::case::Case;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(case) = Case::from_json(text) {
        let outcome = case.run();
        let _ = outcome.decision();
        let _ = outcome.failures();
    }
});
