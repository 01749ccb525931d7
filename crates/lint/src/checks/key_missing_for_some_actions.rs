//! SG302 `key-missing-for-some-actions`: a condition that needs its key present, on a statement where only
//! some actions support the key. For the others the key is always absent, so the statement never applies to
//! them: an Allow never grants them, a Deny never blocks them (C3, sagemaker-authorization R1).

use sagegate_policy::ast::Effect;

use crate::checks::{conditions, dead_wildcard_only, is_resource_tag_key, tag_immune};
use crate::doc::{list, ActionRef, Doc};
use crate::keys::{action_supports, applicability_is_known, deprecated_successor};
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG302",
    name: "key-missing-for-some-actions",
    severity: Severity::Warning,
    summary: "A condition needs a key that only some of the statement's actions support; the others never match.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        let key = &c.c.key.value;
        if !c.needs_key() || !c.facts.complete || !applicability_is_known(doc.catalog, key) {
            continue;
        }
        let effective = deprecated_successor(key).unwrap_or(key);
        let (with, mut without): (Vec<&ActionRef>, Vec<&ActionRef>) =
            c.facts.actions.iter().partition(|a| action_supports(doc.catalog, a, effective));
        // Actions that other checks already report as never matching here (SG201, SG502).
        let resource_tag = is_resource_tag_key(key);
        without.retain(|a| !(dead_wildcard_only(c.st, a) || (resource_tag && tag_immune(a))));
        if with.is_empty() || without.is_empty() {
            continue; // none: SG301; all: fine
        }
        let verb = if c.st.effect.value == Effect::Allow { "allows" } else { "denies" };
        out.report(
            c.c.key.span,
            format!(
                "the statement never {verb} {}: their requests never carry `{key}`, and `{}` needs it",
                list(without.iter().map(|a| a.qualified()), 3),
                c.c.operator.value
            ),
            format!(
                "put the actions that support `{key}` ({}) in their own statement",
                list(with.iter().map(|a| a.qualified()), 3)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn mixed_statements() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob"], "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"sagemaker:VpcSubnets": "subnet-1"}}}"#,
            r#"{"Effect": "Allow", "Action": ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob"], "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"sagemaker:VpcSubnets": "subnet-1"}}}"#,
            r#"{"Effect": "Deny", "Action": ["sagemaker:CreateNotebookInstance", "sagemaker:DeleteNotebookInstance"], "Resource": "*", "Condition": {"StringEquals": {"sagemaker:RootAccess": "Enabled"}}}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [r#"SG302 2:157 "sagemaker:VpcSubnets""#, r#"SG302 4:152 "sagemaker:RootAccess""#]
        );
        let m = messages(&CHECK, &p);
        assert!(m[0].starts_with("the statement never allows `sagemaker:DescribeTrainingJob`"), "{m:?}");
        assert!(m[1].starts_with("the statement never denies `sagemaker:DeleteNotebookInstance`"), "{m:?}");
    }
}
