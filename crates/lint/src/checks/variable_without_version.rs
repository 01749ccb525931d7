//! SG003 `variable-without-version`: a policy variable where it would be substituted, in a document that is
//! not `2012-10-17`, so it stays literal text and matches only itself (PV3, divergence D1).

use sagegate_policy::ast::OperatorFamily;

use crate::checks::{conditions, resource_substitution_start, sub_span, variables};
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG003",
    name: "variable-without-version",
    severity: Severity::Warning,
    summary: "A policy variable in a document without Version 2012-10-17 stays literal text.",
    run,
};

const HELP: &str = "add \"Version\": \"2012-10-17\": only that version substitutes policy variables";

fn run(doc: &Doc, out: &mut Sink) {
    if doc.policy.is_none() || doc.substitutes_variables() {
        return;
    }
    for (st, _) in doc.statements() {
        for e in st.resource.iter().flat_map(|r| &r.entries) {
            let from = resource_substitution_start(&e.value);
            for v in variables(&e.value).into_iter().filter(|v| v.start >= from) {
                out.report(
                    sub_span(doc.text, e, v.start, v.end),
                    format!("`${{{}}}` is literal text here: the document is not Version 2012-10-17", v.key),
                    HELP,
                );
            }
        }
    }
    for c in conditions(doc) {
        if !matches!(c.base.family(), OperatorFamily::String | OperatorFamily::Arn) {
            continue; // never substituted there (SG004)
        }
        for value in &c.c.values {
            for v in variables(&value.value) {
                out.report(
                    sub_span(doc.text, value, v.start, v.end),
                    format!("`${{{}}}` is literal text here: the document is not Version 2012-10-17", v.key),
                    HELP,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::found;

    #[test]
    fn variables_need_the_2012_version() {
        let p = r#"{"Statement": [
{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"},
{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}}
]}"#;
        assert_eq!(found(&CHECK, p), ["SG003 2:78 ${aws:username}", "SG003 3:120 ${aws:username}"]);
        let legacy = p.replace("{\"Statement\"", "{\"Version\": \"2008-10-17\", \"Statement\"");
        assert_eq!(found(&CHECK, &legacy).len(), 2);
        let current = p.replace("{\"Statement\"", "{\"Version\": \"2012-10-17\", \"Statement\"");
        assert!(found(&CHECK, &current).is_empty());
    }

    #[test]
    fn places_without_substitution_are_left_to_sg004() {
        let p = r#"{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"NumericLessThan": {"s3:max-keys": "${aws:username}"}}}}"#;
        assert!(found(&CHECK, p).is_empty());
    }
}
