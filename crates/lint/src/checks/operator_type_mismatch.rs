//! SG303 `operator-type-mismatch`: a condition operator whose family does not fit the key's type
//! (`NumericEquals` on `aws:SourceIp`, `StringEquals` on the Bool `aws:SecureTransport`). Values are then
//! compared by the wrong grammar and match unreliably or never (O2–O9).

use sagegate_catalog::KeyType;
use sagegate_policy::ast::{BaseOperator, OperatorFamily};

use crate::checks::conditions;
use crate::doc::Doc;
use crate::keys;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG303",
    name: "operator-type-mismatch",
    severity: Severity::Warning,
    summary: "A condition operator that does not fit the type of its key.",
    run,
};

/// The operators that fit a key type.
fn fitting(t: KeyType) -> &'static str {
    match t.element() {
        KeyType::Arn => "`ArnEquals`, `ArnLike` (or the String operators)",
        KeyType::Numeric => "the Numeric operators (`NumericEquals`, `NumericLessThan`, …)",
        KeyType::Date => "the Date operators (`DateGreaterThan`, `DateLessThan`, …)",
        KeyType::Bool => "`Bool`",
        KeyType::IpAddress => "`IpAddress` or `NotIpAddress`",
        KeyType::Binary => "`BinaryEquals`",
        _ => "the String operators (`StringEquals`, `StringLike`, …)",
    }
}

fn fits(t: KeyType, family: OperatorFamily, key: &str) -> bool {
    match (t.element(), family) {
        (_, OperatorFamily::Null) => true,
        (KeyType::Arn, OperatorFamily::Arn | OperatorFamily::String) => true,
        (KeyType::Numeric, OperatorFamily::Numeric) => true,
        // aws:EpochTime is documented as Date or Numeric (iam-evaluation K3).
        (KeyType::Date, OperatorFamily::Date) => true,
        (KeyType::Date, OperatorFamily::Numeric) => key.eq_ignore_ascii_case("aws:EpochTime"),
        (KeyType::Bool, OperatorFamily::Bool) => true,
        (KeyType::IpAddress, OperatorFamily::Ip) => true,
        (KeyType::Binary, OperatorFamily::Binary) => true,
        // A String key may hold ARNs (`kms:EncryptionContext:aws:s3:arn`): ARN operators fit it too.
        (KeyType::String, OperatorFamily::String | OperatorFamily::Arn) => true,
        _ => false,
    }
}

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        if c.base == BaseOperator::Null {
            continue;
        }
        let Some(t) = keys::key_type(doc.catalog, &c.c.key.value) else {
            continue;
        };
        if fits(t, c.base.family(), &c.c.key.value) {
            continue;
        }
        out.report(
            c.c.operator.span,
            format!("`{}` does not fit `{}`, a key of type {}", c.c.operator.value, c.c.key.value, t.as_str()),
            format!("use {} for this key", fitting(t)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn families_against_types() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"NumericEquals": {"aws:SourceIp": "1"}, "StringEquals": {"aws:SecureTransport": "true"}, "Bool": {"sagemaker:NetworkIsolation": "true"}, "NumericLessThan": {"aws:EpochTime": "1700000000", "sagemaker:MaxRuntimeInSeconds": "3600"}, "Null": {"aws:SourceIp": "false"}}}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"StringLike": {"sagemaker:VolumeKmsKeyArn": "arn:*"}, "ArnLike": {"aws:SourceAccount": "111122223333"}, "DateLessThan": {"aws:SourceArn": "2024-01-01"}}}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [r#"SG303 2:93 "NumericEquals""#, r#"SG303 2:133 "StringEquals""#, r#"SG303 3:197 "DateLessThan""#]
        );
    }
}
