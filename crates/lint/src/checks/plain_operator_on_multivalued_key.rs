//! SG306 `plain-operator-on-multivalued-key`: an operator without `ForAllValues:`/`ForAnyValue:` on a key
//! that holds a list (`aws:TagKeys`, `sagemaker:VpcSubnets`, …). It never matches a list, even a one-element
//! list, negated or not (M2).

use sagegate_policy::ast::{BaseOperator, SetOperator};

use crate::checks::conditions;
use crate::doc::Doc;
use crate::keys;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG306",
    name: "plain-operator-on-multivalued-key",
    severity: Severity::Warning,
    summary: "An operator without a set prefix on a multivalued key, which never matches.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        if c.set != SetOperator::None || c.base == BaseOperator::Null {
            continue;
        }
        let Some(t) = keys::key_type(doc.catalog, &c.c.key.value) else {
            continue;
        };
        if !t.is_array() {
            continue;
        }
        let op = &c.c.operator.value;
        out.report(
            c.c.operator.span,
            format!("`{}` is multivalued ({}): `{op}` without a set prefix never matches it", c.c.key.value, t.as_str()),
            format!(
                "use `ForAnyValue:{op}` (some value matches) or `ForAllValues:{op}` (every value matches; in an Allow add a `Null` guard)"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn multivalued_keys() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:VpcSubnets": "subnet-1"}, "ForAnyValue:StringEquals": {"sagemaker:InstanceTypes": "ml.m5.large"}, "Null": {"aws:TagKeys": "false"}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG306 2:93 "StringEquals""#]);
    }
}
