//! SG308 `if-exists-on-always-present-key`: `…IfExists` on a key that every request carries
//! (`aws:SecureTransport`, `aws:CurrentTime`, and in identity-based policies the principal keys). The
//! suffix changes nothing and suggests a case that cannot happen (C4, K2, K3).

use crate::checks::conditions;
use crate::doc::Doc;
use crate::keys::always_present;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG308",
    name: "if-exists-on-always-present-key",
    severity: Severity::Suggestion,
    summary: "An ...IfExists operator on a key that every request carries.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        if !c.if_exists || !always_present(&c.c.key.value, doc.kind) {
            continue;
        }
        let plain = c.c.operator.value.strip_suffix("IfExists").unwrap_or(&c.c.operator.value);
        out.report(
            c.c.operator.span,
            format!(
                "every request carries `{}`: `{}` behaves exactly like `{plain}`",
                c.c.key.value, c.c.operator.value
            ),
            format!("write `{plain}`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use sagegate_policy::PolicyKind;

    use super::*;
    use crate::checks::test::{found, policy, run};

    #[test]
    fn always_present_keys() {
        let p = policy(&[
            r#"{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}, "StringNotEqualsIfExists": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin", "aws:SourceVpc": "vpc-1"}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG308 2:66 "BoolIfExists""#, r#"SG308 2:116 "StringNotEqualsIfExists""#]);
        // A resource-based policy may be called by services or anonymously: no principal keys then.
        let rbp = policy(&[
            r#"{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}}}"#,
        ]);
        assert!(run(&CHECK, PolicyKind::Resource, &rbp).is_empty());
    }
}
