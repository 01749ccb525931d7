//! SG205 `misplaced-short-arn`: a resource entry with fewer than six components, ending in `*`. IAM pads it
//! with `*` components (R7), which moves a resource name into the region or account, where it matches
//! nothing: `arn:aws:sagemaker:*:notebook-instance/*` has the account `notebook-instance/*`.

use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG205",
    name: "misplaced-short-arn",
    severity: Severity::Warning,
    summary: "A short resource ARN that IAM pads so that a resource name lands in the region or account.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        for e in st.resource.iter().flat_map(|r| &r.entries) {
            let parts: Vec<&str> = e.value.split(':').collect();
            if !e.value.starts_with("arn:") || parts.len() >= 6 || !e.value.ends_with('*') {
                continue;
            }
            // Padding fills the missing components at the end: region is part 3, account part 4.
            let Some(misplaced) = parts.iter().skip(3).position(|p| p.contains('/')) else {
                continue;
            };
            let component = if misplaced == 0 { "region" } else { "account" };
            let head = parts.get(..3 + misplaced).unwrap_or_default();
            let tail = parts.get(3 + misplaced..).unwrap_or_default();
            let fixed = format!("{}:{}{}", head.join(":"), "*:".repeat(2 - misplaced.min(1)), tail.join(":"));
            out.report(
                e.span,
                format!(
                    "`{}` has {} components: IAM pads it with `*`, so `{}` becomes its {component} and it matches no resource",
                    e.value,
                    parts.len(),
                    tail.first().copied().unwrap_or_default()
                ),
                format!("write all six components: `{fixed}`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn padded_names_land_in_the_wrong_component() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:*", "Resource": ["arn:aws:sagemaker:*:notebook-instance/*", "arn:aws:sagemaker:*", "arn:aws:sagemaker:model/*"]}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [r#"SG205 2:59 "arn:aws:sagemaker:*:notebook-instance/*""#, r#"SG205 2:125 "arn:aws:sagemaker:model/*""#]
        );
        let m = messages(&CHECK, &p);
        assert!(m[0].ends_with("write all six components: `arn:aws:sagemaker:*:*:notebook-instance/*`"), "{m:?}");
        assert!(m[1].ends_with("write all six components: `arn:aws:sagemaker:*:*:model/*`"), "{m:?}");
    }
}
