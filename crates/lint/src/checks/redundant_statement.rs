//! SG404 `redundant-statement`: a statement that another statement with the same effect already covers:
//! same or broader actions and resources, same principal, and no conditions the other lacks. Removing it
//! changes no decision (S2, S3).

use crate::checks::statement_covers;
use crate::doc::{statement_anchor, statement_name, Doc};
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG404",
    name: "redundant-statement",
    severity: Severity::Suggestion,
    summary: "A statement that another statement with the same effect already covers.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    let Some(p) = &doc.policy else {
        return;
    };
    for s in &p.statements {
        let cover = p.statements.iter().find(|g| {
            g.index != s.index
                && g.effect.value == s.effect.value
                && statement_covers(doc, g, s)
                && (g.index < s.index || !statement_covers(doc, s, g))
        });
        if let Some(g) = cover {
            out.report(
                statement_anchor(s),
                format!(
                    "statement {} is redundant: statement {} already covers it",
                    statement_name(s),
                    statement_name(g)
                ),
                format!("remove statement {}, or merge the two", statement_name(s)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn covered_statements() {
        let p = policy(&[
            r#"{"Sid": "All", "Effect": "Allow", "Action": "sagemaker:Describe*", "Resource": "*"}"#,
            r#"{"Sid": "One", "Effect": "Allow", "Action": "sagemaker:DescribeModel", "Resource": "arn:aws:sagemaker:*:*:model/*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}"#,
            r#"{"Sid": "Narrow", "Effect": "Allow", "Action": "sagemaker:DescribeModel", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}"#,
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}"#,
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}"#,
            r#"{"Effect": "Deny", "Action": "sagemaker:DescribeModel", "Resource": "*"}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG404 3:9 "One""#, r#"SG404 4:9 "Narrow""#, r#"SG404 6:12 "Allow""#]);
    }
}
