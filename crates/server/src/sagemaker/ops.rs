//! The generic handlers: create, describe, list, update, start, stop and delete for every family of
//! `families.rs`, plus AddTags, DeleteTags and ListTags. They run inside the call's transaction, after
//! authorization, and answer with SageMaker's shapes and errors.

use serde_json::{json, Map, Value};

use sagegate_store::{StoreError, Tx};

use super::families::{family, Family, Verb};
use super::records::{self, list_all, load, save, type_prefix, Resource};
use super::{Env, Fail};
use crate::error::{ApiError, Service};

pub type Out = Result<Value, Fail>;

/// One page of a list, and the token of the next page.
pub type Page<T> = (Vec<T>, Option<String>);

pub fn validation(msg: impl Into<String>) -> Fail {
    Fail::Api(ApiError::validation(Service::SageMaker, msg))
}

pub fn not_found(msg: impl Into<String>) -> Fail {
    Fail::Api(ApiError::new(Service::SageMaker, 400, "ResourceNotFound", msg))
}

pub fn in_use(msg: impl Into<String>) -> Fail {
    Fail::Api(ApiError::new(Service::SageMaker, 400, "ResourceInUse", msg))
}

pub fn limit(msg: impl Into<String>) -> Fail {
    Fail::Api(ApiError::new(Service::SageMaker, 400, "ResourceLimitExceeded", msg))
}

pub fn s<'a>(body: &'a Value, field: &str) -> Option<&'a str> {
    body.get(field).and_then(Value::as_str)
}

fn lower_label(f: &Family) -> String {
    f.label.to_lowercase()
}

/// The name rule of §5 (std, or lower-case only), with SageMaker's validation message.
pub fn check_name(f: &Family, field: &str, name: &str) -> Result<(), Fail> {
    let ok_char =
        |c: char| if f.lower_only { c.is_ascii_lowercase() || c.is_ascii_digit() } else { c.is_ascii_alphanumeric() };
    let valid = !name.is_empty()
        && name.len() <= f.name_max
        && name.chars().all(|c| ok_char(c) || c == '-')
        && name.chars().next().is_some_and(ok_char)
        && name.chars().last().is_some_and(ok_char);
    if valid {
        return Ok(());
    }
    let class = if f.lower_only { "a-z0-9" } else { "a-zA-Z0-9" };
    let camel = camel(field);
    if name.len() > f.name_max {
        return Err(validation(format!(
            "1 validation error detected: Value '{name}' at '{camel}' failed to satisfy constraint: Member must have length less than or equal to {}",
            f.name_max
        )));
    }
    Err(validation(format!(
        "1 validation error detected: Value '{name}' at '{camel}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[{class}](-*[{class}]){{0,{}}}",
        f.name_max - 1
    )))
}

/// `TrainingJobName` → `trainingJobName`, as SageMaker names members in validation messages.
pub fn camel(field: &str) -> String {
    let mut c = field.chars();
    c.next().map(|f| f.to_ascii_lowercase().to_string() + c.as_str()).unwrap_or_default()
}

/// The ARN of the resource a request names, for families keyed by their name member.
pub fn arn_for(env: &Env, f: &Family, body: &Value) -> Result<String, Fail> {
    let field = |name: &str| -> Result<String, Fail> {
        s(body, name).map(str::to_string).ok_or_else(|| {
            validation(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                camel(name)
            ))
        })
    };
    Ok(match f.ty {
        "domain" => env.scope.arn(&format!("domain/{}", field("DomainId")?)),
        "user-profile" => env.scope.arn(&format!("user-profile/{}/{}", field("DomainId")?, field("UserProfileName")?)),
        "space" => env.scope.arn(&format!("space/{}/{}", field("DomainId")?, field("SpaceName")?)),
        "app" => {
            let owner = match (s(body, "UserProfileName"), s(body, "SpaceName")) {
                (Some(p), None) => p.to_string(),
                (None, Some(sp)) => sp.to_string(),
                _ => {
                    return Err(validation(
                        "Exactly one of UserProfileName or SpaceName must be specified for the app.".to_string(),
                    ))
                }
            };
            env.scope.arn(&format!(
                "app/{}/{owner}/{}/{}",
                field("DomainId")?,
                field("AppType")?.to_lowercase(),
                field("AppName")?
            ))
        }
        "workteam" => env.scope.arn(&format!("workteam/private-crowd/{}", field(f.name_field)?)),
        _ => {
            let name = field(f.name_field)?;
            if name.starts_with("arn:") {
                sagegate_sagemaker::arns::normalize_arn(&name)
            } else {
                env.scope.named(f.ty, &name)
            }
        }
    })
}

/// The error for a resource that does not exist, in the words SageMaker uses for its type.
pub fn missing(f: &Family, arn: &str, name: &str) -> Fail {
    match f.ty {
        "model" | "endpoint-config" | "endpoint" => {
            validation(format!("Could not find {} \"{arn}\".", lower_label(f)))
        }
        "notebook-instance" => validation("RecordNotFound"),
        "notebook-instance-lifecycle-config" => {
            validation(format!("Unable to describe Notebook Instance Lifecycle Config '{name}'. (Reason: The lifecycle configuration does not exist.)"))
        }
        "domain" | "user-profile" | "space" | "app" => not_found(format!("{} not found: {arn}", f.label)),
        _ => not_found(format!("Requested resource not found: {} {name} does not exist.", f.label)),
    }
}

/// Loads the resource a request names, or the not-found error. Deleted apps count as missing for updates.
pub fn existing(env: &Env, tx: &mut dyn Tx, f: &Family, body: &Value) -> Result<Resource, Fail> {
    let arn = arn_for(env, f, body)?;
    let name = s(body, f.name_field).unwrap_or_default().to_string();
    load(tx, &arn)?.ok_or_else(|| missing(f, &arn, &name))
}

/// A JSON value from a default written as text: numbers and booleans are typed, the rest are strings.
fn typed(v: &str) -> Value {
    serde_json::from_str::<Value>(v).ok().filter(|x| !x.is_string()).unwrap_or_else(|| Value::String(v.to_string()))
}

/// The request members Describe echoes: everything but tags and idempotency tokens, renamed as Describe names them.
pub fn doc_of(f: &Family, body: &Value) -> Map<String, Value> {
    let mut doc = Map::new();
    if let Some(obj) = body.as_object() {
        for (k, v) in obj {
            if matches!(k.as_str(), "Tags" | "ClientToken" | "ClientRequestToken") {
                continue;
            }
            let name = f.renames.iter().find(|(from, _)| from == k).map_or(k.as_str(), |(_, to)| to);
            doc.insert(name.to_string(), v.clone());
        }
    }
    for (k, v) in f.defaults {
        doc.entry(k.to_string()).or_insert_with(|| typed(v));
    }
    doc
}

/// Tags of a request (`Tags: [{Key, Value}]`).
pub fn request_tags(body: &Value) -> Vec<(String, String)> {
    body.get("Tags")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| {
                    Some((
                        t.get("Key")?.as_str()?.to_string(),
                        t.get("Value").and_then(Value::as_str).unwrap_or("").to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

const STUDIO_TAG_KEYS: [&str; 3] = ["sagemaker:domain-arn", "sagemaker:user-profile-arn", "sagemaker:space-arn"];

/// Tag keys a caller may not set or remove (§4.6 Decision), and the limits of every tag.
pub fn check_caller_tags(tags: &[(String, String)]) -> Result<(), Fail> {
    for (k, v) in tags {
        if k.to_ascii_lowercase().starts_with("aws:") || STUDIO_TAG_KEYS.contains(&k.as_str()) {
            return Err(validation(format!(
                "Tag keys starting with 'aws:' and the system tag key '{k}' are reserved; they cannot be added, changed or removed."
            )));
        }
        let allowed = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
        if k.is_empty() || k.chars().count() > 128 || !k.chars().all(allowed) {
            return Err(validation(format!("1 validation error detected: Value '{k}' at 'tags.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{{L}}\\p{{Z}}\\p{{N}}_.:/=+\\-@]*)$")));
        }
        if v.chars().count() > 256 || !v.chars().all(allowed) {
            return Err(validation(format!("1 validation error detected: Value '{v}' at 'tags.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{{L}}\\p{{Z}}\\p{{N}}_.:/=+\\-@]*)$")));
        }
    }
    Ok(())
}

/// Sets or replaces tags by key; at most 50 in all.
pub fn merge_tags(into: &mut Vec<(String, String)>, tags: &[(String, String)]) -> Result<(), Fail> {
    for (k, v) in tags {
        match into.iter_mut().find(|(x, _)| x == k) {
            Some(slot) => slot.1 = v.clone(),
            None => into.push((k.clone(), v.clone())),
        }
    }
    if into.len() > 50 {
        return Err(validation("Tags cannot exceed 50. Please reduce the number of tags and try again."));
    }
    Ok(())
}

pub fn tags_json(tags: &[(String, String)]) -> Value {
    Value::Array(tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect())
}

/// The automatic Studio tags of a create made with a Studio session (§4.6).
pub fn studio_tags(env: &Env) -> Vec<(String, String)> {
    let Some(st) = &env.studio else { return Vec::new() };
    let mut out = vec![("sagemaker:domain-arn".to_string(), env.scope.arn(&format!("domain/{}", st.domain_id)))];
    if let Some(p) = &st.user_profile_name {
        out.push(("sagemaker:user-profile-arn".into(), env.scope.arn(&format!("user-profile/{}/{p}", st.domain_id))));
    }
    if let Some(sp) = &st.space_name {
        out.push(("sagemaker:space-arn".into(), env.scope.arn(&format!("space/{}/{sp}", st.domain_id))));
    }
    out
}

/// Tags a new resource starts with: the caller's, then Studio's automatic ones.
pub fn creation_tags(env: &Env, body: &Value) -> Result<Vec<(String, String)>, Fail> {
    let given = request_tags(body);
    check_caller_tags(&given)?;
    let mut tags = Vec::new();
    merge_tags(&mut tags, &given)?;
    merge_tags(&mut tags, &studio_tags(env))?;
    Ok(tags)
}

/// Creates a resource of a name-keyed family.
pub fn create(env: &Env, tx: &mut dyn Tx, f: &Family) -> Out {
    let body = &env.body;
    let name = s(body, f.name_field).unwrap_or_default().to_string();
    check_name(f, f.name_field, &name)?;
    let arn = arn_for(env, f, body)?;
    if load(tx, &arn)?.is_some() {
        return Err(duplicate(f, &arn));
    }
    check_quota(env, tx, f)?;
    super::roles::check_passed_roles(env, &arn)?;
    check_references(env, tx, f, body)?;
    let tags = creation_tags(env, body)?;
    let mut r = Resource::new(f, name, arn.clone(), tags, doc_of(f, body), env.now, env.step);
    super::extras::on_create(env, tx, f, &mut r)?;
    save(tx, &r)?;
    let mut out = Map::new();
    out.insert(f.arn_field.to_string(), Value::String(arn));
    Ok(Value::Object(out))
}

fn duplicate(f: &Family, arn: &str) -> Fail {
    match f.ty {
        "model" | "endpoint-config" | "endpoint" => {
            validation(format!("Cannot create already existing {} \"{arn}\".", lower_label(f)))
        }
        "training-job"
        | "processing-job"
        | "hyper-parameter-tuning-job"
        | "transform-job"
        | "automl-job"
        | "labeling-job" => in_use(format!(
            "{} names must be unique within an AWS account and region, and a {} with this name already exists ({arn})",
            f.label,
            lower_label(f)
        )),
        _ => in_use(format!("{} already exists: {arn}", f.label)),
    }
}

fn check_quota(env: &Env, tx: &mut dyn Tx, f: &Family) -> Result<(), Fail> {
    let n = tx.count(records::KIND, &type_prefix(&env.region, f.ty))?;
    if n as usize >= f.quota {
        return Err(limit(format!(
            "The account-level service limit 'Number of {}s' is {}, with current utilization of {n}. Delete some {}s or request a limit increase.",
            lower_label(f),
            f.quota,
            lower_label(f)
        )));
    }
    Ok(())
}

/// Resources a create names that must exist (an endpoint's config, a config's models).
fn check_references(env: &Env, tx: &mut dyn Tx, f: &Family, body: &Value) -> Result<(), Fail> {
    match f.ty {
        "endpoint" => {
            let cfg = s(body, "EndpointConfigName").unwrap_or_default();
            let arn = env.scope.named("endpoint-config", cfg);
            if load(tx, &arn)?.is_none() {
                return Err(validation(format!("Could not find endpoint configuration \"{arn}\".")));
            }
        }
        "endpoint-config" => {
            for v in body.get("ProductionVariants").and_then(Value::as_array).into_iter().flatten() {
                if let Some(m) = s(v, "ModelName") {
                    let arn = env.scope.named("model", m);
                    if load(tx, &arn)?.is_none() {
                        return Err(validation(format!("Could not find model \"{arn}\".")));
                    }
                }
            }
        }
        "notebook-instance" => {
            if let Some(lc) = s(body, "LifecycleConfigName") {
                let arn = env.scope.named("notebook-instance-lifecycle-config", lc);
                if load(tx, &arn)?.is_none() {
                    return Err(validation(format!(
                        "Unable to describe Notebook Instance Lifecycle Config '{lc}'. (Reason: The lifecycle configuration does not exist.)"
                    )));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The Describe shape: stored members plus the computed ones.
pub fn describe_doc(env: &Env, tx: &mut dyn Tx, f: &Family, r: &Resource) -> Map<String, Value> {
    let mut out = describe_doc_of(env, f, r);
    super::studio::on_describe(env, tx, f, r, &mut out);
    out
}

/// Describe's answer for a resource, from the resource alone: complete unless
/// [`super::studio::describe_reads_others`].
pub fn describe_doc_of(env: &Env, f: &Family, r: &Resource) -> Map<String, Value> {
    let mut out = r.doc.clone();
    if !matches!(f.ty, "domain") {
        out.insert(f.name_field.to_string(), Value::String(r.name.clone()));
    }
    out.insert(f.arn_field.to_string(), Value::String(r.arn.clone()));
    out.insert("CreationTime".into(), json!(r.created));
    out.insert("LastModifiedTime".into(), json!(r.modified.max(r.status_since(env.now))));
    if let (Some(lc), Some(status)) = (&f.lifecycle, r.status(env.now)) {
        out.insert(lc.field.to_string(), Value::String(status.to_string()));
    }
    super::extras::on_describe(env, f, r, &mut out);
    out
}

pub fn describe(env: &Env, tx: &mut dyn Tx, f: &Family) -> Out {
    let r = existing(env, tx, f, &env.body)?;
    let doc = Value::Object(describe_doc(env, tx, f, &r));
    Ok(if f.ty == "workteam" { json!({"Workteam": doc}) } else { doc })
}

/// The member a `...Equals` / `...Contains` filter compares, for a family.
fn filter_member<'a>(f: &Family, stem: &'a str) -> &'a str {
    match stem {
        "Name" => f.name_field,
        "Status" => f.lifecycle.map_or("Status", |l| l.field),
        other => other,
    }
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// Keeps the resources a List request's filters select.
fn filtered(env: &Env, tx: &mut dyn Tx, f: &Family, all: Vec<Resource>) -> Vec<Map<String, Value>> {
    let body = &env.body;
    let docs: Vec<Map<String, Value>> = all.iter().map(|r| describe_doc(env, tx, f, r)).collect();
    let docs = docs.into_iter();
    let filters: Vec<(&str, &Value)> =
        body.as_object().map(|o| o.iter().map(|(k, v)| (k.as_str(), v)).collect()).unwrap_or_default();
    docs.filter(|d| {
        filters.iter().all(|(k, v)| {
            let num = |m: &str| d.get(m).and_then(Value::as_f64);
            let bound = v.as_f64();
            match *k {
                "CreationTimeAfter" => num("CreationTime").zip(bound).is_none_or(|(a, b)| a > b),
                "CreationTimeBefore" => num("CreationTime").zip(bound).is_none_or(|(a, b)| a < b),
                "LastModifiedTimeAfter" | "ModifiedTimeAfter" => {
                    num("LastModifiedTime").zip(bound).is_none_or(|(a, b)| a > b)
                }
                "LastModifiedTimeBefore" | "ModifiedTimeBefore" => {
                    num("LastModifiedTime").zip(bound).is_none_or(|(a, b)| a < b)
                }
                "MaxResults" | "NextToken" | "SortBy" | "SortOrder" => true,
                k if k.ends_with("Equals") => {
                    let stem = k.strip_suffix("Equals").unwrap_or(k);
                    let member = filter_member(f, stem);
                    text_of(d.get(member)) == text_of(Some(v))
                }
                k if k.ends_with("Contains") => {
                    let stem = k.strip_suffix("Contains").unwrap_or(k);
                    let member = filter_member(f, stem);
                    let want = text_of(Some(v)).to_lowercase();
                    text_of(d.get(member)).to_lowercase().contains(&want)
                }
                _ => true,
            }
        })
    })
    .collect()
}

/// Sorts by `SortBy` (Name, CreationTime, Status, LastModifiedTime; default CreationTime) in `SortOrder`
/// (default Descending), then pages by `MaxResults` (default 10, at most 100) and `NextToken`.
pub fn sort_and_page(
    body: &Value,
    name_member: &str,
    status_member: &str,
    mut docs: Vec<Map<String, Value>>,
) -> Result<Page<Map<String, Value>>, Fail> {
    let sort_by = s(body, "SortBy").unwrap_or("CreationTime");
    let member = match sort_by {
        "Name" => name_member,
        "Status" => status_member,
        "CreationTime" | "CreationTimeAscending" => "CreationTime",
        "LastModifiedTime" => "LastModifiedTime",
        other => other,
    };
    let ascending = s(body, "SortOrder").is_some_and(|o| o == "Ascending");
    docs.sort_by(|a, b| {
        let (x, y) = (a.get(member), b.get(member));
        let ord = match (x.and_then(Value::as_f64), y.and_then(Value::as_f64)) {
            (Some(p), Some(q)) => p.partial_cmp(&q).unwrap_or(std::cmp::Ordering::Equal),
            _ => text_of(x).cmp(&text_of(y)),
        };
        if ascending {
            ord
        } else {
            ord.reverse()
        }
    });
    page(body, docs, 10)
}

/// Pages a list by `MaxResults` (1–100) and `NextToken` (an opaque offset).
pub fn page<T>(body: &Value, items: Vec<T>, default_max: usize) -> Result<Page<T>, Fail> {
    let max = match body.get("MaxResults").and_then(Value::as_i64) {
        None => default_max,
        Some(n) if (1..=100).contains(&n) => n as usize,
        Some(n) => {
            return Err(validation(format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value {} 100",
                if n < 1 { "greater than or equal to 1, and less than or equal to" } else { "less than or equal to" }
            )))
        }
    };
    let start = match s(body, "NextToken") {
        None | Some("") => 0,
        Some(t) => decode_token(t).ok_or_else(|| validation("Invalid pagination token."))?,
    };
    let total = items.len();
    let out: Vec<T> = items.into_iter().skip(start).take(max).collect();
    let next = (start + max < total).then(|| encode_token(start + max));
    Ok((out, next))
}

fn encode_token(offset: usize) -> String {
    let raw = format!("sagegate:{offset}");
    raw.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_token(t: &str) -> Option<usize> {
    let bytes: Option<Vec<u8>> =
        (0..t.len()).step_by(2).map(|i| t.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
    String::from_utf8(bytes?).ok()?.strip_prefix("sagegate:")?.parse().ok()
}

pub fn list(env: &Env, tx: &mut dyn Tx, f: &Family) -> Out {
    let all = list_all(tx, &type_prefix(&env.region, f.ty))?;
    let docs = filtered(env, tx, f, all);
    let status = f.lifecycle.map_or("Status", |l| l.field);
    let (docs, next) = sort_and_page(&env.body, f.name_field, status, docs)?;
    let items: Vec<Value> = docs.into_iter().map(|d| summary(f, d)).collect();
    let mut out = Map::new();
    out.insert(f.list_member.to_string(), Value::Array(items));
    if let Some(t) = next {
        out.insert("NextToken".into(), Value::String(t));
    }
    Ok(Value::Object(out))
}

/// A summary: the listed members of the Describe shape (all of them when the family lists none).
fn summary(f: &Family, mut d: Map<String, Value>) -> Value {
    if f.summary.is_empty() {
        return Value::Object(d);
    }
    super::extras::summarize(f, &mut d);
    Value::Object(f.summary.iter().filter_map(|k| Some((k.to_string(), d.get(*k)?.clone()))).collect())
}

fn status_error(f: &Family, r: &Resource, now: i64, verb: &str) -> Fail {
    let status = r.status(now).unwrap_or("Unknown");
    match f.ty {
        "notebook-instance" => validation(format!(
            "Status ({status}) not in ([{}]). Unable to {verb} Notebook Instance ({}).",
            match verb {
                "stop" => "InService",
                "start" => "Stopped, Failed",
                _ => "Stopped, Failed",
            },
            r.arn
        )),
        _ => validation(format!("The request was rejected because the {} is in status {status}.", lower_label(f))),
    }
}

pub fn stop(env: &Env, tx: &mut dyn Tx, f: &Family) -> Out {
    let mut r = existing(env, tx, f, &env.body)?;
    let Some(lc) = f.lifecycle.filter(|l| !l.stop.is_empty()) else {
        return Err(super::not_emulated(&env.op));
    };
    if !r.status(env.now).is_some_and(|st| lc.stop_from.contains(&st)) {
        return Err(status_error(f, &r, env.now, "stop"));
    }
    r.schedule(env.now, env.step, lc.stop);
    save(tx, &r)?;
    Ok(json!({}))
}

pub fn start(env: &Env, tx: &mut dyn Tx, f: &Family) -> Out {
    let mut r = existing(env, tx, f, &env.body)?;
    let Some(lc) = f.lifecycle.filter(|l| !l.start.is_empty()) else {
        return Err(super::not_emulated(&env.op));
    };
    if !r.status(env.now).is_some_and(|st| lc.start_from.contains(&st)) {
        return Err(status_error(f, &r, env.now, "start"));
    }
    r.schedule(env.now, env.step, lc.start);
    save(tx, &r)?;
    Ok(json!({}))
}

/// Members an Update request carries that are not resource members.
fn update_member(f: &Family, k: &str) -> bool {
    !matches!(k, "DomainId" | "UserProfileName" | "SpaceName" | "AppType" | "AppName" | "RetainAllVariantProperties")
        && k != f.name_field
}

pub fn update(env: &Env, tx: &mut dyn Tx, f: &Family) -> Out {
    let mut r = existing(env, tx, f, &env.body)?;
    if let Some(lc) = &f.lifecycle {
        if !lc.update_from.is_empty() && !r.status(env.now).is_some_and(|st| lc.update_from.contains(&st)) {
            return Err(status_error(f, &r, env.now, "update"));
        }
    }
    super::roles::check_passed_roles(env, &r.arn)?;
    if f.ty == "endpoint" {
        check_references(env, tx, f, &env.body)?;
    }
    let renames: &[(&str, &str)] = match f.ty {
        "domain" => &[("DomainSettingsForUpdate", "DomainSettings")],
        _ => f.renames,
    };
    if let Some(obj) = env.body.as_object() {
        for (k, v) in obj {
            if !update_member(f, k) {
                continue;
            }
            if let Some(field) = k.strip_prefix("Disassociate") {
                if v.as_bool() == Some(true) {
                    let member = match field {
                        "LifecycleConfig" => "NotebookInstanceLifecycleConfigName".to_string(),
                        other => other.to_string(),
                    };
                    r.doc.remove(&member);
                }
                continue;
            }
            let name = renames.iter().find(|(from, _)| from == k).map_or(k.as_str(), |(_, to)| to).to_string();
            match (r.doc.get_mut(&name), v) {
                // Settings objects are updated member by member (UpdateDomain, UpdateUserProfile, UpdateSpace).
                (Some(Value::Object(old)), Value::Object(new)) if name.ends_with("Settings") => {
                    for (nk, nv) in new {
                        old.insert(nk.clone(), nv.clone());
                    }
                }
                _ => {
                    r.doc.insert(name, v.clone());
                }
            }
        }
    }
    super::extras::on_update(env, tx, f, &mut r)?;
    match f.lifecycle {
        Some(lc) if !lc.update.is_empty() => r.schedule(env.now, env.step, lc.update),
        _ => r.modified = env.now,
    }
    save(tx, &r)?;
    let mut out = Map::new();
    out.insert(f.arn_field.to_string(), Value::String(r.arn.clone()));
    Ok(Value::Object(out))
}

pub fn delete(env: &Env, tx: &mut dyn Tx, f: &Family) -> Out {
    let mut r = existing(env, tx, f, &env.body)?;
    if let Some(lc) = &f.lifecycle {
        if !lc.delete_from.is_empty() && !r.status(env.now).is_some_and(|st| lc.delete_from.contains(&st)) {
            return Err(status_error(f, &r, env.now, "delete"));
        }
    }
    super::studio::check_delete(env, tx, f, &r)?;
    if f.ty == "app" {
        // Deleted apps stay listed, with status Deleted (§4.4).
        r.schedule(env.now, env.step, &["Deleting", "Deleted"]);
        save(tx, &r)?;
    } else if let Some(key) = records::key_of_arn(&r.arn) {
        tx.delete(records::KIND, &key)?;
    }
    Ok(if f.ty == "workteam" { json!({"Success": true}) } else { json!({}) })
}

/// Routes a generic verb.
pub fn run(env: &Env, tx: &mut dyn Tx, f: &'static Family, verb: Verb) -> Out {
    match (f.ty, verb) {
        ("domain" | "user-profile" | "space" | "app", Verb::Create) => super::studio::create(env, tx, f),
        (_, Verb::Create) => create(env, tx, f),
        (_, Verb::Describe) => describe(env, tx, f),
        (_, Verb::List) => list(env, tx, f),
        (_, Verb::Update) => update(env, tx, f),
        (_, Verb::Delete) => delete(env, tx, f),
        (_, Verb::Start) => start(env, tx, f),
        (_, Verb::Stop) => stop(env, tx, f),
    }
}

/// A tagged resource by ARN, for the tag operations.
fn tagged(tx: &mut dyn Tx, arn: &str) -> Result<Resource, Fail> {
    let r = load(tx, arn)?;
    r.filter(|r| family(&r.ty).is_some()).ok_or_else(|| validation(format!("Resource {arn} doesn't exist.")))
}

pub fn add_tags(env: &Env, tx: &mut dyn Tx) -> Out {
    let arn = s(&env.body, "ResourceArn").unwrap_or_default().to_string();
    let mut r = tagged(tx, &arn)?;
    let tags = request_tags(&env.body);
    check_caller_tags(&tags)?;
    merge_tags(&mut r.tags, &tags)?;
    save(tx, &r)?;
    Ok(json!({"Tags": tags_json(&tags)}))
}

pub fn delete_tags(env: &Env, tx: &mut dyn Tx) -> Out {
    let arn = s(&env.body, "ResourceArn").unwrap_or_default().to_string();
    let mut r = tagged(tx, &arn)?;
    let keys: Vec<String> = env
        .body
        .get("TagKeys")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|k| k.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let as_pairs: Vec<(String, String)> = keys.iter().map(|k| (k.clone(), String::new())).collect();
    check_caller_tags(&as_pairs)?;
    r.tags.retain(|(k, _)| !keys.contains(k));
    save(tx, &r)?;
    Ok(json!({}))
}

pub fn list_tags(env: &Env, tx: &mut dyn Tx) -> Out {
    let arn = s(&env.body, "ResourceArn").unwrap_or_default().to_string();
    let r = tagged(tx, &arn)?;
    let (tags, next) = page(&env.body, r.tags.clone(), 50)?;
    let mut out = json!({"Tags": tags_json(&tags)});
    if let (Some(t), Some(o)) = (next, out.as_object_mut()) {
        o.insert("NextToken".into(), Value::String(t));
    }
    Ok(out)
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail::Store(e)
    }
}
