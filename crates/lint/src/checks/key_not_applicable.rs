//! SG301 `key-not-applicable`: a condition key that none of the statement's actions supports, according to
//! the Service Authorization Reference (action keys, plus the keys of the resource types they act on). The
//! key is absent from every request the statement matches, so the condition is decided as for an absent
//! key: positive operators are false, negated and `…IfExists` ones true (C3, sagemaker-authorization R1).

use crate::checks::conditions;
use crate::doc::{list, Doc};
use crate::keys::{action_supports, applicability_is_known, deprecated_successor};
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG301",
    name: "key-not-applicable",
    severity: Severity::Warning,
    summary: "A condition key that no action of the statement supports, so it is never in the request.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        let key = &c.c.key.value;
        if !c.facts.complete || c.facts.actions.is_empty() || !applicability_is_known(doc.catalog, key) {
            continue;
        }
        let effective = deprecated_successor(key).unwrap_or(key);
        if c.facts.actions.iter().any(|a| action_supports(doc.catalog, a, effective)) {
            continue;
        }
        let consequence = match (c.needs_key(), c.st.effect.value == sagegate_policy::ast::Effect::Allow) {
            (true, true) => "this condition is always false, so the statement never allows anything",
            (true, false) => "this condition is always false, so the Deny never applies",
            (false, _) => "this condition is always true, so it restricts nothing",
        };
        out.report(
            c.c.key.span,
            format!(
                "`{key}` is not a condition key of {}: it is never in their requests, and {consequence}",
                list(c.facts.actions.iter().map(|a| a.qualified()), 3)
            ),
            "check which keys these actions support in the Service Authorization Reference, or remove the condition",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn keys_of_other_actions() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:DescribeTrainingJob", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"sagemaker:VpcSubnets": "subnet-1"}}}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"sagemaker:VpcSubnets": "subnet-1"}, "StringEquals": {"aws:SourceVpc": "vpc-1", "sagemaker:DomainId": "d-1"}}}"#,
            r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringNotEquals": {"sagemaker:RootAccess": "Disabled"}}}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateDomain", "Resource": "*", "Condition": {"ArnEquals": {"sagemaker:HomeEfsFileSystemKmsKey": "arn:aws:kms:us-east-1:111122223333:key/k"}}}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateFlowDefinition", "Resource": "*", "Condition": {"ArnEquals": {"sagemaker:VolumeKmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/k"}}}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [
                r#"SG301 2:124 "sagemaker:VpcSubnets""#,
                r#"SG301 4:97 "sagemaker:RootAccess""#,
                r#"SG301 6:110 "sagemaker:VolumeKmsKeyArn""#,
            ]
        );
        let m = messages(&CHECK, &p);
        assert!(m[0].contains("never allows anything"), "{m:?}");
        assert!(m[1].contains("always true"), "{m:?}");
    }
}
