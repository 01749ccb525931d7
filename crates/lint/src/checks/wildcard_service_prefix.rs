//! SG105 `wildcard-service-prefix`: a `*` or `?` in an action's service prefix. Such an entry never matches
//! (A4), and in `NotAction` it excludes nothing.

use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG105",
    name: "wildcard-service-prefix",
    severity: Severity::Warning,
    summary: "An action with a wildcard in its service prefix, which matches nothing.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        let Some(block) = &st.action else {
            continue;
        };
        for e in &block.entries {
            let Some((prefix, _)) = e.value.split_once(':') else {
                continue;
            };
            if prefix.contains(['*', '?']) {
                let what = if block.negated { "excludes nothing from `NotAction`" } else { "matches no action" };
                out.report(
                    e.span,
                    format!("`{}` has a wildcard in its service prefix and {what}", e.value),
                    "spell the service prefix out, e.g. `sagemaker:Describe*`; list several services separately",
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
    fn wildcards_in_prefixes() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": ["sage*:Describe*", "sagemaker:Describe*", "s?:GetObject"], "Resource": "*"}"#,
            r#"{"Effect": "Deny", "NotAction": "iam*:*", "Resource": "*"}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [r#"SG105 2:32 "sage*:Describe*""#, r#"SG105 2:74 "s?:GetObject""#, r#"SG105 3:33 "iam*:*""#]
        );
    }
}
