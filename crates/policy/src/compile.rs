//! Policies compiled for evaluation: matchers built once, statements indexed by action.
//!
//! Architecture invariant: nothing here is re-parsed per request. Action patterns are lower-cased,
//! resource ARNs split, condition values parsed, and statements indexed (`index.rs`) so that a decision
//! only looks at statements whose action can match (exact action, then service prefix, then the rest).

use std::collections::HashSet;
use std::sync::Arc;

use crate::arn::split6;
use crate::ast::{Effect, Policy, PrincipalSet, PrincipalType};
use crate::condition::CompiledCondition;
use crate::glob::{self, Glob, Token};
use crate::index::{self, ActionIndex};
use crate::span::Span;
use crate::variables::{self, Piece};

/// A policy ready for evaluation.
///
/// Clones share the compiled body, so a server can hand the same policy to many principals' policy sets
/// (and keep it across directory reloads) without compiling or deep-copying it again.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    pub name: String,
    pub(crate) source: Arc<str>,
    pub(crate) statements: Arc<[CompiledStatement]>,
    /// Which statements each action may match.
    pub(crate) index: Arc<ActionIndex>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompiledEffect {
    Allow,
    Deny,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledStatement {
    pub index: usize,
    pub sid: Option<String>,
    pub span: Span,
    /// Spans of the `Principal`/`NotPrincipal`, `Action`/`NotAction` and `Resource`/`NotResource` members
    /// (key through value), for explanations.
    pub element_spans: [Option<Span>; 3],
    pub effect: CompiledEffect,
    /// No principal element and `Resource` lists `*`: only the action and the conditions decide whether
    /// the statement applies in an identity-side policy (the fast path's common case).
    pub any_resource: bool,
    pub principal: Option<PrincipalMatcher>,
    pub actions: ActionMatcher,
    pub resources: Option<ResourceMatcher>,
    pub conditions: Vec<CompiledCondition>,
}

#[derive(Debug, Clone)]
pub(crate) struct PrincipalMatcher {
    pub negated: bool,
    /// None for `"*"`.
    pub entries: Option<Vec<(PrincipalType, String)>>,
}

#[derive(Debug, Clone)]
pub(crate) struct ActionMatcher {
    pub negated: bool,
    pub entries: Vec<ActionPattern>,
}

#[derive(Debug, Clone)]
pub(crate) enum ActionPattern {
    /// `*` (A1).
    All,
    /// Never matches (A4, A5).
    Never,
    /// `prefix:name` without wildcards, lower-cased (A2). One allocation per distinct action of a policy,
    /// shared by every statement that lists it and by the action index's key.
    Exact(Arc<str>),
    /// `prefix:name-glob` with a wildcard in the name, both lower-cased (A2).
    Wild(Box<WildAction>),
}

#[derive(Debug, Clone)]
pub(crate) struct WildAction {
    pub service: Box<str>,
    pub name: Glob,
}

impl ActionMatcher {
    /// `svc` and `name` are the request's service prefix and action name, lower-cased (A2, A6).
    pub fn matches(&self, svc: &str, name: &str) -> bool {
        let any = self.entries.iter().any(|e| match e {
            ActionPattern::All => true,
            ActionPattern::Never => false,
            ActionPattern::Exact(text) => {
                text.len() == svc.len() + 1 + name.len()
                    && text.starts_with(svc)
                    && text.as_bytes().get(svc.len()) == Some(&b':')
                    && text.ends_with(name)
            }
            ActionPattern::Wild(w) => *w.service == *svc && w.name.matches(name),
        });
        any != self.negated
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ResourceMatcher {
    pub negated: bool,
    pub entries: Vec<ResourcePattern>,
    /// `Resource` lists `*`: every resource matches (R2), decided without looking at the entries.
    pub all: bool,
}

#[derive(Debug, Clone)]
pub(crate) enum ResourcePattern {
    /// `*` (R2).
    All,
    /// Never matches (R5, a partial wildcard in a type prefix R6).
    Never,
    /// A non-ARN entry: matches only the identical string (R8).
    Literal(String),
    /// An ARN without wildcards or variables (most ARNs in policies): one string compare in the common case.
    ExactArn(Box<ExactArn>),
    Arn(Box<ArnPattern>),
}

/// An ARN entry with no `*`, `?` or variable: it covers a resource when the two are equal, or when they
/// differ only in the ASCII case of partition, service, region or account (R4, R6).
#[derive(Debug, Clone)]
pub(crate) struct ExactArn {
    text: Box<str>,
    /// Byte offsets of the first five `:` of `text`.
    colons: [u32; 5],
}

impl ExactArn {
    fn new(entry: &str) -> Option<ExactArn> {
        let mut colons = [0u32; 5];
        let mut found = entry.match_indices(':').map(|(i, _)| i);
        for c in &mut colons {
            *c = u32::try_from(found.next()?).ok()?;
        }
        Some(ExactArn { text: entry.into(), colons })
    }

    fn parts(&self) -> [&str; 6] {
        let [a, b, c, d, e] = self.colons.map(|c| c as usize);
        let t = &*self.text;
        let part = |from: usize, to: usize| t.get(from..to).unwrap_or_default();
        [part(0, a), part(a + 1, b), part(b + 1, c), part(c + 1, d), part(d + 1, e), part(e + 1, t.len())]
    }

    fn matches(&self, resource: &str, parts: Option<[&str; 6]>) -> bool {
        if *self.text == *resource {
            return true;
        }
        let Some([arn, partition, service, region, account, part]) = parts else {
            return false;
        };
        let [_, p_partition, p_service, p_region, p_account, p_part] = self.parts();
        arn == "arn"
            && part == p_part
            && service.eq_ignore_ascii_case(p_service)
            && partition.eq_ignore_ascii_case(p_partition)
            && region.eq_ignore_ascii_case(p_region)
            && account.eq_ignore_ascii_case(p_account)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ArnPattern {
    /// Partition, region and account: lower-cased globs compared ignoring ASCII case (R4).
    pub partition: Glob,
    pub service: String,
    pub region: Glob,
    pub account: Glob,
    /// The resource-type prefix (with its `/` or `:`), compared exactly (R6).
    pub type_prefix: Option<String>,
    /// The rest of the resource part, a glob (R6), possibly with variables (R9).
    pub rest: RestPattern,
}

#[derive(Debug, Clone)]
pub(crate) enum RestPattern {
    Glob(Glob),
    Vars(Vec<Piece>),
}

impl ResourcePattern {
    fn compile(entry: &str, variables: bool) -> ResourcePattern {
        ResourcePattern::compile_with(entry, variables, true)
    }

    /// `exact`: whether a wildcard-free ARN may become an `ExactArn` (tests compare both forms).
    fn compile_with(entry: &str, variables: bool, exact: bool) -> ResourcePattern {
        if entry == "*" {
            return ResourcePattern::All;
        }
        if !entry.starts_with("arn:") {
            return ResourcePattern::Literal(entry.to_string());
        }
        let padded;
        let parts = match split6(entry) {
            Some(p) => p,
            None => {
                // R7: a short ARN whose last component ends in `*` is padded with `*` components.
                if !entry.ends_with('*') {
                    return ResourcePattern::Literal(entry.to_string());
                }
                let n = entry.split(':').count();
                padded = format!("{entry}{}", ":*".repeat(6usize.saturating_sub(n)));
                match split6(&padded) {
                    Some(p) => p,
                    None => return ResourcePattern::Literal(entry.to_string()),
                }
            }
        };
        let [_, partition, service, region, account, resource] = parts;
        if service.contains(['*', '?']) {
            return ResourcePattern::Never; // R5, D5
        }
        let s3_style = service.eq_ignore_ascii_case("s3") && region.is_empty() && account.is_empty();
        let (type_prefix, rest) = match resource.find(['/', ':']) {
            Some(i) if !s3_style => {
                let (prefix, rest) = resource.split_at(i + 1);
                let bare = prefix.get(..prefix.len() - 1).unwrap_or_default();
                if bare == "*" {
                    // A whole-wildcard type (`*/*`) matches any type: the whole part is a glob.
                    (None, resource)
                } else if bare.contains(['*', '?']) {
                    return ResourcePattern::Never; // R6 decision
                } else {
                    (Some(prefix.to_string()), rest)
                }
            }
            _ => (None, resource),
        };
        let rest = {
            let pieces = if variables { variables::pieces(rest) } else { vec![Piece::Text(rest.to_string())] };
            if variables::needs_resolution(&pieces) {
                RestPattern::Vars(pieces)
            } else {
                RestPattern::Glob(Glob::new(rest))
            }
        };
        if matches!(rest, RestPattern::Glob(_)) && exact && !entry.contains(['*', '?']) {
            if let Some(e) = ExactArn::new(entry) {
                return ResourcePattern::ExactArn(Box::new(e));
            }
        }
        ResourcePattern::Arn(Box::new(ArnPattern {
            partition: Glob::new(&partition.to_ascii_lowercase()),
            service: service.to_ascii_lowercase(),
            region: Glob::new(&region.to_ascii_lowercase()),
            account: Glob::new(&account.to_ascii_lowercase()),
            type_prefix,
            rest,
        }))
    }

    /// Whether this entry covers `resource` (R2–R9). `tokens` is scratch space for variables.
    /// `parts` is the request resource split at its first five colons (None when not an ARN).
    pub fn matches(
        &self,
        resource: &str,
        parts: Option<[&str; 6]>,
        ctx: &crate::request::Context,
        tokens: &mut Vec<Token>,
    ) -> bool {
        match self {
            ResourcePattern::All => true,
            ResourcePattern::Never => false,
            ResourcePattern::Literal(l) => l == resource,
            ResourcePattern::ExactArn(e) => resource != "*" && e.matches(resource, parts),
            ResourcePattern::Arn(p) => {
                if resource == "*" {
                    return false; // R3
                }
                let Some([arn, partition, service, region, account, part]) = parts else {
                    return false;
                };
                if arn != "arn" || !(service == p.service || service.eq_ignore_ascii_case(&p.service)) {
                    return false;
                }
                // The resource part discriminates most: check it before partition, region and account.
                let rest = match &p.type_prefix {
                    Some(prefix) => match part.strip_prefix(prefix.as_str()) {
                        Some(r) => r,
                        None => return false,
                    },
                    None => part,
                };
                let rest_ok = match &p.rest {
                    RestPattern::Glob(g) => g.matches(rest),
                    // PV6: an unresolved variable makes the entry match nothing.
                    RestPattern::Vars(pieces) => {
                        variables::resolve_tokens(pieces, ctx, tokens) && glob::matches(tokens, rest)
                    }
                };
                rest_ok
                    && p.partition.matches_ignore_ascii_case(partition)
                    && p.region.matches_ignore_ascii_case(region)
                    && p.account.matches_ignore_ascii_case(account)
            }
        }
    }
}

impl ResourceMatcher {
    #[inline]
    pub fn matches(&self, req: &crate::request::Request, tokens: &mut Vec<Token>) -> bool {
        if self.all {
            return true;
        }
        self.matches_entries(req, tokens)
    }

    fn matches_entries(&self, req: &crate::request::Request, tokens: &mut Vec<Token>) -> bool {
        // Split the resource only when an ARN entry needs it (most entries are `*` or equal the resource).
        let mut parts = None;
        let any = self.entries.iter().any(|e| match e {
            ResourcePattern::All => true,
            ResourcePattern::ExactArn(x) if *x.text == *req.resource => true,
            // Most ARN patterns of a policy name another resource type (`domain/*` against a training job):
            // reject those on the resource part alone, before splitting the ARN into its six components.
            // `matches` would reject them too: without that part, or with another type, nothing matches.
            ResourcePattern::Arn(p)
                if p.type_prefix.as_deref().is_some_and(|t| !req.resource_part().is_some_and(|r| r.starts_with(t))) =>
            {
                false
            }
            ResourcePattern::Arn(_) | ResourcePattern::ExactArn(_) => {
                let parts = *parts.get_or_insert_with(|| req.resource_parts());
                e.matches(&req.resource, parts, &req.context, tokens)
            }
            _ => e.matches(&req.resource, None, &req.context, tokens),
        });
        any != self.negated // R10
    }
}

/// `actions`: the policy's exact actions so far, so that each is allocated once.
fn compile_action(entry: &str, actions: &mut HashSet<Arc<str>>) -> ActionPattern {
    if entry == "*" {
        return ActionPattern::All;
    }
    let mut it = entry.split(':');
    let (Some(prefix), Some(name), None) = (it.next(), it.next(), it.next()) else {
        return ActionPattern::Never; // A5
    };
    if prefix.is_empty() || prefix.contains(['*', '?']) || name.is_empty() {
        return ActionPattern::Never; // A3, A4
    }
    if name.contains(['*', '?']) {
        let service = prefix.to_ascii_lowercase().into_boxed_str();
        return ActionPattern::Wild(Box::new(WildAction { service, name: Glob::new(&name.to_ascii_lowercase()) }));
    }
    let lower = entry.to_ascii_lowercase();
    match actions.get(lower.as_str()) {
        Some(shared) => ActionPattern::Exact(shared.clone()),
        None => {
            let shared: Arc<str> = Arc::from(lower);
            actions.insert(shared.clone());
            ActionPattern::Exact(shared)
        }
    }
}

impl CompiledPolicy {
    /// Compiles a parsed policy. Statements whose `Effect` is invalid never apply and are dropped.
    pub fn compile(name: impl Into<String>, policy: &Policy) -> CompiledPolicy {
        let variables = policy.version.value.substitutes_variables();
        let mut statements = Vec::with_capacity(policy.statements.len());
        let mut actions = HashSet::new();
        for st in &policy.statements {
            let effect = match st.effect.value {
                Effect::Allow => CompiledEffect::Allow,
                Effect::Deny => CompiledEffect::Deny,
                Effect::Invalid(_) => continue,
            };
            let actions = match &st.action {
                Some(a) => ActionMatcher {
                    negated: a.negated,
                    entries: a.entries.iter().map(|e| compile_action(&e.value, &mut actions)).collect(),
                },
                // No Action: the statement matches nothing (V14 row 9 at validation).
                None => ActionMatcher { negated: false, entries: Vec::new() },
            };
            let principal = st.principal.as_ref().map(|p| PrincipalMatcher {
                negated: p.negated,
                entries: match &p.principals {
                    PrincipalSet::Wildcard => None,
                    PrincipalSet::Map(m) => {
                        Some(m.iter().flat_map(|(t, vs)| vs.iter().map(move |v| (*t, v.value.clone()))).collect())
                    }
                },
            });
            let resources = st.resource.as_ref().map(|r| {
                let entries: Vec<ResourcePattern> =
                    r.entries.iter().map(|e| ResourcePattern::compile(&e.value, variables)).collect();
                let all = !r.negated && entries.iter().any(|e| matches!(e, ResourcePattern::All));
                ResourceMatcher { negated: r.negated, entries, all }
            });
            let conditions = st
                .conditions
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let values: Vec<String> = c.values.iter().map(|v| v.value.clone()).collect();
                    let mut compiled = CompiledCondition::compile(c.parsed, &c.key.value, &values, i, variables);
                    compiled.operator_name = c.operator.value.clone();
                    compiled.values_text = values;
                    compiled.span = Span::new(c.key.span.start, c.values_span.end.max(c.key.span.end));
                    compiled
                })
                .collect();
            let member = |key: Span, value: Span| Some(Span::new(key.start, value.end.max(key.end)));
            let element_spans = [
                st.principal.as_ref().and_then(|p| member(p.key_span, p.span)),
                st.action.as_ref().and_then(|a| member(a.key_span, a.span)),
                st.resource.as_ref().and_then(|r| member(r.key_span, r.span)),
            ];
            let any_resource = principal.is_none() && resources.as_ref().is_some_and(|r| r.all);
            statements.push(CompiledStatement {
                index: st.index,
                sid: st.sid.as_ref().map(|s| s.value.clone()),
                span: st.span,
                element_spans,
                effect,
                any_resource,
                principal,
                actions,
                resources,
                conditions,
            });
        }
        let index = ActionIndex::build(&statements);
        CompiledPolicy {
            name: name.into(),
            source: Arc::from(policy.source.as_str()),
            statements: Arc::from(statements),
            index: Arc::new(index),
        }
    }

    /// Whether the two share one compiled body: one is a clone of the other, not a second compile.
    pub fn shares_body_with(&self, other: &CompiledPolicy) -> bool {
        Arc::ptr_eq(&self.statements, &other.statements)
    }

    /// Parses and compiles in one step.
    pub fn parse(name: impl Into<String>, text: &str) -> Result<CompiledPolicy, crate::ParseError> {
        Ok(CompiledPolicy::compile(name, &Policy::parse(text)?))
    }

    /// The candidate lists for a request's action (see `index.rs`).
    #[inline]
    pub(crate) fn lookup(&self, req: &crate::request::Request) -> index::Lists<'_> {
        self.index.lookup(&req.action_lower, req.action_hash, req.service(), req.service_hash)
    }

    /// Statements whose action may match, each once, in statement order.
    pub(crate) fn candidates<'a>(&'a self, req: &crate::request::Request) -> Candidates<'a> {
        Candidates { merge: index::Merge { lists: self.lookup(req) }, statements: &self.statements }
    }

    /// The number of statements that can ever apply.
    pub fn statement_count(&self) -> usize {
        self.statements.len()
    }

    /// The source text the policy was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// The candidate statements of one lookup, in statement order.
pub(crate) struct Candidates<'a> {
    merge: index::Merge<'a>,
    statements: &'a [CompiledStatement],
}

impl<'a> Iterator for Candidates<'a> {
    type Item = &'a CompiledStatement;

    fn next(&mut self) -> Option<Self::Item> {
        let e = self.merge.next_entry()?;
        self.statements.get((e & index::POSITION) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Context;

    fn res(entry: &str, resource: &str) -> bool {
        ResourcePattern::compile(entry, true).matches(resource, split6(resource), &Context::new(), &mut Vec::new())
    }

    #[test]
    fn resource_matching_rules() {
        let nb = "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb1";
        assert!(res("*", nb));
        assert!(res("arn:aws:sagemaker:*:*:*/*", nb));
        assert!(res("arn:aws:sagemaker:*", nb)); // R7
        assert!(!res("arn:aws:sagemaker:*:notebook-instance/*", nb));
        assert!(res("arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/*", nb));
        assert!(!res("ARN:AWS:SAGEMAKER:US-EAST-1:111122223333:notebook-instance/*", nb)); // `arn` is literal
        assert!(res("arn:AWS:SageMaker:US-EAST-1:111122223333:notebook-instance/*", nb));
        assert!(!res("arn:aws:sagemaker:us-east-1:111122223333:Notebook-instance/*", nb));
        assert!(!res("arn:aws:sagemaker:us-east-1:111122223333:notebook-*/nb1", nb));
        assert!(!res("arn:aws:sage*:*:*:*", nb)); // R5
        assert!(!res("arn:aws:sagemaker:*:*:*", "*")); // R3
        assert!(res("notanarn", "notanarn")); // R8
        assert!(res("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b"));
        assert!(res("arn:aws:s3:::b*", "arn:aws:s3:::bucket/a"));
    }

    #[test]
    fn exact_arns_match_like_arn_patterns() {
        let entries = [
            "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb1",
            "arn:AWS:SageMaker:US-EAST-1:111122223333:notebook-instance/nb1",
            "arn:aws:sagemaker:us-east-1:111122223333:Notebook-instance/nb1",
            "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/NB1",
            "arn:aws:s3:::bucket/key",
            "arn:aws:s3:::bucket",
            "arn:aws:logs:us-east-1:1:log-group:g:x",
            "arn:aws:iam::111122223333:role/path/R",
            "arn:aws:iam::111122223333:root",
            "arn:aws-cn:iam::111122223333:root",
            "arn:aws:sagemaker:us-east-1:111122223333:",
        ];
        let resources = [
            "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb1",
            "arn:aws:sagemaker:US-east-1:111122223333:notebook-instance/nb1",
            "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/NB1",
            "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb1/x",
            "arn:aws:s3:::bucket/key",
            "arn:aws:S3:::bucket",
            "arn:aws:logs:us-east-1:1:log-group:g:x",
            "arn:aws:iam::111122223333:role/path/R",
            "arn:aws:iam::111122223333:ROOT",
            "arn:AWS-CN:iam::111122223333:root",
            "arn:aws:sagemaker:us-east-1:111122223333:",
            "*",
            "bucket",
        ];
        for entry in entries {
            let exact = ResourcePattern::compile_with(entry, true, true);
            assert!(matches!(exact, ResourcePattern::ExactArn(_)), "{entry}");
            let generic = ResourcePattern::compile_with(entry, true, false);
            for r in resources {
                let m = |p: &ResourcePattern| {
                    p.matches(r, split6(r).filter(|_| r.starts_with("arn:")), &Context::new(), &mut Vec::new())
                };
                assert_eq!(m(&exact), m(&generic), "{entry} vs {r}");
            }
        }
        assert!(matches!(
            ResourcePattern::compile_with("arn:aws:s3:::b/${aws:username}", true, true),
            ResourcePattern::Arn(_)
        ));
        assert!(matches!(
            ResourcePattern::compile_with("arn:aws:s3:::b/${aws:username}", false, true),
            ResourcePattern::ExactArn(_)
        ));
    }
}
