//! SG403 `deny-not-principal`: a Deny with `NotPrincipal`. Listing a role exempts all its sessions, listing
//! an account exempts everyone in it (P7), and for callers bound by a permissions boundary the Deny applies
//! whatever is listed (P8), so it rarely does what it says.

use sagegate_policy::ast::Effect;

use crate::doc::{statement_name, Doc};
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG403",
    name: "deny-not-principal",
    severity: Severity::Warning,
    summary: "A Deny with NotPrincipal, whose exemptions are wider or narrower than they look.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        let Some(block) = st.principal.as_ref().filter(|p| p.negated) else {
            continue;
        };
        if st.effect.value != Effect::Deny {
            continue; // NotPrincipal with Allow is an IAM error (SG001)
        }
        out.report(
            block.key_span,
            format!(
                "statement {} uses `NotPrincipal`: a listed role exempts all its sessions, a listed account everyone in it, and callers with a permissions boundary are denied whatever is listed",
                statement_name(st)
            ),
            "write \"Principal\": \"*\" with a condition such as \"ArnNotEquals\": {\"aws:PrincipalArn\": [...]}",
        );
    }
}

#[cfg(test)]
mod tests {
    use sagegate_policy::PolicyKind;

    use super::*;
    use crate::checks::test::{policy, run};

    #[test]
    fn deny_with_not_principal() {
        let p = policy(&[
            r#"{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/admin"}, "Action": "s3:*", "Resource": "*"}"#,
            r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}"#,
        ]);
        assert_eq!(run(&CHECK, PolicyKind::Resource, &p), [r#"SG403 2:20 "NotPrincipal""#]);
    }
}
