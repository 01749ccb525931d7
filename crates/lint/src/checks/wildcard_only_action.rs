//! SG201 `arn-on-wildcard-only-action`: an action without resource types (every `List*`, `Search`, …) in a
//! statement whose resources are ARNs. Such actions are authorized against the resource `*`, which only a
//! `Resource` entry that is exactly `*` matches (R3, spec sagemaker-authorization §3.1), so the statement never
//! grants or denies them.

use crate::doc::{list, Doc};
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG201",
    name: "arn-on-wildcard-only-action",
    severity: Severity::Warning,
    summary: "An action that takes no resource ARN (wildcard-only) is scoped to ARNs, so it never matches.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, facts) in doc.statements() {
        let (Some(actions), Some(resource)) = (&st.action, &st.resource) else {
            continue;
        };
        if actions.negated || resource.negated || resource.entries.iter().any(|e| e.value == "*") {
            continue;
        }
        for (e, matched) in actions.entries.iter().zip(&facts.per_entry) {
            if matched.is_empty() || !matched.iter().all(|a| a.action.is_wildcard_only()) {
                continue;
            }
            let what = if matched.len() == 1 {
                format!("`{}` takes no resource ARN", matched.iter().map(|a| a.qualified()).next().unwrap_or_default())
            } else {
                format!("`{}` matches only actions that take no resource ARN", e.value)
            };
            out.report(
                e.span,
                format!(
                    "{what}: it is authorized against `*`, which none of this statement's resources matches, so the statement never applies to it"
                ),
                format!(
                    "move {} to a statement with \"Resource\": \"*\"; no ARN pattern, not even `arn:aws:{}:*:*:*`, matches `*`",
                    list(matched.iter().map(|a| a.qualified()), 3),
                    matched.first().map_or("sagemaker", |a| a.service.prefix)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn wildcard_only_actions_on_arns() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": ["sagemaker:ListModels", "sagemaker:DescribeModel", "sagemaker:List*"], "Resource": "arn:aws:sagemaker:*:*:*"}"#,
            r#"{"Effect": "Allow", "Action": ["sagemaker:ListModels", "sagemaker:Search"], "Resource": ["arn:aws:sagemaker:*:*:model/*", "*"]}"#,
            r#"{"Effect": "Allow", "NotAction": "sagemaker:ListModels", "Resource": "arn:aws:sagemaker:*:*:*"}"#,
        ]);
        // `sagemaker:List*` also matches ListTags and other actions with resource types.
        assert_eq!(found(&CHECK, &p), [r#"SG201 2:32 "sagemaker:ListModels""#]);
    }
}
