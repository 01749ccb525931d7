//! SG106 `deprecated-kms-key`: one of SageMaker's six deprecated `*KmsKey` condition keys. No action lists
//! them any more; their `…Arn` successors hold the key ARN (spec sagemaker-authorization §1.3 item 4, F4).

use sagegate_policy::ast::OperatorFamily;

use crate::checks::conditions;
use crate::doc::Doc;
use crate::keys::deprecated_successor;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG106",
    name: "deprecated-kms-key",
    severity: Severity::Warning,
    summary: "A deprecated SageMaker *KmsKey condition key; its ...Arn successor should be used.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        let Some(successor) = deprecated_successor(&c.c.key.value) else {
            continue;
        };
        let operator = if c.base.family() == OperatorFamily::String {
            format!(", with `ArnEquals` or `ArnLike` instead of `{}`", c.c.operator.value)
        } else {
            String::new()
        };
        out.report(
            c.c.key.span,
            format!("`{}` is deprecated: no action lists it, and `{successor}` replaces it", c.c.key.value),
            format!("use `{successor}`{operator}; its values are KMS key ARNs, not key ids"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn deprecated_keys_get_their_successor() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:VolumeKmsKey": "k", "sagemaker:VolumeKmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/k"}}}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateDomain", "Resource": "*", "Condition": {"ArnLike": {"sagemaker:HomeEfsFileSystemKmsKey": "arn:aws:kms:*:*:key/*"}}}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [r#"SG106 2:110 "sagemaker:VolumeKmsKey""#, r#"SG106 3:100 "sagemaker:HomeEfsFileSystemKmsKey""#]
        );
        let m = messages(&CHECK, &p);
        assert!(
            m[0].contains("use `sagemaker:VolumeKmsKeyArn`, with `ArnEquals` or `ArnLike` instead of `StringEquals`"),
            "{m:?}"
        );
        assert!(m[1].contains("`sagemaker:VolumeKmsKeyArn` replaces it"), "{m:?}");
    }
}
