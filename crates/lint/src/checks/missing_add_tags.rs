//! SG503 `missing-add-tags`: a SageMaker create allowed with request-tag conditions (`aws:RequestTag/…`,
//! `aws:TagKeys`), while no statement of the policy allows `sagemaker:AddTags`. A create that carries tags
//! is also checked for `sagemaker:AddTags` on the new resource (tag-on-create, sagemaker-authorization §2.2
//! C2), so exactly the tagged calls these conditions are written for are denied (role-manager flaw F10).

use sagegate_policy::ast::Effect;
use sagegate_sagemaker::{CatalogSar, Sar};

use crate::checks::conditions;
use crate::doc::{list, Doc};
use crate::patterns::action_covers;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG503",
    name: "missing-add-tags",
    severity: Severity::Warning,
    summary: "A SageMaker create allowed with request-tag conditions, but sagemaker:AddTags is allowed nowhere.",
    run,
};

/// The Edge operations carry `Tags` but get no tag-on-create check (sagemaker-authorization §2.2 decision).
const NO_TAG_ON_CREATE: [&str; 4] =
    ["CreateDeviceFleet", "CreateEdgeDeploymentPlan", "CreateEdgePackagingJob", "RegisterDevices"];

/// Whether some Allow statement of the document can allow `sagemaker:AddTags`.
fn add_tags_allowed(doc: &Doc) -> bool {
    doc.statements().any(|(st, _)| {
        st.effect.value == Effect::Allow
            && st.action.as_ref().is_some_and(|a| {
                let covered = a.entries.iter().any(|e| action_covers(&e.value, "sagemaker:AddTags"));
                covered != a.negated
            })
    })
}

fn run(doc: &Doc, out: &mut Sink) {
    if add_tags_allowed(doc) {
        return;
    }
    let sar = CatalogSar(doc.catalog);
    let mut seen = Vec::new();
    for c in conditions(doc) {
        let key = c.c.key.value.to_ascii_lowercase();
        if c.st.effect.value != Effect::Allow || !(key.starts_with("aws:requesttag/") || key == "aws:tagkeys") {
            continue;
        }
        if seen.contains(&c.st.index) {
            continue; // one finding per statement
        }
        let creates: Vec<&str> = c
            .facts
            .actions
            .iter()
            .filter(|a| a.service.prefix == "sagemaker" && a.action.name != "AddTags")
            .filter(|a| !NO_TAG_ON_CREATE.contains(&a.action.name) && sar.has_tags_member(a.action.name))
            .map(|a| a.qualified())
            .collect();
        if creates.is_empty() {
            continue;
        }
        seen.push(c.st.index);
        let tagging_actions: Vec<String> =
            creates.iter().take(3).map(|q| format!("\"{}\"", q.trim_start_matches("sagemaker:"))).collect();
        out.report(
            c.c.key.span,
            format!(
                "{} {} allowed only with request tags, but no statement allows `sagemaker:AddTags`, which SageMaker also checks when a create carries tags: tagged calls are denied",
                list(creates.iter().copied(), 3),
                if creates.len() == 1 { "is" } else { "are" }
            ),
            format!(
                "add {{\"Effect\": \"Allow\", \"Action\": \"sagemaker:AddTags\", \"Resource\": \"*\", \"Condition\": {{\"StringEquals\": {{\"sagemaker:TaggingAction\": [{}]}}}}}} (unless another policy of the principal allows it)",
                tagging_actions.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    const CREATE: &str = r#"{"Effect": "Allow", "Action": ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob"], "Resource": "*", "Condition": {"StringEquals": {"aws:RequestTag/team": "ml"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}"#;

    #[test]
    fn tag_on_create_needs_add_tags() {
        let p = policy(&[CREATE]);
        assert_eq!(found(&CHECK, &p), [r#"SG503 2:145 "aws:RequestTag/team""#]);
        assert!(messages(&CHECK, &p)[0].contains(r#""sagemaker:TaggingAction": ["CreateTrainingJob"]"#));
        let with_add_tags = policy(&[CREATE, r#"{"Effect": "Allow", "Action": "sagemaker:AddTags", "Resource": "*"}"#]);
        assert!(found(&CHECK, &with_add_tags).is_empty());
        let via_wildcard = policy(&[CREATE, r#"{"Effect": "Allow", "Action": "sagemaker:Add*", "Resource": "*"}"#]);
        assert!(found(&CHECK, &via_wildcard).is_empty());
        let describe_only = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:DescribeTrainingJob", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestTag/team": "ml"}}}"#,
        ]);
        assert!(found(&CHECK, &describe_only).is_empty());
    }
}
