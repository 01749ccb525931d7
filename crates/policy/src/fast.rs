//! The fast path of `evaluate`: the common shape of a policy set, decided without the reference
//! algorithm's bookkeeping.
//!
//! The shape: an IAM user or a role session, whose identity policies, permissions boundary and session
//! policies take part; no SCP, no resource-based policy, no RCP that applies to the action. That is the
//! shape of the sets the server builds for users and role sessions. Anything else returns None and goes
//! to the reference path (`eval::decide`), which `explain` always uses.
//!
//! In this shape E11 reduces to: the first applicable Deny in identity, boundary, session order decides
//! (E3); a cross-account request, or one that needs the resource to grant by itself, is then denied
//! for want of a resource-based policy (X2, E7, E8); otherwise each taking-part kind needs an applicable
//! Allow, identity first. So the scan can stop at the first Deny, skip Allow statements once the kind has
//! an Allow (or once an Allow can no longer change the answer), skip whole policies without a Deny
//! statement once no Allow is wanted, and skip the action test when the index already knows the action
//! matches. `tests/fast_path.rs` checks that both paths agree on the whole
//! corpus and on generated cases.

use crate::compile::{CompiledEffect, CompiledPolicy, CompiledStatement};
use crate::condition::Scratch;
use crate::eval::{is_cross_account, is_cross_partition, must_self_grant, principal_test, CallerFacts, PolicySet};
use crate::explain::{Decision, PolicyType, StatementRef};
use crate::index::{self, ACTION_MATCHED, POSITION};
use crate::request::{PrincipalKind, Request};

/// The decision, or None when the set is not of the shape this path handles.
#[inline]
pub(crate) fn decide(set: &PolicySet, req: &Request) -> Option<Decision> {
    let session: &[CompiledPolicy] = match req.principal.kind {
        PrincipalKind::IamUser => &[],
        // E2: a role session has session policies only when created with at least one.
        PrincipalKind::RoleSession => set.session.as_deref().unwrap_or_default(),
        _ => return None,
    };
    if set.resource.is_some() || !set.scps.is_empty() {
        return None;
    }
    if !set.rcps.is_empty() && crate::eval::RCP_SERVICES.contains(&req.service()) {
        return None;
    }

    // Denials that do not depend on Allow statements: with no resource-based policy, the resource
    // grants nothing (E6 match None).
    let settled = if is_cross_account(req) {
        Some(if req.action_lower == "iam:passrole" {
            Decision::ImplicitDeny(PolicyType::Identity) // X2
        } else {
            Decision::ImplicitDeny(PolicyType::ResourceBased) // E8
        })
    } else if must_self_grant(req) {
        Some(Decision::ImplicitDeny(PolicyType::ResourceBased)) // E7
    } else {
        None
    };

    let mut scan = Scan { req, bound_by_pb: set.boundary.is_some(), scratch: Scratch::default() };
    let mut want_allow = settled.is_none();
    let mut missing: Option<PolicyType> = None;
    let mut kind = |policies: &[CompiledPolicy], t: PolicyType| -> Result<(), StatementRef> {
        let allowed = scan.kind(policies, t, want_allow)?;
        if want_allow && !allowed {
            missing = Some(t);
            want_allow = false;
        }
        Ok(())
    };
    // The identity kind always takes part (with no policy it allows nothing); the boundary and session
    // policies only when there are some.
    let denied = kind(&set.identity, PolicyType::Identity)
        .and_then(|()| match &set.boundary {
            Some(p) => kind(std::slice::from_ref(p), PolicyType::PermissionsBoundary),
            None => Ok(()),
        })
        .and_then(|()| if session.is_empty() { Ok(()) } else { kind(session, PolicyType::Session) });
    Some(match (denied, settled, missing) {
        (Err(d), _, _) => Decision::ExplicitDeny(d),
        (Ok(()), Some(d), _) => d,
        (Ok(()), None, Some(t)) => Decision::ImplicitDeny(t),
        (Ok(()), None, None) => Decision::Allow,
    })
}

struct Scan<'a> {
    req: &'a Request,
    /// The caller is bound by a permissions boundary (P8; only for a stray `NotPrincipal`).
    bound_by_pb: bool,
    scratch: Scratch,
}

impl Scan<'_> {
    /// Scans one kind's policies: Err with the first applicable Deny, else whether some Allow applies
    /// (only looked for when `want_allow`).
    #[inline]
    fn kind(&mut self, policies: &[CompiledPolicy], t: PolicyType, want_allow: bool) -> Result<bool, StatementRef> {
        let mut allowed = false;
        for (pi, policy) in policies.iter().enumerate() {
            // Only a Deny can still change the answer, and this policy has none.
            if (allowed || !want_allow) && !policy.index.has_deny() {
                continue;
            }
            let deny = match policy.lookup(self.req) {
                // Pre-merged (the usual case): one sorted list.
                [one, [], []] => self.scan(one.iter().copied(), policy, &mut allowed, want_allow),
                lists => {
                    let mut merge = index::Merge { lists };
                    self.scan(std::iter::from_fn(|| merge.next_entry()), policy, &mut allowed, want_allow)
                }
            };
            if let Some(statement) = deny {
                return Err(StatementRef { policy_type: t, level: 0, policy: pi, statement });
            }
        }
        Ok(allowed)
    }

    /// Scans one policy's candidates: the index of the first applicable Deny statement, if any. Allow
    /// statements are tested only while an Allow is wanted and not yet found.
    #[inline]
    fn scan(
        &mut self,
        entries: impl Iterator<Item = u32>,
        policy: &CompiledPolicy,
        allowed: &mut bool,
        want_allow: bool,
    ) -> Option<usize> {
        for e in entries {
            let Some(st) = policy.statements.get((e & POSITION) as usize) else {
                continue;
            };
            let is_deny = st.effect == CompiledEffect::Deny;
            if !is_deny && (*allowed || !want_allow) {
                continue;
            }
            let applies = if st.any_resource && e & ACTION_MATCHED != 0 {
                st.conditions.iter().all(|cond| cond.holds(&self.req.context, &mut self.scratch))
            } else {
                self.applies(st, e & ACTION_MATCHED != 0)
            };
            if !applies {
                continue;
            }
            if is_deny {
                return Some(st.index);
            }
            *allowed = true;
            if !policy.index.has_deny() {
                // The rest of this policy is Allow statements, no longer wanted.
                return None;
            }
        }
        None
    }

    /// S1 for a statement of a kind without a principal element; `action_known`: the index says the
    /// action matches.
    #[inline]
    fn applies(&mut self, st: &CompiledStatement, action_known: bool) -> bool {
        let req = self.req;
        if let Some(p) = &st.principal {
            let facts = CallerFacts { bound_by_pb: self.bound_by_pb, cross_partition: is_cross_partition(req) };
            if principal_test(p, st.effect, &req.principal, facts).is_none() {
                return false;
            }
        }
        if !action_known && !st.actions.matches(req.service(), req.action_name_lower()) {
            return false;
        }
        // R10: without a Resource element, a statement of these kinds matches nothing.
        let Some(r) = &st.resources else {
            return false;
        };
        if !r.matches(req, &mut self.scratch.tokens) {
            return false;
        }
        st.conditions.iter().all(|cond| cond.holds(&req.context, &mut self.scratch))
    }
}
