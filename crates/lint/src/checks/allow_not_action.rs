//! SG401 `allow-not-action`: an Allow with `NotAction`. It grants every action of every service except
//! those listed, including actions and services that AWS adds later (A6).

use sagegate_policy::ast::Effect;

use crate::doc::{statement_name, Doc};
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG401",
    name: "allow-not-action",
    severity: Severity::SecurityWarning,
    summary: "An Allow with NotAction, which grants every action not listed, of every service.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        let Some(block) = st.action.as_ref().filter(|a| a.negated) else {
            continue;
        };
        if st.effect.value != Effect::Allow {
            continue;
        }
        out.report(
            block.key_span,
            format!(
                "statement {} allows every action of every service except the {} listed, including actions AWS adds later",
                statement_name(st),
                block.entries.len()
            ),
            "list the allowed actions in `Action`; keep `NotAction` for Deny statements",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn allow_with_not_action() {
        let p = policy(&[
            r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#,
            r#"{"Effect": "Deny", "NotAction": "sagemaker:*", "Resource": "*"}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG401 2:21 "NotAction""#]);
    }
}
