//! SG206 `invalid-account-id`: a resource ARN whose account is literal text other than a 12-digit account
//! ID (or `aws`, the owner of AWS managed resources). No resource has such an owner, so it matches nothing.

use crate::checks::has_variable;
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG206",
    name: "invalid-account-id",
    severity: Severity::Warning,
    summary: "A resource ARN whose account is not a 12-digit account ID, so it matches nothing.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        for e in st.resource.iter().flat_map(|r| &r.entries) {
            let parts: Vec<&str> = e.value.splitn(6, ':').collect();
            let [_, _, _, _, account, _] = parts.as_slice() else {
                continue; // short ARNs: SG205
            };
            let account = *account;
            if account.is_empty()
                || account == "aws"
                || account.contains(['*', '?'])
                || has_variable(account)
                || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
            {
                continue;
            }
            out.report(
                e.span,
                format!("`{account}` is not an account ID: `{}` matches no resource", e.value),
                "an account ID is 12 digits, with leading zeros and without dashes, e.g. `012345678901`",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn twelve_digits() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:*", "Resource": ["arn:aws:sagemaker:us-east-1:1234-5678-9012:model/*", "arn:aws:sagemaker:us-east-1:12345678901:model/*", "arn:aws:sagemaker:us-east-1:123456789012:model/*", "arn:aws:sagemaker:*:1234*:model/*", "arn:aws:iam::aws:policy/X"]}"#,
        ]);
        assert_eq!(
            found(&CHECK, &p),
            [
                r#"SG206 2:59 "arn:aws:sagemaker:us-east-1:1234-5678-9012:model/*""#,
                r#"SG206 2:113 "arn:aws:sagemaker:us-east-1:12345678901:model/*""#,
            ]
        );
    }
}
