//! SG005 `unknown-variable`: a policy variable naming a condition key that does not exist. It never
//! resolves, so the resource entry matches nothing (PV6) or the condition value matches nothing (PV7),
//! unless the variable has a default, which then always applies.

use sagegate_catalog::NameKind;
use sagegate_policy::ast::OperatorFamily;
use sagegate_policy::ast::Spanned;

use crate::checks::{conditions, resource_substitution_start, sub_span, variables};
use crate::doc::Doc;
use crate::keys;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG005",
    name: "unknown-variable",
    severity: Severity::Warning,
    summary: "A policy variable names a condition key that does not exist, so it never resolves.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    if !doc.substitutes_variables() {
        return; // literal text anyway (SG003)
    }
    let mut check = |value: &Spanned<String>, from: usize| {
        for v in variables(&value.value).into_iter().filter(|v| v.start >= from) {
            if keys::info(doc.catalog, &v.key).is_some() || keys::is_provider_key(&v.key) {
                continue;
            }
            let effect = match &v.default {
                Some(d) => format!("its default '{d}' is always used"),
                None => "it never resolves, so what holds it matches nothing".to_string(),
            };
            let help = match doc.catalog.did_you_mean(NameKind::ConditionKey, &v.key) {
                Some(s) => format!("did you mean `${{{s}}}`?"),
                None => "a variable names a condition key, e.g. `${aws:username}` or `${aws:PrincipalTag/team}`".into(),
            };
            out.report(
                sub_span(doc.text, value, v.start, v.end),
                format!("`${{{}}}` names no known condition key: {effect}", v.key),
                help,
            );
        }
    };
    for (st, _) in doc.statements() {
        for e in st.resource.iter().flat_map(|r| &r.entries) {
            check(e, resource_substitution_start(&e.value));
        }
    }
    for c in conditions(doc) {
        if matches!(c.base.family(), OperatorFamily::String | OperatorFamily::Arn) {
            for value in &c.c.values {
                check(value, 0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn unknown_keys_in_variables() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:usrname}/*"}"#,
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}", "aws:ResourceTag/x": "${nope:thing, 'none'}"}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), ["SG005 2:75 ${aws:usrname}", "SG005 4:168 ${nope:thing, 'none'}"]);
        let m = messages(&CHECK, &p);
        assert!(m[0].contains("did you mean `${aws:username}`?"), "{m:?}");
        assert!(m[1].contains("its default 'none' is always used"), "{m:?}");
    }
}
