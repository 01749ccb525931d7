//! SG310 `invalid-numeric-value`: a Numeric operator's value that is not a number
//! (`[+-]?digits[.digits]` with an optional exponent, O4). It never matches, even under a negated operator
//! (O2).

use sagegate_policy::ast::OperatorFamily;
use sagegate_policy::condition::Decimal;

use crate::checks::{conditions, has_variable};
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG310",
    name: "invalid-numeric-value",
    severity: Severity::Warning,
    summary: "A Numeric condition value that is not a number.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc).filter(|c| c.base.family() == OperatorFamily::Numeric) {
        for v in &c.c.values {
            if has_variable(&v.value) || Decimal::parse(&v.value).is_some() {
                continue;
            }
            out.report(
                v.span,
                format!("`{}` is not a number: `{}` never matches it", v.value, c.c.operator.value),
                "write a decimal number without units or spaces, e.g. 3600 or 1.5",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn numbers() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"NumericLessThanEquals": {"sagemaker:MaxRuntimeInSeconds": ["3600", "1h", 7200, "1e3", " 5"]}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG310 2:161 "1h""#, r#"SG310 2:180 " 5""#]);
    }
}
