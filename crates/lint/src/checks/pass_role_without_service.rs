//! SG409 `pass-role-without-service`: `iam:PassRole` allowed without an `iam:PassedToService` condition.
//! The roles can then be passed to any service that accepts a role, not only to the one that needs them
//! (X1, sagemaker-authorization §2.4).

use crate::checks::pass_role_wildcard_resource::pass_role_entries;
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG409",
    name: "pass-role-without-service",
    severity: Severity::SecurityWarning,
    summary: "iam:PassRole allowed without an iam:PassedToService condition.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        if st.conditions.iter().any(|c| c.key.value.eq_ignore_ascii_case("iam:PassedToService")) {
            continue;
        }
        for e in pass_role_entries(st) {
            out.report(
                e.span,
                format!("`{}` allows passing roles to any service: there is no `iam:PassedToService` condition", e.value),
                "add \"Condition\": {\"StringEquals\": {\"iam:PassedToService\": \"<service>.amazonaws.com\"}}, e.g. sagemaker.amazonaws.com",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn passed_to_service() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": ["iam:PassRole", "iam:GetRole"], "Resource": "arn:aws:iam::111122223333:role/x"}"#,
            r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/x", "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}}"#,
            r#"{"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::111122223333:role/x"}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG409 2:32 "iam:PassRole""#, r#"SG409 4:31 "iam:*""#]);
    }
}
