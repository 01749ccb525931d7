//! SG318 `deny-misses-absent-key`: a Deny whose condition needs a SageMaker request key present. When the
//! request omits the field behind the key, the key is absent (no API default is assumed, sagemaker-authorization
//! R2) and the Deny does not apply: `StringEquals sagemaker:RootAccess Enabled` lets a create that omits
//! RootAccess (and so gets root access by default) through.

use sagegate_policy::ast::{BaseOperator, Effect};
use sagegate_sagemaker::keys::{FILE_SYSTEM_KEYS, KEY_RULES};

use crate::checks::conditions;
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG318",
    name: "deny-misses-absent-key",
    severity: Severity::Suggestion,
    summary: "A Deny on a SageMaker request key that does not apply when the request omits the field.",
    run,
};

/// Keys that SageMaker fills from optional request fields (sagemaker-authorization §2.8).
fn is_request_field_key(key: &str) -> bool {
    KEY_RULES.iter().any(|r| r.key.eq_ignore_ascii_case(key))
        || FILE_SYSTEM_KEYS.iter().any(|(k, _)| k.eq_ignore_ascii_case(key))
}

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        if c.st.effect.value != Effect::Deny || c.base == BaseOperator::Null || !c.needs_key() {
            continue;
        }
        let key = &c.c.key.value;
        if !is_request_field_key(key) {
            continue;
        }
        out.report(
            c.c.key.span,
            format!(
                "this Deny does not apply when the request omits the field behind `{key}`: the key is then absent, and `{}` is false",
                c.c.operator.value
            ),
            format!(
                "also deny the omitted case with \"Null\": {{\"{key}\": \"true\"}} in a second Deny, or deny with the negated operator listing the allowed values"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn omitted_fields() {
        let p = policy(&[
            r#"{"Effect": "Deny", "Action": "sagemaker:CreateNotebookInstance", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:RootAccess": "Enabled"}}}"#,
            r#"{"Effect": "Deny", "Action": "sagemaker:CreateNotebookInstance", "Resource": "*", "Condition": {"StringNotEquals": {"sagemaker:RootAccess": "Disabled"}}}"#,
            r#"{"Effect": "Deny", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": "ml.m5.*"}, "Bool": {"aws:SecureTransport": "false"}}}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateNotebookInstance", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:RootAccess": "Disabled"}}}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [r#"SG318 2:114 "sagemaker:RootAccess""#, r#"SG318 4:122 "sagemaker:InstanceTypes""#]
        );
    }
}
