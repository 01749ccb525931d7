//! SG501 `broad-sagemaker-grant`: an Allow of every SageMaker action (`sagemaker:*`, or `*`). That includes
//! deleting domains and endpoints, presigned Studio URLs into any user profile, and creating jobs that run
//! code with any execution role the caller may pass.

use sagegate_policy::ast::Effect;

use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG501",
    name: "broad-sagemaker-grant",
    severity: Severity::SecurityWarning,
    summary: "An Allow of every SageMaker action (sagemaker:* or *).",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        if st.effect.value != Effect::Allow {
            continue;
        }
        let everywhere = st.resource.as_ref().is_some_and(|r| !r.negated && r.entries.iter().any(|e| e.value == "*"));
        let scope = match (everywhere, st.conditions.is_empty()) {
            (true, true) => " on every resource, without conditions",
            (true, false) => " on every resource",
            _ => "",
        };
        for e in st.action.iter().filter(|a| !a.negated).flat_map(|a| &a.entries) {
            let all_sagemaker = match e.value.split_once(':') {
                Some((prefix, name)) => {
                    prefix.eq_ignore_ascii_case("sagemaker") && name.chars().all(|c| c == '*') && !name.is_empty()
                }
                None => e.value == "*",
            };
            if !all_sagemaker {
                continue;
            }
            let what = if e.value == "*" {
                "every action of every service (SageMaker's included)"
            } else {
                "every SageMaker action"
            };
            out.report(
                e.span,
                format!(
                    "`{}` allows {what}{scope}: deleting domains and endpoints, presigned Studio URLs into any user profile, and jobs that run code with a passed role",
                    e.value
                ),
                "list the actions the principal needs (a Role Manager persona's activities are a good start), e.g. `sagemaker:Describe*`, `sagemaker:CreateTrainingJob`",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn every_sagemaker_action() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}"#,
            r#"{"Effect": "Allow", "Action": ["*"], "Resource": "arn:aws:sagemaker:*:*:*"}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:Describe*", "Resource": "*"}"#,
            r#"{"Effect": "Deny", "Action": "sagemaker:*", "Resource": "*"}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG501 2:31 "sagemaker:*""#, r#"SG501 3:32 "*""#]);
        assert!(messages(&CHECK, &p)[0].contains("every SageMaker action on every resource, without conditions"));
    }
}
