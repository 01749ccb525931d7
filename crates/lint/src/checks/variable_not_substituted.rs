//! SG004 `variable-not-substituted`: a policy variable where IAM never substitutes one (PV2): actions,
//! principals, condition keys, Numeric/Date/Bool/Binary/IP/Null values, and the parts of an ARN before the
//! resource-type prefix ends. It stays literal text.

use sagegate_policy::ast::{OperatorFamily, PrincipalSet};

use crate::checks::{conditions, resource_substitution_start, sub_span, variables};
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG004",
    name: "variable-not-substituted",
    severity: Severity::Warning,
    summary: "A policy variable where IAM never substitutes one stays literal text.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    let mut report = |span, key: &str, place: &str, help: &str| {
        out.report(span, format!("`${{{key}}}` is literal text in {place}: variables are not substituted there"), help);
    };
    for (st, _) in doc.statements() {
        for e in st.action.iter().flat_map(|a| &a.entries) {
            for v in variables(&e.value) {
                report(sub_span(doc.text, e, v.start, v.end), &v.key, "an action", "name actions literally");
            }
        }
        if let Some(PrincipalSet::Map(map)) = st.principal.as_ref().map(|p| &p.principals) {
            for e in map.iter().flat_map(|(_, values)| values) {
                for v in variables(&e.value) {
                    let help = "name principals literally, or match `aws:PrincipalArn` with a variable in a condition";
                    report(sub_span(doc.text, e, v.start, v.end), &v.key, "a principal", help);
                }
            }
        }
        for e in st.resource.iter().flat_map(|r| &r.entries) {
            let from = resource_substitution_start(&e.value);
            for v in variables(&e.value).into_iter().filter(|v| v.start < from) {
                let help = "variables work only in the resource part after its type prefix, e.g. `arn:aws:s3:::bucket/${aws:username}/*`; match the account with `aws:ResourceAccount` in a condition";
                report(sub_span(doc.text, e, v.start, v.end), &v.key, "this part of the ARN", help);
            }
        }
    }
    for c in conditions(doc) {
        for v in variables(&c.c.key.value) {
            report(sub_span(doc.text, &c.c.key, v.start, v.end), &v.key, "a condition key", "name the key literally");
        }
        if matches!(c.base.family(), OperatorFamily::String | OperatorFamily::Arn) {
            continue;
        }
        for value in &c.c.values {
            for v in variables(&value.value) {
                let place = format!("a `{}` value", c.c.operator.value);
                let help = "variables work only in String and ARN condition values";
                report(sub_span(doc.text, value, v.start, v.end), &v.key, &place, help);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy, run};

    #[test]
    fn literal_places() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "s3:${aws:username}", "Resource": "arn:aws:iam::${aws:PrincipalAccount}:role/x"}"#,
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}"#,
            r#"{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*", "Condition": {"NumericEquals": {"s3:max-keys": "${aws:username}"}, "StringEquals": {"s3:prefix": "${aws:username}"}}}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            ["SG004 2:35 ${aws:username}", "SG004 2:79 ${aws:PrincipalAccount}", "SG004 4:113 ${aws:username}"]
        );
    }

    #[test]
    fn principals_and_type_prefixes() {
        let trust = policy(&[
            r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/${aws:username}"}, "Action": "sts:AssumeRole"}"#,
        ]);
        assert_eq!(run(&CHECK, sagegate_policy::PolicyKind::Trust, &trust), ["SG004 2:74 ${aws:username}"]);
        let prefix = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "arn:aws:sagemaker:*:*:${aws:username}/x"}"#,
        ]);
        assert_eq!(found(&CHECK, &prefix), ["SG004 2:81 ${aws:username}"]);
    }
}
