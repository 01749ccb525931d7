//! SG001 `iam-validation`: what IAM itself rejects, with IAM's exact error text (the validator's V14 error
//! or V15 quota, spec iam-evaluation §1).

use sagegate_policy::span::Span;
use sagegate_policy::validate_with;

use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG001",
    name: "iam-validation",
    severity: Severity::Error,
    summary: "IAM rejects the document (MalformedPolicyDocument, LimitExceeded, ...), with IAM's exact message.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    // Names are the linter's own checks (SG1xx); only the error matters here.
    let Some(error) = validate_with(doc.text, doc.kind, None).error else {
        return;
    };
    let span = error.span.unwrap_or(Span::new(0, doc.text.len().min(1)));
    let help = error.help.unwrap_or_else(|| "fix the document: IAM refuses to store it".to_string());
    out.report(
        span,
        format!("{}: {}", error.code, error.message),
        format!("{help} (rule {}{})", error.rule, error.row.map(|r| format!(" row {r}")).unwrap_or_default()),
    );
}

#[cfg(test)]
mod tests {
    use sagegate_policy::PolicyKind;

    use super::*;
    use crate::checks::test::{found, policy, run};

    #[test]
    fn reports_the_first_iam_error() {
        let p = policy(&[r#"{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "arn:aws:sage*:*:*:*"}"#]);
        assert_eq!(found(&CHECK, &p), [r#"SG001 2:58 "arn:aws:sage*:*:*:*""#]);
        let unversioned = r#"{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#;
        assert_eq!(run(&CHECK, PolicyKind::Managed, unversioned), ["SG001 1:1 {"]);
        assert!(found(&CHECK, unversioned).is_empty());
        assert_eq!(found(&CHECK, "{"), ["SG001 1:2 "]);
    }

    #[test]
    fn message_carries_iam_code_and_text() {
        let p = policy(&[r#"{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}"#]);
        let doc = crate::lint(&p, PolicyKind::Identity);
        let f = doc.iter().find(|f| f.code == "SG001").unwrap();
        assert_eq!(f.message, "MalformedPolicyDocument: The policy failed legacy parsing");
        assert!(f.help.contains("rule V14 row 6"), "{}", f.help);
    }
}
