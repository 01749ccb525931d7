//! SG316 `like-without-wildcard`: `StringLike` or `StringNotLike` where no value has a `*` or `?`. The glob
//! must cover the whole value, so it compares exactly, like `StringEquals` (O3), which says so plainly.

use sagegate_policy::ast::BaseOperator;

use crate::checks::{conditions, has_variable};
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG316",
    name: "like-without-wildcard",
    severity: Severity::Suggestion,
    summary: "StringLike with no wildcard in any value, which compares exactly like StringEquals.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc) {
        let equals = match c.base {
            BaseOperator::StringLike => "StringEquals",
            BaseOperator::StringNotLike => "StringNotEquals",
            _ => continue,
        };
        if c.c.values.is_empty() || c.c.values.iter().any(|v| v.value.contains(['*', '?']) || has_variable(&v.value)) {
            continue;
        }
        let op =
            c.c.operator.value.replace(if equals == "StringEquals" { "StringLike" } else { "StringNotLike" }, equals);
        out.report(
            c.c.operator.span,
            format!("no value of `{}` has a wildcard: it compares exactly", c.c.operator.value),
            format!("write `{op}`, or add the `*` that was meant (a partial match needs one, e.g. `team-*`)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn exact_globs() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*", "Condition": {"StringLike": {"s3:prefix": ["home/", "home"]}, "StringNotLikeIfExists": {"aws:username": "x"}, "ForAnyValue:StringLike": {"aws:TagKeys": "t*"}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG316 2:79 "StringLike""#, r#"SG316 2:127 "StringNotLikeIfExists""#]);
    }
}
