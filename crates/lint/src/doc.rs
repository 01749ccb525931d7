//! The document every check reads: the parsed policy and, per statement, the catalog actions it names.
//!
//! Resolving action patterns against the catalog is the expensive part of linting (`sagemaker:*` is
//! hundreds of actions), so it happens once here rather than in every check.

use sagegate_catalog::{Action, Catalog, Service};
use sagegate_policy::ast::{Statement, Version};
use sagegate_policy::{Policy, PolicyKind};

use crate::patterns;

/// A catalog action together with its service (for resource types and condition keys).
#[derive(Clone, Copy)]
pub struct ActionRef {
    pub service: &'static Service,
    pub action: &'static Action,
}

impl ActionRef {
    /// `prefix:Name` in canonical spelling.
    pub fn qualified(&self) -> &'static str {
        self.action.qualified.as_str()
    }

    /// The ARN formats of the resource types the action applies to (none for wildcard-only actions).
    pub fn arn_formats(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.action.resource_types.iter().filter_map(|r| self.service.resource_type(r.name)).map(|r| r.arn_format)
    }
}

impl std::fmt::Debug for ActionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.qualified())
    }
}

/// What the catalog says about one statement's `Action` element.
#[derive(Debug, Default)]
pub struct Facts {
    /// The known actions the `Action` entries match, without duplicates, in entry order.
    pub actions: Vec<ActionRef>,
    /// Whether `actions` is exactly what the statement covers. False with `NotAction`, a `*` entry, an
    /// unknown service or action, a pattern that matches no known action, or a wildcard service prefix;
    /// checks that reason about "every action of the statement" skip such statements.
    pub complete: bool,
    /// Per `Action` entry, the known actions it matches (empty when unknown or not resolvable).
    pub per_entry: Vec<Vec<ActionRef>>,
}

impl Facts {
    fn of(st: &Statement, catalog: &'static Catalog) -> Facts {
        let Some(block) = st.action.as_ref().filter(|a| !a.negated) else {
            return Facts::default();
        };
        let mut facts = Facts { complete: true, ..Facts::default() };
        for entry in &block.entries {
            let matched = resolve(&entry.value, catalog);
            if matched.is_empty() {
                facts.complete = false;
            }
            for a in &matched {
                if !facts.actions.iter().any(|b| std::ptr::eq(b.action, a.action)) {
                    facts.actions.push(*a);
                }
            }
            facts.per_entry.push(matched);
        }
        facts
    }

    /// Whether some action of the statement is `qualified` (case-insensitive).
    pub fn has(&self, qualified: &str) -> bool {
        self.actions.iter().any(|a| a.qualified().eq_ignore_ascii_case(qualified))
    }
}

/// The known actions an `Action` entry matches: none for `*`, malformed entries, wildcard prefixes (A4)
/// and unknown names.
pub fn resolve(entry: &str, catalog: &'static Catalog) -> Vec<ActionRef> {
    let Some((prefix, name)) = entry.split_once(':') else {
        return Vec::new();
    };
    if name.contains(':') || prefix.is_empty() || prefix.contains(['*', '?']) {
        return Vec::new();
    }
    let Some(service) = catalog.service(prefix) else {
        return Vec::new();
    };
    if name.contains(['*', '?']) {
        let glob = patterns::policy_tokens(name, false);
        service
            .actions
            .iter()
            .filter(|a| patterns::matches(&glob, a.name, true))
            .map(|action| ActionRef { service, action })
            .collect()
    } else {
        service.action(name).map(|action| ActionRef { service, action }).into_iter().collect()
    }
}

/// A policy document as the checks see it.
pub struct Doc<'t> {
    pub text: &'t str,
    pub kind: PolicyKind,
    pub catalog: &'static Catalog,
    /// None when the text does not parse into a policy (the validator's error then says why).
    pub policy: Option<Policy>,
    /// Parallel to `policy.statements`.
    pub facts: Vec<Facts>,
    /// The resource analysis of each statement, computed on first use (three checks share it).
    reaches: Vec<std::sync::OnceLock<Option<crate::reach::Reach>>>,
}

impl<'t> Doc<'t> {
    pub fn new(text: &'t str, kind: PolicyKind, catalog: &'static Catalog) -> Doc<'t> {
        let policy = Policy::parse(text).ok();
        let facts: Vec<Facts> =
            policy.iter().flat_map(|p| p.statements.iter()).map(|st| Facts::of(st, catalog)).collect();
        let reaches = facts.iter().map(|_| std::sync::OnceLock::new()).collect();
        Doc { text, kind, catalog, policy, facts, reaches }
    }

    /// The resource analysis of a statement of this document (see `reach`).
    pub(crate) fn reach(&self, st: &Statement) -> Option<&crate::reach::Reach> {
        let facts = self.facts.get(st.index)?;
        self.reaches.get(st.index)?.get_or_init(|| crate::reach::reach(self, st, facts)).as_ref()
    }

    /// Every statement with its facts.
    pub fn statements(&self) -> impl Iterator<Item = (&Statement, &Facts)> + '_ {
        self.policy.iter().flat_map(|p| p.statements.iter()).zip(self.facts.iter())
    }

    /// Whether policy variables are substituted in this document (PV3).
    pub fn substitutes_variables(&self) -> bool {
        self.policy.as_ref().is_some_and(|p| p.version.value == Version::V2012_10_17)
    }
}

/// How a statement is named in messages: its Sid, else its position.
pub fn statement_name(st: &Statement) -> String {
    match &st.sid {
        Some(sid) if !sid.value.is_empty() => format!("`{}`", sid.value),
        _ => format!("#{}", st.index + 1),
    }
}

/// Up to `n` names, then "and N more".
pub fn list<'a>(names: impl IntoIterator<Item = &'a str>, n: usize) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    let shown: Vec<String> = names.iter().take(n).map(|s| format!("`{s}`")).collect();
    match names.len().saturating_sub(n) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Where a finding about a whole statement points: its Sid, else its `Effect` value.
pub fn statement_anchor(st: &Statement) -> sagegate_policy::span::Span {
    match &st.sid {
        Some(sid) => sid.span,
        None => st.effect.span,
    }
}
