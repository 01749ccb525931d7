//! The STS API (awsQuery): GetCallerIdentity, AssumeRole (trust-policy evaluation, session policies and
//! tags, role chaining), GetSessionToken and GetFederationToken (spec T1–T8, wire spec §4.5), and the
//! unsigned AssumeRoleWithWebIdentity and AssumeRoleWithSAML (`federation`).
//!
//! Inputs are validated from the botocore model first (`validate`), so every constraint violation reads
//! as AWS's `ValidationError`. Issued credentials are `SessionRec`s in the store; `session` turns them
//! back into callers and applies AWS's limits on what each kind may call; `token` seals each session
//! token's expiry and purges expired sessions.
//!
//! ```text
//! federation.rs    AssumeRoleWithWebIdentity, AssumeRoleWithSAML: trust decision and session
//! web_identity.rs  OpenID Connect tokens          saml.rs     SAML assertions and provider metadata
//! xmldoc.rs        a small XML reader            codec.rs    base64 and SHA-1
//! ```

mod codec;
mod federation;
pub mod saml;
pub mod session;
pub mod token;
pub mod validate;
mod web_identity;
pub mod xmldoc;

pub use web_identity::HS256_TAG;

use sagegate_policy::{evaluate, explain::access_denied_message, CompiledPolicy, Context, ContextValue, PolicyKind};
use sagegate_policy::{PolicySet, PrincipalKind, Request};
use sagegate_store::StoreError;

use crate::call::{iso8601, Call};
use crate::directory::Identity;
use crate::error::{ApiError, Service};
use crate::http::Success;
use crate::records::{SessionRec, Tag, SESSION};
use crate::xml::Xml;

type Res = Result<Success, ApiError>;

fn err(status: u16, code: &str, msg: impl Into<String>) -> ApiError {
    ApiError::new(Service::Sts, status, code, msg)
}

/// Whether `op` is an operation of STS's API model (exact spelling).
pub fn known_operation(op: &str) -> bool {
    sagegate_catalog::Catalog::get().api("sts").and_then(|m| m.operation(op)).is_some_and(|o| o.name == op)
}

pub async fn dispatch(call: &Call) -> Res {
    let op = call.operation.as_str();
    // sagegate's extension: a Studio app's execution-role credentials (docs/compatibility.md).
    if op == crate::sagemaker::studio::STUDIO_SESSION_ACTION {
        return crate::sagemaker::studio::assume_execution_role(call).await;
    }
    if !known_operation(op) {
        return Err(err(400, "InvalidAction", format!("Could not find operation {op} for version 2011-06-15")));
    }
    validate::validate(op, &call.params).map_err(|m| ApiError::validation(Service::Sts, m))?;
    match op {
        "GetCallerIdentity" => {
            // Never denied, even under an explicit Deny (§4.5).
            let id = call.identity()?;
            let mut x = Xml::new();
            x.leaf("UserId", &id.user_id).leaf("Account", call.account()).leaf("Arn", &id.principal.arn);
            Ok(Success::Query(Some(x.finish())))
        }
        "AssumeRole" => assume_role(call).await,
        "GetSessionToken" => get_session_token(call).await,
        "GetFederationToken" => get_federation_token(call).await,
        "AssumeRoleWithWebIdentity" => federation::assume_role_with_web_identity(call).await,
        "AssumeRoleWithSAML" => federation::assume_role_with_saml(call).await,
        other => Err(err(
            501,
            "NotImplemented",
            format!("sagegate does not emulate STS {other} yet; see docs/compatibility.md."),
        )),
    }
}

// ----- parameters shared by the operations ------------------------------------------------------

/// `DurationSeconds` (already checked against the model's bounds), or `default`.
fn duration(call: &Call, default: i64) -> i64 {
    call.params.get("DurationSeconds").and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// Session tags (T5; lengths and patterns were checked by the model). Keys are unique ignoring case.
fn tags(call: &Call) -> Result<Vec<Tag>, ApiError> {
    let tags: Vec<Tag> = call.params.tags("Tags");
    for (i, t) in tags.iter().enumerate() {
        if tags.iter().skip(i + 1).any(|u| u.key.eq_ignore_ascii_case(&t.key)) {
            return Err(err(
                400,
                "InvalidParameterValue",
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
    }
    Ok(tags)
}

/// MFA information: both `SerialNumber` and `TokenCode`, or neither. MFA devices are not emulated, so
/// any well-formed pair authenticates, except the code `000000`, which lets tests see a failure [choice].
fn mfa(call: &Call) -> Result<bool, ApiError> {
    match (call.params.get("SerialNumber"), call.params.get("TokenCode")) {
        (None, None) => Ok(false),
        (Some(_), Some("000000")) => Err(ApiError::access_denied(
            Service::Sts,
            "MultiFactorAuthentication failed with invalid MFA one time pass code. ".into(),
        )),
        (Some(_), Some(_)) => Ok(true),
        _ => Err(ApiError::access_denied(
            Service::Sts,
            "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.".into(),
        )),
    }
}

/// Session policies passed with `Policy` and `PolicyArns` (T4, T6).
struct SessionPolicies {
    /// The documents, inline first, then the managed policies' default versions.
    documents: Vec<String>,
    /// The characters counted towards the packed size.
    packed_chars: usize,
    passed: bool,
}

fn session_policies(call: &Call) -> Result<SessionPolicies, ApiError> {
    let mut documents = Vec::new();
    let mut packed_chars = 0;
    let inline = call.params.get("Policy");
    if let Some(p) = inline {
        if let Some(d) = sagegate_policy::validate(p, PolicyKind::Session).error {
            let code =
                if d.code == "PackedPolicyTooLarge" { "PackedPolicyTooLarge" } else { "MalformedPolicyDocument" };
            return Err(err(400, code, d.message));
        }
        packed_chars += p.chars().filter(|c| !c.is_whitespace()).count();
        documents.push(p.to_string());
    }
    let arns: Vec<String> = call
        .params
        .structs("PolicyArns")
        .into_iter()
        .filter_map(|f| f.into_iter().find(|(k, _)| k == "arn").map(|(_, v)| v))
        .collect();
    if arns.len() > 10 {
        return Err(ApiError::validation(
            Service::Sts,
            "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10",
        ));
    }
    for a in &arns {
        match call.dir.managed_policy_document(a) {
            Some(d) => documents.push(d),
            None => {
                return Err(err(
                    400,
                    "InvalidParameterValue",
                    format!("The policy {a} does not exist or is not attachable."),
                ))
            }
        }
        packed_chars += a.len();
    }
    Ok(SessionPolicies { documents, packed_chars, passed: inline.is_some() || !arns.is_empty() })
}

/// `PackedPolicySize`: how much of the packed limit the session policies and tags use, in percent. AWS
/// compresses them into a binary form whose size cannot be reproduced; this is an estimate [choice].
fn packed_policy_size(policies: &SessionPolicies, tags: &[Tag]) -> u64 {
    let chars = policies.packed_chars + tags.iter().map(|t| t.key.len() + t.value.len() + 2).sum::<usize>();
    (chars as u64 * 100).div_ceil(4096).max(1)
}

/// `aws:RequestTag/<k>` and `aws:TagKeys` for passed tags (K3).
fn request_tags(ctx: &mut Context, tags: &[Tag]) {
    for t in tags {
        ctx.insert_single(format!("aws:RequestTag/{}", t.key), t.value.clone());
    }
    if !tags.is_empty() {
        ctx.insert("aws:TagKeys", ContextValue::Multi(tags.iter().map(|t| t.key.clone()).collect()));
    }
}

/// Evaluates `actions` in order on `resource`; the first denial is the answer (T3).
fn decide(
    call: &Call,
    identity: &Identity,
    set: &PolicySet,
    actions: &[&str],
    resource: &str,
    ctx: &Context,
) -> Result<(), ApiError> {
    for action in actions {
        let req = Request::new(identity.principal.clone(), action, resource, None, ctx.clone())
            .map_err(|e| ApiError::internal(Service::Sts, e))?;
        let d = evaluate(set, &req);
        call.state.metrics.decisions.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(m) = access_denied_message(&req, &d) {
            return Err(ApiError::access_denied(Service::Sts, m));
        }
    }
    Ok(())
}

/// A new set of temporary credentials for `arn`, valid for `duration` seconds from now.
fn new_session(call: &Call, arn: String, kind: &str, source: String, duration: i64) -> SessionRec {
    let access_key_id = crate::ids::id("ASIA");
    let expires = call.now.saturating_add(duration);
    SessionRec {
        token: token::mint(&call.dir, &access_key_id, expires),
        access_key_id,
        secret: crate::ids::secret(),
        expires,
        issued: call.now,
        arn,
        source,
        kind: kind.into(),
        session_policies: Vec::new(),
        tags: Vec::new(),
        transitive_tag_keys: Vec::new(),
        source_identity: None,
        mfa: false,
        studio: None,
    }
}

/// Stores the session; the directory is rebuilt before this returns, so the credentials work at once.
async fn store_session(call: &Call, rec: &SessionRec) -> Result<(), ApiError> {
    let value = serde_json::to_value(rec).map_err(|e| ApiError::internal(Service::Sts, e))?;
    let key = rec.access_key_id.clone();
    let state = call.state.clone();
    tokio::task::spawn_blocking(move || state.write(|tx| tx.put(SESSION, &key, &value)))
        .await
        .map_err(|e| ApiError::internal(Service::Sts, e))?
        .map_err(|e: StoreError| ApiError::internal(Service::Sts, e))
}

fn credentials_xml(x: &mut Xml, rec: &SessionRec) {
    x.node("Credentials", |x| {
        x.leaf("AccessKeyId", &rec.access_key_id)
            .leaf("SecretAccessKey", &rec.secret)
            .leaf("SessionToken", &rec.token)
            .leaf("Expiration", &iso8601(rec.expires));
    });
}

fn session_credentials_denied(op: &str) -> ApiError {
    ApiError::access_denied(Service::Sts, format!("Cannot call {op} with session credentials"))
}

// ----- operations -------------------------------------------------------------------------------

async fn assume_role(call: &Call) -> Res {
    let identity = call.identity()?.clone();
    if identity.principal.kind == PrincipalKind::Root {
        return Err(ApiError::access_denied(Service::Sts, "Roles may not be assumed by root accounts.".into()));
    }
    let role_arn = call.required("RoleArn")?.to_string();
    let session_name = call.required("RoleSessionName")?.to_string();
    let role_name = role_arn.rsplit('/').next().unwrap_or_default().to_string();
    let role = call
        .dir
        .roles
        .values()
        .find(|r| r.arn == role_arn || (r.name == role_name && role_arn.contains(&format!(":{}:", call.account()))))
        .cloned();
    let policies = session_policies(call)?;
    // Session tags (T5).
    let tags = tags(call)?;
    let transitive = call.params.list("TransitiveTagKeys");
    if transitive.iter().any(|k| !tags.iter().any(|t| t.key.eq_ignore_ascii_case(k))) {
        return Err(err(
            400,
            "InvalidParameterValue",
            "The TransitiveTagKeys must be a subset of the session tag keys.",
        ));
    }
    let incoming_transitive: Vec<String> =
        identity.session.as_ref().map(|s| s.transitive_tag_keys.clone()).unwrap_or_default();
    if tags.iter().any(|t| incoming_transitive.iter().any(|k| k.eq_ignore_ascii_case(&t.key))) {
        return Err(err(
            400,
            "InvalidParameterValue",
            "One of the specified session tag keys is already set as a transitive tag key by an earlier session.",
        ));
    }
    let source_identity = call.params.get("SourceIdentity").map(str::to_string);
    let with_mfa = mfa(call)?;

    // Authorization (T1–T3): the trust policy is the resource-based policy and must grant by itself (E7).
    let mut ctx = call.base_context();
    ctx.insert_single("sts:RoleSessionName", session_name.clone());
    if let Some(e) = call.params.get("ExternalId") {
        ctx.insert_single("sts:ExternalId", e);
    }
    if let Some(si) = &source_identity {
        ctx.insert_single("sts:SourceIdentity", si.clone());
    }
    if with_mfa {
        ctx.insert_single("aws:MultiFactorAuthPresent", "true");
        ctx.insert_single("aws:MultiFactorAuthAge", "0");
    }
    request_tags(&mut ctx, &tags);
    if !transitive.is_empty() {
        ctx.insert("sts:TransitiveTagKeys", ContextValue::Multi(transitive.clone()));
    }
    if let Some(r) = &role {
        for t in &r.tags {
            ctx.insert_single(format!("aws:ResourceTag/{}", t.key), t.value.clone());
            ctx.insert_single(format!("iam:ResourceTag/{}", t.key), t.value.clone());
        }
    }
    // Role chaining (T8): the caller is the session, with its role's policies and its session policies.
    let mut set: PolicySet = (*identity.policies).clone();
    set.resource = role.as_ref().and_then(|r| CompiledPolicy::parse("trust policy", &r.trust_policy).ok());
    let mut actions = vec!["sts:AssumeRole"];
    if !tags.is_empty() {
        actions.push("sts:TagSession");
    }
    if source_identity.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    decide(call, &identity, &set, &actions, &role_arn, &ctx)?;
    // A role that does not exist is indistinguishable from one that does not trust the caller.
    let Some(role) = role else {
        return Err(ApiError::access_denied(
            Service::Sts,
            format!(
                "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                identity.principal.arn
            ),
        ));
    };
    let chained = identity.session.as_ref().is_some_and(|s| s.kind == session::ROLE);
    let requested = call.params.get("DurationSeconds").is_some();
    let duration = duration(call, 3600.min(role.max_session_duration));
    if requested && chained && duration > 3600 {
        return Err(ApiError::validation(
            Service::Sts,
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        ));
    }
    if requested && duration > role.max_session_duration {
        return Err(ApiError::validation(
            Service::Sts,
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    // Transitive tags propagate through role chaining (T5).
    let mut all_tags = tags.clone();
    let mut all_transitive = transitive.clone();
    if let Some(s) = &identity.session {
        for k in &s.transitive_tag_keys {
            if let Some(t) = s.tags.iter().find(|t| t.key.eq_ignore_ascii_case(k)) {
                all_tags.push(t.clone());
                all_transitive.push(k.clone());
            }
        }
    }
    let arn = format!("arn:aws:sts::{}:assumed-role/{}/{session_name}", call.account(), role.name);
    let mut rec = new_session(call, arn.clone(), session::ROLE, role.name.clone(), duration);
    rec.session_policies = policies.documents.clone();
    rec.tags = all_tags;
    rec.transitive_tag_keys = all_transitive;
    rec.source_identity = source_identity.or_else(|| identity.session.as_ref().and_then(|s| s.source_identity.clone()));
    rec.mfa = with_mfa;
    store_session(call, &rec).await?;
    let mut x = Xml::new();
    credentials_xml(&mut x, &rec);
    x.node("AssumedRoleUser", |x| {
        x.leaf("AssumedRoleId", &format!("{}:{session_name}", role.id)).leaf("Arn", &arn);
    });
    if policies.passed || !tags.is_empty() {
        x.leaf("PackedPolicySize", &packed_policy_size(&policies, &tags).to_string());
    }
    if let Some(si) = &rec.source_identity {
        x.leaf("SourceIdentity", si);
    }
    Ok(Success::Query(Some(x.finish())))
}

/// GetSessionToken (T7): temporary credentials for the calling IAM user or root, optionally with MFA.
/// No permission is needed: AWS does not let policies control it.
async fn get_session_token(call: &Call) -> Res {
    let identity = call.identity()?;
    if identity.session.is_some() {
        return Err(session_credentials_denied("GetSessionToken"));
    }
    let (kind, source, max) = match identity.principal.kind {
        // Root's sessions last at most an hour; a longer request is cut to an hour, as AWS does.
        PrincipalKind::Root => (session::ROOT, String::new(), 3600),
        PrincipalKind::IamUser => (session::USER, identity.user.clone().unwrap_or_default(), 129_600),
        _ => return Err(session_credentials_denied("GetSessionToken")),
    };
    let with_mfa = mfa(call)?;
    let duration = duration(call, 43_200).min(max);
    let mut rec = new_session(call, identity.principal.arn.clone(), kind, source, duration);
    rec.mfa = with_mfa;
    store_session(call, &rec).await?;
    let mut x = Xml::new();
    credentials_xml(&mut x, &rec);
    Ok(Success::Query(Some(x.finish())))
}

/// GetFederationToken (T6): a federated user with the caller's identity policies and boundary, limited
/// by the passed session policies (none passed: nothing but resource-based grants to its ARN).
async fn get_federation_token(call: &Call) -> Res {
    let identity = call.identity()?.clone();
    if identity.session.is_some() {
        return Err(session_credentials_denied("GetFederationToken"));
    }
    let (source, max) = match identity.principal.kind {
        PrincipalKind::Root => (String::new(), 3600),
        PrincipalKind::IamUser => (identity.user.clone().unwrap_or_default(), 129_600),
        _ => return Err(session_credentials_denied("GetFederationToken")),
    };
    let name = call.required("Name")?.to_string();
    let policies = session_policies(call)?;
    let tags = tags(call)?;
    let arn = format!("arn:aws:sts::{}:federated-user/{name}", call.account());
    let mut ctx = call.base_context();
    request_tags(&mut ctx, &tags);
    let mut actions = vec!["sts:GetFederationToken"];
    if !tags.is_empty() {
        actions.push("sts:TagSession");
    }
    decide(call, &identity, &identity.policies, &actions, &arn, &ctx)?;
    let duration = duration(call, 43_200).min(max);
    let mut rec = new_session(call, arn.clone(), session::FEDERATED, source, duration);
    rec.session_policies = policies.documents.clone();
    rec.tags = tags.clone();
    store_session(call, &rec).await?;
    let mut x = Xml::new();
    credentials_xml(&mut x, &rec);
    x.node("FederatedUser", |x| {
        x.leaf("FederatedUserId", &format!("{}:{name}", call.account())).leaf("Arn", &arn);
    });
    if policies.passed || !tags.is_empty() {
        x.leaf("PackedPolicySize", &packed_policy_size(&policies, &tags).to_string());
    }
    Ok(Success::Query(Some(x.finish())))
}
