//! SG103 `unknown-condition-key`: a condition key no service defines. It is never in a request, so the
//! condition is decided as for an absent key (C3).

use sagegate_catalog::NameKind;

use crate::checks::{conditions, has_variable};
use crate::doc::Doc;
use crate::keys;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG103",
    name: "unknown-condition-key",
    severity: Severity::Error,
    summary: "A condition key that no AWS service defines.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        let key = &c.c.key.value;
        // Identity-provider keys cannot all be known; variables in keys are SG004's.
        if keys::is_provider_key(key) || has_variable(key) || keys::info(doc.catalog, key).is_some() {
            continue;
        }
        let help = match doc.catalog.did_you_mean(NameKind::ConditionKey, key) {
            Some(s) if s != *key => format!("did you mean `{s}`?"),
            _ if !key.contains(':') => "condition keys are written `service:Name`, e.g. `aws:SourceIp`".to_string(),
            _ => "check the key in the Service Authorization Reference".to_string(),
        };
        out.report(c.c.key.span, format!("`{key}` is not a known condition key: no request carries it"), help);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy, run};

    #[test]
    fn unknown_keys_with_suggestions() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"Bool": {"sagemaker:NetworkIsolaton": "true", "aws:SecureTransport": "true"}, "StringEquals": {"aws:ResourceTag/Team": "a", "SourceIp": "x"}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG103 2:102 "sagemaker:NetworkIsolaton""#, r#"SG103 2:217 "SourceIp""#]);
        let m = messages(&CHECK, &p);
        assert!(m[0].ends_with("did you mean `sagemaker:NetworkIsolation`?"), "{m:?}");
    }

    #[test]
    fn provider_keys_are_not_judged() {
        let trust = policy(&[
            r#"{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:ns:sa"}}}"#,
        ]);
        assert!(run(&CHECK, sagegate_policy::PolicyKind::Trust, &trust).is_empty());
    }
}
