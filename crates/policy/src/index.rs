//! The action index of a compiled policy: which statements can match a given action.
//!
//! Statements are filed under each exact action they list (`s3:getobject`), under the service prefix of
//! their wildcard actions (`s3`), or as matching any action (`*`, `NotAction`). A lookup probes a small
//! open-addressing table with hashes computed once per request, and returns one sorted slice: an action's
//! list already holds its service's wildcard statements and the any-action statements, so the evaluator
//! walks one slice and never merges. When pre-merging would make the index much larger than the policy
//! (thousands of literal actions next to many `*` statements), the lists are kept apart and the caller
//! merges the three.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::compile::{ActionPattern, CompiledEffect, CompiledStatement};
use crate::glob::Glob;

/// Set on a list entry when the statement's Action is known to cover every action that finds this list
/// (an exact entry under its own key, `svc:*` under its service, `*`): the evaluator may skip the action test.
pub(crate) const ACTION_MATCHED: u32 = 1 << 31;
/// The statement position within an entry.
pub(crate) const POSITION: u32 = ACTION_MATCHED - 1;

/// How much larger than the separate lists the pre-merged lists may grow before they are kept apart.
const MERGE_FACTOR: usize = 4;
const MERGE_SLACK: usize = 1024;

/// A 64-bit hash of a short string, eight bytes at a time (action names, services, condition keys).
///
/// Not keyed: keys come from policies, and every hit is confirmed by comparing the strings, so a collision
/// costs a probe, never a wrong answer.
pub(crate) fn hash(s: &str) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes = s.as_bytes();
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut w = [0u8; 8];
        for (d, s) in w.iter_mut().zip(chunk) {
            *d = *s;
        }
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        for (d, s) in w.iter_mut().zip(rest) {
            *d = *s;
        }
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    // Final mix, so that the low bits used for the table slot depend on every input byte.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// One key of the table: an exact action (`svc:name`) or a service prefix (`svc`), both lower-cased.
#[derive(Debug, Clone)]
struct Key {
    hash: u64,
    /// An exact action's name is the statements' own allocation (`ActionPattern::Exact`), not a copy.
    name: Arc<str>,
    /// Range of the list in `entries`.
    list: (u32, u32),
}

/// The candidate lists of one lookup: one slice when the index is pre-merged, else three to merge.
pub(crate) type Lists<'a> = [&'a [u32]; 3];

#[derive(Debug, Clone, Default)]
pub(crate) struct ActionIndex {
    /// Open addressing with linear probing; a slot holds a `keys` position plus one, 0 when empty. Its length
    /// is a power of two at least twice the number of keys, so every probe sequence reaches an empty slot.
    slots: Box<[u32]>,
    keys: Box<[Key]>,
    /// Every list, concatenated; each entry a statement position, maybe with `ACTION_MATCHED`.
    entries: Box<[u32]>,
    /// Range in `entries` of the statements that may match any action.
    any: (u32, u32),
    /// Whether each key's list already includes its service's list and the any-action list.
    merged: bool,
    /// Whether any statement of the policy is a Deny: once an Allow is no longer wanted, a policy without
    /// one cannot change the decision, and the fast path skips it.
    has_deny: bool,
}

/// Appends `pos` (with `flags`) to a list in statement order, once: a statement that lists several actions
/// of one bucket is visited once, with the strongest flag.
fn push(list: &mut Vec<u32>, pos: u32, flags: u32) {
    match list.last_mut() {
        Some(last) if *last & POSITION == pos => *last |= flags,
        _ => list.push(pos | flags),
    }
}

/// The sorted union of lists by statement position, flags OR-ed.
fn union(lists: &[&[u32]]) -> Vec<u32> {
    let mut all: Vec<u32> = lists.iter().flat_map(|l| l.iter().copied()).collect();
    all.sort_unstable_by_key(|e| e & POSITION);
    let mut out: Vec<u32> = Vec::with_capacity(all.len());
    for e in all {
        push(&mut out, e & POSITION, e & ACTION_MATCHED);
    }
    out
}

fn range(start: usize, len: usize) -> (u32, u32) {
    (u32::try_from(start).unwrap_or(u32::MAX), u32::try_from(start + len).unwrap_or(u32::MAX))
}

impl ActionIndex {
    pub(crate) fn build(statements: &[CompiledStatement]) -> ActionIndex {
        ActionIndex::build_with(statements, true)
    }

    /// `may_merge`: whether the lists may be pre-merged (tests build both forms).
    pub(crate) fn build_with(statements: &[CompiledStatement], may_merge: bool) -> ActionIndex {
        let mut literal: BTreeMap<&Arc<str>, Vec<u32>> = BTreeMap::new();
        let mut service: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        let mut any: Vec<u32> = Vec::new();
        for (pos, st) in statements.iter().enumerate() {
            let pos = u32::try_from(pos).unwrap_or(POSITION) & POSITION;
            let a = &st.actions;
            let all = a.entries.iter().any(|e| matches!(e, ActionPattern::All));
            if a.negated || all {
                push(&mut any, pos, if all && !a.negated { ACTION_MATCHED } else { 0 });
                continue;
            }
            for e in &a.entries {
                match e {
                    ActionPattern::Exact(l) => push(literal.entry(l).or_default(), pos, ACTION_MATCHED),
                    ActionPattern::Wild(w) => {
                        let flags = if w.name == Glob::Any { ACTION_MATCHED } else { 0 };
                        push(service.entry(&w.service).or_default(), pos, flags);
                    }
                    ActionPattern::All | ActionPattern::Never => {}
                }
            }
        }

        let empty: &[u32] = &[];
        let service_of = |action: &str| action.split(':').next().unwrap_or_default().to_string();
        let separate: usize = literal.values().chain(service.values()).map(Vec::len).sum::<usize>() + any.len();
        let merged_size: usize = literal
            .iter()
            .map(|(k, l)| l.len() + service.get(service_of(k).as_str()).map_or(0, Vec::len) + any.len())
            .chain(service.values().map(|l| l.len() + any.len()))
            .sum::<usize>()
            + any.len();
        let merged = may_merge && merged_size <= separate.saturating_mul(MERGE_FACTOR).saturating_add(MERGE_SLACK);

        let mut keys = Vec::with_capacity(literal.len() + service.len());
        let mut entries: Vec<u32> = Vec::new();
        let mut add = |name: Arc<str>, list: &[u32], entries: &mut Vec<u32>| {
            let l = range(entries.len(), list.len());
            entries.extend_from_slice(list);
            keys.push(Key { hash: hash(&name), name, list: l });
        };
        for (k, l) in &literal {
            if merged {
                let svc = service.get(service_of(k).as_str()).map_or(empty, Vec::as_slice);
                add(Arc::clone(k), &union(&[l, svc, &any]), &mut entries);
            } else {
                add(Arc::clone(k), l, &mut entries);
            }
        }
        for (k, l) in &service {
            if merged {
                add(Arc::from(&**k), &union(&[l, &any]), &mut entries);
            } else {
                add(Arc::from(&**k), l, &mut entries);
            }
        }
        let any_range = range(entries.len(), any.len());
        entries.extend_from_slice(&any);

        let slots = if keys.is_empty() { 0 } else { (keys.len() * 2).next_power_of_two() };
        let mut table = vec![0u32; slots];
        let mask = slots.wrapping_sub(1);
        for (i, key) in keys.iter().enumerate() {
            let mut s = (key.hash as usize) & mask;
            while let Some(slot) = table.get_mut(s) {
                if *slot == 0 {
                    *slot = u32::try_from(i + 1).unwrap_or(u32::MAX);
                    break;
                }
                s = (s + 1) & mask;
            }
        }
        ActionIndex {
            slots: table.into_boxed_slice(),
            keys: keys.into_boxed_slice(),
            entries: entries.into_boxed_slice(),
            any: any_range,
            merged,
            has_deny: statements.iter().any(|st| st.effect == CompiledEffect::Deny),
        }
    }

    /// Whether the policy has a Deny statement.
    #[inline]
    pub(crate) fn has_deny(&self) -> bool {
        self.has_deny
    }

    fn list(&self, (from, to): (u32, u32)) -> &[u32] {
        self.entries.get(from as usize..to as usize).unwrap_or_default()
    }

    /// The key `name` (with hash `h`), if present.
    #[inline]
    fn find(&self, name: &str, h: u64) -> Option<&Key> {
        let mask = self.slots.len().wrapping_sub(1);
        let mut s = (h as usize) & mask;
        loop {
            let slot = *self.slots.get(s)?;
            let key = self.keys.get((slot as usize).checked_sub(1)?)?;
            if key.hash == h && *key.name == *name {
                return Some(key);
            }
            s = (s + 1) & mask;
        }
    }

    /// The statements whose Action may cover `action` (lower-cased, hash `action_hash`) of `service`
    /// (lower-cased, hash `service_hash`), each once and in statement order within each list. When the index
    /// is pre-merged, only the first list is non-empty.
    #[inline]
    pub(crate) fn lookup(&self, action: &str, action_hash: u64, service: &str, service_hash: u64) -> Lists<'_> {
        let empty: &[u32] = &[];
        if self.merged {
            let key = self.find(action, action_hash).or_else(|| self.find(service, service_hash));
            return [self.list(key.map_or(self.any, |k| k.list)), empty, empty];
        }
        let by_action = self.find(action, action_hash).map_or(empty, |k| self.list(k.list));
        let by_service = self.find(service, service_hash).map_or(empty, |k| self.list(k.list));
        [by_action, by_service, self.list(self.any)]
    }

    /// Whether the lists are pre-merged (for tests).
    #[cfg(test)]
    pub(crate) fn is_merged(&self) -> bool {
        self.merged
    }
}

/// A three-way merge of lists sorted by statement position.
pub(crate) struct Merge<'a> {
    pub lists: Lists<'a>,
}

impl Merge<'_> {
    pub(crate) fn next_entry(&mut self) -> Option<u32> {
        let min = self.lists.iter().filter_map(|l| l.first()).map(|e| e & POSITION).min()?;
        let mut flags = 0;
        for list in &mut self.lists {
            if let Some(e) = list.first().filter(|e| *e & POSITION == min) {
                flags |= e & ACTION_MATCHED;
                *list = list.get(1..).unwrap_or_default();
            }
        }
        Some(min | flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CompiledPolicy, Policy};

    fn index_of(text: &str) -> CompiledPolicy {
        CompiledPolicy::compile("p", &Policy::parse(text).unwrap())
    }

    fn visit(p: &CompiledPolicy, action: &str) -> Vec<(u32, bool)> {
        let service = action.split(':').next().unwrap();
        let mut out = Vec::new();
        let mut m = Merge { lists: p.index.lookup(action, hash(action), service, hash(service)) };
        while let Some(e) = m.next_entry() {
            out.push((e & POSITION, e & ACTION_MATCHED != 0));
        }
        out
    }

    #[test]
    fn lists_are_merged_in_order_with_flags() {
        let p = index_of(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["s3:GetObject","s3:Get*"],"Resource":"*"},
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Allow","Action":"ec2:Run","Resource":"*"},
            {"Effect":"Allow","Action":"s3:getobject","Resource":"*"},
            {"Effect":"Allow","NotAction":"s3:x","Resource":"*"},
            {"Effect":"Allow","Action":"s3:*","Resource":"*"},
            {"Effect":"Allow","Action":"s3*:x","Resource":"*"}]}"#,
        );
        assert!(p.index.is_merged());
        let all = vec![(0, true), (1, true), (3, true), (4, false), (5, true)];
        assert_eq!(visit(&p, "s3:getobject"), all);
        assert_eq!(visit(&p, "s3:putobject"), vec![(0, false), (1, true), (4, false), (5, true)]);
        assert_eq!(visit(&p, "ec2:run"), vec![(1, true), (2, true), (4, false)]);
        assert_eq!(visit(&p, "iam:x"), vec![(1, true), (4, false)]);
    }

    #[test]
    fn unmerged_lists_visit_the_same_statements() {
        // Many literal actions next to many `*` statements: pre-merging would square the index.
        let mut stmts: Vec<String> =
            (0..600).map(|i| format!(r#"{{"Effect":"Allow","Action":"svc:Op{i}","Resource":"*"}}"#)).collect();
        stmts.extend((0..600).map(|_| r#"{"Effect":"Deny","Action":"*","Resource":"*"}"#.to_string()));
        stmts.push(r#"{"Effect":"Deny","Action":"svc:Op1*","Resource":"*"}"#.to_string());
        let p = index_of(&format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, stmts.join(",")));
        assert!(!p.index.is_merged());
        let got = visit(&p, "svc:op12");
        let want: Vec<(u32, bool)> =
            std::iter::once((12, true)).chain((600..1200).map(|i| (i, true))).chain([(1200, false)]).collect();
        assert_eq!(got, want);
        assert_eq!(visit(&p, "other:x").len(), 600);
    }

    /// For generated policies and actions: every statement whose Action covers the action is listed,
    /// and every entry flagged `ACTION_MATCHED` really is covered (merged and unmerged forms).
    #[test]
    fn lookups_list_every_matching_statement_and_flag_only_matches() {
        let entries = [
            "s3:GetObject",
            "S3:getobject",
            "s3:Get*",
            "s3:*",
            "s3:G?tObject",
            "*",
            "ec2:*",
            "ec2:RunInstances",
            "s3*:x",
            "bad",
            "sagemaker:Create*",
            "sagemaker:CreateTrainingJob",
        ];
        let actions = ["s3:getobject", "s3:putobject", "ec2:runinstances", "sagemaker:createtrainingjob", "iam:x"];
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 33) as usize) % n
        };
        for round in 0..300 {
            let n = 1 + next(8);
            let stmts: Vec<String> = (0..n)
                .map(|_| {
                    let key = if next(6) == 0 { "NotAction" } else { "Action" };
                    let k = 1 + next(3);
                    let list: Vec<String> = (0..k).map(|_| format!("{:?}", entries[next(entries.len())])).collect();
                    format!(r#"{{"Effect":"Allow","{key}":[{}],"Resource":"*"}}"#, list.join(","))
                })
                .collect();
            let text = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, stmts.join(","));
            let mut p = index_of(&text);
            if round % 2 == 1 {
                p.index = std::sync::Arc::new(ActionIndex::build_with(&p.statements, false));
                assert!(!p.index.is_merged());
            }
            for action in actions {
                let (svc, name) = action.split_once(':').unwrap();
                let listed = visit(&p, action);
                for (pos, st) in p.statements.iter().enumerate() {
                    let m = st.actions.matches(svc, name);
                    let entry = listed.iter().find(|(q, _)| *q as usize == pos);
                    if m {
                        assert!(entry.is_some(), "{text}: statement {pos} not listed for {action}");
                    }
                    if let Some((_, flagged)) = entry {
                        assert!(!flagged || m, "{text}: statement {pos} flagged for {action}");
                    }
                }
                let mut sorted = listed.clone();
                sorted.sort();
                sorted.dedup_by_key(|e| e.0);
                assert_eq!(sorted, listed, "{text}: {action} visited out of order or twice");
            }
        }
    }

    #[test]
    fn hash_spreads_short_keys() {
        let hs: std::collections::BTreeSet<u64> =
            ["s3", "s3:getobject", "s3:getobjecu", "sagemaker", "", "a"].iter().map(|s| hash(s)).collect();
        assert_eq!(hs.len(), 6);
    }
}
