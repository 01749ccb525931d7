//! SG104 `action-name-case`: an action spelled in another case than AWS's. It matches (A2 ignores case),
//! but the canonical spelling is what AWS shows in errors and policy summaries.

use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG104",
    name: "action-name-case",
    severity: Severity::Suggestion,
    summary: "An action is spelled in another case than AWS's canonical spelling.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        for e in st.action.iter().flat_map(|a| &a.entries) {
            if e.value.contains(['*', '?']) {
                continue;
            }
            let Some(action) = doc.catalog.action(&e.value) else {
                continue;
            };
            if action.qualified != e.value {
                out.report(
                    e.span,
                    format!("`{}` is spelled `{}` by AWS", e.value, action.qualified),
                    format!(
                        "write `{}`: action names ignore case, but errors and summaries use this spelling",
                        action.qualified
                    ),
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
    fn canonical_spelling() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": ["sagemaker:listhyperparametertuningjobs", "SageMaker:ListModels", "sagemaker:ListModels", "sagemaker:list*"], "Resource": "*"}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [r#"SG104 2:32 "sagemaker:listhyperparametertuningjobs""#, r#"SG104 2:74 "SageMaker:ListModels""#]
        );
    }
}
