//! SG314 `empty-condition-value`: an empty string as a String condition value. It matches only a key whose
//! value is empty (C5); it is usually a template parameter that was never filled in (role-manager F1).

use sagegate_policy::ast::OperatorFamily;

use crate::checks::conditions;
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG314",
    name: "empty-condition-value",
    severity: Severity::Warning,
    summary: "An empty string as a String condition value, usually an unfilled template parameter.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc).filter(|c| c.base.family() == OperatorFamily::String) {
        for v in c.c.values.iter().filter(|v| v.value.is_empty()) {
            out.report(
                v.span,
                format!("an empty value: `{}` compares `{}` with the empty string", c.c.operator.value, c.c.key.value),
                "fill in the value, or remove it; to test whether the key is present use `Null`",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn empty_strings() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"sagemaker:VpcSubnets": ["", "subnet-1"]}, "StringLike": {"aws:RequestTag/team": "*"}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG314 2:147 """#]);
    }
}
