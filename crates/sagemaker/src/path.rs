//! Field paths into a JSON request body: `TrainingJobDefinitions[].VpcConfig.Subnets[]`.
//!
//! Segments are separated by `.`. `Name[]` steps into a member and iterates its array. A segment
//! containing `*` matches every member whose name fits the glob (`*AppSettings`), so one path can
//! cover the per-app settings blocks of Studio.

use serde_json::Value;

/// Every value the path reaches in `body`, in document order.
pub fn select<'a>(body: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut current = vec![body];
    for seg in path.split('.') {
        let (name, iterate) = match seg.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (seg, false),
        };
        let mut next = Vec::new();
        for v in current {
            let Value::Object(map) = v else { continue };
            let members: Vec<&Value> = if name.contains('*') {
                map.iter().filter(|(k, _)| glob(name, k)).map(|(_, v)| v).collect()
            } else {
                map.get(name).into_iter().collect()
            };
            for m in members {
                match (iterate, m) {
                    (true, Value::Array(items)) => next.extend(items.iter()),
                    (true, _) => {}
                    (false, Value::Null) => {}
                    (false, other) => next.push(other),
                }
            }
        }
        current = next;
    }
    current
}

/// The scalar values (string, number, bool) the path reaches, as text.
pub fn select_text(body: &Value, path: &str) -> Vec<String> {
    select(body, path).into_iter().filter_map(scalar_text).collect()
}

pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A `*`-only glob over member names.
fn glob(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    if !name.starts_with(first) || !name.ends_with(last) || name.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = name.get(first.len()..name.len() - last.len()).unwrap_or_default();
    for mid in parts.iter().skip(1).take(parts.len().saturating_sub(2)) {
        match rest.find(mid) {
            Some(i) => rest = rest.get(i + mid.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selects_through_arrays_and_globs() {
        let body = json!({
            "TrainingJobDefinitions": [{"VpcConfig": {"Subnets": ["a", "b"]}}, {"VpcConfig": {"Subnets": ["c"]}}],
            "UserSettings": {"JupyterLabAppSettings": {"DefaultResourceSpec": {"InstanceType": "ml.t3.medium"}},
                             "KernelGatewayAppSettings": {"DefaultResourceSpec": {"InstanceType": "ml.m5.large"}},
                             "SharingSettings": {"S3KmsKeyId": "k"}},
            "EnableNetworkIsolation": true, "MaxRuntime": 60
        });
        assert_eq!(select_text(&body, "TrainingJobDefinitions[].VpcConfig.Subnets[]"), ["a", "b", "c"]);
        assert_eq!(
            select_text(&body, "UserSettings.*AppSettings.DefaultResourceSpec.InstanceType"),
            ["ml.t3.medium", "ml.m5.large"]
        );
        assert_eq!(select_text(&body, "EnableNetworkIsolation"), ["true"]);
        assert_eq!(select_text(&body, "MaxRuntime"), ["60"]);
        assert!(select_text(&body, "Missing.Path").is_empty());
    }
}
