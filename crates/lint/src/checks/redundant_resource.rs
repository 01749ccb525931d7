//! SG208 `redundant-resource`: a `Resource` or `NotResource` entry that another entry of the same list
//! already matches (`arn:aws:sagemaker:*:*:model/m` beside `arn:aws:sagemaker:*:*:model/*`, anything beside
//! `*`, or a duplicate).

use crate::doc::Doc;
use crate::patterns::resource_covers;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG208",
    name: "redundant-resource",
    severity: Severity::Suggestion,
    summary: "A resource entry that another entry of the same list already covers.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    let vars = doc.substitutes_variables();
    for (st, _) in doc.statements() {
        let Some(block) = &st.resource else {
            continue;
        };
        for (i, e) in block.entries.iter().enumerate() {
            let cover = block.entries.iter().enumerate().find(|&(j, f)| {
                j != i
                    && resource_covers(&f.value, &e.value, vars)
                    && (j < i || !resource_covers(&e.value, &f.value, vars))
            });
            if let Some((_, f)) = cover {
                let message = if f.value == e.value {
                    format!("`{}` is listed twice", e.value)
                } else {
                    format!("`{}` is already covered by `{}` in the same list", e.value, f.value)
                };
                out.report(e.span, message, format!("remove this `{}`", e.value));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn covered_entries() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:*", "Resource": ["arn:aws:sagemaker:*:*:model/m", "arn:aws:sagemaker:*:*:model/*", "arn:aws:sagemaker:*:*:endpoint/*"]}"#,
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/*"]}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [
                r#"SG208 2:59 "arn:aws:sagemaker:*:*:model/m""#,
                r#"SG208 3:65 "arn:aws:s3:::b/*""#,
                r#"SG208 3:85 "arn:aws:s3:::b/*""#,
            ]
        );
    }
}
