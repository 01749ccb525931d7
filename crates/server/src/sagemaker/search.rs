//! Search (spec §3.3): SearchExpression filters, sorting and paging over the emulated resources, then
//! the VisibilityConditions result filter. Nothing else filters: Search returns what Describe* might deny.

use serde_json::{json, Map, Value};

use sagegate_store::Tx;

use super::families::family;
use super::ops::{self, s, validation, Out};
use super::records::{list_all, type_prefix};
use super::{Env, Fail};

/// Search resource names and the families that hold them.
const SEARCHABLE: &[(&str, &str)] = &[
    ("TrainingJob", "training-job"),
    ("Endpoint", "endpoint"),
    ("Model", "model"),
    ("HyperParameterTuningJob", "hyper-parameter-tuning-job"),
];

/// The value at a dotted property path of a result (`ResourceConfig.InstanceType`, `Tags.team`).
fn property<'a>(doc: &'a Map<String, Value>, tags: &'a [(String, String)], path: &str) -> Option<Value> {
    if let Some(key) = path.strip_prefix("Tags.") {
        return tags.iter().find(|(k, _)| k == key).map(|(_, v)| Value::String(v.clone()));
    }
    let mut parts = path.split('.');
    let mut cur = doc.get(parts.next()?)?;
    for p in parts {
        cur = match cur {
            Value::Object(o) => o.get(p)?,
            Value::Array(a) => a.iter().find_map(|x| x.get(p))?,
            _ => return None,
        };
    }
    Some(cur.clone())
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn compare(a: &Value, b: &str) -> std::cmp::Ordering {
    match (a.as_f64(), b.parse::<f64>()) {
        (Some(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
        _ => text(a).as_str().cmp(b),
    }
}

fn filter_holds(f: &Value, doc: &Map<String, Value>, tags: &[(String, String)]) -> Result<bool, Fail> {
    let name = s(f, "Name").ok_or_else(|| validation("A search filter needs a Name."))?;
    let op = s(f, "Operator").unwrap_or("Equals");
    let want = s(f, "Value");
    let got = property(doc, tags, name);
    use std::cmp::Ordering::*;
    Ok(match (op, got, want) {
        ("Exists", g, _) => g.is_some(),
        ("NotExists", g, _) => g.is_none(),
        (_, None, _) => false,
        (_, Some(_), None) => return Err(validation(format!("The search filter on {name} needs a Value."))),
        ("Equals", Some(g), Some(w)) => text(&g) == w,
        ("NotEquals", Some(g), Some(w)) => text(&g) != w,
        ("GreaterThan", Some(g), Some(w)) => compare(&g, w) == Greater,
        ("GreaterThanOrEqualTo", Some(g), Some(w)) => compare(&g, w) != Less,
        ("LessThan", Some(g), Some(w)) => compare(&g, w) == Less,
        ("LessThanOrEqualTo", Some(g), Some(w)) => compare(&g, w) != Greater,
        ("Contains", Some(g), Some(w)) => text(&g).contains(w),
        ("In", Some(g), Some(w)) => w.split(',').any(|x| x.trim() == text(&g)),
        (other, _, _) => return Err(validation(format!("Unsupported search operator {other}."))),
    })
}

fn expression_holds(e: &Value, doc: &Map<String, Value>, tags: &[(String, String)]) -> Result<bool, Fail> {
    let or = s(e, "Operator") == Some("Or");
    let mut results = Vec::new();
    for f in e.get("Filters").and_then(Value::as_array).into_iter().flatten() {
        results.push(filter_holds(f, doc, tags)?);
    }
    for n in e.get("NestedFilters").and_then(Value::as_array).into_iter().flatten() {
        // A nested filter matches when one element of the nested list satisfies all its filters.
        let prop = s(n, "NestedPropertyName").unwrap_or_default();
        let items = property(doc, tags, prop).and_then(|v| v.as_array().cloned()).unwrap_or_default();
        let mut any = false;
        for item in items {
            let Some(obj) = item.as_object() else { continue };
            let mut all = true;
            for f in n.get("Filters").and_then(Value::as_array).into_iter().flatten() {
                let mut g = f.clone();
                if let (Some(full), Some(o)) = (s(f, "Name").map(str::to_string), g.as_object_mut()) {
                    let short = full.strip_prefix(&format!("{prop}.")).unwrap_or(&full).to_string();
                    o.insert("Name".into(), json!(short));
                }
                all &= filter_holds(&g, obj, &[])?;
            }
            any |= all;
        }
        results.push(any);
    }
    for sub in e.get("SubExpressions").and_then(Value::as_array).into_iter().flatten() {
        results.push(expression_holds(sub, doc, tags)?);
    }
    Ok(if or { results.iter().any(|x| *x) } else { results.iter().all(|x| *x) })
}

/// §3.3 result filtering: per distinct key, a result carrying the tag is kept only if its value is one
/// of the values given for that key (OR); keys combine with AND; a result lacking the tag is kept.
fn visible(conditions: &[(String, String)], tags: &[(String, String)]) -> bool {
    let mut keys: Vec<&str> = conditions.iter().map(|(k, _)| k.as_str()).collect();
    keys.dedup();
    keys.iter().all(|key| {
        let tag = key.strip_prefix("Tags.").unwrap_or(key);
        match tags.iter().find(|(k, _)| k == tag) {
            None => true,
            Some((_, v)) => conditions.iter().any(|(k, want)| k == key && want == v),
        }
    })
}

pub fn search(env: &Env, tx: &mut dyn Tx) -> Out {
    let resource = s(&env.body, "Resource").unwrap_or_default();
    let conditions: Vec<(String, String)> = env
        .body
        .get("VisibilityConditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| Some((s(c, "Key")?.to_string(), s(c, "Value").unwrap_or_default().to_string())))
        .collect();
    let Some((_, ty)) = SEARCHABLE.iter().find(|(r, _)| *r == resource) else {
        return Ok(json!({"Results": []}));
    };
    let Some(f) = family(ty) else { return Ok(json!({"Results": []})) };
    // Each hit: its Describe shape and its tags.
    type Hit = (Map<String, Value>, Vec<(String, String)>);
    let mut hits: Vec<Hit> = Vec::new();
    for r in list_all(tx, &type_prefix(&env.region, ty))? {
        let doc = ops::describe_doc(env, tx, f, &r);
        if let Some(e) = env.body.get("SearchExpression") {
            if !expression_holds(e, &doc, &r.tags)? {
                continue;
            }
        }
        if !visible(&conditions, &r.tags) {
            continue;
        }
        hits.push((doc, r.tags));
    }
    let docs: Vec<Map<String, Value>> = hits
        .into_iter()
        .map(|(mut d, tags)| {
            d.insert("Tags".into(), ops::tags_json(&tags));
            d
        })
        .collect();
    let status = f.lifecycle.map_or("Status", |l| l.field);
    let (docs, next) = ops::sort_and_page(&env.body, f.name_field, status, docs)?;
    let results: Vec<Value> = docs.into_iter().map(|d| json!({ resource: d })).collect();
    let mut out = json!({"Results": results});
    if let (Some(t), Some(o)) = (next, out.as_object_mut()) {
        o.insert("NextToken".into(), json!(t));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn visibility_conditions_filter_as_the_spec_says() {
        let d1 = pairs(&[("Tags.sagemaker:domain-arn", "D1")]);
        let d12 = pairs(&[("Tags.sagemaker:domain-arn", "D1"), ("Tags.sagemaker:domain-arn", "D2")]);
        assert!(visible(&d1, &pairs(&[("sagemaker:domain-arn", "D1")])));
        assert!(!visible(&d1, &pairs(&[("sagemaker:domain-arn", "D2")])));
        assert!(visible(&d1, &[]));
        assert!(visible(&d12, &pairs(&[("sagemaker:domain-arn", "D2")])));
        let and = pairs(&[("Tags.sagemaker:domain-arn", "D1"), ("Tags.team", "x")]);
        assert!(!visible(&and, &pairs(&[("sagemaker:domain-arn", "D1"), ("team", "y")])));
        assert!(visible(&and, &pairs(&[("sagemaker:domain-arn", "D1")])));
    }
}
