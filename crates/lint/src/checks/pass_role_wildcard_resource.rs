//! SG408 `pass-role-wildcard-resource`: `iam:PassRole` allowed on every role (`"*"`, `role/*`). The caller
//! can hand any role of the account, administrator roles included, to any service that accepts one, which
//! is a privilege escalation (X1).

use sagegate_policy::ast::Effect;

use crate::doc::Doc;
use crate::patterns::{action_covers, arn_parts};
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG408",
    name: "pass-role-wildcard-resource",
    severity: Severity::SecurityWarning,
    summary: "iam:PassRole allowed on every role (a wildcard resource).",
    run,
};

/// Whether a resource entry covers every role of an account.
fn every_role(entry: &str) -> bool {
    if entry == "*" {
        return true;
    }
    let Some(parts) = arn_parts(entry) else {
        return false;
    };
    let resource = parts[5];
    (parts[2] == "*" || parts[2].eq_ignore_ascii_case("iam"))
        && (resource == "*" || resource == "role/*" || resource == "role*")
}

/// Whether an Allow statement's `Action` covers `iam:PassRole` through an `iam` entry.
pub(crate) fn pass_role_entries(st: &sagegate_policy::ast::Statement) -> Vec<&sagegate_policy::ast::Spanned<String>> {
    if st.effect.value != Effect::Allow {
        return Vec::new();
    }
    st.action
        .iter()
        .filter(|a| !a.negated)
        .flat_map(|a| &a.entries)
        .filter(|e| e.value.to_ascii_lowercase().starts_with("iam:") && action_covers(&e.value, "iam:PassRole"))
        .collect()
}

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        let Some(action) = pass_role_entries(st).first().map(|e| e.value.clone()) else {
            continue;
        };
        for e in st.resource.iter().filter(|r| !r.negated).flat_map(|r| &r.entries).filter(|e| every_role(&e.value)) {
            out.report(
                e.span,
                format!("`{action}` on `{}` lets the caller pass any role of the account, administrator roles included, to a service", e.value),
                "list the roles that may be passed, `arn:aws:iam::<account>:role/<name>`, and restrict them with `iam:PassedToService`",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn any_role() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}"#,
            r#"{"Effect": "Allow", "Action": ["iam:Pass*"], "Resource": ["arn:aws:iam::111122223333:role/*", "arn:aws:iam::111122223333:role/SageMakerExec"]}"#,
            r#"{"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"}"#,
            r#"{"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG408 2:59 "*""#, r#"SG408 3:59 "arn:aws:iam::111122223333:role/*""#]);
    }
}
