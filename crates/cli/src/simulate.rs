//! `sagegate simulate --input CASE.json` (without `--api`): runs one case and prints its decision as JSON
//! or as text that shows each deciding statement with its source, like rustc, and why it matched or not.
//!
//! Text mode shows, after the decision and the per-kind results:
//! - for an Allow, every Allow statement that applied;
//! - for an explicit deny, the denying statement, then a line for each other statement that applied;
//! - for an implicit deny, every statement of the deciding kind: those that reached the conditions (or
//!   failed on principal or resource) in full, those whose Action does not cover the request one line each.
//!
//! A statement in full is its source lines, with the element that did not match or each condition
//! underlined, then one `=` line per element or condition: operator, key, the policy's values and what
//! the request had. Positions are line:column in the policy's text: as given when the case holds the
//! policy as a string, else the document pretty-printed (see docs/simulate-case-format.md).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use sagegate_policy::case::{Case, CaseBody, CasePolicy, CaseResult, DecisionCase};
use sagegate_policy::explain::KindResult;
use sagegate_policy::span::{line_column, Span};
use sagegate_policy::{
    ConditionTrace, ContextValue, Decision, Element, Explanation, PolicyType, Request, StatementTrace,
};

use crate::{read_input, render_diagnostic, Output};

/// A statement is shown in full up to this many lines; a longer one keeps its first lines, the marked
/// lines and its last line.
const MAX_SNIPPET_LINES: usize = 40;
const HEAD_LINES: usize = 12;
/// Element text quoted in a reason is cut to this many characters.
const MAX_QUOTE: usize = 120;

pub(crate) fn run(input: &PathBuf, output: Output) -> Result<ExitCode, String> {
    let text = read_input(input)?;
    let case = Case::from_json(&text).map_err(|e| format!("{}: {e}", input.display()))?;
    let outcome = case.run();
    let result = outcome.result.as_ref().map_err(|e| e.to_string())?;
    match (result, &case.body) {
        (CaseResult::Decision(e), CaseBody::Decision(d)) => match output {
            Output::Json => {
                println!("{}", serde_json::to_string_pretty(&e.to_json(&d.request)).map_err(|e| e.to_string())?);
            }
            Output::Text => print!("{}", render_text(e, d)),
        },
        (CaseResult::Validation(v), _) => {
            let name = input.display().to_string();
            match &v.error {
                Some(d) => print!("{}", render_diagnostic(&name, "", d)),
                None => println!("{name}: valid"),
            }
        }
        _ => return Err("internal: case result does not match its body".into()),
    }
    let failures = outcome.failures();
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("expectation failed: {f}");
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The text explanation of a decision case.
pub(crate) fn render_text(e: &Explanation, d: &DecisionCase) -> String {
    let mut out = String::new();
    let req = &d.request;
    let _ = writeln!(out, "decision: {}", e.kind().as_str());
    if let Some(t) = e.decision.policy_type() {
        let _ = writeln!(out, "decided by: {}", t.implicit_phrase());
    }
    if let Some(m) = &e.message {
        let _ = writeln!(out, "message: {m}");
    }
    if e.cross_account {
        let _ = writeln!(out, "cross-account: yes");
    }
    if let Some(m) = e.resource_policy_match {
        let _ = writeln!(out, "resource-based policy principal match: {m}");
    }
    for (t, level, r) in &e.kinds {
        let level = level.map(|l| format!(" level {l}")).unwrap_or_default();
        let _ = writeln!(out, "  {}{level}: {r:?}", t.implicit_phrase());
    }

    match e.decision {
        Decision::Allow => {
            let allows: Vec<&StatementTrace> =
                e.statements.iter().filter(|s| s.applies && s.effect == "Allow").collect();
            if allows.is_empty() {
                // Root's implicit Allow, or a resource-based policy that names the caller directly.
                let _ = writeln!(out, "\nno Allow statement applied; see the notes below");
            }
            for s in allows {
                out.push('\n');
                render_full(&mut out, s, d, req);
            }
            // A Deny that covered the action and resource but whose condition did not hold is the usual
            // surprise behind an Allow: show why it did not apply.
            let near: Vec<&StatementTrace> =
                e.statements.iter().filter(|s| s.effect == "Deny" && s.failed == Some(Element::Condition)).collect();
            if !near.is_empty() {
                let _ = writeln!(out, "\nDeny statements that cover the request but whose conditions do not hold:");
                for s in near {
                    out.push('\n');
                    render_full(&mut out, s, d, req);
                }
            }
        }
        Decision::ExplicitDeny(r) => {
            let deciding = e.statements.iter().find(|s| {
                s.applies
                    && s.effect == "Deny"
                    && s.policy_type == r.policy_type
                    && s.level.unwrap_or(0) == r.level
                    && s.policy_index == r.policy
                    && s.statement_index == r.statement
            });
            if let Some(s) = deciding {
                out.push('\n');
                render_full(&mut out, s, d, req);
            }
            let others: Vec<&StatementTrace> =
                e.statements.iter().filter(|s| s.applies && !deciding.is_some_and(|x| std::ptr::eq(*s, x))).collect();
            if !others.is_empty() {
                let _ = writeln!(out, "\nother statements that applied:");
                for s in others {
                    render_brief(&mut out, s, d);
                }
            }
        }
        Decision::ImplicitDeny(t) => render_implicit(&mut out, e, t, d, req),
    }
    for n in &e.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}

/// The statements of the kind that denied implicitly.
fn render_implicit(out: &mut String, e: &Explanation, t: PolicyType, d: &DecisionCase, req: &Request) {
    // For SCPs and RCPs, the first level without an Allow decided.
    let level = e.kinds.iter().find(|(k, _, r)| *k == t && *r != KindResult::Allow).and_then(|(_, l, _)| *l);
    let kind_allows = e.kinds.iter().any(|(k, l, r)| *k == t && *l == level && *r == KindResult::Allow);
    let considered: Vec<&StatementTrace> =
        e.statements.iter().filter(|s| s.policy_type == t && (level.is_none() || s.level == level)).collect();
    let at_level = level.map(|l| format!(" at level {l}")).unwrap_or_default();
    if considered.is_empty() {
        let why = match t {
            PolicyType::ResourceBased if e.cross_account => {
                " (the request is cross-account, so the resource's own policy must allow it, E8)"
            }
            PolicyType::ResourceBased => " (this request needs the resource's own policy to allow it, E7, E9)",
            _ => "",
        };
        let _ = writeln!(out, "\nno {} statement{at_level} was given{why}", t.implicit_phrase());
        return;
    }
    if kind_allows {
        let _ = writeln!(
            out,
            "\na {} statement allows, but the request needs more (see the message and E6–E9, X2)",
            t.implicit_phrase()
        );
    } else {
        let _ = writeln!(
            out,
            "\nno {} statement{at_level} allows the request; the statements considered:",
            t.implicit_phrase()
        );
    }
    let (off_action, reached): (Vec<&StatementTrace>, Vec<&StatementTrace>) =
        considered.into_iter().partition(|s| s.failed == Some(Element::Action));
    for s in reached {
        out.push('\n');
        render_full(out, s, d, req);
    }
    if !off_action.is_empty() {
        let _ = writeln!(out, "\nstatements whose action does not cover {}:", req.action);
        for s in off_action {
            render_brief(out, s, d);
        }
    }
}

/// The case policy a trace belongs to.
fn source_of<'a>(d: &'a DecisionCase, s: &StatementTrace) -> Option<&'a CasePolicy> {
    let level = s.level.unwrap_or(0);
    match s.policy_type {
        PolicyType::Identity => d.identity.get(s.policy_index),
        PolicyType::ResourceBased => d.resource.as_ref(),
        PolicyType::PermissionsBoundary => d.boundary.as_ref(),
        PolicyType::Session => d.session.as_ref().and_then(|p| p.get(s.policy_index)),
        PolicyType::Scp => d.scps.get(level).and_then(|l| l.get(s.policy_index)),
        PolicyType::Rcp => d.rcps.get(level).and_then(|l| l.get(s.policy_index)),
    }
}

fn kind_label(s: &StatementTrace) -> String {
    let level = s.level.map(|l| format!(" (level {l})")).unwrap_or_default();
    format!("{}{level}", s.policy_type.implicit_phrase())
}

fn verdict(s: &StatementTrace) -> &'static str {
    match s.failed {
        None => "applies",
        Some(Element::Principal) => "does not apply: the principal does not match",
        Some(Element::Action) => "does not apply: the action does not match",
        Some(Element::Resource) => "does not apply: the resource does not match",
        Some(Element::Condition) => "does not apply: a condition does not hold",
    }
}

/// One line: what the statement is, where, and its verdict.
fn render_brief(out: &mut String, s: &StatementTrace, d: &DecisionCase) {
    let reason = match (s.failed, source_of(d, s)) {
        (Some(Element::Action), Some(p)) => {
            s.failed_span.map(|sp| format!(" ({})", quote(&p.text, sp))).unwrap_or_default()
        }
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "  - {} statement {} of {} {} ({}:{}): {}{reason}",
        s.effect,
        s.statement,
        kind_label(s),
        s.policy,
        s.policy,
        s.position,
        verdict(s)
    );
}

/// A statement in full: header, source lines with marks, and one line per reason.
fn render_full(out: &mut String, s: &StatementTrace, d: &DecisionCase, req: &Request) {
    let _ = writeln!(out, "{} statement {} of {} {} {}", s.effect, s.statement, kind_label(s), s.policy, verdict(s));
    let Some(policy) = source_of(d, s) else {
        let _ = writeln!(out, " --> {}:{}", s.policy, s.position);
        return;
    };
    let src = policy.text.as_str();
    let mut marks: Vec<(Span, String)> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    match s.failed {
        Some(Element::Condition) | None => {}
        Some(e) => {
            let (label, note) = element_reason(e, s, src, req);
            if let Some(sp) = s.failed_span {
                marks.push((sp, label));
            }
            notes.push(note);
        }
    }
    for (i, c) in s.conditions.iter().enumerate() {
        let verdict = if c.holds { "held" } else { "failed" };
        marks.push((c.span, format!("{verdict}: {}", seen_phrase(c))));
        notes.push(format!(
            "condition {} {verdict}: {} on `{}` with {}: {}",
            i + 1,
            c.operator,
            c.key,
            values_text(&c.values),
            seen_phrase(c)
        ));
    }
    let gutter = line_column(src, s.span.end.saturating_sub(1).max(s.span.start)).line.to_string().len();
    let _ = writeln!(out, "{:gutter$}--> {}:{}", "", s.policy, s.position);
    snippet(out, src, s.span, &marks, gutter);
    for n in notes {
        let _ = writeln!(out, "{:gutter$} = {n}", "");
    }
}

/// The underline label and the `=` note for an element that did not match.
fn element_reason(e: Element, s: &StatementTrace, src: &str, req: &Request) -> (String, String) {
    let written = s.failed_span.map(|sp| quote(src, sp));
    match e {
        Element::Action => (
            format!("does not cover {}", req.action),
            format!("action: {} is not covered by {}", req.action, written.as_deref().unwrap_or("the statement")),
        ),
        Element::Resource => match written {
            Some(w) => (
                format!("does not cover {}", req.resource),
                format!("resource: {} is not covered by {w}", req.resource),
            ),
            None => (
                String::new(),
                "resource: the statement has no `Resource`, so it covers no resource in this kind of policy (R10)"
                    .to_string(),
            ),
        },
        Element::Principal => match written {
            Some(w) => (
                format!("does not match {}", req.principal.arn),
                format!("principal: {} is not matched by {w}", req.principal.arn),
            ),
            None => (
                String::new(),
                "principal: the statement has no `Principal`, which a resource-based policy needs (P1)".to_string(),
            ),
        },
        Element::Condition => (String::new(), String::new()),
    }
}

fn values_text(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

/// What the request had for a condition's key.
fn seen_phrase(c: &ConditionTrace) -> String {
    match &c.seen {
        None => format!("the request has no `{}`", c.key),
        Some(ContextValue::Single(v)) => format!("the request has {v:?}"),
        Some(ContextValue::Multi(vs)) => format!("the request has {}", values_text(vs)),
    }
}

/// The text of a span on one line, whitespace runs collapsed, cut to `MAX_QUOTE` characters.
fn quote(src: &str, sp: Span) -> String {
    let text = src.get(sp.start..sp.end).unwrap_or_default();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > MAX_QUOTE {
        let cut: String = flat.chars().take(MAX_QUOTE).collect();
        format!("`{cut}…`")
    } else {
        format!("`{flat}`")
    }
}

/// Prints the source lines of `span` like rustc: a gutter with line numbers, and under the line where
/// each mark starts, `^` under the marked text (to the end of that line) with its label.
fn snippet(out: &mut String, src: &str, span: Span, marks: &[(Span, String)], gutter: usize) {
    let first = line_column(src, span.start).line;
    let last = line_column(src, span.end.saturating_sub(1).max(span.start)).line;
    let lines: Vec<(usize, &str)> = numbered_lines(src).filter(|(n, _)| *n >= first && *n <= last).collect();
    let mark_lines: Vec<usize> = marks.iter().map(|(sp, _)| line_column(src, sp.start).line).collect();
    let shown =
        |n: usize| lines.len() <= MAX_SNIPPET_LINES || n < first + HEAD_LINES || n == last || mark_lines.contains(&n);
    let _ = writeln!(out, "{:gutter$} |", "");
    let mut skipped = false;
    for (n, line) in &lines {
        if !shown(*n) {
            if !skipped {
                let _ = writeln!(out, "{:gutter$} | ...", "");
            }
            skipped = true;
            continue;
        }
        skipped = false;
        let _ = writeln!(out, "{n:>gutter$} | {line}");
        for (sp, label) in marks.iter().filter(|(sp, _)| line_column(src, sp.start).line == *n) {
            let col = line_column(src, sp.start).column;
            let on_line = src.get(sp.start..sp.end).unwrap_or_default().lines().next().unwrap_or_default();
            let width = on_line.chars().count().max(1);
            let _ =
                writeln!(out, "{:gutter$} | {}{} {label}", "", " ".repeat(col.saturating_sub(1)), "^".repeat(width));
        }
    }
    let _ = writeln!(out, "{:gutter$} |", "");
}

/// Every line of `src` with its 1-based number, without the line break.
fn numbered_lines(src: &str) -> impl Iterator<Item = (usize, &str)> {
    src.split('\n').enumerate().map(|(i, line)| (i + 1, line.strip_suffix('\r').unwrap_or(line)))
}
