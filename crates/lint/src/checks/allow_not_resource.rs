//! SG402 `allow-not-resource`: an Allow with `NotResource`. It grants its actions on every resource except
//! those listed, in every account and service, including resources created later (R10).

use sagegate_policy::ast::Effect;

use crate::doc::{statement_name, Doc};
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG402",
    name: "allow-not-resource",
    severity: Severity::SecurityWarning,
    summary: "An Allow with NotResource, which grants its actions on every resource not listed.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        let Some(block) = st.resource.as_ref().filter(|r| r.negated) else {
            continue;
        };
        if st.effect.value != Effect::Allow {
            continue;
        }
        out.report(
            block.key_span,
            format!(
                "statement {} allows its actions on every resource except the {} listed, in every account, including resources created later",
                statement_name(st),
                block.entries.len()
            ),
            "list the allowed resources in `Resource`; keep `NotResource` for Deny statements",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn allow_with_not_resource() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:*", "NotResource": "arn:aws:sagemaker:*:*:domain/*"}"#,
            r#"{"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::b/*"}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG402 2:46 "NotResource""#]);
    }
}
