//! SG313 `invalid-binary-value`: a `BinaryEquals` value that is not base64. It never matches (O7).

use sagegate_policy::ast::OperatorFamily;
use sagegate_policy::condition::base64_decode;

use crate::checks::{conditions, has_variable};
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG313",
    name: "invalid-binary-value",
    severity: Severity::Warning,
    summary: "A BinaryEquals condition value that is not base64.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc).filter(|c| c.base.family() == OperatorFamily::Binary) {
        for v in &c.c.values {
            if has_variable(&v.value) || base64_decode(&v.value).is_some() {
                continue;
            }
            out.report(
                v.span,
                format!("`{}` is not base64: `BinaryEquals` never matches it", v.value),
                "write the bytes base64-encoded (RFC 4648), e.g. QmluYXJ5",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn base64() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"BinaryEquals": {"aws:UserAgent": ["QmluYXJ5", "not base64!"]}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG313 2:125 "not base64!""#]);
    }
}
