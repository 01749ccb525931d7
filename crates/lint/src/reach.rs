//! Which of a statement's resource entries can match a resource of its actions, and which of its actions
//! can match one of its resource entries: the shared analysis behind SG202, SG203 and SG209 (role-manager
//! flaws F8 and F12).
//!
//! An entry can match a resource of an action when it intersects the ARN format of one of the action's
//! resource types (Service Authorization Reference), compared as IAM compares ARNs (R4–R6).

use sagegate_policy::ast::Statement;

use crate::doc::{Doc, Facts};
use crate::patterns::{arn_intersects, wildcard_type_prefix, ArnTokens};

/// What a resource entry can match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// It can match a resource of one of the statement's actions.
    Alive,
    /// It is an ARN, but has the format of no resource type of the statement's actions.
    NoType,
    /// It matches nothing whatever the actions: a wildcard in its type prefix (R6), or not an ARN (R8).
    Never,
}

/// The analysis of one statement.
pub struct Reach {
    /// Parallel to the `Resource` entries.
    pub resources: Vec<Liveness>,
    /// Parallel to the `Action` entries: whether one of the entry's actions can match one of the resource
    /// entries. None when the entry resolves to no action with a resource type (SG201's and SG102's domain).
    pub actions: Vec<Option<bool>>,
    /// The distinct ARN formats of the statement's actions, in action order.
    pub formats: Vec<&'static str>,
}

impl Reach {
    /// Whether no resource entry can match anything the statement's actions act on.
    pub fn nothing_alive(&self) -> bool {
        self.resources.iter().all(|l| *l != Liveness::Alive)
    }
}

/// Analyses a statement with `Action` and `Resource` (not their `Not` forms), every action known, no `*`
/// resource entry, and at least one action that has resource types; None otherwise.
pub fn reach(doc: &Doc, st: &Statement, facts: &Facts) -> Option<Reach> {
    let resource = st.resource.as_ref().filter(|r| !r.negated)?;
    if !facts.complete || resource.entries.iter().any(|e| e.value == "*") {
        return None;
    }
    let mut formats: Vec<&'static str> = Vec::new();
    for f in facts.actions.iter().flat_map(|a| a.arn_formats().collect::<Vec<_>>()) {
        if !formats.contains(&f) {
            formats.push(f);
        }
    }
    if formats.is_empty() {
        return None;
    }
    let vars = doc.substitutes_variables();
    let format_tokens: Vec<Option<ArnTokens>> = formats.iter().map(|f| ArnTokens::format(f)).collect();
    // An entry that is no ARN, or has a wildcard type prefix, matches nothing: None.
    let entries: Vec<Option<ArnTokens>> = resource
        .entries
        .iter()
        .map(|e| if wildcard_type_prefix(&e.value) { None } else { ArnTokens::entry(&e.value, vars) })
        .collect();
    let index: std::collections::HashMap<&str, usize> = formats.iter().enumerate().map(|(i, f)| (*f, i)).collect();
    let hits = |entry: &ArnTokens, of: &[usize]| {
        of.iter().any(|&i| format_tokens.get(i).is_some_and(|t| t.as_ref().is_some_and(|t| arn_intersects(entry, t))))
    };
    let all: Vec<usize> = (0..formats.len()).collect();
    let resources = entries
        .iter()
        .map(|e| match e {
            None => Liveness::Never,
            Some(e) if hits(e, &all) => Liveness::Alive,
            Some(_) => Liveness::NoType,
        })
        .collect();
    let actions = facts
        .per_entry
        .iter()
        .map(|matched| {
            let mut typed: Vec<usize> = matched
                .iter()
                .flat_map(|a| a.arn_formats().filter_map(|f| index.get(f).copied()).collect::<Vec<_>>())
                .collect();
            typed.sort_unstable();
            typed.dedup();
            if typed.is_empty() {
                return None;
            }
            Some(entries.iter().flatten().any(|e| hits(e, &typed)))
        })
        .collect();
    Some(Reach { resources, actions, formats })
}

/// Example ARNs of the first few formats, for help texts.
pub fn examples(formats: &[&str], n: usize) -> String {
    let mut shown: Vec<String> = Vec::new();
    for f in formats {
        let e = format!("`{}`", crate::patterns::example_arn(f));
        if !shown.contains(&e) {
            shown.push(e);
        }
    }
    let more = shown.len().saturating_sub(n);
    shown.truncate(n);
    match more {
        0 => shown.join(", "),
        more => format!("{}, … ({more} more)", shown.join(", ")),
    }
}
