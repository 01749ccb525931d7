//! SG406 `write-on-all-resources`: an unconditional Allow of write, tagging or permissions-management
//! actions on `"Resource": "*"`, for actions that could be scoped to resource ARNs. Least privilege scopes
//! them to the resources the role needs.

use sagegate_catalog::AccessLevel;
use sagegate_policy::ast::Effect;

use crate::doc::{list, statement_name, Doc};
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG406",
    name: "write-on-all-resources",
    severity: Severity::Suggestion,
    summary: "Write actions that take resource ARNs, allowed without conditions on every resource.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, facts) in doc.statements() {
        let Some(star) = st.resource.iter().filter(|r| !r.negated).flat_map(|r| &r.entries).find(|e| e.value == "*")
        else {
            continue;
        };
        if st.effect.value != Effect::Allow || !st.conditions.is_empty() {
            continue;
        }
        let entries = st.action.iter().flat_map(|a| &a.entries).zip(&facts.per_entry);
        let mut writes: Vec<&str> = Vec::new();
        for (e, matched) in entries {
            // `sagemaker:*` is SG501's, iam:PassRole SG408's.
            if e.value.eq_ignore_ascii_case("sagemaker:*") {
                continue;
            }
            for a in matched {
                let write = matches!(
                    a.action.access_level,
                    AccessLevel::Write | AccessLevel::PermissionsManagement | AccessLevel::Tagging
                );
                if write
                    && !a.action.is_wildcard_only()
                    && a.qualified() != "iam:PassRole"
                    && !writes.contains(&a.qualified())
                {
                    writes.push(a.qualified());
                }
            }
        }
        if writes.is_empty() {
            continue;
        }
        out.report(
            star.span,
            format!(
                "statement {} allows {} write action{} on every resource, without conditions: {}",
                statement_name(st),
                writes.len(),
                if writes.len() == 1 { "" } else { "s" },
                list(writes.iter().copied(), 4)
            ),
            "scope these actions to the resource ARNs they need, or restrict them with a condition (e.g. on aws:ResourceTag)",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn unscoped_writes() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": ["sagemaker:DeleteModel", "sagemaker:DescribeModel", "sagemaker:ListModels", "sagemaker:*"], "Resource": "*"}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:DeleteModel", "Resource": "arn:aws:sagemaker:*:*:model/*"}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:DeleteModel", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}}}"#,
            r#"{"Effect": "Allow", "Action": ["iam:PassRole", "sagemaker:DescribeModel"], "Resource": "*"}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG406 2:136 "*""#]);
        assert!(messages(&CHECK, &p)[0]
            .contains("allows 1 write action on every resource, without conditions: `sagemaker:DeleteModel`"));
    }
}
