//! SG315 `wildcard-in-string-equals`: a `*` in a value of `StringEquals` (or its `Not`/`IgnoreCase` forms).
//! These operators compare exactly, so `*` is an ordinary character (O3) and the value matches only text
//! that contains a literal `*`.

use sagegate_catalog::KeyType;
use sagegate_policy::ast::BaseOperator;

use crate::checks::conditions;
use crate::doc::Doc;
use crate::keys;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG315",
    name: "wildcard-in-string-equals",
    severity: Severity::Warning,
    summary: "A * in a StringEquals value, where it is an ordinary character rather than a wildcard.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        let like = match c.base {
            BaseOperator::StringEquals | BaseOperator::StringEqualsIgnoreCase => "StringLike",
            BaseOperator::StringNotEquals | BaseOperator::StringNotEqualsIgnoreCase => "StringNotLike",
            _ => continue,
        };
        let is_arn = keys::key_type(doc.catalog, &c.c.key.value).map(KeyType::element) == Some(KeyType::Arn);
        let like = match (is_arn, like) {
            (true, "StringLike") => "ArnLike",
            (true, _) => "ArnNotLike",
            (false, l) => l,
        };
        // `${*}` is the documented way to write a literal `*`.
        for v in c.c.values.iter().filter(|v| v.value.replace("${*}", "").contains('*')) {
            out.report(
                v.span,
                format!(
                    "`*` is not a wildcard in `{}`: `{}` matches only a value with a literal `*`",
                    c.c.operator.value, v.value
                ),
                format!("use `{like}` for wildcard matching"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn literal_stars() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestTag/team": "ml-*", "aws:PrincipalArn": "arn:aws:iam::*:role/x"}, "StringLike": {"aws:RequestTag/env": "dev-*"}, "StringNotEquals": {"aws:username": "a${*}b"}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG315 2:133 "ml-*""#, r#"SG315 2:161 "arn:aws:iam::*:role/x""#]);
        let m = messages(&CHECK, &p);
        assert!(m[0].ends_with("use `StringLike` for wildcard matching"), "{m:?}");
        assert!(m[1].ends_with("use `ArnLike` for wildcard matching"), "{m:?}");
    }
}
