//! SG202 `action-matches-no-resource`: an action of a statement that none of the statement's resource
//! entries can match, because none has the ARN format of a resource type the action acts on. The statement
//! never applies to that action (role-manager flaw F8: bucket-level `s3:GetBucketAcl` on object ARNs).

use crate::doc::{list, statement_name, Doc};
use crate::reach::examples;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG202",
    name: "action-matches-no-resource",
    severity: Severity::Warning,
    summary: "An action that none of its statement's resource ARNs can match.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, facts) in doc.statements() {
        let Some(r) = doc.reach(st) else {
            continue;
        };
        if r.nothing_alive() {
            continue; // the whole statement is dead: SG203
        }
        let Some(actions) = &st.action else {
            continue;
        };
        for ((e, alive), matched) in actions.entries.iter().zip(&r.actions).zip(&facts.per_entry) {
            if *alive != Some(false) {
                continue;
            }
            let formats: Vec<&str> = matched.iter().flat_map(|a| a.arn_formats().collect::<Vec<_>>()).collect();
            let (subject, verb, own) =
                if matched.len() == 1 { ("it", "acts", "its") } else { ("they", "act", "their") };
            out.report(
                e.span,
                format!(
                    "{} never {} in statement {}: none of its resources is one {subject} {verb} on",
                    list(matched.iter().map(|a| a.qualified()), 3),
                    if matched.len() == 1 { "applies" } else { "apply" },
                    statement_name(st),
                ),
                format!(
                    "{own} resources have ARNs such as {}; grant {subject} in a statement with those",
                    examples(&formats, 3)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn bucket_actions_on_object_arns() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetBucketAcl", "s3:PutBucketAcl"], "Resource": "arn:aws:s3:::bucket/*"}"#,
            r#"{"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetBucketAcl"], "Resource": ["arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket"]}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG202 2:48 "s3:GetBucketAcl""#, r#"SG202 2:67 "s3:PutBucketAcl""#]);
        assert!(messages(&CHECK, &p)[0].contains("`arn:aws:s3:::*`"), "{:?}", messages(&CHECK, &p));
    }

    #[test]
    fn sagemaker_types() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": ["sagemaker:CreateEndpoint", "sagemaker:DescribeTrainingJob"], "Resource": "arn:aws:sagemaker:*:*:endpoint/*"}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG202 2:60 "sagemaker:DescribeTrainingJob""#]);
    }
}
