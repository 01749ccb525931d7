//! SG102 `unknown-action`: an action the service does not have, or a pattern that matches none of its
//! actions. It matches nothing.

use sagegate_catalog::NameKind;

use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG102",
    name: "unknown-action",
    severity: Severity::Error,
    summary: "An action does not exist in its service, or a pattern matches none of the service's actions.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, facts) in doc.statements() {
        for (i, e) in st.action.iter().flat_map(|a| &a.entries).enumerate() {
            let Some((prefix, name)) = e.value.split_once(':') else {
                continue;
            };
            if name.contains(':') || prefix.contains(['*', '?']) {
                continue;
            }
            let Some(service) = doc.catalog.service(prefix) else {
                continue; // SG101
            };
            if name.contains(['*', '?']) {
                let matched = match facts.per_entry.get(i) {
                    Some(m) => !m.is_empty(),
                    None => !crate::doc::resolve(&e.value, doc.catalog).is_empty(), // NotAction
                };
                if !matched {
                    out.report(
                        e.span,
                        format!("`{}` matches no {} action", e.value, service.prefix),
                        "check the pattern's spelling; `?` matches exactly one character",
                    );
                }
            } else if service.action(name).is_none() {
                let help = match doc.catalog.did_you_mean(NameKind::Action, &e.value) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("see the actions of `{}` in the Service Authorization Reference", service.prefix),
                };
                out.report(e.span, format!("`{}` is not an action of {}", e.value, service.name), help);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn unknown_actions_and_empty_patterns() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": ["sagemaker:CreateTraningJob", "sagemaker:Nope*", "sagemaker:createtrainingjob", "sagemakr:X"], "Resource": "*"}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [r#"SG102 2:32 "sagemaker:CreateTraningJob""#, r#"SG102 2:62 "sagemaker:Nope*""#]
        );
        let m = messages(&CHECK, &p);
        assert!(m[0].ends_with("did you mean `sagemaker:CreateTrainingJob`?"), "{m:?}");
        assert!(m[1].starts_with("`sagemaker:Nope*` matches no sagemaker action"), "{m:?}");
    }
}
