//! sagegate's side: parse and compile ahead of time; `decide` is one `evaluate`, the timed region.

use crate::workloads::{Ctx, Expect, Scenario};
use sagegate_policy::{
    evaluate, CompiledPolicy, Context, ContextValue, DecisionKind, Policy, PolicySet, Principal, Request,
};

pub struct Prepared {
    pub set: PolicySet,
    pub request: Request,
}

/// Parses and compiles the scenario's policies (the "compile" step).
pub fn compile(s: &Scenario) -> Result<Vec<CompiledPolicy>, String> {
    s.iam_policies
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let policy = Policy::parse(text).map_err(|e| format!("{}: parse policy {i}: {e:?}", s.name))?;
            Ok(CompiledPolicy::compile(format!("bench{i}"), &policy))
        })
        .collect()
}

pub fn request(s: &Scenario) -> Result<Request, String> {
    let mut ctx = Context::new();
    for (k, v) in &s.context {
        let v = match v {
            Ctx::Single(x) => ContextValue::Single(x.clone()),
            Ctx::Multi(xs) => ContextValue::Multi(xs.clone()),
        };
        ctx.insert(k.clone(), v);
    }
    let principal = Principal::parse(&s.principal).map_err(|e| e.to_string())?;
    Request::new(principal, &s.action, &s.resource, None, ctx).map_err(|e| format!("{}: request: {e}", s.name))
}

/// Builds everything a decision needs; nothing here is timed.
pub fn prepare(s: &Scenario) -> Result<Prepared, String> {
    let set = PolicySet { identity: compile(s)?, ..PolicySet::default() };
    let p = Prepared { set, request: request(s)? };
    let kind = evaluate(&p.set, &p.request).kind();
    let got = if kind == DecisionKind::Allow { Expect::Allow } else { Expect::Deny };
    if got != s.expect {
        return Err(format!("{}: sagegate decided {kind:?}, expected {:?}", s.name, s.expect));
    }
    Ok(p)
}

/// One decision: true when allowed.
#[inline]
pub fn decide(p: &Prepared) -> bool {
    evaluate(&p.set, &p.request).kind() == DecisionKind::Allow
}
