//! Placeholder expansion on the parsed JSON tree (spec `role-manager.md` §4).
//!
//! `{{Name}}` is a single value replaced in place. A string holding `[[Name]]` becomes one string
//! per value, in the order given; inside an array the copies take the string's place, and a scalar
//! (a `Resource`, a condition value) becomes an array when there is more than one. The CDK does the
//! same with regular expressions over the text; working on the tree cannot break the JSON.

use std::collections::BTreeMap;

use serde_json::Value;

/// The values to substitute.
#[derive(Debug, Default, Clone)]
pub struct Values {
    /// `{{Name}}` → value.
    pub single: BTreeMap<String, String>,
    /// `[[Name]]` → values.
    pub multi: BTreeMap<String, Vec<String>>,
}

/// The placeholders of each kind a document holds: (single names, multi names), sorted.
pub fn placeholders(doc: &Value) -> (Vec<String>, Vec<String>) {
    let mut single = Vec::new();
    let mut multi = Vec::new();
    walk_strings(doc, &mut |s| {
        for name in names_between(s, "{{", "}}") {
            single.push(name);
        }
        for name in names_between(s, "[[", "]]") {
            multi.push(name);
        }
    });
    single.sort();
    single.dedup();
    multi.sort();
    multi.dedup();
    (single, multi)
}

fn walk_strings(v: &Value, f: &mut impl FnMut(&str)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|i| walk_strings(i, f)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            f(k);
            walk_strings(v, f);
        }),
        _ => {}
    }
}

/// The names between each `open`…`close` pair of `s`.
fn names_between(s: &str, open: &str, close: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find(open) {
        let after = rest.get(start + open.len()..).unwrap_or_default();
        let Some(end) = after.find(close) else { break };
        out.push(after.get(..end).unwrap_or_default().to_string());
        rest = after.get(end + close.len()..).unwrap_or_default();
    }
    out
}

/// Expands a document. Returns the placeholders left without a value (sorted) as the error; object
/// keys are never expanded (no template has a placeholder in a key, and one there is an error).
pub fn expand(doc: &Value, values: &Values) -> Result<Value, Vec<String>> {
    let mut missing = Vec::new();
    let out = expand_value(doc, values, &mut missing);
    missing.sort();
    missing.dedup();
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

fn expand_value(v: &Value, values: &Values, missing: &mut Vec<String>) -> Value {
    match v {
        Value::String(s) => {
            let mut copies = expand_string(s, values, missing);
            if copies.len() == 1 {
                Value::String(copies.remove(0))
            } else {
                Value::Array(copies.into_iter().map(Value::String).collect())
            }
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .flat_map(|item| match item {
                    Value::String(s) => expand_string(s, values, missing).into_iter().map(Value::String).collect(),
                    other => vec![expand_value(other, values, missing)],
                })
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    if k.contains("{{") || k.contains("[[") {
                        missing.push(format!("a placeholder in the key `{k}`"));
                    }
                    (k.clone(), expand_value(v, values, missing))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// One string → its copies: single values first, then the first multi placeholder, recursively (a
/// string with two different multi placeholders becomes their cross product, as in the CDK).
fn expand_string(s: &str, values: &Values, missing: &mut Vec<String>) -> Vec<String> {
    let mut text = s.to_string();
    for name in names_between(s, "{{", "}}") {
        match values.single.get(&name) {
            Some(v) => text = text.replace(&format!("{{{{{name}}}}}"), v),
            None => missing.push(format!("{{{{{name}}}}}")),
        }
    }
    let Some(name) = names_between(&text, "[[", "]]").into_iter().next() else {
        return vec![text];
    };
    let placeholder = format!("[[{name}]]");
    match values.multi.get(&name).filter(|v| !v.is_empty()) {
        None => {
            missing.push(placeholder);
            Vec::new()
        }
        Some(list) => {
            list.iter().flat_map(|value| expand_string(&text.replace(&placeholder, value), values, missing)).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values() -> Values {
        let mut v = Values::default();
        v.single.insert("Region".into(), "us-east-1".into());
        v.single.insert("AccountId".into(), "111122223333".into());
        v.multi.insert("S3Buckets".into(), vec!["a".into(), "b".into()]);
        v.multi.insert("PassRoles".into(), vec!["arn:aws:iam::111122223333:role/R".into()]);
        v
    }

    #[test]
    fn strings_in_arrays_are_spliced_and_scalars_become_arrays() {
        let doc = json!({"Statement": [
            {"Resource": ["arn:aws:s3:::[[S3Buckets]]/*", "x"]},
            {"Resource": "arn:aws:s3:::[[S3Buckets]]"},
            {"Resource": "[[PassRoles]]"},
            {"Resource": "arn:aws:glue:{{Region}}:{{AccountId}}:catalog"},
        ]});
        let out = expand(&doc, &values()).unwrap();
        assert_eq!(
            out,
            json!({"Statement": [
                {"Resource": ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*", "x"]},
                {"Resource": ["arn:aws:s3:::a", "arn:aws:s3:::b"]},
                {"Resource": "arn:aws:iam::111122223333:role/R"},
                {"Resource": "arn:aws:glue:us-east-1:111122223333:catalog"},
            ]})
        );
    }

    #[test]
    fn missing_values_are_reported_together() {
        let doc = json!({"a": ["[[VpcSubnets]]", "{{Partition}}"], "b": "[[S3Buckets]]"});
        assert_eq!(expand(&doc, &values()).unwrap_err(), vec!["[[VpcSubnets]]", "{{Partition}}"]);
        let mut empty = values();
        empty.multi.insert("S3Buckets".into(), vec![]);
        assert_eq!(expand(&json!(["[[S3Buckets]]"]), &empty).unwrap_err(), vec!["[[S3Buckets]]"]);
        assert_eq!(placeholders(&doc), (vec!["Partition".to_string()], vec!["S3Buckets".into(), "VpcSubnets".into()]));
    }

    #[test]
    fn policy_variables_are_left_alone() {
        let doc = json!({"Resource": "arn:aws:sagemaker:{{Region}}:*:space/${sagemaker:DomainId}/*"});
        assert_eq!(
            expand(&doc, &values()).unwrap(),
            json!({"Resource": "arn:aws:sagemaker:us-east-1:*:space/${sagemaker:DomainId}/*"})
        );
    }
}
