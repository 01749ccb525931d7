//! SG407 `public-principal`: an Allow in a resource-based or trust policy whose principal is everyone
//! (`"*"` or `{"AWS": "*"}`), without a condition. Any AWS account, and for some services anonymous callers,
//! gets the access (P2, E9).

use sagegate_policy::ast::{Effect, PrincipalSet, PrincipalType};

use crate::doc::{statement_name, Doc};
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG407",
    name: "public-principal",
    severity: Severity::SecurityWarning,
    summary: "An Allow for every principal (\"*\") without a condition.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        let Some(block) = st.principal.as_ref().filter(|p| !p.negated) else {
            continue;
        };
        if st.effect.value != Effect::Allow || !st.conditions.is_empty() {
            continue;
        }
        let public = match &block.principals {
            PrincipalSet::Wildcard => true,
            PrincipalSet::Map(map) => {
                map.iter().any(|(t, values)| *t == PrincipalType::Aws && values.iter().any(|v| v.value == "*"))
            }
        };
        if public {
            out.report(
                block.span,
                format!("statement {} allows everyone: every AWS account, and anonymous callers where the service allows them", statement_name(st)),
                "name the accounts or roles in `Principal`, or add a condition such as `aws:PrincipalOrgID` or `aws:SourceAccount`",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use sagegate_policy::PolicyKind;

    use super::*;
    use crate::checks::test::{policy, run};

    #[test]
    fn everyone() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}"#,
            r#"{"Effect": "Allow", "Principal": {"AWS": ["111122223333", "*"]}, "Action": "sts:AssumeRole"}"#,
            r#"{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}"#,
            r#"{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}"#,
        ]);
        assert_eq!(
            run(&CHECK, PolicyKind::Trust, &p),
            [r#"SG407 2:34 "*""#, r#"SG407 3:34 {"AWS": ["111122223333", "*"]}"#]
        );
    }
}
