//! `sagegate policy lint`: runs the SageMaker-aware linter (`sagegate-lint`) over policy files and prints its
//! findings like rustc, as JSON, or as SARIF 2.1.0 for code scanning.
//!
//! Exit codes: 0 when no finding is at or above `--fail-on` (default `security`: errors and security
//! warnings), 1 when one is, 2 on bad usage or an unreadable file. `docs/lint.md` documents the checks and
//! both machine formats.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use sagegate_lint::{checks, lint, Finding, Severity};
use sagegate_policy::PolicyKind;
use serde_json::{json, Value};

/// The version of the `--output json` schema; bumped only when a field changes meaning or disappears.
const JSON_SCHEMA_VERSION: u32 = 1;

/// Arguments of `sagegate policy lint`.
#[derive(clap::Args)]
pub struct LintArgs {
    /// The kind of policy, which decides what is required and forbidden.
    /// identity (inline), managed, resource, trust, boundary, session, scp or rcp.
    #[arg(long, value_parser = crate::parse_kind, default_value = "identity")]
    kind: PolicyKind,
    /// Output format: human-readable text, JSON, or SARIF 2.1.0 (for code scanning).
    #[arg(long, value_enum, default_value_t = LintOutput::Text)]
    output: LintOutput,
    /// Exit with 1 when a finding is at least this severe: error, security (security warnings and
    /// errors), warning, suggestion (any finding), or none (never).
    #[arg(long, value_enum, default_value_t = FailOn::Security)]
    fail_on: FailOn,
    /// Policy files (`-` reads standard input).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LintOutput {
    Text,
    Json,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Security,
    Warning,
    Suggestion,
    None,
}

impl FailOn {
    /// The least severe finding that fails the run.
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Security => Some(Severity::SecurityWarning),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Suggestion => Some(Severity::Suggestion),
            FailOn::None => None,
        }
    }
}

/// One linted file.
struct Linted {
    name: String,
    text: String,
    findings: Vec<Finding>,
}

/// Runs `sagegate policy lint`.
pub fn run(args: &LintArgs) -> Result<ExitCode, String> {
    let mut linted = Vec::new();
    for path in &args.files {
        let text = crate::read_input(path)?;
        let findings = lint(&text, args.kind);
        let name = if path.as_os_str() == "-" { "<stdin>".to_string() } else { path.display().to_string() };
        linted.push(Linted { name, text, findings });
    }
    let rendered = match args.output {
        LintOutput::Text => linted.iter().map(render_text).collect::<String>(),
        LintOutput::Json => pretty(&to_json(&linted, args))?,
        LintOutput::Sarif => pretty(&to_sarif(&linted))?,
    };
    print!("{rendered}");
    let failed =
        args.fail_on.threshold().is_some_and(|t| linted.iter().flat_map(|l| &l.findings).any(|f| f.severity >= t));
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn pretty(v: &Value) -> Result<String, String> {
    serde_json::to_string_pretty(v).map(|s| s + "\n").map_err(|e| format!("cannot render the output: {e}"))
}

/// Counts per severity, most severe first: `1 error, 2 warnings`.
fn summary(findings: &[Finding]) -> String {
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|&s| {
            let n = findings.iter().filter(|f| f.severity == s).count();
            let word = s.label().replace('-', " ");
            (n > 0).then(|| format!("{n} {word}{}", if n == 1 { "" } else { "s" }))
        })
        .collect();
    if parts.is_empty() {
        "no findings".to_string()
    } else {
        parts.join(", ")
    }
}

/// Renders one file's findings like rustc: header, location, the source line with an underline, help.
/// Long lines (compact JSON) arrive from the linter as a window around the finding, shown between `…`.
fn render_text(l: &Linted) -> String {
    let mut s = String::new();
    for f in &l.findings {
        s.push_str(&format!("{}[{}]: {}\n", f.severity.label(), f.code, f.message));
        s.push_str(&format!("  --> {}:{}:{}\n", l.name, f.start.line, f.start.column));
        let shown: String = f.snippet.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
        let shown_len = shown.chars().count();
        let lead = if f.snippet_column > 1 { "…" } else { "" };
        let tail = if f.snippet_truncated { "…" } else { "" };
        // Columns within the snippet; the underline stops at the end of the span or of the snippet.
        let col = f.start.column.saturating_sub(f.snippet_column).min(shown_len);
        let span_width =
            if f.end.line == f.start.line { f.end.column.saturating_sub(f.start.column) } else { shown_len - col };
        let width = span_width.min(shown_len - col).max(1);
        let gutter = f.start.line.to_string().len();
        s.push_str(&format!("{:gutter$} |\n", ""));
        s.push_str(&format!("{} | {lead}{shown}{tail}\n", f.start.line));
        s.push_str(&format!(
            "{:gutter$} | {}{}{}\n",
            "",
            " ".repeat(lead.chars().count()),
            " ".repeat(col),
            "^".repeat(width)
        ));
        s.push_str(&format!("{:gutter$} = help: {}\n", "", f.help));
        s.push_str(&format!("{:gutter$} = check: {} (docs/lint.md)\n\n", "", f.name));
    }
    s.push_str(&format!("{}: {}\n", l.name, summary(&l.findings)));
    s
}

fn counts(findings: &[Finding]) -> Value {
    let mut m = serde_json::Map::new();
    for s in Severity::ALL {
        m.insert(s.as_str().into(), json!(findings.iter().filter(|f| f.severity == s).count()));
    }
    Value::Object(m)
}

/// `--output json`: the schema documented in docs/lint.md.
fn to_json(linted: &[Linted], args: &LintArgs) -> Value {
    let files: Vec<Value> = linted
        .iter()
        .map(|l| {
            let findings: Vec<Value> = l
                .findings
                .iter()
                .map(|f| {
                    json!({
                        "code": f.code,
                        "check": f.name,
                        "severity": f.severity.as_str(),
                        "message": f.message,
                        "help": f.help,
                        "line": f.start.line,
                        "column": f.start.column,
                        "endLine": f.end.line,
                        "endColumn": f.end.column,
                        "span": {"start": f.span.start, "end": f.span.end},
                        "snippet": f.snippet,
                        "snippetColumn": f.snippet_column,
                    })
                })
                .collect();
            json!({"file": l.name, "kind": args.kind.name(), "summary": counts(&l.findings), "findings": findings})
        })
        .collect();
    let all: Vec<Finding> = linted.iter().flat_map(|l| l.findings.iter().cloned()).collect();
    json!({
        "version": JSON_SCHEMA_VERSION,
        "failOn": args.fail_on.threshold().map(Severity::as_str),
        "summary": counts(&all),
        "files": files,
    })
}

/// SARIF's `level` for a severity.
fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::SecurityWarning | Severity::Warning => "warning",
        Severity::Suggestion => "note",
    }
}

/// A file name as a relative URI reference: `/` separators, and the characters URIs reserve escaped.
fn uri(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        match c {
            '\\' => out.push('/'),
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

/// `--output sarif`: one run, every check as a rule, one result per finding.
fn to_sarif(linted: &[Linted]) -> Value {
    let rules: Vec<Value> = checks()
        .iter()
        .map(|c| {
            let mut properties = json!({"severity": c.severity.as_str()});
            if let (Severity::SecurityWarning, Some(p)) = (c.severity, properties.as_object_mut()) {
                // GitHub code scanning ranks security alerts by these two properties.
                p.insert("tags".into(), json!(["security"]));
                p.insert("security-severity".into(), json!("7.0"));
            }
            json!({
                "id": c.code,
                "name": c.name,
                "shortDescription": {"text": c.summary},
                "defaultConfiguration": {"level": sarif_level(c.severity)},
                "properties": properties,
            })
        })
        .collect();
    let results: Vec<Value> = linted
        .iter()
        .flat_map(|l| l.findings.iter().map(move |f| (l, f)))
        .map(|(l, f)| {
            let index = checks().iter().position(|c| c.code == f.code).unwrap_or_default();
            let text = l.text.get(f.span.start..f.span.end).unwrap_or_default();
            json!({
                "ruleId": f.code,
                "ruleIndex": index,
                "level": sarif_level(f.severity),
                "message": {"text": format!("{} (help: {})", f.message, f.help)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&l.name)},
                        "region": {
                            "startLine": f.start.line,
                            "startColumn": f.start.column,
                            "endLine": f.end.line,
                            "endColumn": f.end.column,
                            "snippet": {"text": text},
                        },
                    },
                }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "sagegate",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}
