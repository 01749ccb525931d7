//! SG307 `for-all-values-without-null`: `ForAllValues:` in an Allow without a `Null` guard on the same key.
//! `ForAllValues:` is true when the key is absent or empty (M3), so the Allow also grants requests that carry
//! no such values at all (M8): a tag allow-list then allows creating untagged resources.

use sagegate_policy::ast::{BaseOperator, Effect, SetOperator};

use crate::checks::conditions;
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG307",
    name: "for-all-values-without-null",
    severity: Severity::SecurityWarning,
    summary: "ForAllValues: in an Allow without a Null guard, so requests without the key are allowed too.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        if c.set != SetOperator::ForAllValues || c.base == BaseOperator::Null || c.st.effect.value != Effect::Allow {
            continue;
        }
        let key = &c.c.key.value;
        let guarded = c.st.conditions.iter().any(|g| {
            g.operator.value == "Null"
                && g.key.value.eq_ignore_ascii_case(key)
                && !g.values.is_empty()
                && g.values.iter().all(|v| v.value.eq_ignore_ascii_case("false"))
        });
        if guarded {
            continue;
        }
        out.report(
            c.c.operator.span,
            format!(
                "`{}` is true when the request has no `{key}` at all, so this Allow also applies to requests without it",
                c.c.operator.value
            ),
            format!("add \"Null\": {{\"{key}\": \"false\"}} to the statement's Condition"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn null_guard() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "project"]}}}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}, "Null": {"aws:tagkeys": "false"}}}"#,
            r#"{"Effect": "Deny", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["team"]}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG307 2:93 "ForAllValues:StringEquals""#]);
    }
}
