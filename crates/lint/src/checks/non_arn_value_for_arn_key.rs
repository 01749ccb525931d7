//! SG317 `non-arn-value-for-arn-key`: a String operator compares an ARN-typed key with a value that cannot
//! be an ARN, such as a bare KMS key id. The key holds ARNs (SageMaker normalises key ids to key ARNs,
//! sagemaker-authorization R4), so the value matches nothing (role-manager flaw F3).

use sagegate_catalog::KeyType;
use sagegate_policy::ast::{BaseOperator, OperatorFamily};

use crate::checks::{conditions, has_variable};
use crate::doc::Doc;
use crate::keys;
use crate::patterns::{intersects, policy_tokens};
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG317",
    name: "non-arn-value-for-arn-key",
    severity: Severity::Warning,
    summary: "A value that cannot be an ARN, compared with an ARN-typed key (e.g. a bare KMS key id).",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    let any_arn = policy_tokens("arn:*", false);
    for c in conditions(doc) {
        if c.base.family() != OperatorFamily::String
            || keys::key_type(doc.catalog, &c.c.key.value).map(KeyType::element) != Some(KeyType::Arn)
        {
            continue;
        }
        let glob = matches!(c.base, BaseOperator::StringLike | BaseOperator::StringNotLike);
        for v in &c.c.values {
            if v.value.is_empty() || has_variable(&v.value) {
                continue; // SG314; variables may resolve to ARNs
            }
            let tokens = if glob {
                policy_tokens(&v.value, false)
            } else {
                policy_tokens(&v.value.replace(['*', '?'], "x"), false)
            };
            if intersects(&tokens, &any_arn, true) {
                continue;
            }
            let example = if c.c.key.value.to_ascii_lowercase().contains("kms") {
                "write the key ARN, `arn:aws:kms:<region>:<account>:key/<key-id>`"
            } else {
                "write the full ARN, `arn:partition:service:region:account:resource`"
            };
            out.report(
                v.span,
                format!("`{}` holds ARNs, and `{}` is not one: this value matches nothing", c.c.key.value, v.value),
                example,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn key_ids_are_not_arns() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:VolumeKmsKeyArn": ["1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:kms:us-east-1:111122223333:key/1234abcd"]}, "StringLike": {"sagemaker:OutputKmsKeyArn": ["*:key/abc", "key/*"]}}}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [r#"SG317 2:140 "1234abcd-12ab-34cd-56ef-1234567890ab""#, r#"SG317 2:291 "key/*""#]
        );
    }
}
