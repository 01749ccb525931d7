//! The Cedar side: parse policies, build entities and the request ahead of time; `decide` is one
//! authorization, the timed region.

use crate::workloads::{CedarSide, Expect, Scenario, CEDAR_PRINCIPAL_TYPE, PRINCIPAL};
use cedar_policy::{Authorizer, Context, Decision, Entities, EntityId, EntityTypeName, EntityUid, PolicySet, Request};
use std::str::FromStr;

pub struct Prepared {
    pub authorizer: Authorizer,
    pub policies: PolicySet,
    pub entities: Entities,
    pub request: Request,
}

fn uid(ty: &str, id: &str) -> Result<EntityUid, String> {
    let ty = EntityTypeName::from_str(ty).map_err(|e| format!("entity type {ty}: {e}"))?;
    Ok(EntityUid::from_type_name_and_id(ty, EntityId::new(id)))
}

fn side(s: &Scenario) -> Result<&CedarSide, String> {
    s.cedar.as_ref().ok_or_else(|| format!("{}: no Cedar translation", s.name))
}

/// Parses the policy set (the "compile" step).
pub fn parse_policies(s: &Scenario) -> Result<PolicySet, String> {
    PolicySet::from_str(&side(s)?.policies).map_err(|e| format!("{}: cedar policies: {e:?}", s.name))
}

/// Builds everything a decision needs; nothing here is timed. Fails for a scenario without a Cedar form.
pub fn prepare(s: &Scenario) -> Result<Prepared, String> {
    let c = side(s)?;
    let policies = parse_policies(s)?;
    let entities = Entities::from_json_value(c.entities.clone(), None)
        .map_err(|e| format!("{}: cedar entities: {e:?}", s.name))?;
    let context =
        Context::from_json_value(c.context.clone(), None).map_err(|e| format!("{}: cedar context: {e:?}", s.name))?;
    let request = Request::new(
        uid(CEDAR_PRINCIPAL_TYPE, PRINCIPAL)?,
        uid("Action", &c.action)?,
        uid(&c.resource_type, &s.resource)?,
        context,
        None,
    )
    .map_err(|e| format!("{}: cedar request: {e:?}", s.name))?;
    let p = Prepared { authorizer: Authorizer::new(), policies, entities, request };
    let got = if decide(&p) { Expect::Allow } else { Expect::Deny };
    if got != s.expect {
        let r = p.authorizer.is_authorized(&p.request, &p.policies, &p.entities);
        return Err(format!("{}: cedar decided {got:?}, expected {:?} ({:?})", s.name, s.expect, r.diagnostics()));
    }
    Ok(p)
}

/// One authorization decision: true when allowed.
#[inline]
pub fn decide(p: &Prepared) -> bool {
    p.authorizer.is_authorized(&p.request, &p.policies, &p.entities).decision() == Decision::Allow
}
