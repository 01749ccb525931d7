//! Features of a case that allow-list selectors test (spec section 15).
//!
//! Most features are syntactic (computed from the CASE JSON alone). A few need to know whether a policy
//! or statement *applies*; those are answered by small "probe" cases run through our engine in which only
//! that policy can decide (e.g. identity `Allow *:*` plus the session policy alone). Probes only ask about
//! statement matching, which the rest of the differential run checks against the oracle directly.

use crate::case_util::{self as cu, Slot};
use crate::engine;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FVal {
    Bool(bool),
    Set(BTreeSet<String>),
}

impl std::fmt::Display for FVal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FVal::Bool(b) => write!(f, "{b}"),
            FVal::Set(s) => write!(f, "[{}]", s.iter().cloned().collect::<Vec<_>>().join(", ")),
        }
    }
}

pub type Features = BTreeMap<&'static str, FVal>;

/// Every feature name a selector may use, with its meaning (printed by `difftest --features`).
pub const FEATURES: &[(&str, &str)] = &[
    ("same_account", "bool: the caller's account equals the resource owner (E6 vs E8)"),
    ("principal_type", "root | user | role-session | federated-user | service | anonymous"),
    ("service", "the request action's service prefix, lower-cased"),
    (
        "rbp_principal",
        "forms by which an applicable RBP Allow statement names the caller: role-session-arn | federated-user-arn | user-arn | role-arn | account | star | service",
    ),
    ("session_policy", "absent | allow | no-allow | deny: what the session policies alone decide (probe)"),
    ("permissions_boundary", "absent | allow | no-allow | deny: what the PB alone decides (probe)"),
    ("legacy_version_variable", "bool: a policy whose Version is not 2012-10-17 contains `${` (D1, PV3)"),
    (
        "negated_unresolved_variable",
        "bool: a negated String/ARN operator over a present key has a value with an unresolved variable (D2, PV7)",
    ),
    ("rcp_deny", "bool: some RCP has a Deny statement (D4, E2)"),
    ("resource_service_wildcard", "bool: a Resource/NotResource ARN has `*` or `?` in its service segment (D5, R5)"),
    ("resource_not_arn", "bool: a Resource/NotResource entry is neither `*` nor an ARN (D6, R8)"),
    (
        "notresource_unresolved_variable",
        "bool: a NotResource entry of a 2012-10-17 policy has a variable that does not resolve (PV6)",
    ),
    ("set_ifexists_absent", "bool: a ForAllValues/ForAnyValue …IfExists operator names an absent key (M7)"),
    (
        "date_epoch_value",
        "bool: a Date operator compares a value written as epoch digits (policy value or the key's context value) (O5)",
    ),
    ("ipv4_zero_prefix", "bool: an IpAddress/NotIpAddress policy value is an IPv4 CIDR with prefix length 0 (O8)"),
    (
        "notip_ipv6_context_ipv4_value",
        "bool: a NotIpAddress operator compares an IPv6 context address with an IPv4 policy value (O8)",
    ),
];

const NEGATED_STRING_ARN: &[&str] =
    &["StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"];

fn set(items: impl IntoIterator<Item = String>) -> FVal {
    FVal::Set(items.into_iter().collect())
}

fn allow_all() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

fn principal_side(ptype: &str) -> bool {
    matches!(ptype, "root" | "user" | "role-session" | "federated-user")
}

fn probe_word(r: &engine::EngineResult) -> &'static str {
    match r.decision() {
        Some(engine::ALLOWED) => "allow",
        Some(engine::EXPLICIT) => "deny",
        Some(_) => "no-allow",
        None => "error",
    }
}

/// A probe case: the same request with the given top-level policies only.
fn probe(case: &Value, parts: &[(&str, Value)]) -> engine::EngineResult {
    let mut m = Map::new();
    if let Some(r) = case.get("request") {
        m.insert("request".into(), r.clone());
    }
    for (k, v) in parts {
        m.insert((*k).to_string(), v.clone());
    }
    engine::run(&Value::Object(m))
}

/// Splits a condition operator into (set prefix, base, IfExists).
pub fn split_op(op: &str) -> (&str, &str, bool) {
    let (prefix, rest) = if let Some(r) = op.strip_prefix("ForAllValues:") {
        ("ForAllValues:", r)
    } else if let Some(r) = op.strip_prefix("ForAnyValue:") {
        ("ForAnyValue:", r)
    } else {
        ("", op)
    };
    match rest.strip_suffix("IfExists") {
        Some(base) => (prefix, base, true),
        None => (prefix, rest, false),
    }
}

fn resource_entries(st: &Map<String, Value>) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = cu::strings(st.get("Resource")).into_iter().map(|r| (false, r)).collect();
    out.extend(cu::strings(st.get("NotResource")).into_iter().map(|r| (true, r)));
    out
}

/// R7/R8: `*`, a six-component ARN, or a short `arn:` entry whose last component ends in `*`.
pub fn is_arn_entry(r: &str) -> bool {
    if r == "*" {
        return true;
    }
    if !r.starts_with("arn:") {
        return false;
    }
    let n = r.splitn(6, ':').count();
    n == 6 || r.ends_with('*')
}

pub fn features(case: &Value) -> Features {
    let mut f = Features::new();
    let principal = cu::principal(case);
    let ptype = cu::principal_type(&principal);
    let caller_acct = cu::principal_account(&principal);
    let owner = cu::resource_account(case);
    let action = cu::action(case);
    let service = action.split(':').next().unwrap_or_default().to_ascii_lowercase();
    let ctx = cu::context(case);
    let policies = cu::policies(case);

    f.insert("same_account", FVal::Bool(caller_acct.is_some() && caller_acct == owner));
    f.insert("principal_type", set([ptype.to_string()]));
    f.insert("service", set([service]));

    // RBP statements that apply and name the caller.
    let mut forms = BTreeSet::new();
    if let Some(rbp) = policies.iter().find(|p| matches!(p.slot, Slot::Resource | Slot::Trust)) {
        if let Some(doc) = &rbp.doc {
            for st in cu::statements(doc) {
                if st.get("Effect").and_then(Value::as_str) != Some("Allow") {
                    continue;
                }
                let names = naming_forms(st.get("Principal"), &principal, ptype, caller_acct.as_deref());
                if names.is_empty() {
                    continue;
                }
                let mut st2 = st.clone();
                st2.insert("Principal".into(), json!("*"));
                let mut doc2 = Map::new();
                if let Some(v) = doc.get("Version") {
                    doc2.insert("Version".into(), v.clone());
                }
                doc2.insert("Statement".into(), Value::Array(vec![Value::Object(st2)]));
                let mut parts = vec![("resourcePolicy", Value::Object(doc2))];
                if principal_side(ptype) {
                    parts.push(("identityPolicies", Value::Array(vec![allow_all()])));
                }
                if probe(case, &parts).decision() == Some(engine::ALLOWED) {
                    forms.extend(names);
                }
            }
        }
    }
    f.insert("rbp_principal", set(forms));

    let session = match case.get("sessionPolicy").filter(|v| !v.is_null()) {
        None => "absent",
        Some(sp) => probe_word(&probe(
            case,
            &[("identityPolicies", Value::Array(vec![allow_all()])), ("sessionPolicy", sp.clone())],
        )),
    };
    f.insert("session_policy", set([session.to_string()]));
    let pb = match case.get("permissionsBoundary").filter(|v| !v.is_null()) {
        None => "absent",
        Some(pb) => probe_word(&probe(
            case,
            &[("identityPolicies", Value::Array(vec![allow_all()])), ("permissionsBoundary", pb.clone())],
        )),
    };
    f.insert("permissions_boundary", set([pb.to_string()]));

    let mut triggered: BTreeSet<&'static str> = BTreeSet::new();
    for p in &policies {
        let Some(doc) = &p.doc else { continue };
        for st in cu::statements(doc) {
            triggered.extend(statement_triggers(st, doc, p.slot, &ctx));
        }
    }
    for name in STATEMENT_TRIGGERS {
        f.insert(name, FVal::Bool(triggered.contains(name)));
    }
    f
}

/// The boolean features that individual statements trigger (the syntactic divergence inputs).
pub const STATEMENT_TRIGGERS: &[&str] = &[
    "legacy_version_variable",
    "negated_unresolved_variable",
    "rcp_deny",
    "resource_service_wildcard",
    "resource_not_arn",
    "notresource_unresolved_variable",
    "set_ifexists_absent",
    "date_epoch_value",
    "ipv4_zero_prefix",
    "notip_ipv6_context_ipv4_value",
];

/// The divergence inputs one statement carries.
pub fn statement_triggers(
    st: &Map<String, Value>,
    doc: &Value,
    slot: Slot,
    ctx: &Map<String, Value>,
) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    let v2012 = doc.get("Version").and_then(Value::as_str) == Some("2012-10-17");
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !v2012 && serde_json::to_string(st).unwrap_or_default().contains("${") {
        out.insert("legacy_version_variable");
    }
    if slot == Slot::Rcp && st.get("Effect").and_then(Value::as_str) == Some("Deny") {
        out.insert("rcp_deny");
    }
    for (not, r) in resource_entries(st) {
        if let Some(svc) = r.strip_prefix("arn:").and_then(|x| x.split(':').nth(1)) {
            if svc.contains(['*', '?']) {
                out.insert("resource_service_wildcard");
            }
        }
        if !is_arn_entry(&r) {
            out.insert("resource_not_arn");
        }
        if not && v2012 && cu::variables(&r).iter().any(|v| cu::unresolved(v, ctx)) {
            out.insert("notresource_unresolved_variable");
        }
    }
    let Some(Value::Object(cond)) = st.get("Condition") else {
        return out;
    };
    for (op, block) in cond {
        let (prefix, base, if_exists) = split_op(op);
        let Value::Object(block) = block else {
            continue;
        };
        for (key, vals) in block {
            let ctx_vals = cu::strings(cu::context_get(ctx, key));
            let present = cu::context_get(ctx, key).is_some();
            let pol_vals = cu::strings(Some(vals));
            if !prefix.is_empty() && if_exists && !present {
                out.insert("set_ifexists_absent");
            }
            if v2012
                && present
                && NEGATED_STRING_ARN.contains(&base)
                && pol_vals.iter().any(|v| cu::variables(v).iter().any(|var| cu::unresolved(var, ctx)))
            {
                out.insert("negated_unresolved_variable");
            }
            if base.starts_with("Date") && pol_vals.iter().chain(ctx_vals.iter()).any(|v| digits(v)) {
                out.insert("date_epoch_value");
            }
            if base == "NotIpAddress"
                && ctx_vals.iter().any(|v| v.contains(':'))
                && pol_vals.iter().any(|v| !v.contains(':'))
            {
                out.insert("notip_ipv6_context_ipv4_value");
            }
            if (base == "IpAddress" || base == "NotIpAddress")
                && pol_vals.iter().any(|v| {
                    v.split_once('/').is_some_and(|(a, l)| a.contains('.') && l.trim_start_matches('0').is_empty())
                })
            {
                out.insert("ipv4_zero_prefix");
            }
        }
    }
    out
}

/// The case with the given divergence inputs taken out: statements that carry one of `triggers` are
/// replaced by a statement that never applies, and (with `session`) a session policy that does not allow
/// (D3, H1) is replaced by `Allow *:*`. An allowed divergence is confirmed only if both sides agree on
/// this case, i.e. the divergence is caused by the inputs its allow-list entries name.
pub fn neutralize(case: &Value, triggers: &BTreeSet<&str>, session: bool) -> Value {
    let ctx = cu::context(case);
    let mut out = crate::minimize::unwrap_policies(case);
    if let Value::Object(m) = &mut out {
        let slots: Vec<Slot> = cu::policies(case).iter().map(|p| p.slot).collect();
        for (doc, slot) in crate::gen::policies_mut(m).into_iter().zip(slots) {
            let snapshot = doc.clone();
            let stmts: Vec<&mut Value> = match doc.get_mut("Statement") {
                Some(Value::Array(a)) => a.iter_mut().collect(),
                Some(v @ Value::Object(_)) => vec![v],
                _ => continue,
            };
            for st in stmts {
                let Some(obj) = st.as_object() else { continue };
                if statement_triggers(obj, &snapshot, slot, &ctx).is_disjoint(triggers) {
                    continue;
                }
                let mut inert = Map::new();
                for key in ["Effect", "Principal", "NotPrincipal", "Resource", "NotResource"] {
                    if let Some(v) = obj.get(key) {
                        inert.insert(key.to_string(), v.clone());
                    }
                }
                // Keep the document well-formed: trust statements have no Resource.
                if slot != Slot::Trust && !inert.contains_key("Resource") && !inert.contains_key("NotResource") {
                    inert.insert("Resource".into(), json!("*"));
                }
                inert.insert("Action".into(), json!("nosuchservice:NoSuchAction"));
                *st = Value::Object(inert);
            }
        }
        if let Some(sp) = m.get("sessionPolicy").cloned().filter(|_| session) {
            let word = probe_word(&probe(
                case,
                &[("identityPolicies", Value::Array(vec![allow_all()])), ("sessionPolicy", sp)],
            ));
            if word == "no-allow" {
                m.insert("sessionPolicy".into(), allow_all());
            }
        }
    }
    out
}

/// How a `Principal` element names the caller (P2, P5), syntactically.
fn naming_forms(p: Option<&Value>, caller: &str, ptype: &str, acct: Option<&str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(p) = p else { return out };
    if p.as_str() == Some("*") {
        out.insert("star".to_string());
        return out;
    }
    let Some(m) = p.as_object() else { return out };
    for v in cu::strings(m.get("AWS")) {
        if v == "*" {
            out.insert("star".into());
        } else if v == caller {
            out.insert(
                match ptype {
                    "user" => "user-arn",
                    "role-session" => "role-session-arn",
                    "federated-user" => "federated-user-arn",
                    _ => "account",
                }
                .into(),
            );
        } else if ptype == "role-session" && cu::session_role_arn(caller).as_deref() == Some(v.as_str()) {
            out.insert("role-arn".into());
        } else if let Some(a) = acct {
            if v == a || v == format!("arn:aws:iam::{a}:root") {
                out.insert("account".into());
            }
        }
    }
    if ptype == "service" && cu::strings(m.get("Service")).iter().any(|s| s == caller) {
        out.insert("service".into());
    }
    out
}
