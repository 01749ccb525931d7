//! AssumeRoleWithWebIdentity and AssumeRoleWithSAML (spec T1–T5): unsigned calls whose caller is the
//! identity provider named by a token (`web_identity.rs`) or an assertion (`saml.rs`).
//!
//! The trust policy decides alone (E9): the caller is a `WebIdentity` principal (the provider ARN, or a
//! built-in provider's name), which only a `Federated` entry matches, with the token's keys in the
//! context. Session tags need `sts:TagSession` and a source identity `sts:SetSourceIdentity`, decided the
//! same way. A denial, or a role that does not exist, is `AccessDenied`: `Not authorized to perform
//! sts:AssumeRoleWithWebIdentity`. The session is an ordinary role session; it also keeps a few of the
//! token's keys for its later requests (`FederationRec`).

use sagegate_policy::{evaluate, explain::access_denied_message, CompiledPolicy, ContextValue, PolicySet};
use sagegate_policy::{Principal, Request};

use super::{credentials_xml, duration, new_session, packed_policy_size, request_tags, session, session_policies};
use super::{err, saml, web_identity, Res};
use crate::call::Call;
use crate::error::{ApiError, Service};
use crate::http::Success;
use crate::records::{ContextEntry, FederationRec, Tag, SESSION, SESSION_FEDERATION};
use crate::xml::Xml;

/// What a verified token or assertion says, ready for the trust decision.
#[derive(Debug, Clone)]
pub struct Federated {
    /// The principal a trust policy names in `Federated`: a provider ARN, or a built-in provider's name.
    pub provider: String,
    /// The token's keys for the trust decision.
    pub keys: Vec<ContextEntry>,
    /// The keys the session keeps for its later requests.
    pub kept: Vec<ContextEntry>,
    pub tags: Vec<Tag>,
    pub transitive: Vec<String>,
    pub source_identity: Option<String>,
    /// The session name the assertion sets (SAML); web identity callers pass `RoleSessionName`.
    pub session_name: Option<String>,
    /// The operation's own response elements, in order (`SubjectFromWebIdentityToken`, `Issuer`, …).
    pub response: Vec<(&'static str, String)>,
}

/// Why a token or assertion is refused, in STS's codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FederationError {
    InvalidIdentityToken(String),
    Expired(String),
    IdpRejectedClaim(String),
    /// The trust policy (or the assertion's `Role` attribute) does not allow it.
    Denied,
}

impl FederationError {
    fn into_api(self, action: &str) -> ApiError {
        match self {
            FederationError::InvalidIdentityToken(m) => err(400, "InvalidIdentityToken", m),
            FederationError::Expired(m) => err(400, "ExpiredTokenException", m),
            FederationError::IdpRejectedClaim(m) => err(403, "IDPRejectedClaim", m),
            FederationError::Denied => not_authorized(action),
        }
    }
}

fn not_authorized(action: &str) -> ApiError {
    ApiError::access_denied(Service::Sts, format!("Not authorized to perform {action}"))
}

pub async fn assume_role_with_web_identity(call: &Call) -> Res {
    const ACTION: &str = "sts:AssumeRoleWithWebIdentity";
    let role_arn = call.required("RoleArn")?.to_string();
    let session_name = call.required("RoleSessionName")?.to_string();
    let token = call.required("WebIdentityToken")?;
    let fed = web_identity::read(&call.dir, token, call.params.get("ProviderId"), call.now)
        .map_err(|e| e.into_api(ACTION))?;
    assume(call, ACTION, &role_arn, &session_name, fed).await
}

pub async fn assume_role_with_saml(call: &Call) -> Res {
    const ACTION: &str = "sts:AssumeRoleWithSAML";
    let role_arn = call.required("RoleArn")?.to_string();
    let provider_arn = call.required("PrincipalArn")?;
    let assertion = call.required("SAMLAssertion")?;
    let provider = call
        .dir
        .saml_providers
        .get(provider_arn)
        .ok_or_else(|| err(400, "InvalidIdentityToken", "Specified provider doesn't exist"))?;
    let fed = saml::read(provider, call.account(), &role_arn, assertion, call.now).map_err(|e| e.into_api(ACTION))?;
    let session_name = fed.session_name.clone().unwrap_or_default();
    assume(call, ACTION, &role_arn, &session_name, fed).await
}

fn context_value(e: &ContextEntry) -> ContextValue {
    match (e.multi, e.values.as_slice()) {
        (false, [one]) => ContextValue::Single(one.clone()),
        _ => ContextValue::Multi(e.values.clone()),
    }
}

/// Session tags from a token or assertion, within T5's limits.
fn check_tags(fed: &Federated) -> Result<(), ApiError> {
    let bad = |m: &str| err(400, "InvalidIdentityToken", m.to_string());
    if fed.tags.len() > 50 {
        return Err(bad("The token carries more than 50 session tags."));
    }
    for (i, t) in fed.tags.iter().enumerate() {
        if t.key.is_empty() || t.key.chars().count() > 128 || t.value.chars().count() > 256 {
            return Err(bad("A session tag in the token is too long (keys 1–128 characters, values up to 256)."));
        }
        if fed.tags.iter().skip(i + 1).any(|u| u.key.eq_ignore_ascii_case(&t.key)) {
            return Err(err(
                400,
                "InvalidParameterValue",
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
    }
    if fed.transitive.iter().any(|k| !fed.tags.iter().any(|t| t.key.eq_ignore_ascii_case(k))) {
        return Err(err(
            400,
            "InvalidParameterValue",
            "The TransitiveTagKeys must be a subset of the session tag keys.",
        ));
    }
    Ok(())
}

/// The trust decision and the new role session, shared by both operations.
async fn assume(call: &Call, action: &str, role_arn: &str, session_name: &str, fed: Federated) -> Res {
    let policies = session_policies(call)?;
    check_tags(&fed)?;
    let role = call.dir.roles.values().find(|r| r.arn == role_arn).cloned();
    let mut ctx = call.base_context();
    ctx.insert_single("sts:RoleSessionName", session_name);
    for e in &fed.keys {
        ctx.insert(e.key.clone(), context_value(e));
    }
    request_tags(&mut ctx, &fed.tags);
    if !fed.transitive.is_empty() {
        ctx.insert("sts:TransitiveTagKeys", ContextValue::Multi(fed.transitive.clone()));
    }
    if let Some(si) = &fed.source_identity {
        ctx.insert_single("sts:SourceIdentity", si.clone());
    }
    // A role that does not exist is indistinguishable from one that does not trust the provider.
    let role = role.ok_or_else(|| not_authorized(action))?;
    for t in &role.tags {
        ctx.insert_single(format!("aws:ResourceTag/{}", t.key), t.value.clone());
        ctx.insert_single(format!("iam:ResourceTag/{}", t.key), t.value.clone());
    }
    let principal = Principal::parse(&fed.provider).map_err(|_| not_authorized(action))?;
    let set =
        PolicySet { resource: CompiledPolicy::parse("trust policy", &role.trust_policy).ok(), ..PolicySet::default() };
    let mut actions = vec![action];
    if !fed.tags.is_empty() {
        actions.push("sts:TagSession");
    }
    if fed.source_identity.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    for a in actions {
        let req = Request::new(principal.clone(), a, &role.arn, None, ctx.clone())
            .map_err(|e| ApiError::internal(Service::Sts, e))?;
        let decision = evaluate(&set, &req);
        call.state.metrics.decisions.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if access_denied_message(&req, &decision).is_some() {
            return Err(not_authorized(a));
        }
    }
    let duration = duration(call, 3600);
    if duration > role.max_session_duration {
        return Err(ApiError::validation(
            Service::Sts,
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    let arn = format!("arn:aws:sts::{}:assumed-role/{}/{session_name}", call.account(), role.name);
    let mut rec = new_session(call, arn.clone(), session::ROLE, role.name.clone(), duration);
    rec.session_policies = policies.documents.clone();
    rec.tags = fed.tags.clone();
    rec.transitive_tag_keys = fed.transitive.clone();
    rec.source_identity = fed.source_identity.clone();
    let kept = FederationRec { access_key_id: rec.access_key_id.clone(), context: fed.kept.clone() };
    let (session_value, kept_value) = match (serde_json::to_value(&rec), serde_json::to_value(&kept)) {
        (Ok(s), Ok(k)) => (s, k),
        _ => return Err(ApiError::internal(Service::Sts, "the session could not be serialized")),
    };
    let key = rec.access_key_id.clone();
    let state = call.state.clone();
    tokio::task::spawn_blocking(move || {
        state.write(|tx| {
            tx.put(SESSION, &key, &session_value)?;
            tx.put(SESSION_FEDERATION, &key, &kept_value)
        })
    })
    .await
    .map_err(|e| ApiError::internal(Service::Sts, e))?
    .map_err(|e| ApiError::internal(Service::Sts, e))?;
    let mut x = Xml::new();
    credentials_xml(&mut x, &rec);
    x.node("AssumedRoleUser", |x| {
        x.leaf("AssumedRoleId", &format!("{}:{session_name}", role.id)).leaf("Arn", &arn);
    });
    if policies.passed || !fed.tags.is_empty() {
        x.leaf("PackedPolicySize", &packed_policy_size(&policies, &fed.tags).to_string());
    }
    for (name, value) in fed.response.iter().filter(|(_, v)| !v.is_empty()) {
        x.leaf(name, value);
    }
    if let Some(si) = &rec.source_identity {
        x.leaf("SourceIdentity", si);
    }
    Ok(Success::Query(Some(x.finish())))
}
