//! Policies compiled for evaluation: matchers built once, statements indexed by action.
//!
//! Architecture invariant: nothing here is re-parsed per request. Action patterns are lower-cased,
//! resource ARNs split, condition values parsed, and statements indexed so that a decision only looks
//! at statements whose action can match (exact action, then service prefix, then the rest).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::arn::split6;
use crate::ast::{Effect, Policy, PrincipalSet, PrincipalType};
use crate::condition::CompiledCondition;
use crate::glob::{self, Glob, Token};
use crate::span::Span;
use crate::variables::{self, Piece};

/// A policy ready for evaluation.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    pub name: String,
    pub(crate) source: String,
    pub(crate) statements: Vec<CompiledStatement>,
    /// Lower-cased `service:action` → statements whose Action lists it literally.
    by_action: HashMap<String, Vec<u32>, BuildHasherDefault<Fnv>>,
    /// Lower-cased service prefix → statements whose Action entries are wildcards within that service.
    by_service: HashMap<String, Vec<u32>, BuildHasherDefault<Fnv>>,
    /// Statements that may match any action (`*`, `NotAction`, odd prefixes).
    any_action: Vec<u32>,
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
    pub effect: CompiledEffect,
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
    /// `prefix:name-glob`, both lower-cased (A2).
    Pattern { service: String, name: Glob, literal: Option<String> },
}

impl ActionMatcher {
    /// `action_lower` is `service:name`, lower-cased (A2, A6).
    /// `svc` and `name` are the request's service prefix and action name, lower-cased (A2, A6).
    pub fn matches(&self, svc: &str, name: &str) -> bool {
        let any = self.entries.iter().any(|e| match e {
            ActionPattern::All => true,
            ActionPattern::Never => false,
            ActionPattern::Pattern { service, name: pat, .. } => service == svc && pat.matches(name),
        });
        any != self.negated
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ResourceMatcher {
    pub negated: bool,
    pub entries: Vec<ResourcePattern>,
}

#[derive(Debug, Clone)]
pub(crate) enum ResourcePattern {
    /// `*` (R2).
    All,
    /// Never matches (R5, a partial wildcard in a type prefix R6).
    Never,
    /// A non-ARN entry: matches only the identical string (R8).
    Literal(String),
    Arn(Box<ArnPattern>),
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
    pub fn matches(&self, req: &crate::request::Request, tokens: &mut Vec<Token>) -> bool {
        // Split the resource only when an ARN entry needs it (most entries are `*`).
        let mut parts = None;
        let any = self.entries.iter().any(|e| {
            if matches!(e, ResourcePattern::Arn(_)) && parts.is_none() {
                parts = Some(req.resource_parts());
            }
            e.matches(&req.resource, parts.flatten(), &req.context, tokens)
        });
        any != self.negated // R10
    }
}

fn compile_action(entry: &str) -> ActionPattern {
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
    let name_lower = name.to_ascii_lowercase();
    let literal = (!name.contains(['*', '?'])).then(|| format!("{}:{name_lower}", prefix.to_ascii_lowercase()));
    ActionPattern::Pattern { service: prefix.to_ascii_lowercase(), name: Glob::new(&name_lower), literal }
}

impl CompiledPolicy {
    /// Compiles a parsed policy. Statements whose `Effect` is invalid never apply and are dropped.
    pub fn compile(name: impl Into<String>, policy: &Policy) -> CompiledPolicy {
        let variables = policy.version.value.substitutes_variables();
        let mut statements = Vec::with_capacity(policy.statements.len());
        for st in &policy.statements {
            let effect = match st.effect.value {
                Effect::Allow => CompiledEffect::Allow,
                Effect::Deny => CompiledEffect::Deny,
                Effect::Invalid(_) => continue,
            };
            let actions = match &st.action {
                Some(a) => ActionMatcher {
                    negated: a.negated,
                    entries: a.entries.iter().map(|e| compile_action(&e.value)).collect(),
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
            let resources = st.resource.as_ref().map(|r| ResourceMatcher {
                negated: r.negated,
                entries: r.entries.iter().map(|e| ResourcePattern::compile(&e.value, variables)).collect(),
            });
            let conditions = st
                .conditions
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let values: Vec<String> = c.values.iter().map(|v| v.value.clone()).collect();
                    CompiledCondition::compile(c.parsed, &c.key.value, &values, i, variables)
                })
                .collect();
            statements.push(CompiledStatement {
                index: st.index,
                sid: st.sid.as_ref().map(|s| s.value.clone()),
                span: st.span,
                effect,
                principal,
                actions,
                resources,
                conditions,
            });
        }
        let mut compiled = CompiledPolicy {
            name: name.into(),
            source: policy.source.clone(),
            statements,
            by_action: HashMap::default(),
            by_service: HashMap::default(),
            any_action: Vec::new(),
        };
        compiled.build_index();
        compiled
    }

    /// Parses and compiles in one step.
    pub fn parse(name: impl Into<String>, text: &str) -> Result<CompiledPolicy, crate::ParseError> {
        Ok(CompiledPolicy::compile(name, &Policy::parse(text)?))
    }

    fn build_index(&mut self) {
        for (pos, st) in self.statements.iter().enumerate() {
            let pos = pos as u32;
            let a = &st.actions;
            if a.negated || a.entries.iter().any(|e| matches!(e, ActionPattern::All)) {
                self.any_action.push(pos);
                continue;
            }
            // Each entry goes to the most specific bucket that covers it; a statement listed in
            // several buckets of one request's lookup would be visited twice, so dedupe per bucket.
            for e in &a.entries {
                if let ActionPattern::Pattern { service, literal, .. } = e {
                    let bucket = match literal {
                        Some(l) => self.by_action.entry(l.clone()).or_default(),
                        None => self.by_service.entry(service.clone()).or_default(),
                    };
                    if bucket.last() != Some(&pos) {
                        bucket.push(pos);
                    }
                }
            }
        }
    }

    /// Statements whose action may match, each once, in statement order.
    pub(crate) fn candidates<'a>(&'a self, action_lower: &str, service_lower: &str) -> Candidates<'a> {
        let empty: &[u32] = &[];
        Candidates {
            // Skip hashing when a bucket map is empty (policies of only wildcards, or only literals).
            a: if self.by_action.is_empty() {
                empty
            } else {
                self.by_action.get(action_lower).map_or(empty, Vec::as_slice)
            },
            b: if self.by_service.is_empty() {
                empty
            } else {
                self.by_service.get(service_lower).map_or(empty, Vec::as_slice)
            },
            c: &self.any_action,
            statements: &self.statements,
            last: None,
        }
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

/// A three-way merge of sorted statement lists, skipping duplicates.
pub(crate) struct Candidates<'a> {
    a: &'a [u32],
    b: &'a [u32],
    c: &'a [u32],
    statements: &'a [CompiledStatement],
    last: Option<u32>,
}

impl<'a> Iterator for Candidates<'a> {
    type Item = &'a CompiledStatement;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let heads = [self.a.first(), self.b.first(), self.c.first()];
            let min = heads.iter().flatten().min().copied().copied()?;
            for list in [&mut self.a, &mut self.b, &mut self.c] {
                if list.first() == Some(&min) {
                    *list = list.get(1..).unwrap_or_default();
                }
            }
            if self.last == Some(min) {
                continue;
            }
            self.last = Some(min);
            return self.statements.get(min as usize);
        }
    }
}

/// FNV-1a: a small fast hasher for short action names (no DoS concern: keys come from policies).
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
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
        assert!(res("ARN:AWS:SAGEMAKER:US-EAST-1:111122223333:notebook-instance/*", nb) == false); // `arn` is literal
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
    fn candidates_are_merged_in_order_without_duplicates() {
        let p = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["s3:GetObject","s3:Get*"],"Resource":"*"},
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Allow","Action":"ec2:Run","Resource":"*"},
            {"Effect":"Allow","Action":"s3:getobject","Resource":"*"}]}"#,
        )
        .unwrap();
        let c = CompiledPolicy::compile("p", &p);
        let idx: Vec<usize> = c.candidates("s3:getobject", "s3").map(|s| s.index).collect();
        assert_eq!(idx, vec![0, 1, 3]);
    }
}
