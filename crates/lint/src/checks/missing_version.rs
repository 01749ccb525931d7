//! SG002 `missing-version`: a document without `"Version": "2012-10-17"` runs under the legacy language,
//! where policy variables are literal text (V3, PV3).

use sagegate_policy::ast::Version;
use sagegate_policy::span::Span;

use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG002",
    name: "missing-version",
    severity: Severity::Suggestion,
    summary: "The document has no Version, or the legacy 2008-10-17.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    let Some(p) = &doc.policy else {
        return;
    };
    // Managed policies and boundaries require 2012-10-17: the validator already reports an error (SG001).
    if matches!(doc.kind, sagegate_policy::PolicyKind::Managed | sagegate_policy::PolicyKind::Boundary) {
        return;
    }
    let help = "add \"Version\": \"2012-10-17\" as the first member of the document";
    match p.version.value {
        Version::Absent => out.report(
            Span::new(0, doc.text.len().min(1)),
            "the document has no `Version`: the legacy 2008-10-17 language applies, and policy variables are literal text",
            help,
        ),
        Version::V2008_10_17 => out.report(
            p.version.span,
            "`2008-10-17` is the legacy policy language: policy variables are literal text under it",
            help,
        ),
        Version::V2012_10_17 | Version::Unknown(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use sagegate_policy::PolicyKind;

    use super::*;
    use crate::checks::test::{found, policy, run};

    #[test]
    fn absent_or_legacy_version() {
        let absent = r#"{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#;
        assert_eq!(found(&CHECK, absent), ["SG002 1:1 {"]);
        let legacy =
            r#"{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#;
        assert_eq!(found(&CHECK, legacy), [r#"SG002 1:13 "2008-10-17""#]);
        assert!(run(&CHECK, PolicyKind::Managed, absent).is_empty(), "the validator reports it for managed policies");
        assert!(
            found(&CHECK, &policy(&[r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#])).is_empty()
        );
    }
}
