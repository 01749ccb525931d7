//! SG107 `redundant-action`: an `Action` or `NotAction` entry that another entry of the same list already
//! matches (`sagemaker:ListModels` beside `sagemaker:List*`, or a duplicate).

use std::collections::HashMap;

use crate::doc::Doc;
use crate::patterns::action_covers;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG107",
    name: "redundant-action",
    severity: Severity::Suggestion,
    summary: "An action entry that another entry of the same list already covers.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        let Some(block) = &st.action else {
            continue;
        };
        // Lists can hold thousands of actions: find duplicates by hashing, and compare each entry only
        // with the wildcard entries of its own service.
        let mut first: HashMap<String, usize> = HashMap::new();
        let mut wildcards: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in block.entries.iter().enumerate() {
            first.entry(e.value.to_ascii_lowercase()).or_insert(i);
            if e.value.contains(['*', '?']) {
                let prefix = e.value.split_once(':').map_or("", |(p, _)| p).to_ascii_lowercase();
                wildcards.entry(prefix).or_default().push(i);
            }
        }
        let everything = wildcards.get("").map(Vec::as_slice).unwrap_or_default();
        for (i, e) in block.entries.iter().enumerate() {
            let duplicate =
                first.get(&e.value.to_ascii_lowercase()).filter(|&&j| j != i).and_then(|&j| block.entries.get(j));
            if let Some(f) = duplicate {
                out.report(
                    e.span,
                    format!("`{}` is listed twice (also as `{}`)", e.value, f.value),
                    format!("remove this `{}`", e.value),
                );
                continue;
            }
            let prefix = e.value.split_once(':').map_or("", |(p, _)| p).to_ascii_lowercase();
            let candidates = wildcards.get(&prefix).map(Vec::as_slice).unwrap_or_default().iter().chain(everything);
            // Of two entries covering each other (`s3:*` and `S3:*`) the later one is reported.
            let cover = candidates.copied().filter_map(|j| block.entries.get(j).map(|f| (j, f))).find(|&(j, f)| {
                j != i && action_covers(&f.value, &e.value) && (j < i || !action_covers(&e.value, &f.value))
            });
            if let Some((_, f)) = cover {
                out.report(
                    e.span,
                    format!("`{}` is already covered by `{}` in the same list", e.value, f.value),
                    format!("remove `{}`", e.value),
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
    fn covered_entries() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": ["sagemaker:ListModels", "sagemaker:List*", "sagemaker:listmodels", "s3:GetObject"], "Resource": "*"}"#,
            r#"{"Effect": "Allow", "Action": ["*", "s3:GetObject"], "Resource": "*"}"#,
            r#"{"Effect": "Allow", "Action": ["s3:Get*", "s3:GetObject*"], "Resource": "*"}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [
                r#"SG107 2:32 "sagemaker:ListModels""#,
                r#"SG107 2:75 "sagemaker:listmodels""#,
                r#"SG107 3:37 "s3:GetObject""#,
                r#"SG107 4:43 "s3:GetObject*""#,
            ]
        );
    }
}
