//! SG209 `resource-matches-no-action`: a resource entry with the ARN format of no resource type that the
//! statement's actions act on, while other entries do match. The entry is dead weight, or a typo.

use crate::doc::{statement_name, Doc};
use crate::reach::{examples, Liveness};
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG209",
    name: "resource-matches-no-action",
    severity: Severity::Warning,
    summary: "A resource ARN that matches no resource type of its statement's actions.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        let (Some(r), Some(resource)) = (doc.reach(st), &st.resource) else {
            continue;
        };
        if r.nothing_alive() {
            continue; // SG203
        }
        for (e, l) in resource.entries.iter().zip(&r.resources) {
            if *l == Liveness::NoType {
                out.report(
                    e.span,
                    format!(
                        "`{}` matches no resource that the actions of statement {} act on",
                        e.value,
                        statement_name(st)
                    ),
                    format!("their resources have ARNs such as {}; fix or remove this entry", examples(&r.formats, 3)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn dead_entries_beside_live_ones() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:DescribeModel", "Resource": ["arn:aws:sagemaker:*:*:model/*", "arn:aws:sagemaker:*:*:modle/*", "arn:aws:s3:::b"]}"#,
            r#"{"Effect": "Allow", "Action": "sagemaker:DescribeModel", "Resource": ["arn:aws:sagemaker:*:*:model/*", "arn:aws:sagemaker:*:*:mod*/*"]}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [r#"SG209 2:104 "arn:aws:sagemaker:*:*:modle/*""#, r#"SG209 2:137 "arn:aws:s3:::b""#]
        );
    }
}
