//! API-level seed tests: the raw SageMaker request goes in, SageMaker's authorization outcome comes
//! out (spec `sagemaker-authorization.md` §6, issue 3 item 5). The cases are data, in
//! `tests/api-seeds/*.json` at the workspace root; this harness runs them all, like a corpus, and
//! reports every failure at once.
//!
//! # Case format
//!
//! Each file is a JSON array of case objects (documented for users in `docs/sagemaker-mapping.md`):
//!
//! | field | required | meaning |
//! |---|---|---|
//! | `id` | yes | unique over all files |
//! | `scenario` | yes | the seed scenario, `"S7"` |
//! | `description` | no | free text; say what the spec line is |
//! | `principal` | yes | the caller, as in CASE.json: an ARN string, or `{"arn", "roleArn", "uniqueId", …}` |
//! | `studio` | no | the Studio session context of the credentials: `{"domainId", "userProfileName"?, "spaceName"?}` (§4.5) |
//! | `network` | no | the network origin (§2.6): `{"sourceIp": IP}` (public, the default is alice's `192.0.2.10`) or `{"vpce", "vpc", "vpcSourceIp"?}` (through an interface VPC endpoint: no `aws:SourceIp`) |
//! | `context` | no | further request-context keys (string or list of strings); they override the defaults |
//! | `region` | no | default `us-east-1` |
//! | `identityPolicies` | no | policies as in CASE.json (document, `{"name", "document"}`, or text) |
//! | `managedPolicies` | no | AWS managed policies by ARN or name, added to the identity policies (from the catalog) |
//! | `permissionsBoundary`, `sessionPolicy`, `scps` | no | as in CASE.json |
//! | `state` | no | stored resources, spaces, model-package groups, the next domain id (`JsonState`) |
//! | `operation` | yes | the API operation, `"CreateTrainingJob"` |
//! | `request` | yes | the raw JSON body, as boto3 sends it |
//! | `expect` | yes | `Allow`, `ImplicitDeny` or `ExplicitDeny`: the call's authorization outcome |
//! | `expectFailedAction` | no | the action of the first check that did not allow (`iam:PassRole`) |
//! | `expectFailedResource` | no | that check's resource |
//! | `expectMessage` | no | the exact AccessDenied text (§2.7) |
//! | `expectChecks` | no | the planned checks, in order: `[{"kind"?: "C1"/"C2"/"C2'"/"C3", "action", "resource", "decision"?, "context"?: {key: value or [values]}, "absent"?: [keys]}]`; listed context keys must be present with that value (lists compare as sets), `absent` keys must be missing |
//! | `after` | no | what SageMaker does after authorization (`"Validation"`, `"ResourceInUse"`); informational |
//!
//! Every check carries the always-present keys of §2.6 unless `context` overrides them:
//! `aws:RequestedRegion` (the region), `aws:SecureTransport` `true`, `aws:ViaAWSService` `false`,
//! `aws:CurrentTime` `2026-10-01T12:00:00Z`, `aws:EpochTime` `1790856000`, plus the network keys and
//! the principal keys CASE.json derives.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use sagegate_catalog::Catalog;
use sagegate_policy::case::{Case, CaseBody};
use sagegate_policy::{ContextValue, Decision};
use sagegate_sagemaker::{decide, plan, Caller, CatalogSar, CheckKind, JsonState, Scope, StudioSession};
use serde_json::{json, Map, Value};

const FIELDS: [&str; 22] = [
    "id",
    "scenario",
    "description",
    "principal",
    "studio",
    "network",
    "context",
    "region",
    "identityPolicies",
    "managedPolicies",
    "permissionsBoundary",
    "sessionPolicy",
    "scps",
    "state",
    "operation",
    "request",
    "expect",
    "expectFailedAction",
    "expectFailedResource",
    "expectMessage",
    "expectChecks",
    "after",
];

/// The scenarios of §6 that make SageMaker API calls; each must have at least one case.
const SCENARIOS: [&str; 30] = [
    "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10", "S11", "S12", "S13", "S14", "S15", "S16", "S17", "S18",
    "S19", "S20", "S21", "S22", "S23", "S24", "S25", "S26", "S27", "S28", "S29", "S30", "S31",
];

fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/api-seeds")
}

fn kind_name(k: CheckKind) -> &'static str {
    match k {
        CheckKind::Action => "C1",
        CheckKind::TagOnCreate => "C2",
        CheckKind::Extra => "C2'",
        CheckKind::PassRole => "C3",
    }
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The request context of §2.6 for this case: defaults, network origin, then the case's keys.
fn context_of(case: &Map<String, Value>, region: &str) -> Result<Map<String, Value>, String> {
    let mut ctx = Map::new();
    ctx.insert("aws:RequestedRegion".into(), json!(region));
    ctx.insert("aws:SecureTransport".into(), json!("true"));
    ctx.insert("aws:ViaAWSService".into(), json!("false"));
    ctx.insert("aws:CurrentTime".into(), json!("2026-10-01T12:00:00Z"));
    ctx.insert("aws:EpochTime".into(), json!("1790856000"));
    let network = case.get("network").cloned().unwrap_or_else(|| json!({"sourceIp": "192.0.2.10"}));
    let net = network.as_object().ok_or("`network` must be an object")?;
    for (k, v) in net {
        let key = match k.as_str() {
            "sourceIp" => "aws:SourceIp",
            "vpce" => "aws:SourceVpce",
            "vpc" => "aws:SourceVpc",
            "vpcSourceIp" => "aws:VpcSourceIp",
            other => return Err(format!("unknown network member `{other}`")),
        };
        ctx.insert(key.into(), v.clone());
    }
    if net.contains_key("sourceIp") && net.contains_key("vpce") {
        return Err("`network` is either public (sourceIp) or through an endpoint (vpce)".into());
    }
    if let Some(c) = case.get("context") {
        for (k, v) in c.as_object().ok_or("`context` must be an object")? {
            // An explicit key wins over a default of another spelling (R10).
            ctx.retain(|existing, _| !existing.eq_ignore_ascii_case(k));
            ctx.insert(k.clone(), v.clone());
        }
    }
    Ok(ctx)
}

/// Runs one case; returns its failures.
fn run_case(case: &Map<String, Value>) -> Result<Vec<String>, String> {
    if let Some(k) = case.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!("unknown field `{k}`"));
    }
    let s = |k: &str| case.get(k).and_then(Value::as_str);
    let op = s("operation").ok_or("`operation` is required")?;
    let body = case.get("request").ok_or("`request` is required")?;
    if !body.is_object() {
        return Err("`request` must be the JSON body, an object".into());
    }
    let expect = s("expect").ok_or("`expect` is required")?;
    if !["Allow", "ImplicitDeny", "ExplicitDeny"].contains(&expect) {
        return Err(format!("`expect` must be Allow, ImplicitDeny or ExplicitDeny, not `{expect}`"));
    }
    let region = s("region").unwrap_or("us-east-1");

    // The policy inputs go through the CASE.json reader, which also derives the principal keys.
    let mut identity: Vec<Value> = case
        .get("identityPolicies")
        .map(|v| v.as_array().cloned().ok_or("`identityPolicies` must be a list"))
        .transpose()?
        .unwrap_or_default();
    for m in case.get("managedPolicies").and_then(Value::as_array).into_iter().flatten() {
        let name = m.as_str().ok_or("`managedPolicies` holds ARNs or names")?;
        let catalog = Catalog::get();
        let p = catalog
            .managed_policy_by_arn(name)
            .or_else(|| catalog.managed_policy_by_name(name))
            .ok_or_else(|| format!("no managed policy `{name}`"))?;
        identity.push(json!({"name": p.name, "document": p.document}));
    }
    let mut case_json = json!({
        "request": {
            "principal": case.get("principal").ok_or("`principal` is required")?,
            "action": format!("sagemaker:{op}"),
            "resource": "*",
            "context": context_of(case, region)?,
        },
        "identityPolicies": identity,
    });
    for k in ["permissionsBoundary", "sessionPolicy", "scps"] {
        if let Some(v) = case.get(k) {
            if let Some(o) = case_json.as_object_mut() {
                o.insert(k.to_string(), v.clone());
            }
        }
    }
    let parsed = Case::from_value(&case_json).map_err(|e| e.to_string())?;
    let CaseBody::Decision(d) = &parsed.body else {
        return Err("not a decision case".into());
    };
    let policies = d.policy_set().map_err(|e| e.to_string())?;
    let principal = d.request.principal.clone();
    let account = principal.account.clone().ok_or("the principal has no account")?;

    let studio = match case.get("studio") {
        None => None,
        Some(v) => {
            let o = v.as_object().ok_or("`studio` must be an object")?;
            if let Some(k) = o.keys().find(|k| !["domainId", "userProfileName", "spaceName"].contains(&k.as_str())) {
                return Err(format!("unknown studio member `{k}`"));
            }
            let f = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
            Some(StudioSession {
                domain_id: f("domainId").ok_or("`studio.domainId` is required")?,
                user_profile_name: f("userProfileName"),
                space_name: f("spaceName"),
            })
        }
    };
    let state = match case.get("state") {
        Some(v) => JsonState::from_value(v)?,
        None => JsonState::default(),
    };
    let caller = Caller { principal: principal.clone(), context: d.request.context.clone(), studio };
    let scope = Scope::new(region, &account);
    let checks =
        plan(op, body, &scope, &caller, &state, &CatalogSar::default()).map_err(|e| format!("plan failed: {e}"))?;
    let outcome = decide(checks, &principal, &policies);

    let mut failures = Vec::new();
    let first_failed = outcome.failed.and_then(|i| outcome.decisions.get(i));
    let got = first_failed.map_or("Allow", |(_, dec)| dec.kind().as_str());
    let summary = || {
        outcome
            .decisions
            .iter()
            .map(|(c, dec)| format!("{} {} on {} -> {}", kind_name(c.kind), c.action, c.resource, dec.kind().as_str()))
            .collect::<Vec<_>>()
            .join("; ")
    };
    if got != expect {
        failures.push(format!("expected {expect}, got {got} [{}]", summary()));
    }
    if let Some(want) = s("expectFailedAction") {
        let have = first_failed.map(|(c, _)| c.action.as_str());
        if have != Some(want) {
            failures.push(format!("expected the first failing check to be {want}, got {have:?}"));
        }
    }
    if let Some(want) = s("expectFailedResource") {
        let have = first_failed.map(|(c, _)| c.resource.as_str());
        if have != Some(want) {
            failures.push(format!("expected the first failing resource {want}, got {have:?}"));
        }
    }
    if let Some(want) = s("expectMessage") {
        if outcome.message.as_deref() != Some(want) {
            failures.push(format!("expected message {want:?}, got {:?}", outcome.message));
        }
    }
    if let Some(want) = case.get("expectChecks") {
        let want = want.as_array().ok_or("`expectChecks` must be a list")?;
        if want.len() != outcome.decisions.len() {
            failures.push(format!(
                "expected {} checks, planned {} [{}]",
                want.len(),
                outcome.decisions.len(),
                summary()
            ));
        }
        for (i, (w, (c, dec))) in want.iter().zip(&outcome.decisions).enumerate() {
            let w = w.as_object().ok_or("each expected check is an object")?;
            if let Some(k) = w
                .keys()
                .find(|k| !["kind", "action", "resource", "decision", "context", "absent"].contains(&k.as_str()))
            {
                return Err(format!("unknown expected-check member `{k}`"));
            }
            let ws = |k: &str| w.get(k).and_then(Value::as_str);
            let mut diff = |what: &str, want: Option<&str>, have: &str| {
                if let Some(want) = want {
                    if want != have {
                        failures.push(format!("check {}: expected {what} {want}, got {have}", i + 1));
                    }
                }
            };
            diff("kind", ws("kind"), kind_name(c.kind));
            diff("action", ws("action"), &c.action);
            diff("resource", ws("resource"), &c.resource);
            diff("decision", ws("decision"), dec.kind().as_str());
            for (k, v) in w.get("context").and_then(Value::as_object).into_iter().flatten() {
                let want_set: Option<Vec<String>> = match v {
                    Value::Array(items) => Some(items.iter().filter_map(value_text).collect()),
                    other => value_text(other).map(|t| vec![t]),
                };
                let have = c.context.get(k);
                // A key expanded per R6 is compared as the set of its values over the combinations.
                let expanded: Vec<String> = c
                    .expansions
                    .iter()
                    .flat_map(|e| e.iter().filter(|(ek, _)| ek.eq_ignore_ascii_case(k)).map(|(_, v)| v.clone()))
                    .collect();
                let mut have_set: Vec<String> = match have {
                    Some(ContextValue::Single(s)) => vec![s.clone()],
                    Some(ContextValue::Multi(vs)) => vs.clone(),
                    None => expanded,
                };
                let mut want_set = want_set.unwrap_or_default();
                have_set.sort();
                have_set.dedup();
                want_set.sort();
                want_set.dedup();
                if have_set != want_set {
                    failures.push(format!("check {}: expected {k} = {want_set:?}, got {have_set:?}", i + 1));
                }
            }
            for k in w.get("absent").and_then(Value::as_array).into_iter().flatten() {
                let k = k.as_str().ok_or("`absent` lists key names")?;
                let expanded = c.expansions.iter().flatten().any(|(ek, _)| ek.eq_ignore_ascii_case(k));
                if c.context.get(k).is_some() || expanded {
                    failures.push(format!("check {}: expected {k} to be absent", i + 1));
                }
            }
        }
    }
    // A denial always has AWS's text.
    if let Some((_, dec)) = first_failed {
        if outcome.message.is_none() && !matches!(dec, Decision::Allow) {
            failures.push("a denied call has no AccessDenied message".into());
        }
    }
    Ok(failures)
}

#[test]
fn api_seeds() {
    let dir = seeds_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut failures: Vec<String> = Vec::new();
    let mut per_scenario: BTreeMap<String, usize> = BTreeMap::new();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let mut total = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(file).unwrap();
        let cases: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: not valid JSON: {e}"));
                continue;
            }
        };
        let Some(cases) = cases.as_array() else {
            failures.push(format!("{name}: must be a JSON array of cases"));
            continue;
        };
        for (i, c) in cases.iter().enumerate() {
            total += 1;
            let Some(obj) = c.as_object() else {
                failures.push(format!("{name}[{i}]: a case must be an object"));
                continue;
            };
            let id = obj.get("id").and_then(Value::as_str).map_or_else(|| format!("#{i}"), str::to_string);
            if let Some(prev) = ids.insert(id.clone(), name.clone()) {
                failures.push(format!("{name}: {id}: duplicate id (also in {prev})"));
            }
            match obj.get("scenario").and_then(Value::as_str) {
                Some(sc) => *per_scenario.entry(sc.to_string()).or_default() += 1,
                None => failures.push(format!("{name}: {id}: `scenario` is required")),
            }
            match run_case(obj) {
                Ok(f) => failures.extend(f.into_iter().map(|f| format!("{name}: {id}: {f}"))),
                Err(e) => failures.push(format!("{name}: {id}: bad case: {e}")),
            }
        }
    }
    for sc in SCENARIOS {
        if !per_scenario.contains_key(sc) {
            failures.push(format!("scenario {sc} has no API-level case"));
        }
    }
    let counts: Vec<String> =
        SCENARIOS.iter().map(|sc| format!("{sc}: {}", per_scenario.get(*sc).copied().unwrap_or(0))).collect();
    println!("{total} API-level seed cases in {} files ({})", files.len(), counts.join(", "));
    if total < 150 {
        failures.push(format!("only {total} API-level seed cases (at least 150 expected)"));
    }
    assert!(failures.is_empty(), "{} of {total} API-level seed cases failed:\n{}", failures.len(), failures.join("\n"));
}
