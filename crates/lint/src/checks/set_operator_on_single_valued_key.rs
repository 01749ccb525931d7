//! SG305 `set-operator-on-single-valued-key`: `ForAllValues:` or `ForAnyValue:` on a key that holds one
//! value. The value is treated as a one-element list (M6); `ForAllValues:` is moreover true when the key is
//! absent (M3), which in an Allow grants more than intended.

use sagegate_policy::ast::{BaseOperator, SetOperator};

use crate::checks::conditions;
use crate::doc::Doc;
use crate::keys;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG305",
    name: "set-operator-on-single-valued-key",
    severity: Severity::Warning,
    summary: "A ForAllValues:/ForAnyValue: set operator on a single-valued key.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        if c.set == SetOperator::None || c.base == BaseOperator::Null {
            continue;
        }
        let Some(t) = keys::key_type(doc.catalog, &c.c.key.value) else {
            continue;
        };
        if t.is_array() {
            continue;
        }
        let extra = if c.set == SetOperator::ForAllValues { ", and is true when the key is absent" } else { "" };
        let plain = c.c.operator.value.split_once(':').map_or(c.c.operator.value.as_str(), |(_, b)| b);
        out.report(
            c.c.operator.span,
            format!(
                "`{}` is single-valued ({}): `{}` treats its value as a one-element list{extra}",
                c.c.key.value,
                t.as_str(),
                c.c.operator.value
            ),
            format!("use `{plain}` without the set prefix"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn single_valued_keys() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:RequestedRegion": "us-east-1", "aws:TagKeys": "a"}, "ForAnyValue:StringEquals": {"aws:RequestTag/team": "x"}, "StringEquals": {"aws:username": "u"}}}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [r#"SG305 2:93 "ForAllValues:StringEquals""#, r#"SG305 2:180 "ForAnyValue:StringEquals""#]
        );
    }
}
