//! SG204 `wildcard-resource-type`: a `*` or `?` in the resource-type prefix of an ARN (`notebook-*/my-nb`).
//! IAM compares the type prefix literally, so the entry matches nothing (R6).

use crate::doc::Doc;
use crate::patterns::wildcard_type_prefix;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG204",
    name: "wildcard-resource-type",
    severity: Severity::Warning,
    summary: "A resource ARN with a wildcard in its resource-type prefix, which matches nothing.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        let Some(block) = &st.resource else {
            continue;
        };
        for e in block.entries.iter().filter(|e| wildcard_type_prefix(&e.value)) {
            let what = if block.negated { "excludes nothing from `NotResource`" } else { "matches no resource" };
            out.report(
                e.span,
                format!("`{}` has a wildcard in its resource type, which IAM compares literally: it {what}", e.value),
                "spell the resource type out (`notebook-instance/*`), or make the whole resource part `*`",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn wildcards_in_type_prefixes() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:*", "Resource": ["arn:aws:sagemaker:*:*:notebook-*/nb", "arn:aws:sagemaker:*:*:*/nb", "arn:aws:sagemaker:*:*:notebook-instance/*"]}"#,
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b*/key"}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG204 2:59 "arn:aws:sagemaker:*:*:notebook-*/nb""#]);
    }
}
