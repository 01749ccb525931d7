//! SG504 `sagemaker-trust-without-source`: a trust policy lets `sagemaker.amazonaws.com` assume the role
//! without an `aws:SourceAccount` or `aws:SourceArn` condition. SageMaker supplies both when it assumes an
//! execution role (X4); checking them keeps SageMaker work started for another account from using the role
//! (cross-service confused-deputy prevention).

use sagegate_policy::ast::{Effect, PrincipalSet, PrincipalType};
use sagegate_policy::PolicyKind;

use crate::doc::Doc;
use crate::patterns::action_covers;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG504",
    name: "sagemaker-trust-without-source",
    severity: Severity::Suggestion,
    summary: "A trust policy for sagemaker.amazonaws.com without aws:SourceAccount or aws:SourceArn.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    if doc.kind != PolicyKind::Trust {
        return;
    }
    for (st, _) in doc.statements() {
        if st.effect.value != Effect::Allow {
            continue;
        }
        let assumes = st
            .action
            .iter()
            .filter(|a| !a.negated)
            .flat_map(|a| &a.entries)
            .any(|e| action_covers(&e.value, "sts:AssumeRole"));
        let scoped = st.conditions.iter().any(|c| {
            c.key.value.eq_ignore_ascii_case("aws:SourceAccount") || c.key.value.eq_ignore_ascii_case("aws:SourceArn")
        });
        if !assumes || scoped {
            continue;
        }
        let Some(PrincipalSet::Map(map)) = st.principal.as_ref().filter(|p| !p.negated).map(|p| &p.principals) else {
            continue;
        };
        for (_, values) in map.iter().filter(|(t, _)| *t == PrincipalType::Service) {
            for v in values.iter().filter(|v| v.value == "sagemaker.amazonaws.com") {
                out.report(
                    v.span,
                    "SageMaker may assume this role for work started in any account: the trust has no `aws:SourceAccount` or `aws:SourceArn` condition",
                    "add \"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"<your account id>\"}}",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy, run};

    #[test]
    fn confused_deputy() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Principal": {"Service": ["sagemaker.amazonaws.com", "ec2.amazonaws.com"]}, "Action": "sts:AssumeRole"}"#,
            r#"{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}"#,
        ]);
        assert_eq!(run(&CHECK, PolicyKind::Trust, &p), [r#"SG504 2:47 "sagemaker.amazonaws.com""#]);
        assert!(found(&CHECK, &p).is_empty(), "only trust policies");
    }
}
