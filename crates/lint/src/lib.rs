//! sagegate's SageMaker-aware policy linter: findings in the style of IAM Access Analyzer's ValidatePolicy.
//!
//! ```text
//! policy text ──Doc::new──▶ parsed policy + per-statement facts (actions resolved in the catalog)
//!             ──every Check──▶ [Finding]: code, severity, message, span (line:column), snippet, help
//! ```
//!
//! Severities follow Access Analyzer: `ERROR` (IAM rejects the document, or it names something that does
//! not exist), `SECURITY_WARNING` (grants more than it seems to), `WARNING` (valid, but does not do what it
//! seems to), `SUGGESTION` (an equivalent that is clearer or smaller). Every check has a stable code
//! (`SG` + three digits; the first digit is the area: 0 document, 1 names, 2 resources, 3 conditions,
//! 4 statements, 5 SageMaker) and a kebab-case name. Codes are never reused. `docs/lint.md` documents every
//! check, and a test keeps it in step with [`checks`].
//!
//! The crate does no I/O: text in, findings out.
//!
//! ```
//! use sagegate_lint::{lint, Severity};
//! use sagegate_policy::PolicyKind;
//!
//! let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
//!     "Action": "sagemaker:CreateTraningJob", "Resource": "*"}}"#;
//! let findings = lint(text, PolicyKind::Identity);
//! let f = findings.iter().find(|f| f.name == "unknown-action").unwrap();
//! assert_eq!((f.code, f.severity, f.start.line), ("SG102", Severity::Error, 2));
//! assert!(f.help.contains("sagemaker:CreateTrainingJob"));
//! ```

pub mod checks;
mod doc;
mod keys;
mod patterns;
mod positions;
mod reach;

use sagegate_catalog::Catalog;
use sagegate_policy::span::{LineColumn, Span};
use sagegate_policy::PolicyKind;

pub use doc::{ActionRef, Doc, Facts};
use positions::Positions;

/// How serious a finding is, in Access Analyzer's terms. Ordered from least to most serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Suggestion,
    Warning,
    SecurityWarning,
    Error,
}

impl Severity {
    /// Most serious first.
    pub const ALL: [Severity; 4] =
        [Severity::Error, Severity::SecurityWarning, Severity::Warning, Severity::Suggestion];

    /// Access Analyzer's `findingType`: `ERROR`, `SECURITY_WARNING`, `WARNING`, `SUGGESTION`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::SecurityWarning => "SECURITY_WARNING",
            Severity::Warning => "WARNING",
            Severity::Suggestion => "SUGGESTION",
        }
    }

    /// The lower-case label of human output: `error`, `security-warning`, `warning`, `suggestion`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::SecurityWarning => "security-warning",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
        }
    }
}

/// One lint check: its stable identity and the function that runs it.
pub struct Check {
    /// Stable code, e.g. `SG102`.
    pub code: &'static str,
    /// Stable kebab-case name, e.g. `unknown-action`.
    pub name: &'static str,
    pub severity: Severity,
    /// One sentence: what the check finds.
    pub summary: &'static str,
    pub(crate) run: fn(&Doc, &mut Sink),
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

/// One finding in one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// What to do about it.
    pub help: String,
    /// The byte range of the source text the finding points at.
    pub span: Span,
    /// 1-based position of the span's first character.
    pub start: LineColumn,
    /// 1-based position just after the span (SARIF's exclusive `endColumn`).
    pub end: LineColumn,
    /// The source line holding `start`, without its newline; for a line longer than 160 bytes (compact
    /// JSON), a window of it around the span.
    pub snippet: String,
    /// The 1-based column, in its line, of the snippet's first character (1 unless the line was cut).
    pub snippet_column: usize,
    /// Whether the line goes on after the snippet.
    pub snippet_truncated: bool,
}

/// A finding as a check reports it, before positions are worked out.
struct Reported {
    span: Span,
    message: String,
    help: String,
}

/// Collects one check's findings.
pub struct Sink {
    reported: Vec<Reported>,
}

impl Sink {
    pub(crate) fn new() -> Self {
        Sink { reported: Vec::new() }
    }

    /// Records a finding of this check at `span`.
    pub(crate) fn report(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) {
        self.reported.push(Reported { span, message: message.into(), help: help.into() });
    }

    /// The findings, with positions and snippets.
    pub(crate) fn finish(self, check: &'static Check, positions: &Positions) -> Vec<Finding> {
        let len = positions.len();
        self.reported
            .into_iter()
            .map(|r| {
                let start = r.span.start.min(len);
                let mut end = r.span.end.min(len).max(start);
                if end == start {
                    // An empty span (an absent element) points at the character there, so it can be underlined.
                    end += positions.char_len_at(start);
                }
                let span = Span::new(start, end);
                let snippet = positions.snippet(span);
                Finding {
                    code: check.code,
                    name: check.name,
                    severity: check.severity,
                    message: r.message,
                    help: r.help,
                    span,
                    start: positions.line_column(span.start),
                    end: positions.line_column(span.end),
                    snippet: snippet.text,
                    snippet_column: snippet.column,
                    snippet_truncated: snippet.truncated,
                }
            })
            .collect()
    }
}

/// Every check, in code order.
pub fn checks() -> &'static [&'static Check] {
    checks::ALL
}

/// The check with this code or name.
pub fn check(code_or_name: &str) -> Option<&'static Check> {
    checks::ALL.iter().copied().find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name == code_or_name)
}

/// Lints `text` as a policy of `kind` with the embedded catalog. Findings are in source order.
pub fn lint(text: &str, kind: PolicyKind) -> Vec<Finding> {
    lint_with(text, kind, Catalog::get())
}

/// Lints with a given catalog.
pub fn lint_with(text: &str, kind: PolicyKind, catalog: &'static Catalog) -> Vec<Finding> {
    let doc = Doc::new(text, kind, catalog);
    let positions = Positions::new(text);
    let mut out = Vec::new();
    for check in checks::ALL {
        let mut sink = Sink::new();
        (check.run)(&doc, &mut sink);
        out.extend(sink.finish(check, &positions));
    }
    out.sort_by(|a, b| (a.span.start, a.code, a.span.end).cmp(&(b.span.start, b.code, b.span.end)));
    out
}
