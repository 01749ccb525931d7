//! SG309 `invalid-bool-value`: a `Bool` value other than `true` or `false`. It never matches (O6).

use sagegate_policy::ast::OperatorFamily;

use crate::checks::{conditions, has_variable};
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG309",
    name: "invalid-bool-value",
    severity: Severity::Warning,
    summary: "A Bool condition value that is neither true nor false.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc).filter(|c| c.base.family() == OperatorFamily::Bool) {
        for v in &c.c.values {
            if has_variable(&v.value) || v.value.eq_ignore_ascii_case("true") || v.value.eq_ignore_ascii_case("false") {
                continue;
            }
            out.report(
                v.span,
                format!("`{}` is not a Bool value: `{}` never matches it", v.value, c.c.operator.value),
                "write true or false",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn booleans() {
        let p = policy(&[
            r#"{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": ["FALSE", "no", true, "1"]}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG309 2:108 "no""#, r#"SG309 2:120 "1""#]);
    }
}
