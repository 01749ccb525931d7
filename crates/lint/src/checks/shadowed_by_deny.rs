//! SG405 `shadowed-by-deny`: an Allow that a Deny of the same policy covers entirely (same or broader
//! actions and resources, same principal, no conditions the Allow lacks). An explicit deny always wins
//! (E3), so the Allow never grants anything.

use sagegate_policy::ast::Effect;

use crate::checks::statement_covers;
use crate::doc::{statement_anchor, statement_name, Doc};
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG405",
    name: "shadowed-by-deny",
    severity: Severity::Warning,
    summary: "An Allow that a Deny of the same policy covers entirely, so it never grants anything.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    let Some(p) = &doc.policy else {
        return;
    };
    for s in p.statements.iter().filter(|s| s.effect.value == Effect::Allow) {
        if let Some(d) = p.statements.iter().find(|d| d.effect.value == Effect::Deny && statement_covers(doc, d, s)) {
            out.report(
                statement_anchor(s),
                format!(
                    "statement {} never allows anything: Deny statement {} covers all of it, and an explicit deny always wins",
                    statement_name(s),
                    statement_name(d)
                ),
                "narrow the Deny (actions, resources or a condition), or remove the Allow",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn allows_under_a_deny() {
        let p = policy(&[
            r#"{"Sid": "Use", "Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "arn:aws:sagemaker:*:*:training-job/*"}"#,
            r#"{"Sid": "Keep", "Effect": "Allow", "Action": "sagemaker:DescribeModel", "Resource": "*"}"#,
            r#"{"Sid": "NoCreate", "Effect": "Deny", "Action": "sagemaker:Create*", "Resource": "*"}"#,
            r#"{"Sid": "Conditional", "Effect": "Deny", "Action": "sagemaker:Describe*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG405 2:9 "Use""#]);
    }
}
