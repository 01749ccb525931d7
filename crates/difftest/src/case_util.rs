//! Reading CASE documents (the `sagegate simulate --input` format) as plain JSON: the policies they hold,
//! the principal, the context. Shared by the feature extractor, the minimizer and the validator glue.

use serde_json::{Map, Value};

/// The policy kinds of a case, as the harness validates them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    Identity,
    Resource,
    Trust,
    Boundary,
    Session,
    Scp,
    Rcp,
}

/// One policy of a case: where it is (the label matches the oracle runner's labels), its kind, its source
/// text (exactly what the engine reads) and its parsed document when it parses as JSON.
#[derive(Clone, Debug)]
pub struct PolicyRef {
    pub label: String,
    pub slot: Slot,
    pub text: String,
    pub doc: Option<Value>,
}

/// Actions decided on a role with its trust policy as the RBP (T1, E7).
pub const TRUST_ACTIONS: &[&str] = &[
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
];

pub fn is_trust_action(action: &str) -> bool {
    TRUST_ACTIONS.contains(&action.to_ascii_lowercase().as_str())
}

pub fn request(case: &Value) -> Option<&Map<String, Value>> {
    case.get("request")?.as_object()
}

pub fn action(case: &Value) -> String {
    request(case).and_then(|r| r.get("action")).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// The principal's ARN (or name), whether given as a string or as `{"arn", …}`.
pub fn principal(case: &Value) -> String {
    let p = request(case).and_then(|r| r.get("principal"));
    match p {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(m)) => m.get("arn").and_then(Value::as_str).unwrap_or_default().to_string(),
        _ => String::new(),
    }
}

pub fn context(case: &Value) -> Map<String, Value> {
    request(case).and_then(|r| r.get("context")).and_then(Value::as_object).cloned().unwrap_or_default()
}

/// Context lookup ignoring ASCII case (C2), preferring the exact spelling.
pub fn context_get<'a>(ctx: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    ctx.get(key).or_else(|| ctx.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

/// Exactly the text the engine reads for a POLICY value (mirrors the case format).
pub fn policy_text(v: &Value) -> String {
    match v {
        Value::String(t) => t.clone(),
        Value::Object(o) if o.contains_key("document") && !o.contains_key("Statement") => match o.get("document") {
            Some(Value::String(t)) => t.clone(),
            Some(doc) => serde_json::to_string_pretty(doc).unwrap_or_default(),
            None => String::new(),
        },
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

fn policy_ref(label: String, slot: Slot, v: &Value) -> PolicyRef {
    let text = policy_text(v);
    let doc = serde_json::from_str::<Value>(&text).ok();
    PolicyRef { label, slot, text, doc }
}

fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(other) => vec![other],
    }
}

/// Every policy of the case, labelled as the oracle runner labels them.
pub fn policies(case: &Value) -> Vec<PolicyRef> {
    let mut out = Vec::new();
    for (i, p) in as_list(case.get("identityPolicies")).into_iter().enumerate() {
        out.push(policy_ref(format!("identityPolicies[{i}]"), Slot::Identity, p));
    }
    if let Some(p) = case.get("resourcePolicy").filter(|v| !v.is_null()) {
        let slot = if is_trust_action(&action(case)) { Slot::Trust } else { Slot::Resource };
        out.push(policy_ref("resourcePolicy".into(), slot, p));
    }
    if let Some(p) = case.get("permissionsBoundary").filter(|v| !v.is_null()) {
        out.push(policy_ref("permissionsBoundary".into(), Slot::Boundary, p));
    }
    for (i, p) in as_list(case.get("sessionPolicy")).into_iter().enumerate() {
        out.push(policy_ref(format!("sessionPolicy[{i}]"), Slot::Session, p));
    }
    for (key, slot) in [("scps", Slot::Scp), ("rcps", Slot::Rcp)] {
        for (li, level) in as_list(case.get(key)).into_iter().enumerate() {
            for (i, p) in as_list(Some(level)).into_iter().enumerate() {
                out.push(policy_ref(format!("{key}[{li}][{i}]"), slot, p));
            }
        }
    }
    out
}

/// The statements of a parsed document.
pub fn statements(doc: &Value) -> Vec<&Map<String, Value>> {
    match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(m)) => vec![m],
        _ => Vec::new(),
    }
}

/// A string-or-list element as strings (numbers and booleans as their JSON text).
pub fn strings(v: Option<&Value>) -> Vec<String> {
    let one = |x: &Value| match x {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match v {
        None => Vec::new(),
        Some(Value::Array(a)) => a.iter().filter_map(one).collect(),
        Some(x) => one(x).into_iter().collect(),
    }
}

/// The account of an ARN-shaped principal (None for service and anonymous callers).
pub fn principal_account(p: &str) -> Option<String> {
    let parts: Vec<&str> = p.splitn(6, ':').collect();
    if parts.len() == 6 && parts.first() == Some(&"arn") {
        parts.get(4).map(|s| s.to_string()).filter(|s| !s.is_empty())
    } else {
        None
    }
}

/// The resource owner: `resourceAccount`, else the ARN's account, else the caller's.
pub fn resource_account(case: &Value) -> Option<String> {
    let r = request(case)?;
    if let Some(a) = r.get("resourceAccount").and_then(Value::as_str) {
        return Some(a.to_string());
    }
    let res = r.get("resource").and_then(Value::as_str).unwrap_or("*");
    principal_account(res).or_else(|| principal_account(&principal(case)))
}

/// The principal's kind, by the case format's naming rules.
pub fn principal_type(p: &str) -> &'static str {
    if p == "anonymous" || p == "*" {
        return "anonymous";
    }
    if !p.starts_with("arn:") {
        return "service";
    }
    let parts: Vec<&str> = p.splitn(6, ':').collect();
    let res = parts.get(5).copied().unwrap_or_default();
    match parts.get(2).copied().unwrap_or_default() {
        "iam" if res == "root" => "root",
        "iam" if res.starts_with("user/") => "user",
        "sts" if res.starts_with("assumed-role/") => "role-session",
        "sts" if res.starts_with("federated-user/") => "federated-user",
        _ => "other",
    }
}

/// For a role session ARN, its role's ARN (no path).
pub fn session_role_arn(p: &str) -> Option<String> {
    let parts: Vec<&str> = p.splitn(6, ':').collect();
    let res = parts.get(5)?;
    let rest = res.strip_prefix("assumed-role/")?;
    let role = rest.split('/').next()?;
    Some(format!("arn:{}:iam::{}:role/{role}", parts.get(1)?, parts.get(4)?))
}

/// A `${…}` occurrence (PV1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub key: String,
    pub default: Option<String>,
}

/// The well-formed variables in `text` (PV1); malformed `${` is literal text and not returned.
pub fn variables(text: &str) -> Vec<Var> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b.get(i) == Some(&b'$') && b.get(i + 1) == Some(&b'{') {
            let start = i + 2;
            let mut j = start;
            while j < b.len()
                && !matches!(b.get(j), Some(b'}' | b',' | b'\'') | None)
                && !b.get(j).is_some_and(u8::is_ascii_whitespace)
            {
                j += 1;
            }
            let key = text.get(start..j).unwrap_or_default().to_string();
            if key.is_empty() {
                i += 2;
                continue;
            }
            match b.get(j) {
                Some(b'}') => {
                    out.push(Var { key, default: None });
                    i = j + 1;
                    continue;
                }
                Some(b',') => {
                    let mut k = j + 1;
                    while b.get(k) == Some(&b' ') {
                        k += 1;
                    }
                    if b.get(k) == Some(&b'\'') {
                        let ds = k + 1;
                        let mut e = ds;
                        while e < b.len() && b.get(e) != Some(&b'\'') {
                            e += 1;
                        }
                        if b.get(e) == Some(&b'\'') && b.get(e + 1) == Some(&b'}') {
                            out.push(Var { key, default: Some(text.get(ds..e).unwrap_or_default().to_string()) });
                            i = e + 2;
                            continue;
                        }
                    }
                }
                _ => {}
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

/// True if `v` does not resolve against the context (PV4): no default, not `*`/`?`/`$`, and the key is
/// absent or multivalued.
pub fn unresolved(v: &Var, ctx: &Map<String, Value>) -> bool {
    if v.default.is_some() || matches!(v.key.as_str(), "*" | "?" | "$") {
        return false;
    }
    !matches!(context_get(ctx, &v.key), Some(Value::String(_) | Value::Number(_) | Value::Bool(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_variables() {
        assert_eq!(
            variables("a${aws:username}b${x, 'd'}${*}${ok}${}"),
            vec![
                Var { key: "aws:username".into(), default: None },
                Var { key: "x".into(), default: Some("d".into()) },
                Var { key: "*".into(), default: None },
                Var { key: "ok".into(), default: None },
            ]
        );
        assert!(variables("${a b}").is_empty());
    }
}
