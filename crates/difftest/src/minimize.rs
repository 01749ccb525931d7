//! Greedy reduction of a disagreeing case: repeatedly delete one piece (a policy, statement, condition
//! operator, key, list element, context key) while the same unexplained disagreement persists.

use crate::case_util as cu;
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Idx(usize),
}

fn k(s: &str) -> Seg {
    Seg::Key(s.to_string())
}

fn get<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Seg::Key(key) => cur.get(key.as_str())?,
            Seg::Idx(i) => cur.get(*i)?,
        };
    }
    Some(cur)
}

fn get_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Seg::Key(key) => cur.get_mut(key.as_str())?,
            Seg::Idx(i) => cur.get_mut(*i)?,
        };
    }
    Some(cur)
}

/// Removes the element at `path`; returns the edited clone.
pub fn remove(v: &Value, path: &[Seg]) -> Option<Value> {
    let (last, parent) = path.split_last()?;
    let mut out = v.clone();
    let p = get_mut(&mut out, parent)?;
    match (p, last) {
        (Value::Object(m), Seg::Key(key)) => {
            m.remove(key)?;
        }
        (Value::Array(a), Seg::Idx(i)) if *i < a.len() => {
            a.remove(*i);
        }
        _ => return None,
    }
    Some(out)
}

/// Turns every `{"name","document"}` and JSON-string policy into a plain document object.
pub fn unwrap_policies(case: &Value) -> Value {
    let mut out = case.clone();
    let Some(m) = out.as_object_mut() else {
        return out;
    };
    for p in crate::gen::policies_mut(m) {
        let text = cu::policy_text(p);
        if let Ok(doc @ Value::Object(_)) = serde_json::from_str::<Value>(&text) {
            *p = doc;
        }
    }
    out
}

fn keys(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

/// Every single-deletion edit of the case, biggest first.
pub fn edits(case: &Value) -> Vec<Vec<Seg>> {
    let mut out = Vec::new();
    for key in ["rcps", "scps", "resourcePolicy", "permissionsBoundary", "sessionPolicy", "identityPolicies"] {
        if case.get(key).is_some() {
            out.push(vec![k(key)]);
        }
    }
    let mut policy_paths: Vec<Vec<Seg>> = Vec::new();
    for key in ["identityPolicies", "sessionPolicy"] {
        match case.get(key) {
            Some(Value::Array(a)) => {
                for i in 0..a.len() {
                    out.push(vec![k(key), Seg::Idx(i)]);
                    policy_paths.push(vec![k(key), Seg::Idx(i)]);
                }
            }
            Some(_) => policy_paths.push(vec![k(key)]),
            None => {}
        }
    }
    for key in ["resourcePolicy", "permissionsBoundary"] {
        if case.get(key).is_some() {
            policy_paths.push(vec![k(key)]);
        }
    }
    for key in ["scps", "rcps"] {
        if let Some(Value::Array(levels)) = case.get(key) {
            for (li, l) in levels.iter().enumerate() {
                out.push(vec![k(key), Seg::Idx(li)]);
                if let Value::Array(ps) = l {
                    for pi in 0..ps.len() {
                        out.push(vec![k(key), Seg::Idx(li), Seg::Idx(pi)]);
                        policy_paths.push(vec![k(key), Seg::Idx(li), Seg::Idx(pi)]);
                    }
                }
            }
        }
    }
    for p in policy_paths {
        let Some(doc) = get(case, &p) else { continue };
        let mut stmt_paths = Vec::new();
        match doc.get("Statement") {
            Some(Value::Array(a)) => {
                for i in 0..a.len() {
                    let mut sp = p.clone();
                    sp.extend([k("Statement"), Seg::Idx(i)]);
                    if a.len() > 1 {
                        out.push(sp.clone());
                    }
                    stmt_paths.push(sp);
                }
            }
            Some(Value::Object(_)) => {
                let mut sp = p.clone();
                sp.push(k("Statement"));
                stmt_paths.push(sp);
            }
            _ => {}
        }
        for sp in stmt_paths {
            statement_edits(case, &sp, &mut out);
        }
    }
    let ctx = vec![k("request"), k("context")];
    for key in keys(get(case, &ctx)) {
        let mut p = ctx.clone();
        p.push(Seg::Key(key.clone()));
        out.push(p.clone());
        if let Some(Value::Array(a)) = get(case, &p) {
            for i in 0..a.len() {
                let mut e = p.clone();
                e.push(Seg::Idx(i));
                out.push(e);
            }
        }
    }
    out
}

fn list_element_edits(case: &Value, p: &[Seg], out: &mut Vec<Vec<Seg>>) {
    if let Some(Value::Array(a)) = get(case, p) {
        if a.len() > 1 {
            for i in 0..a.len() {
                let mut e = p.to_vec();
                e.push(Seg::Idx(i));
                out.push(e);
            }
        }
    }
}

fn statement_edits(case: &Value, sp: &[Seg], out: &mut Vec<Vec<Seg>>) {
    let Some(st) = get(case, sp) else { return };
    for key in ["Condition", "Sid"] {
        if st.get(key).is_some() {
            let mut e = sp.to_vec();
            e.push(k(key));
            out.push(e);
        }
    }
    for key in ["Action", "NotAction", "Resource", "NotResource"] {
        let mut p = sp.to_vec();
        p.push(k(key));
        list_element_edits(case, &p, out);
    }
    for key in ["Principal", "NotPrincipal"] {
        let mut p = sp.to_vec();
        p.push(k(key));
        let ks = keys(get(case, &p));
        for pk in &ks {
            let mut e = p.clone();
            e.push(Seg::Key(pk.clone()));
            if ks.len() > 1 {
                out.push(e.clone());
            }
            list_element_edits(case, &e, out);
        }
    }
    let mut cp = sp.to_vec();
    cp.push(k("Condition"));
    let ops = keys(get(case, &cp));
    for op in &ops {
        let mut opp = cp.clone();
        opp.push(Seg::Key(op.clone()));
        if ops.len() > 1 {
            out.push(opp.clone());
        }
        let ck = keys(get(case, &opp));
        for key in &ck {
            let mut kp = opp.clone();
            kp.push(Seg::Key(key.clone()));
            if ck.len() > 1 {
                out.push(kp.clone());
            }
            list_element_edits(case, &kp, out);
        }
    }
}

/// Shapes the generator never produces because the oracle cannot represent them (see `gen`); reductions
/// must not create them either. Returns the first problem found.
pub fn shape_problem(case: &Value) -> Option<String> {
    let principal = cu::principal(case);
    let ptype = cu::principal_type(&principal);
    let action = cu::action(case);
    let has = |k: &str| case.get(k).is_some_and(|v| !v.is_null());
    match ptype {
        "root" => {
            let ok = cu::policies(case).iter().any(|p| {
                p.slot == cu::Slot::Identity
                    && p.doc.as_ref().is_some_and(|d| {
                        cu::statements(d).iter().any(|s| {
                            s.get("Effect").and_then(Value::as_str) == Some("Allow")
                                && cu::strings(s.get("Action")).iter().any(|a| a == "*")
                                && cu::strings(s.get("Resource")).iter().any(|r| r == "*")
                                && s.get("Condition").is_none()
                        })
                    })
            });
            if !ok {
                return Some("root caller without an identity Allow *:* (E10 modelled for the oracle)".into());
            }
        }
        "federated-user" if !has("sessionPolicy") => {
            return Some("federated user without a session policy (T6)".into());
        }
        "service" | "anonymous" => {
            for k in ["identityPolicies", "permissionsBoundary", "sessionPolicy", "scps"] {
                if has(k) {
                    return Some(format!("{ptype} caller with `{k}` (E2)"));
                }
            }
        }
        _ => {}
    }
    if case.get("sessionPolicy").and_then(Value::as_array).is_some_and(Vec::is_empty) {
        return Some("empty sessionPolicy list".into());
    }
    if ptype == "root" && cu::policies(case).iter().filter(|p| p.slot == cu::Slot::Identity).count() != 1 {
        return Some("root caller with identity policies besides its Allow *:* (E2)".into());
    }
    let svc = action.split(':').next().unwrap_or_default().to_ascii_lowercase();
    if (cu::is_trust_action(&action) || svc == "kms") && !has("resourcePolicy") {
        return Some("trust/key-policy action without its resource policy (E7)".into());
    }
    None
}

/// Keeps only object keys that are not empty lists/objects left behind by deletions.
pub fn tidy(v: &mut Value) {
    if let Value::Object(m) = v {
        let drop: Vec<String> = m
            .iter()
            .filter(|(key, x)| {
                matches!(key.as_str(), "identityPolicies" | "scps" | "rcps") && x.as_array().is_some_and(Vec::is_empty)
            })
            .map(|(key, _)| key.clone())
            .collect();
        for key in drop {
            m.remove(&key);
        }
    }
}
