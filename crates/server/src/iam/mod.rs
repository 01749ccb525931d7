//! The IAM API (awsQuery): the routing table, and the helpers every IAM operation shares (errors,
//! parameters, transactions, authorization, XML pieces, pagination). Each call is authorized by the
//! engine and answered with IAM's error codes (wire spec §4).
//!
//! ```text
//! users.rs     users, access keys            groups.rs    groups and membership
//! roles.rs     roles, service-linked roles   policies.rs  managed policies and their versions
//! entity.rs    what users, groups and roles share: inline and attached policies, boundaries, tags
//! providers.rs OpenID Connect and SAML identity providers
//! account.rs   GetAccountAuthorizationDetails
//! simulate.rs  Simulate{Principal,Custom}Policy, GetContextKeysFor{Principal,Custom}Policy
//! ```

mod account;
mod entity;
mod groups;
mod policies;
mod providers;
mod roles;
mod simulate;
mod users;

use std::collections::HashMap;

use sagegate_policy::{validate, ContextValue, PolicyKind};
use sagegate_store::{StoreError, Tx, TxExt};
use serde::{de::DeserializeOwned, Serialize};

use crate::call::Call;
use crate::directory::Directory;
use crate::error::{ApiError, Service};
use crate::http::Success;
use crate::records::*;
use crate::xml::Xml;

use entity::Record;

type Res = Result<Success, ApiError>;

/// Extra context keys for one authorization (single or multivalued).
type Ctx = Vec<(String, ContextValue)>;

/// Runs the generic operation `f` of `entity.rs` for the user, group or role the operation names.
macro_rules! for_entity {
    ($call:expr, $f:ident) => {
        match entity::Kind::of(&$call.operation) {
            entity::Kind::User => entity::$f::<UserRec>($call).await,
            entity::Kind::Group => entity::$f::<GroupRec>($call).await,
            entity::Kind::Role => entity::$f::<RoleRec>($call).await,
        }
    };
}

pub async fn dispatch(call: &Call) -> Res {
    match call.operation.as_str() {
        "CreateUser" => users::create(call).await,
        "GetUser" => users::get(call),
        "ListUsers" => users::list(call),
        "DeleteUser" => users::delete(call).await,
        "UpdateUser" => users::update(call).await,
        "CreateAccessKey" => users::create_access_key(call).await,
        "ListAccessKeys" => users::list_access_keys(call),
        "UpdateAccessKey" | "DeleteAccessKey" => users::change_access_key(call).await,
        "CreateGroup" => groups::create(call).await,
        "GetGroup" => groups::get(call),
        "ListGroups" => groups::list(call),
        "DeleteGroup" => groups::delete(call).await,
        "UpdateGroup" => groups::update(call).await,
        "AddUserToGroup" | "RemoveUserFromGroup" => groups::membership(call).await,
        "ListGroupsForUser" => groups::list_for_user(call),
        "CreateRole" => roles::create(call).await,
        "GetRole" => roles::get(call),
        "ListRoles" => roles::list(call),
        "DeleteRole" => roles::delete(call).await,
        "UpdateAssumeRolePolicy" => roles::update_trust(call).await,
        "UpdateRole" | "UpdateRoleDescription" => roles::update_role(call).await,
        "CreateServiceLinkedRole" => roles::create_service_linked(call).await,
        "DeleteServiceLinkedRole" => roles::delete_service_linked(call).await,
        "GetServiceLinkedRoleDeletionStatus" => roles::deletion_status(call),
        "ListInstanceProfilesForRole" => roles::list_instance_profiles(call),
        "CreatePolicy" => policies::create(call).await,
        "GetPolicy" => policies::get(call),
        "ListPolicies" => policies::list(call),
        "DeletePolicy" => policies::delete(call).await,
        "CreatePolicyVersion" => policies::create_version(call).await,
        "GetPolicyVersion" => policies::get_version(call),
        "ListPolicyVersions" => policies::list_versions(call),
        "SetDefaultPolicyVersion" | "DeletePolicyVersion" => policies::change_version(call).await,
        "ListEntitiesForPolicy" => policies::list_entities(call),
        "PutUserPolicy" | "PutGroupPolicy" | "PutRolePolicy" => for_entity!(call, put_inline),
        "GetUserPolicy" | "GetGroupPolicy" | "GetRolePolicy" => for_entity!(call, get_inline),
        "ListUserPolicies" | "ListGroupPolicies" | "ListRolePolicies" => for_entity!(call, list_inline),
        "DeleteUserPolicy" | "DeleteGroupPolicy" | "DeleteRolePolicy" => for_entity!(call, delete_inline),
        "AttachUserPolicy" | "AttachGroupPolicy" | "AttachRolePolicy" | "DetachUserPolicy" | "DetachGroupPolicy"
        | "DetachRolePolicy" => for_entity!(call, attach),
        "ListAttachedUserPolicies" | "ListAttachedGroupPolicies" | "ListAttachedRolePolicies" => {
            for_entity!(call, list_attached)
        }
        "PutUserPermissionsBoundary"
        | "DeleteUserPermissionsBoundary"
        | "PutRolePermissionsBoundary"
        | "DeleteRolePermissionsBoundary" => for_entity!(call, boundary),
        "TagUser" | "UntagUser" | "ListUserTags" => entity::tags::<UserRec>(call).await,
        "TagRole" | "UntagRole" | "ListRoleTags" => entity::tags::<RoleRec>(call).await,
        "TagPolicy" | "UntagPolicy" | "ListPolicyTags" => entity::tags::<PolicyRec>(call).await,
        "CreateOpenIDConnectProvider" => providers::create_oidc(call).await,
        "GetOpenIDConnectProvider" => providers::get_oidc(call),
        "ListOpenIDConnectProviders" => providers::list_oidc(call),
        "DeleteOpenIDConnectProvider" => providers::delete_oidc(call).await,
        "AddClientIDToOpenIDConnectProvider"
        | "RemoveClientIDFromOpenIDConnectProvider"
        | "UpdateOpenIDConnectProviderThumbprint" => providers::change_oidc(call).await,
        "TagOpenIDConnectProvider" | "UntagOpenIDConnectProvider" | "ListOpenIDConnectProviderTags" => {
            entity::tags::<OidcProviderRec>(call).await
        }
        "CreateSAMLProvider" => providers::create_saml(call).await,
        "GetSAMLProvider" => providers::get_saml(call),
        "UpdateSAMLProvider" => providers::update_saml(call).await,
        "ListSAMLProviders" => providers::list_saml(call),
        "DeleteSAMLProvider" => providers::delete_saml(call).await,
        "TagSAMLProvider" | "UntagSAMLProvider" | "ListSAMLProviderTags" => entity::tags::<SamlProviderRec>(call).await,
        "GetAccountAuthorizationDetails" => account::authorization_details(call),
        "SimulatePrincipalPolicy" | "SimulateCustomPolicy" => simulate::simulate(call),
        "GetContextKeysForPrincipalPolicy" | "GetContextKeysForCustomPolicy" => simulate::context_keys(call),
        other => Err(err(400, "InvalidAction", format!("Could not find operation {other} for version 2010-05-08"))),
    }
}

// ----- errors ------------------------------------------------------------------------------------

fn err(status: u16, code: &str, msg: impl Into<String>) -> ApiError {
    ApiError::new(Service::Iam, status, code, msg)
}

/// `NoSuchEntity`: `The user with name bob cannot be found.`
fn no_such(what: &str, name: &str) -> ApiError {
    err(404, "NoSuchEntity", format!("The {what} with name {name} cannot be found."))
}

/// `NoSuchEntity` for a managed policy ARN.
fn no_such_policy(arn: &str) -> ApiError {
    err(404, "NoSuchEntity", format!("Policy {arn} does not exist or is not attachable."))
}

/// `LimitExceeded`: `Cannot exceed quota for PoliciesPerRole: 10` (V15; for roles, the number is the
/// `policies_per_role` setting).
fn quota(name: &str, n: usize) -> ApiError {
    err(409, "LimitExceeded", format!("Cannot exceed quota for {name}: {n}"))
}

fn delete_conflict(msg: impl Into<String>) -> ApiError {
    err(409, "DeleteConflict", msg)
}

fn invalid_input(msg: impl Into<String>) -> ApiError {
    err(400, "InvalidInput", msg)
}

/// `ValidationError` with the wording of §3.3: `1 validation error detected: Value 'x' at 'field' …`.
fn constraint(field: &str, value: &str, rule: &str) -> ApiError {
    ApiError::validation(
        Service::Iam,
        format!(
            "1 validation error detected: Value '{value}' at '{}' failed to satisfy constraint: {rule}",
            camel(field)
        ),
    )
}

/// `UserName` → `userName`, as IAM names members in validation messages.
fn camel(field: &str) -> String {
    field.get(..1).map(str::to_ascii_lowercase).unwrap_or_default() + field.get(1..).unwrap_or_default()
}

// ----- transactions ------------------------------------------------------------------------------

/// Runs a write on a blocking thread. `f` may fail with an API error, which rolls the transaction back.
async fn write<R: Send + 'static>(
    call: &Call,
    mut f: impl FnMut(&mut dyn Tx) -> Result<Result<R, ApiError>, StoreError> + Send + 'static,
) -> Result<R, ApiError> {
    let state = call.state.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let mut api_error = None;
        let r = state.write(|tx| match f(tx)? {
            Ok(r) => Ok(r),
            Err(e) => {
                api_error = Some(e);
                Err(StoreError::Aborted("rolled back".into()))
            }
        });
        match (r, api_error) {
            (_, Some(e)) => Err(e),
            (Ok(r), None) => Ok(r),
            (Err(e), None) => Err(ApiError::internal(Service::Iam, e)),
        }
    })
    .await;
    joined.unwrap_or_else(|e| Err(ApiError::internal(Service::Iam, e)))
}

/// Reads a record, lets `f` change it (or refuse with an API error), and stores it, in one transaction.
/// A record that vanished since the directory was read gives `missing`.
async fn update<R: Record>(
    call: &Call,
    key: String,
    missing: ApiError,
    mut f: impl FnMut(&mut R) -> Result<(), ApiError> + Send + 'static,
) -> Result<R, ApiError> {
    write(call, move |tx| {
        let Some(mut rec) = tx.get_as::<R>(R::STORE, &key)? else {
            return Ok(Err(missing.clone()));
        };
        if let Err(e) = f(&mut rec) {
            return Ok(Err(e));
        }
        tx.put_as(R::STORE, &key, &rec)?;
        Ok(Ok(rec))
    })
    .await
}

/// Stores a new record, or fails with `exists` when its key is taken.
async fn insert<R: Record>(call: &Call, rec: R, exists: ApiError) -> Result<(), ApiError> {
    write(call, move |tx| {
        Ok(if tx.insert_as(R::STORE, &rec.store_key(), &rec)? { Ok(()) } else { Err(exists.clone()) })
    })
    .await
}

/// Deletes a record.
async fn remove<R: Record>(call: &Call, rec: &R) -> Result<(), ApiError> {
    let key = rec.store_key();
    write(call, move |tx| tx.delete(R::STORE, &key).map(|_| Ok(()))).await
}

/// Rewrites, inside the transaction, every record of `kind` that `f` changes (`f` returns true).
fn rewrite_all<T: Serialize + DeserializeOwned>(
    tx: &mut dyn Tx,
    kind: &str,
    mut f: impl FnMut(&mut T) -> bool,
) -> Result<(), StoreError> {
    let mut after: Option<String> = None;
    let mut changed: Vec<(String, T)> = Vec::new();
    loop {
        let page = tx.list(kind, "", after.as_deref(), 1000)?;
        let last_page = page.len() < 1000;
        for (k, v) in page {
            let mut rec: T = serde_json::from_value(v).map_err(|e| StoreError::Corrupt(format!("{kind}/{k}: {e}")))?;
            if f(&mut rec) {
                changed.push((k.clone(), rec));
            }
            after = Some(k);
        }
        if last_page {
            break;
        }
    }
    for (k, rec) in changed {
        tx.put_as(kind, &k, &rec)?;
    }
    Ok(())
}

// ----- parameters --------------------------------------------------------------------------------

fn path_param(call: &Call) -> Result<String, ApiError> {
    Ok(path_field(call, "Path")?.unwrap_or_else(|| "/".to_string()))
}

/// An optional path parameter (`Path`, `NewPath`): `/`, or `/…/` of printable ASCII, at most 512.
fn path_field(call: &Call, field: &str) -> Result<Option<String>, ApiError> {
    let Some(p) = call.params.get(field) else {
        return Ok(None);
    };
    let printable = p.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if !p.starts_with('/') || !p.ends_with('/') || p.len() > 512 || !printable {
        return Err(constraint(
            field,
            p,
            "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
        ));
    }
    Ok(Some(p.to_string()))
}

/// A required IAM name (`[\w+=,.@-]+`, at most `max` characters).
fn check_name(call: &Call, field: &str, max: usize) -> Result<String, ApiError> {
    let v = call.required(field)?.to_string();
    let ok = !v.is_empty() && v.len() <= max && v.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if !ok {
        return Err(constraint(field, &v, "Member must satisfy regular expression pattern: [\\w+=,.@-]+"));
    }
    Ok(v)
}

/// An optional IAM name (`NewUserName`, `NewGroupName`), checked like `check_name`.
fn optional_name(call: &Call, field: &str, max: usize) -> Result<Option<String>, ApiError> {
    match call.params.get(field) {
        None => Ok(None),
        Some(_) => check_name(call, field, max).map(Some),
    }
}

/// An optional `Description` (at most 1,000 characters).
fn description_param(call: &Call) -> Result<Option<String>, ApiError> {
    match call.params.get("Description") {
        Some(d) if d.chars().count() > 1000 => {
            Err(constraint("Description", d, "Member must have length less than or equal to 1000"))
        }
        d => Ok(d.map(str::to_string)),
    }
}

/// A required ARN parameter (`PolicyArn`, `PermissionsBoundary`, …).
fn arn_param(call: &Call, field: &str) -> Result<String, ApiError> {
    let v = call.required(field)?;
    if !v.starts_with("arn:") || v.len() < 20 {
        return Err(invalid_input(format!("ARN {v} is not valid.")));
    }
    Ok(v.to_string())
}

fn bool_param(call: &Call, name: &str) -> bool {
    call.params.get(name) == Some("true")
}

/// Validates a policy document as IAM does; the error names IAM's code and text (V14, V15).
fn check_policy(text: &str, kind: PolicyKind) -> Result<(), ApiError> {
    match validate(text, kind).error {
        None => Ok(()),
        Some(d) => {
            let status = if d.code == "LimitExceeded" { 409 } else { 400 };
            Err(err(status, d.code, d.message))
        }
    }
}

/// `Tags.member.N.{Key,Value}`, checked against IAM's limits (≤ 50; key ≤ 128, value ≤ 256).
fn tags_param(call: &Call) -> Result<Vec<Tag>, ApiError> {
    let tags: Vec<Tag> = call.params.tags("Tags");
    if tags.len() > 50 {
        return Err(constraint("Tags", "", "Member must have length less than or equal to 50"));
    }
    for t in &tags {
        if t.key.is_empty() || t.key.chars().count() > 128 {
            return Err(constraint("Tags.member.key", &t.key, "Member must have length between 1 and 128"));
        }
        if t.value.chars().count() > 256 {
            return Err(constraint("Tags.member.value", &t.value, "Member must have length less than or equal to 256"));
        }
    }
    Ok(tags)
}

/// Looks a name up: exactly, else ignoring case (IAM names are unique ignoring case).
fn find<'a, R>(map: &'a HashMap<String, R>, name: &str) -> Option<&'a R> {
    map.get(name).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

fn iam_arn(call: &Call, kind: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{}:{kind}{path}{name}", call.account())
}

// ----- authorization -----------------------------------------------------------------------------

/// `iam:<Operation>`, the action of most calls.
fn action(call: &Call) -> String {
    format!("iam:{}", call.operation)
}

fn single(key: impl Into<String>, value: impl Into<String>) -> (String, ContextValue) {
    (key.into(), ContextValue::Single(value.into()))
}

/// `aws:RequestTag/<k>` per tag and `aws:TagKeys` when tags are passed (K3).
fn request_tags_ctx(tags: &[Tag]) -> Ctx {
    let mut ctx: Ctx = tags.iter().map(|t| single(format!("aws:RequestTag/{}", t.key), t.value.clone())).collect();
    if !tags.is_empty() {
        ctx.push(("aws:TagKeys".into(), ContextValue::Multi(tags.iter().map(|t| t.key.clone()).collect())));
    }
    ctx
}

/// `iam:PermissionsBoundary` when a boundary is named or set.
fn boundary_ctx(boundary: Option<&str>) -> Ctx {
    boundary.map(|b| single("iam:PermissionsBoundary", b)).into_iter().collect()
}

// ----- XML ---------------------------------------------------------------------------------------

fn result(f: impl FnOnce(&mut Xml)) -> Res {
    let mut x = Xml::new();
    f(&mut x);
    Ok(Success::Query(Some(x.finish())))
}

/// The answer of an operation without output.
fn done() -> Res {
    Ok(Success::Query(None))
}

/// `<name><member>text</member>…</name>`.
fn string_list<S: AsRef<str>>(x: &mut Xml, name: &str, items: &[S]) {
    x.node(name, |x| {
        for s in items {
            x.leaf("member", s.as_ref());
        }
    });
}

fn tags_xml(x: &mut Xml, name: &str, tags: &[Tag]) {
    x.list(name, tags, |x, t| {
        x.leaf("Key", &t.key).leaf("Value", &t.value);
    });
}

fn boundary_xml(x: &mut Xml, boundary: Option<&str>) {
    if let Some(b) = boundary {
        x.node("PermissionsBoundary", |x| {
            x.leaf("PermissionsBoundaryType", "Policy").leaf("PermissionsBoundaryArn", b);
        });
    }
}

// ----- pagination --------------------------------------------------------------------------------

/// The page of `items` that `Marker`/`MaxItems` select (§4.2), and the marker of the next page.
fn page<'a, T>(call: &Call, items: &'a [T]) -> (&'a [T], Option<String>) {
    let start: usize = call.params.get("Marker").and_then(|m| m.parse().ok()).unwrap_or(0);
    let max: usize =
        call.params.get("MaxItems").and_then(|m| m.parse().ok()).filter(|m| (1..=1000).contains(m)).unwrap_or(100);
    let rest = items.get(start..).unwrap_or_default();
    if rest.len() > max {
        (rest.get(..max).unwrap_or_default(), Some((start + max).to_string()))
    } else {
        (rest, None)
    }
}

/// `IsTruncated`, and `Marker` when there is a next page.
fn page_end(x: &mut Xml, next: Option<&str>) {
    x.leaf("IsTruncated", &next.is_some().to_string()).opt("Marker", next);
}

/// A paginated list result: `<name><member>…</member></name><IsTruncated/>[<Marker/>]`.
fn paginate<T>(call: &Call, items: &[T], name: &str, f: impl Fn(&mut Xml, &T)) -> Res {
    let (items, next) = page(call, items);
    result(|x| {
        x.list(name, items, |x, it| f(x, it));
        page_end(x, next.as_deref());
    })
}

/// A paginated list of strings.
fn paginate_strings<S: AsRef<str>>(call: &Call, items: &[S], name: &str) -> Res {
    let (items, next) = page(call, items);
    result(|x| {
        string_list(x, name, items);
        page_end(x, next.as_deref());
    })
}

// ----- managed-policy usage ----------------------------------------------------------------------

/// How often each managed policy is used: (attachments, permissions-boundary uses).
#[derive(Debug, Default)]
struct Usage(HashMap<String, (usize, usize)>);

impl Usage {
    fn of(dir: &Directory) -> Usage {
        let mut u = Usage::default();
        let attached = dir
            .users
            .values()
            .flat_map(|e| e.attached.iter())
            .chain(dir.groups.values().flat_map(|e| e.attached.iter()))
            .chain(dir.roles.values().flat_map(|e| e.attached.iter()));
        for a in attached {
            u.0.entry(a.clone()).or_default().0 += 1;
        }
        let boundaries = dir.users.values().filter_map(|e| e.boundary.as_ref());
        for b in boundaries.chain(dir.roles.values().filter_map(|e| e.boundary.as_ref())) {
            u.0.entry(b.clone()).or_default().1 += 1;
        }
        u
    }

    fn get(&self, arn: &str) -> (usize, usize) {
        self.0.get(arn).copied().unwrap_or_default()
    }
}
