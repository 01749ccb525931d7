//! SG312 `invalid-arn-value`: an ARN operator's value with fewer than six `:`-separated components. It
//! matches no ARN (O9).

use sagegate_policy::ast::OperatorFamily;

use crate::checks::{conditions, has_variable};
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG312",
    name: "invalid-arn-value",
    severity: Severity::Warning,
    summary: "An ARN condition value with fewer than six components, which matches no ARN.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc).filter(|c| c.base.family() == OperatorFamily::Arn) {
        for v in &c.c.values {
            if has_variable(&v.value) || v.value.splitn(6, ':').count() == 6 {
                continue;
            }
            out.report(
                v.span,
                format!(
                    "`{}` has {} of an ARN's six components: `{}` never matches it",
                    v.value,
                    v.value.split(':').count(),
                    c.c.operator.value
                ),
                "write the whole ARN, `arn:partition:service:region:account:resource`, with `*` for any component",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn six_components() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"ArnLike": {"sagemaker:VolumeKmsKeyArn": ["arn:aws:kms:*:*:key/*", "arn:aws:kms:*", "1234abcd-12ab"]}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG312 2:160 "arn:aws:kms:*""#, r#"SG312 2:177 "1234abcd-12ab""#]);
    }
}
