//! SG304 `string-operator-on-arn-key`: a String operator on an ARN-typed key. It works, but a `*` in
//! `StringLike` runs across `:` into other ARN components; `ArnLike` compares component by component (O9).

use sagegate_catalog::KeyType;
use sagegate_policy::ast::OperatorFamily;

use crate::checks::conditions;
use crate::doc::Doc;
use crate::keys;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG304",
    name: "string-operator-on-arn-key",
    severity: Severity::Suggestion,
    summary: "A String operator on an ARN-typed key, where the ARN operators fit better.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        if c.base.family() != OperatorFamily::String {
            continue;
        }
        if keys::key_type(doc.catalog, &c.c.key.value).map(KeyType::element) != Some(KeyType::Arn) {
            continue;
        }
        let arn_op =
            c.c.operator
                .value
                .replace("StringEqualsIgnoreCase", "ArnEquals")
                .replace("StringNotEqualsIgnoreCase", "ArnNotEquals")
                .replace("String", "Arn");
        out.report(
            c.c.operator.span,
            format!("`{}` holds an ARN: `{}` compares it as plain text", c.c.key.value, c.c.operator.value),
            format!("use `{arn_op}`, which matches each ARN component separately, so `*` cannot run across `:`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn arn_keys() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"ForAllValues:StringLike": {"sagemaker:VolumeKmsKeyArn": "arn:aws:kms:*"}, "StringEquals": {"aws:SourceVpc": "vpc-1"}, "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG304 2:93 "ForAllValues:StringLike""#]);
        assert!(messages(&CHECK, &p)[0].contains("use `ForAllValues:ArnLike`"));
    }
}
