//! SG502 `tag-condition-on-tag-immune`: a resource-tag condition (`aws:ResourceTag/…`,
//! `sagemaker:ResourceTag/…`) on a statement that covers one of the 24 SageMaker operations tags cannot
//! restrict (the List operations, Search, DeleteImageVersion, DescribeImageVersion; sagemaker-authorization
//! §3.2). Their requests never carry resource tags, so the condition fails in an Allow and never fires in a
//! Deny (seed S18).

use crate::checks::{conditions, dead_wildcard_only, is_resource_tag_key, tag_immune};
use crate::doc::{list, Doc};
use crate::{Check, Severity, Sink};
use sagegate_policy::ast::Effect;

pub(crate) const CHECK: Check = Check {
    code: "SG502",
    name: "tag-condition-on-tag-immune",
    severity: Severity::Warning,
    summary: "A resource-tag condition on SageMaker operations that tags cannot restrict (List*, Search, ...).",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        if !is_resource_tag_key(&c.c.key.value) {
            continue;
        }
        let immune: Vec<&str> = c
            .facts
            .actions
            .iter()
            // Wildcard-only operations under ARN resources never match anyway (SG201).
            .filter(|a| tag_immune(a) && !dead_wildcard_only(c.st, a))
            .map(|a| a.qualified())
            .collect();
        if immune.is_empty() {
            continue;
        }
        let consequence = match (c.needs_key(), c.st.effect.value == Effect::Allow) {
            (true, true) => "the condition is always false there, so this statement never allows them",
            (true, false) => "the condition is always false there, so this Deny never applies to them",
            (false, _) => "the condition is always true there, so it restricts nothing",
        };
        out.report(
            c.c.key.span,
            format!(
                "tags cannot restrict {}: {} requests carry no resource tags, and {consequence}",
                list(immune.iter().copied(), 3),
                if immune.len() == 1 { "its" } else { "their" }
            ),
            "grant or deny these operations in a statement without tag conditions; List and Search results are not filtered by tags",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn tag_immune_operations() {
        let p = policy(&[
            r#"{"Sid": "DenyProjectB", "Effect": "Deny", "Action": "sagemaker:*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/Project": "B"}}}"#,
            r#"{"Effect": "Allow", "Action": ["sagemaker:ListModels", "sagemaker:DescribeModel"], "Resource": "*", "Condition": {"StringEquals": {"sagemaker:ResourceTag/team": "a"}}}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:DescribeModel", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}}}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [r#"SG502 2:116 "aws:ResourceTag/Project""#, r#"SG502 3:132 "sagemaker:ResourceTag/team""#]
        );
        let m = messages(&CHECK, &p);
        assert!(m[0].contains("this Deny never applies to them") && m[0].contains("and 21 more"), "{m:?}");
        assert!(m[1].starts_with("tags cannot restrict `sagemaker:ListModels`"), "{m:?}");
    }
}
