//! Arbitrary text → `Policy::parse`, and `validate` for every policy kind. Must never panic.
//! Also checks that a document validation accepts is one the parser can represent (V1).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagegate_policy::{validate, CompiledPolicy, Policy, PolicyKind};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = Policy::parse(text);
    if let Ok(policy) = &parsed {
        let _ = CompiledPolicy::compile("fuzz", policy);
    }
    for kind in PolicyKind::ALL {
        let v = validate(text, kind);
        if v.is_valid() {
            assert!(
                parsed.is_ok(),
                "validate({kind:?}) accepted a policy that Policy::parse rejects: {:?}",
                parsed.as_ref().err()
            );
        }
    }
});
