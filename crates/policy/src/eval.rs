//! Evaluation across policy types (sections 4, 9 and 10): the reference algorithm of E11.
//!
//! `evaluate_reference` and `explain` run the same code, generic over a `Collector`: the first stops at
//! the first applicable Deny of a kind and records nothing; the explaining path visits every
//! statement and records each that applied. They therefore cannot disagree. `evaluate` first tries
//! the fast path of `fast.rs` for the common shape of policy set; tests check it against this one.

use crate::ast::PrincipalType;
use crate::compile::{CompiledEffect, CompiledPolicy, CompiledStatement, PrincipalMatcher};
use crate::condition::Scratch;
use crate::explain::{
    self, access_denied_message, ConditionTrace, Decision, Element, Explanation, KindResult, MatchedStatement,
    PolicyType, StatementRef, StatementTrace,
};
use crate::request::{Principal, PrincipalKind, Request};
use crate::span::line_column;

/// Every policy that may take part in a decision (0.2). Which ones do depends on the caller (E2).
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    /// Identity policies: a user's own and its groups', a role's, a federated user's IAM user's.
    pub identity: Vec<CompiledPolicy>,
    pub boundary: Option<CompiledPolicy>,
    /// Session policies. `Some(vec![])` for a session created with none (a federated user always
    /// has session policies; for it, `None` is the same as `Some(vec![])`).
    pub session: Option<Vec<CompiledPolicy>>,
    /// The resource-based policy; for `sts:AssumeRole*` on a role, its trust policy.
    pub resource: Option<CompiledPolicy>,
    /// SCP levels, organization root first, account last. Empty: the account is not a member account.
    pub scps: Vec<Vec<CompiledPolicy>>,
    /// RCP levels, organization root first. Empty: none apply.
    pub rcps: Vec<Vec<CompiledPolicy>>,
}

/// Services whose actions RCPs apply to (E2). `sagemaker` and `iam` are not among them (D4).
pub const RCP_SERVICES: [&str; 10] =
    ["s3", "sts", "sqs", "secretsmanager", "kms", "dynamodb", "ecr", "logs", "cognito-identity", "aoss"];

/// The strength of a principal match (P5), weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    None,
    Account,
    ViaUser,
    ViaRole,
    Direct,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::None => "None",
            MatchKind::Account => "Account",
            MatchKind::ViaUser => "ViaUser",
            MatchKind::ViaRole => "ViaRole",
            MatchKind::Direct => "Direct",
        }
    }
}

/// Decides a request (the hot path: no allocation unless variables or numeric values need it).
///
/// The common shape of policy set (identity, boundary and session policies of a user or role session)
/// takes the fast path of `fast.rs`; everything else runs the reference algorithm.
pub fn evaluate(set: &PolicySet, req: &Request) -> Decision {
    match crate::fast::decide(set, req) {
        Some(d) => d,
        None => evaluate_reference(set, req),
    }
}

/// The fast path alone: the decision when the set has the shape `fast.rs` handles, else None. For
/// tests that compare it with `evaluate_reference`.
pub fn evaluate_fast(set: &PolicySet, req: &Request) -> Option<Decision> {
    crate::fast::decide(set, req)
}

/// Decides a request with the reference algorithm of E11 only, never the fast path. `evaluate` must
/// always agree with it; tests and the fuzz targets compare the two.
pub fn evaluate_reference(set: &PolicySet, req: &Request) -> Decision {
    decide(set, req, &mut NoCollect, &mut Scratch::default())
}

/// Decides a request and explains the decision: the statements that applied, per-kind results, notes.
pub fn explain(set: &PolicySet, req: &Request) -> Explanation {
    explain_with::<false>(set, req)
}

/// Like `explain`, and also records how every statement of the policies that took part fared against
/// the request (`Explanation::statements`): which element did not match, and each condition with the
/// value the request had. Costs an allocation or more per statement; for `simulate`, not for the server.
pub fn explain_detailed(set: &PolicySet, req: &Request) -> Explanation {
    explain_with::<true>(set, req)
}

fn explain_with<const TRACE: bool>(set: &PolicySet, req: &Request) -> Explanation {
    let mut c = Collect::<TRACE>::default();
    let decision = decide(set, req, &mut c, &mut Scratch::default());
    let mut notes = Vec::new();
    let k = req.principal.kind;
    if k == PrincipalKind::Root && !set.identity.is_empty() {
        notes.push(
            "identity policies were ignored: the root user has an implicit Allow for every action (E2)".to_string(),
        );
    }
    if set.session.is_some() && !matches!(k, PrincipalKind::RoleSession | PrincipalKind::FederatedUser) {
        notes.push("session policies were ignored: only role sessions and federated users have them (E2)".to_string());
    }
    if set.boundary.is_some()
        && !matches!(k, PrincipalKind::IamUser | PrincipalKind::RoleSession | PrincipalKind::FederatedUser)
    {
        notes.push(
            "the permissions boundary was ignored: it binds only IAM users, role sessions and federated users (E2)"
                .to_string(),
        );
    }
    if !set.rcps.is_empty() && !RCP_SERVICES.contains(&req.service()) {
        notes.push(format!("RCPs were ignored: `{}` is not a service that supports RCPs (E2)", req.service()));
    }
    Explanation {
        message: access_denied_message(req, &decision),
        decision,
        matched: c.matched,
        kinds: c.kinds,
        resource_policy_match: c.rbp_match.map(MatchKind::as_str),
        cross_account: is_cross_account(req),
        notes,
        statements: c.traces,
    }
}

/// What the evaluation records as it goes.
trait Collector {
    /// Whether to keep scanning after the first applicable Deny of a kind.
    const EXHAUSTIVE: bool;
    /// Whether to visit every statement (not only the action index's candidates) and trace each.
    const TRACE: bool;
    fn statement(&mut self, _m: impl FnOnce() -> MatchedStatement) {}
    fn kind(&mut self, _t: PolicyType, _level: Option<usize>, _r: KindResult) {}
    fn rbp_match(&mut self, _m: MatchKind) {}
    fn trace(&mut self, _t: impl FnOnce() -> StatementTrace) {}
}

struct NoCollect;

impl Collector for NoCollect {
    const EXHAUSTIVE: bool = false;
    const TRACE: bool = false;
}

#[derive(Default)]
struct Collect<const TRACE: bool> {
    matched: Vec<MatchedStatement>,
    kinds: Vec<(PolicyType, Option<usize>, KindResult)>,
    rbp_match: Option<MatchKind>,
    traces: Vec<StatementTrace>,
}

impl<const T: bool> Collector for Collect<T> {
    const EXHAUSTIVE: bool = true;
    const TRACE: bool = T;
    fn statement(&mut self, m: impl FnOnce() -> MatchedStatement) {
        self.matched.push(m());
    }
    fn kind(&mut self, t: PolicyType, level: Option<usize>, r: KindResult) {
        self.kinds.push((t, level, r));
    }
    fn rbp_match(&mut self, m: MatchKind) {
        self.rbp_match = Some(m);
    }
    fn trace(&mut self, t: impl FnOnce() -> StatementTrace) {
        self.traces.push(t());
    }
}

/// What `applies` reports about one statement while deciding: nothing (`()`, the hot paths), or which
/// element failed and how each condition fared (`Recorder`, for `explain_detailed`).
trait Trace {
    /// Whether to evaluate every condition rather than stop at the first that fails.
    const ALL_CONDITIONS: bool;
    fn failed(&mut self, _e: Element) {}
    fn condition(&mut self, _index: usize, _holds: bool) {}
}

impl Trace for () {
    const ALL_CONDITIONS: bool = false;
}

#[derive(Default)]
struct Recorder {
    failed: Option<Element>,
    /// (position in the statement's conditions, held)
    conditions: Vec<(usize, bool)>,
}

impl Trace for Recorder {
    const ALL_CONDITIONS: bool = true;
    fn failed(&mut self, e: Element) {
        self.failed = Some(e);
    }
    fn condition(&mut self, index: usize, holds: bool) {
        self.conditions.push((index, holds));
    }
}

/// The result of one kind (S2), with the first applicable Deny (S3) and the strongest Allow match.
#[derive(Clone, Copy)]
struct Outcome {
    result: KindResult,
    first_deny: Option<StatementRef>,
    strongest_allow: MatchKind,
}

/// Facts about the caller that every principal test needs (P8, E8).
#[derive(Clone, Copy)]
pub(crate) struct CallerFacts {
    /// The caller is bound by a permissions boundary (P8).
    pub bound_by_pb: bool,
    /// The resource is in another partition than the caller: no principal entry matches (E8).
    pub cross_partition: bool,
}

/// Which principal test a kind applies (S1).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// Identity, PB, session, SCP: no principal element.
    Principalless,
    /// RBP and trust policies: a principal element is required; missing Resource means "any".
    ResourceBased,
    /// RCPs: principal `*`.
    Rcp,
}

/// Whether the resource ARN's partition differs from the caller's (E8).
pub(crate) fn is_cross_partition(req: &Request) -> bool {
    let caller_has_partition =
        !matches!(req.principal.kind, PrincipalKind::Service | PrincipalKind::Anonymous | PrincipalKind::WebIdentity);
    caller_has_partition && req.resource_partition().is_some_and(|p| p != req.principal.partition)
}

pub(crate) fn is_cross_account(req: &Request) -> bool {
    if is_cross_partition(req) {
        return true;
    }
    match (req.principal.account.as_deref(), req.owner_account()) {
        (Some(a), Some(o)) => a != o,
        _ => false,
    }
}

/// Whether the resource must grant by itself even in the same account (E7). The action is tested
/// first, so that most requests never look at the resource.
pub(crate) fn must_self_grant(req: &Request) -> bool {
    let service = req.service();
    if service != "sts" && service != "kms" {
        return false;
    }
    let sts = matches!(
        req.action_lower.as_str(),
        "sts:assumerole"
            | "sts:assumerolewithsaml"
            | "sts:assumerolewithwebidentity"
            | "sts:tagsession"
            | "sts:setsourceidentity"
            | "sts:setcontext"
    );
    if sts {
        return req.resource_parts().is_some_and(|[_, _, service, _, _, r]| service == "iam" && r.starts_with("role/"));
    }
    req.service() == "kms"
        && req.resource_parts().is_some_and(|[_, _, service, _, _, r]| service == "kms" && r.starts_with("key/"))
}

fn decide<C: Collector>(set: &PolicySet, req: &Request, c: &mut C, scratch: &mut Scratch) -> Decision {
    let kind = req.principal.kind;
    let has_identity =
        matches!(kind, PrincipalKind::IamUser | PrincipalKind::RoleSession | PrincipalKind::FederatedUser);
    let root_identity = kind == PrincipalKind::Root
        || (kind == PrincipalKind::FederatedUser
            && req
                .principal
                .federated_by
                .as_deref()
                .and_then(crate::arn::Arn::parse)
                .is_some_and(|a| a.service == "iam" && a.resource == "root"));
    let facts =
        CallerFacts { bound_by_pb: has_identity && set.boundary.is_some(), cross_partition: is_cross_partition(req) };
    let empty: Vec<CompiledPolicy> = Vec::new();

    // E2: which kinds take part.
    let rcps_apply = !set.rcps.is_empty() && RCP_SERVICES.contains(&req.service());
    let scps_apply = !set.scps.is_empty()
        && !matches!(kind, PrincipalKind::Service | PrincipalKind::WebIdentity | PrincipalKind::Anonymous);
    let session: Option<&[CompiledPolicy]> = match kind {
        // E2: a role session has session policies only when created with at least one.
        PrincipalKind::RoleSession => set.session.as_deref().filter(|s| !s.is_empty()),
        PrincipalKind::FederatedUser => Some(set.session.as_deref().unwrap_or(&empty)),
        _ => None,
    };

    let mut eval = |policies: &mut dyn Iterator<Item = &CompiledPolicy>,
                    t: PolicyType,
                    level: Option<usize>,
                    slot: Slot,
                    c: &mut C| {
        let o = eval_kind(policies, t, level, slot, req, facts, scratch, c);
        c.kind(t, level, o.result);
        o
    };

    // E3: explicit deny first, in the order RCP, SCP, RBP, identity, PB, session.
    let mut first_deny: Option<StatementRef> = None;
    if rcps_apply {
        for (i, level) in set.rcps.iter().enumerate() {
            let o = eval(&mut level.iter(), PolicyType::Rcp, Some(i), Slot::Rcp, c);
            first_deny = first_deny.or(o.first_deny);
            if let (Some(d), false) = (first_deny, C::EXHAUSTIVE) {
                return Decision::ExplicitDeny(d);
            }
        }
    }
    let mut scp_missing_allow = false;
    if scps_apply {
        for (i, level) in set.scps.iter().enumerate() {
            let o = eval(&mut level.iter(), PolicyType::Scp, Some(i), Slot::Principalless, c);
            first_deny = first_deny.or(o.first_deny);
            scp_missing_allow |= o.result != KindResult::Allow;
            if let (Some(d), false) = (first_deny, C::EXHAUSTIVE) {
                return Decision::ExplicitDeny(d);
            }
        }
    }
    let rbp = match &set.resource {
        Some(p) => {
            let o = eval(&mut std::iter::once(p), PolicyType::ResourceBased, None, Slot::ResourceBased, c);
            c.rbp_match(o.strongest_allow);
            Some(o)
        }
        None => None,
    };
    let m = rbp.map_or(MatchKind::None, |o| o.strongest_allow);
    first_deny = first_deny.or(rbp.and_then(|o| o.first_deny));
    if let (Some(d), false) = (first_deny, C::EXHAUSTIVE) {
        return Decision::ExplicitDeny(d);
    }
    let identity = if root_identity {
        None // root, and a federated user created by root: implicit Allow (E2, E10)
    } else if has_identity {
        Some(eval(&mut set.identity.iter(), PolicyType::Identity, None, Slot::Principalless, c))
    } else {
        None
    };
    first_deny = first_deny.or(identity.and_then(|o| o.first_deny));
    let boundary = match (&set.boundary, has_identity) {
        (Some(p), true) => {
            Some(eval(&mut std::iter::once(p), PolicyType::PermissionsBoundary, None, Slot::Principalless, c))
        }
        _ => None,
    };
    first_deny = first_deny.or(boundary.and_then(|o| o.first_deny));
    let session_outcome = session.map(|s| eval(&mut s.iter(), PolicyType::Session, None, Slot::Principalless, c));
    first_deny = first_deny.or(session_outcome.and_then(|o| o.first_deny));
    if let Some(d) = first_deny {
        return Decision::ExplicitDeny(d);
    }

    // E4 is unreachable: RCPFullAWSAccess is modelled as attached at every level (E2), so every
    // RCP level allows and an RCP can only deny explicitly. E5:
    if scps_apply && scp_missing_allow {
        return Decision::ImplicitDeny(PolicyType::Scp);
    }

    // E9: service, web-identity and anonymous callers.
    match kind {
        PrincipalKind::Service | PrincipalKind::WebIdentity => {
            return if m != MatchKind::None {
                Decision::Allow
            } else {
                Decision::ImplicitDeny(PolicyType::ResourceBased)
            };
        }
        PrincipalKind::Anonymous => {
            return if m == MatchKind::Direct {
                Decision::Allow
            } else {
                Decision::ImplicitDeny(PolicyType::ResourceBased)
            };
        }
        _ => {}
    }

    let cross_account = is_cross_account(req);
    // X2: a role of another account cannot be passed.
    if cross_account && req.action_lower == "iam:passrole" {
        return Decision::ImplicitDeny(PolicyType::Identity);
    }
    let need: &[PolicyType] = if cross_account {
        if m == MatchKind::None {
            return Decision::ImplicitDeny(PolicyType::ResourceBased); // E8
        }
        &[PolicyType::Identity, PolicyType::PermissionsBoundary, PolicyType::Session]
    } else if m == MatchKind::None && must_self_grant(req) {
        return Decision::ImplicitDeny(PolicyType::ResourceBased); // E7
    } else {
        match m {
            MatchKind::Direct => &[],
            MatchKind::ViaRole | MatchKind::ViaUser => &[PolicyType::PermissionsBoundary, PolicyType::Session],
            MatchKind::Account | MatchKind::None => {
                &[PolicyType::Identity, PolicyType::PermissionsBoundary, PolicyType::Session]
            }
        }
    };
    for t in need {
        let outcome = match t {
            PolicyType::Identity if root_identity => continue,
            PolicyType::Identity => identity,
            PolicyType::PermissionsBoundary => boundary,
            PolicyType::Session => session_outcome,
            _ => None,
        };
        if let Some(o) = outcome {
            if o.result != KindResult::Allow {
                return Decision::ImplicitDeny(*t);
            }
        }
    }
    Decision::Allow
}

#[allow(clippy::too_many_arguments)]
fn eval_kind<C: Collector>(
    policies: &mut dyn Iterator<Item = &CompiledPolicy>,
    t: PolicyType,
    level: Option<usize>,
    slot: Slot,
    req: &Request,
    facts: CallerFacts,
    scratch: &mut Scratch,
    c: &mut C,
) -> Outcome {
    let mut out = Outcome { result: KindResult::None, first_deny: None, strongest_allow: MatchKind::None };
    let mut step = |policy: &CompiledPolicy, pi: usize, st: &CompiledStatement, c: &mut C| -> bool {
        let strength = if C::TRACE {
            let mut rec = Recorder::default();
            let strength = applies(st, slot, req, facts, scratch, &mut rec);
            c.trace(|| statement_trace(t, level, policy, pi, st, rec, req));
            strength
        } else {
            applies(st, slot, req, facts, scratch, &mut ())
        };
        let Some(strength) = strength else {
            return false;
        };
        let deny = st.effect == CompiledEffect::Deny;
        c.statement(|| {
            explain::matched(t, level, &policy.name, pi, &policy.source, st.sid.as_deref(), st.index, deny, st.span)
        });
        if deny {
            out.result = KindResult::Deny;
            if out.first_deny.is_none() {
                out.first_deny =
                    Some(StatementRef { policy_type: t, level: level.unwrap_or(0), policy: pi, statement: st.index });
            }
            return !C::EXHAUSTIVE;
        }
        if out.result == KindResult::None {
            out.result = KindResult::Allow;
        }
        out.strongest_allow = out.strongest_allow.max(strength);
        false
    };
    for (pi, policy) in policies.enumerate() {
        if C::TRACE {
            // Every statement, so that the explanation can say why each one did not apply; `applies`
            // tests the action itself, so the candidates that the index would give are a subset.
            for st in policy.statements.iter() {
                if step(policy, pi, st, c) {
                    return out;
                }
            }
        } else {
            for st in policy.candidates(req) {
                if step(policy, pi, st, c) {
                    return out;
                }
            }
        }
    }
    out
}

/// Builds the trace of one statement from what `applies` recorded.
fn statement_trace(
    t: PolicyType,
    level: Option<usize>,
    policy: &CompiledPolicy,
    pi: usize,
    st: &CompiledStatement,
    rec: Recorder,
    req: &Request,
) -> StatementTrace {
    let source: &str = &policy.source;
    let m = explain::matched(
        t,
        level,
        &policy.name,
        pi,
        source,
        st.sid.as_deref(),
        st.index,
        st.effect == CompiledEffect::Deny,
        st.span,
    );
    let [principal_span, action_span, resource_span] = st.element_spans;
    let failed_span = match rec.failed {
        Some(Element::Principal) => principal_span,
        Some(Element::Action) => action_span,
        Some(Element::Resource) => resource_span,
        Some(Element::Condition) | None => None,
    };
    let conditions = rec
        .conditions
        .iter()
        .filter_map(|&(i, holds)| {
            let cond = st.conditions.get(i)?;
            Some(ConditionTrace {
                operator: cond.operator_name.clone(),
                key: cond.key.clone(),
                values: cond.values_text.clone(),
                holds,
                seen: cond.seen(&req.context).cloned(),
                span: cond.span,
                position: line_column(source, cond.span.start),
            })
        })
        .collect();
    StatementTrace {
        policy_type: m.policy_type,
        level: m.level,
        policy: m.policy,
        policy_index: pi,
        statement: m.statement,
        statement_index: m.statement_index,
        effect: m.effect,
        span: m.span,
        position: m.position,
        applies: rec.failed.is_none(),
        failed: rec.failed,
        failed_span,
        conditions,
    }
}

/// Whether a statement applies (S1); Some(principal match strength) when it does. `trace` hears which
/// element failed and how each condition fared.
#[inline]
fn applies<T: Trace>(
    st: &CompiledStatement,
    slot: Slot,
    req: &Request,
    facts: CallerFacts,
    scratch: &mut Scratch,
    trace: &mut T,
) -> Option<MatchKind> {
    let strength = match (&st.principal, slot) {
        (None, Slot::ResourceBased) => None,
        (None, _) => Some(MatchKind::Direct),
        (Some(p), _) => principal_test(p, st.effect, &req.principal, facts),
    };
    let Some(strength) = strength else {
        trace.failed(Element::Principal);
        return None;
    };
    if !st.actions.matches(req.service(), req.action_name_lower()) {
        trace.failed(Element::Action);
        return None;
    }
    let resource_ok = match &st.resources {
        Some(r) => r.matches(req, &mut scratch.tokens),
        None => slot == Slot::ResourceBased, // R10: trust policies have no Resource
    };
    if !resource_ok {
        trace.failed(Element::Resource);
        return None;
    }
    let holds = if T::ALL_CONDITIONS {
        let mut all = true;
        for (i, cond) in st.conditions.iter().enumerate() {
            let h = cond.holds(&req.context, scratch);
            trace.condition(i, h);
            all &= h;
        }
        all
    } else {
        st.conditions.iter().all(|cond| cond.holds(&req.context, scratch))
    };
    if !holds {
        trace.failed(Element::Condition);
        return None;
    }
    Some(strength)
}

/// P6–P8.
pub(crate) fn principal_test(
    p: &PrincipalMatcher,
    effect: CompiledEffect,
    caller: &Principal,
    facts: CallerFacts,
) -> Option<MatchKind> {
    let strongest = match &p.entries {
        _ if facts.cross_partition => MatchKind::None,
        None => MatchKind::Direct,
        Some(entries) => entries.iter().map(|(t, v)| principal_match(*t, v, caller)).max().unwrap_or(MatchKind::None),
    };
    if p.negated {
        if effect != CompiledEffect::Deny {
            return None; // NotPrincipal with Allow is malformed and never applies
        }
        if facts.bound_by_pb || strongest == MatchKind::None {
            return Some(MatchKind::Direct); // P7, P8
        }
        return None;
    }
    (strongest != MatchKind::None).then_some(strongest)
}

/// The match kind of a caller against one principal entry (P2–P5).
pub fn principal_match(t: PrincipalType, v: &str, caller: &Principal) -> MatchKind {
    match t {
        PrincipalType::Aws => {
            if v == "*" {
                return MatchKind::Direct;
            }
            if matches!(caller.kind, PrincipalKind::Anonymous | PrincipalKind::Service | PrincipalKind::WebIdentity) {
                return MatchKind::None;
            }
            if v.contains('*') {
                return MatchKind::None; // P3: compares literally, never a real principal
            }
            if v == caller.arn && caller.kind != PrincipalKind::Root {
                return MatchKind::Direct;
            }
            if caller.unique_id.as_deref() == Some(v) {
                return if caller.kind == PrincipalKind::RoleSession { MatchKind::ViaRole } else { MatchKind::Direct };
            }
            let account = caller.account.as_deref().unwrap_or_default();
            if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
                return if v == account { MatchKind::Account } else { MatchKind::None };
            }
            let Some(arn) = crate::arn::Arn::parse(v) else {
                return MatchKind::None;
            };
            if arn.partition != caller.partition || arn.account != account {
                return MatchKind::None;
            }
            if arn.service == "iam" && arn.resource == "root" {
                // The account, not only its root user (P2); for a root-federated user this is also ViaUser.
                return MatchKind::Account;
            }
            if caller.kind == PrincipalKind::RoleSession && arn.service == "iam" {
                if let (Some(role_name), Some(session_role)) =
                    (arn.resource.strip_prefix("role/").and_then(|r| r.rsplit('/').next()), caller.role_arn.as_deref())
                {
                    let caller_role_name = session_role.rsplit('/').next().unwrap_or_default();
                    if role_name == caller_role_name {
                        return MatchKind::ViaRole;
                    }
                }
            }
            if caller.kind == PrincipalKind::FederatedUser && caller.federated_by.as_deref() == Some(v) {
                return MatchKind::ViaUser;
            }
            MatchKind::None
        }
        PrincipalType::Service => {
            if caller.kind == PrincipalKind::Service && v == caller.arn {
                MatchKind::Direct
            } else {
                MatchKind::None
            }
        }
        PrincipalType::Federated => {
            if caller.kind == PrincipalKind::WebIdentity && v == caller.arn {
                MatchKind::Direct
            } else {
                MatchKind::None
            }
        }
        PrincipalType::CanonicalUser => MatchKind::None,
    }
}
