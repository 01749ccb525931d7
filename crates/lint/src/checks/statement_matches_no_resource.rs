//! SG203 `statement-matches-no-resource`: no resource entry of a statement can match a resource its actions
//! act on, so the statement is dead (role-manager flaw F12: `arn:aws:sagemaker:*:*:Canvas*` lacks the
//! `endpoint/` type prefix).

use crate::doc::{statement_name, Doc};
use crate::reach::examples;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG203",
    name: "statement-matches-no-resource",
    severity: Severity::Warning,
    summary: "A statement whose resource ARNs match no resource of its actions, so it never applies.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        let (Some(r), Some(resource)) = (doc.reach(st), &st.resource) else {
            continue;
        };
        if !r.nothing_alive() {
            continue;
        }
        out.report(
            resource.key_span,
            format!(
                "statement {} matches no resource of its actions: none of its resource ARNs has the format of a resource type they act on",
                statement_name(st)
            ),
            format!(
                "resource ARNs must include the type prefix, e.g. {}",
                examples(&r.formats, 3)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn type_prefix_missing() {
        let p = policy(&[
            r#"{"Sid": "DirectDeploy", "Effect": "Allow", "Action": ["sagemaker:CreateEndpoint", "sagemaker:DeleteEndpoint"], "Resource": ["arn:aws:sagemaker:*:*:Canvas*", "arn:aws:sagemaker:*:*:canvas*"]}"#,
            r#"{"Effect": "Allow", "Action": ["sagemaker:CreateEndpoint"], "Resource": "arn:aws:sagemaker:*:*:*Canvas*"}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:DescribeModel", "Resource": "arn:aws:s3:::bucket"}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG203 2:112 "Resource""#, r#"SG203 4:58 "Resource""#]);
        let m = messages(&CHECK, &p);
        assert!(m[0].starts_with("statement `DirectDeploy` matches no resource"), "{m:?}");
        assert!(m[0].contains("`arn:aws:sagemaker:*:*:endpoint/*`"), "{m:?}");
    }

    #[test]
    fn wildcard_resources_and_wildcard_only_actions_are_not_judged() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:ListModels", "Resource": "arn:aws:s3:::bucket"}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:DescribeModel", "Resource": ["arn:aws:s3:::bucket", "*"]}"#,
            r#"{"Effect": "Allow", "Action": ["sagemaker:DescribeModel", "foo:Bar"], "Resource": "arn:aws:s3:::bucket"}"#,
        ]);
        assert!(found(&CHECK, &p).is_empty());
    }
}
