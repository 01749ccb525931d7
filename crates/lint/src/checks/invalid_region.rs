//! SG207 `invalid-region`: a resource ARN whose region is literal text that is not shaped like an AWS region
//! (`us-east1`, `US-EAST-1` is fine as regions compare ignoring case, R4). It matches no resource.

use crate::checks::has_variable;
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG207",
    name: "invalid-region",
    severity: Severity::Warning,
    summary: "A resource ARN whose region is not shaped like an AWS region, so it matches nothing.",
    run,
};

/// AWS region names: a 2–4 letter area, one or more word parts, and a number (`us-east-1`,
/// `us-gov-west-1`, `eusc-de-east-1`).
fn region_shaped(region: &str) -> bool {
    let lower = region.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('-').collect();
    let [area, words @ .., number] = parts.as_slice() else {
        return false;
    };
    (2..=4).contains(&area.len())
        && area.bytes().all(|b| b.is_ascii_lowercase())
        && !words.is_empty()
        && words.iter().all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        for e in st.resource.iter().flat_map(|r| &r.entries) {
            let parts: Vec<&str> = e.value.splitn(6, ':').collect();
            let [_, _, _, region, _, _] = parts.as_slice() else {
                continue;
            };
            let region = *region;
            if region.is_empty() || region.contains(['*', '?']) || has_variable(region) || region_shaped(region) {
                continue;
            }
            out.report(
                e.span,
                format!("`{region}` is not an AWS region: `{}` matches no resource", e.value),
                "write a region code such as `us-east-1`, or `*` for every region",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn region_codes() {
        for r in ["us-east-1", "us-gov-west-1", "eusc-de-east-1", "ap-southeast-5", "US-EAST-1", "us-isob-east-1"] {
            assert!(region_shaped(r), "{r}");
        }
        for r in ["us-east1", "useast-1", "us-east-", "east-1", "us-east-1a"] {
            assert!(!region_shaped(r), "{r}");
        }
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:*", "Resource": ["arn:aws:sagemaker:us-east1:*:model/*", "arn:aws:sagemaker:us-*:*:model/*", "arn:aws:s3:::b"]}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG207 2:59 "arn:aws:sagemaker:us-east1:*:model/*""#]);
    }
}
