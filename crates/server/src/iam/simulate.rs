//! IAM's policy simulator on the engine: SimulatePrincipalPolicy and SimulateCustomPolicy run `explain`
//! for every (action, resource) pair; GetContextKeysFor{Principal,Custom}Policy list the condition keys
//! the policies use, read from the parsed policies.
//!
//! Decisions: the simulation context holds only the `ContextEntries` given (the simulator adds no global
//! keys). A user or group source is simulated as an IAM user, a role as a session of that role; a
//! custom simulation without `CallerArn` as a user of this account named `SimulatedUser`.

use sagegate_policy::explain::KindResult;
use sagegate_policy::span::line_column;
use sagegate_policy::{
    explain, CompiledPolicy, Context, ContextValue, Decision, Explanation, Policy, PolicySet, PolicyType, Principal,
    PrincipalKind, Request,
};

use super::entity::Entity;
use super::*;

/// A policy taking part in a simulation, and how the simulator names it.
struct Source {
    /// `SourcePolicyId`: the policy's name, or the input's place (`PolicyInputList.1`).
    id: String,
    /// `SourcePolicyType`: `user`, `group`, `role` (inline), `aws-managed`, `user-managed`, `resource`, `none`.
    kind: &'static str,
    policy: Policy,
}

fn source(id: String, kind: &'static str, text: &str) -> Result<Source, ApiError> {
    match Policy::parse(text) {
        Ok(policy) => Ok(Source { id, kind, policy }),
        Err(e) => Err(invalid_input(format!("The policy {id} is not a valid policy document: {e}"))),
    }
}

/// The policies of a `*PolicyInputList` parameter, named `<Param>.<N>`.
fn inputs(call: &Call, param: &str) -> Result<Vec<Source>, ApiError> {
    call.params.list(param).iter().enumerate().map(|(i, t)| source(format!("{param}.{}", i + 1), "none", t)).collect()
}

/// A managed policy's default version.
fn managed(dir: &Directory, arn: &str) -> Option<Source> {
    let p = policies::lookup(dir, arn, true)?;
    let v = p.versions.iter().find(|v| v.id == p.default_version)?;
    let kind = if arn.starts_with("arn:aws:iam::aws:") { "aws-managed" } else { "user-managed" };
    source(p.name.clone(), kind, &v.document).ok()
}

/// An entity's own inline and attached policies.
fn own<E: Entity>(dir: &Directory, e: &E) -> Vec<Source> {
    let inline = e.inline().iter().filter_map(|p| source(p.name.clone(), E::LABEL, &p.document).ok());
    inline.chain(e.attached().iter().filter_map(|a| managed(dir, a))).collect()
}

/// Who a source ARN names, with its identity policies (a user's include its groups') and boundary.
struct Subject {
    principal: Principal,
    identity: Vec<Source>,
    boundary: Option<Source>,
}

fn principal(kind: PrincipalKind, arn: &str, account: &str, unique_id: &str) -> Principal {
    Principal {
        kind,
        arn: arn.to_string(),
        account: Some(account.to_string()),
        partition: "aws".into(),
        role_arn: (kind == PrincipalKind::RoleSession).then(|| arn.to_string()),
        federated_by: None,
        unique_id: Some(unique_id.to_string()),
    }
}

fn subject(call: &Call, arn: &str) -> Result<Subject, ApiError> {
    let dir = &call.dir;
    let acct = call.account();
    let boundary = |b: Option<&str>| b.and_then(|b| managed(dir, b));
    if let Some(u) = dir.users.values().find(|u| u.arn == arn) {
        let mut identity = own(dir, u);
        for g in u.groups.iter().filter_map(|g| dir.groups.get(g)) {
            identity.extend(own(dir, g));
        }
        let principal = principal(PrincipalKind::IamUser, arn, acct, &u.id);
        return Ok(Subject { principal, identity, boundary: boundary(u.boundary.as_deref()) });
    }
    if let Some(g) = dir.groups.values().find(|g| g.arn == arn) {
        let principal = principal(PrincipalKind::IamUser, arn, acct, &g.id);
        return Ok(Subject { principal, identity: own(dir, g), boundary: None });
    }
    if let Some(r) = dir.roles.values().find(|r| r.arn == arn) {
        let principal = principal(PrincipalKind::RoleSession, arn, acct, &r.id);
        return Ok(Subject { principal, identity: own(dir, r), boundary: boundary(r.boundary.as_deref()) });
    }
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    let name = resource.rsplit('/').next().unwrap_or_default();
    match resource.split('/').next() {
        Some(kind @ ("user" | "group" | "role")) if arn.starts_with("arn:") => Err(no_such(kind, name)),
        _ => Err(invalid_input(format!("Invalid ARN: {arn}. It must be the ARN of an IAM user, group or role."))),
    }
}

/// `CallerArn`: an IAM user ARN.
fn caller(call: &Call) -> Result<Option<Principal>, ApiError> {
    let Some(arn) = call.params.get("CallerArn") else {
        return Ok(None);
    };
    match Principal::parse(arn) {
        Ok(mut p) if p.kind == PrincipalKind::IamUser => {
            p.unique_id = call.dir.users.values().find(|u| u.arn == arn).map(|u| u.id.clone());
            Ok(Some(p))
        }
        _ => Err(invalid_input(format!("CallerArn {arn} is not valid: it must be the ARN of an IAM user."))),
    }
}

/// `ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M, ContextKeyType}`. List types
/// (`stringList`, …) are multivalued.
fn context(call: &Call) -> Result<Context, ApiError> {
    let mut ctx = Context::new();
    for fields in call.params.structs("ContextEntries") {
        let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let name = field("ContextKeyName").ok_or_else(|| {
            ApiError::validation(Service::Iam, "1 validation error detected: Value null at 'contextEntries.member.contextKeyName' failed to satisfy constraint: Member must not be null")
        })?;
        let mut values: Vec<(u32, String)> = fields
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("ContextKeyValues.member.")?.parse().ok()?, v.clone())))
            .collect();
        values.sort_by_key(|(n, _)| *n);
        let mut values: Vec<String> = values.into_iter().map(|(_, v)| v).collect();
        let list = field("ContextKeyType").is_some_and(|t| t.ends_with("List"));
        let value = match values.pop() {
            Some(v) if values.is_empty() && !list => ContextValue::Single(v),
            last => ContextValue::Multi(values.into_iter().chain(last).collect()),
        };
        ctx.insert(name, value);
    }
    Ok(ctx)
}

/// The account of `ResourceOwner` (an account id or an ARN such as `arn:aws:iam::123456789012:root`).
fn owner(call: &Call) -> Option<String> {
    let o = call.params.get("ResourceOwner")?;
    match sagegate_policy::arn::Arn::parse(o) {
        Some(a) => Some(a.account.to_string()),
        None => Some(o.to_string()),
    }
}

fn required_list(call: &Call, param: &str) -> Result<Vec<String>, ApiError> {
    let v = call.params.list(param);
    if v.is_empty() {
        return Err(ApiError::validation(
            Service::Iam,
            format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                camel(param)
            ),
        ));
    }
    Ok(v)
}

/// Whether a statement's Action (or NotAction) covers the action (lower-cased).
fn covers(st: &sagegate_policy::ast::Statement, action: &str) -> bool {
    let Some(a) = &st.action else {
        return false;
    };
    let hit = a.entries.iter().any(|e| sagegate_policy::glob::matches_text(&e.value.to_ascii_lowercase(), action));
    hit != a.negated
}

/// Distinct condition keys (first spelling wins, case ignored) of the statements `keep` selects.
fn condition_keys<'a>(
    sources: impl Iterator<Item = &'a Source>,
    keep: impl Fn(&sagegate_policy::ast::Statement) -> bool,
) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let statements = sources.flat_map(|s| s.policy.statements.iter()).filter(|st| keep(st));
    for c in statements.flat_map(|st| st.conditions.iter()) {
        if !keys.iter().any(|k| k.eq_ignore_ascii_case(&c.key.value)) {
            keys.push(c.key.value.clone());
        }
    }
    keys
}

/// One simulated (action, resource) pair.
struct Evaluation {
    action: String,
    resource: String,
    explanation: Explanation,
    missing: Vec<String>,
    cross_account: bool,
}

fn decision_name(d: &Decision) -> &'static str {
    match d {
        Decision::Allow => "allowed",
        Decision::ExplicitDeny(_) => "explicitDeny",
        Decision::ImplicitDeny(_) => "implicitDeny",
    }
}

fn kind_result(ex: &Explanation, t: PolicyType) -> Option<KindResult> {
    ex.kinds.iter().find(|(k, ..)| *k == t).map(|(_, _, r)| *r)
}

fn result_name(r: Option<KindResult>) -> &'static str {
    match r {
        Some(KindResult::Allow) => "allowed",
        Some(KindResult::Deny) => "explicitDeny",
        _ => "implicitDeny",
    }
}

/// What a result and its resource-specific result both carry: the statements that decided it (the
/// Allows of an allowed decision, the Denies of an explicit deny), the missing context keys, the
/// permissions-boundary detail, and the per-policy-type details (cross-account simulations only; an
/// empty map in the same account; absent for `*`).
fn details_xml(x: &mut Xml, e: &Evaluation, table: &[Source]) {
    let ex = &e.explanation;
    let effect = match ex.decision {
        Decision::Allow => "Allow",
        Decision::ExplicitDeny(_) => "Deny",
        Decision::ImplicitDeny(_) => "",
    };
    x.node("MatchedStatements", |x| {
        for m in ex.matched.iter().filter(|m| m.effect == effect) {
            let Some(src) = m.policy.parse::<usize>().ok().and_then(|i| table.get(i)) else {
                continue;
            };
            // The position of the statement's closing brace.
            let end = line_column(&src.policy.source, m.span.end.saturating_sub(1));
            x.node("member", |x| {
                x.leaf("SourcePolicyId", &src.id).leaf("SourcePolicyType", src.kind);
                x.node("StartPosition", |x| {
                    x.leaf("Line", &m.position.line.to_string()).leaf("Column", &m.position.column.to_string());
                });
                x.node("EndPosition", |x| {
                    x.leaf("Line", &end.line.to_string()).leaf("Column", &end.column.to_string());
                });
            });
        }
    });
    string_list(x, "MissingContextValues", &e.missing);
    if let Some(r) = kind_result(ex, PolicyType::PermissionsBoundary) {
        x.node("PermissionsBoundaryDecisionDetail", |x| {
            x.leaf("AllowedByPermissionsBoundary", &(r == KindResult::Allow).to_string());
        });
    }
    if e.resource != "*" {
        x.node("EvalDecisionDetails", |x| {
            if e.cross_account {
                let mut entry = |k: &str, v: &str| {
                    x.node("entry", |x| {
                        x.leaf("key", k).leaf("value", v);
                    });
                };
                entry("IAM Policy", result_name(kind_result(ex, PolicyType::Identity)));
                if let Some(r) = kind_result(ex, PolicyType::ResourceBased) {
                    entry("Resource Policy", result_name(Some(r)));
                }
            }
        });
    }
}

fn evaluation_xml(x: &mut Xml, e: &Evaluation, table: &[Source]) {
    let decision = decision_name(&e.explanation.decision);
    x.leaf("EvalActionName", &e.action).leaf("EvalResourceName", &e.resource).leaf("EvalDecision", decision);
    details_xml(x, e, table);
    if e.resource != "*" {
        x.node("ResourceSpecificResults", |x| {
            x.node("member", |x| {
                x.leaf("EvalResourceName", &e.resource).leaf("EvalResourceDecision", decision);
                details_xml(x, e, table);
            });
        });
    }
}

/// SimulatePrincipalPolicy (the policies of a user, group or role, plus `PolicyInputList`) and
/// SimulateCustomPolicy (`PolicyInputList` only); a `PermissionsBoundaryPolicyInputList` replaces the
/// entity's boundary; `ResourcePolicy` is the resource-based policy.
pub(super) fn simulate(call: &Call) -> Res {
    let (who, mut identity, entity_boundary) = if call.operation == "SimulateCustomPolicy" {
        call.authorize("iam:SimulateCustomPolicy", "*", Vec::new())?;
        required_list(call, "PolicyInputList")?;
        let synthetic =
            principal(PrincipalKind::IamUser, &iam_arn(call, "user", "/", "SimulatedUser"), call.account(), "");
        (caller(call)?.unwrap_or(synthetic), Vec::new(), None)
    } else {
        let arn = call.required("PolicySourceArn")?.to_string();
        call.authorize("iam:SimulatePrincipalPolicy", &arn, Vec::new())?;
        let s = subject(call, &arn)?;
        (caller(call)?.unwrap_or(s.principal), s.identity, s.boundary)
    };
    identity.extend(inputs(call, "PolicyInputList")?);
    let boundary = inputs(call, "PermissionsBoundaryPolicyInputList")?.into_iter().next().or(entity_boundary);
    let resource_policy =
        call.params.get("ResourcePolicy").map(|t| source("ResourcePolicy".into(), "resource", t)).transpose()?;
    let actions = required_list(call, "ActionNames")?;
    let mut resources = call.params.list("ResourceArns");
    if resources.is_empty() {
        resources.push("*".into());
    }
    let ctx = context(call)?;
    let resource_owner = owner(call);

    // One table of sources; each policy is compiled under its index there, so that a matched
    // statement leads back to its SourcePolicyId.
    let compile = |i: usize, s: &Source| CompiledPolicy::compile(i.to_string(), &s.policy);
    let mut set = PolicySet {
        identity: identity.iter().enumerate().map(|(i, s)| compile(i, s)).collect(),
        ..PolicySet::default()
    };
    let mut table = identity;
    for (slot, s) in [(&mut set.boundary, boundary), (&mut set.resource, resource_policy)] {
        if let Some(s) = s {
            *slot = Some(compile(table.len(), &s));
            table.push(s);
        }
    }
    let mut results = Vec::new();
    for action in &actions {
        let lower = action.to_ascii_lowercase();
        let missing: Vec<String> =
            condition_keys(table.iter(), |st| covers(st, &lower)).into_iter().filter(|k| !ctx.contains(k)).collect();
        for resource in &resources {
            let req = Request::new(who.clone(), action, resource, resource_owner.clone(), ctx.clone())
                .map_err(|e| invalid_input(e.to_string()))?;
            let explanation = explain(&set, &req);
            results.push(Evaluation {
                action: action.clone(),
                resource: resource.clone(),
                cross_account: explanation.cross_account,
                explanation,
                missing: missing.clone(),
            });
        }
    }
    paginate(call, &results, "EvaluationResults", |x, e| evaluation_xml(x, e, &table))
}

/// GetContextKeysForPrincipalPolicy (the entity's policies, a user's groups' included, plus
/// `PolicyInputList`) and GetContextKeysForCustomPolicy (`PolicyInputList`).
pub(super) fn context_keys(call: &Call) -> Res {
    let mut sources = if call.operation == "GetContextKeysForCustomPolicy" {
        call.authorize("iam:GetContextKeysForCustomPolicy", "*", Vec::new())?;
        required_list(call, "PolicyInputList")?;
        Vec::new()
    } else {
        let arn = call.required("PolicySourceArn")?.to_string();
        call.authorize("iam:GetContextKeysForPrincipalPolicy", &arn, Vec::new())?;
        subject(call, &arn)?.identity
    };
    sources.extend(inputs(call, "PolicyInputList")?);
    let keys = condition_keys(sources.iter(), |_| true);
    result(|x| string_list(x, "ContextKeyNames", &keys))
}
