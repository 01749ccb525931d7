//! The STS API (awsQuery): GetCallerIdentity and AssumeRole with trust-policy evaluation (spec T1–T5).

use sagegate_policy::{
    evaluate, explain::access_denied_message, CompiledPolicy, ContextValue, PolicyKind, PolicySet, Request,
};
use sagegate_store::StoreError;

use crate::call::{iso8601, Call};
use crate::error::{ApiError, Service};
use crate::http::Success;
use crate::records::{SessionRec, Tag, SESSION};
use crate::xml::Xml;

type Res = Result<Success, ApiError>;

fn err(status: u16, code: &str, msg: impl Into<String>) -> ApiError {
    ApiError::new(Service::Sts, status, code, msg)
}

pub async fn dispatch(call: &Call) -> Res {
    match call.operation.as_str() {
        "GetCallerIdentity" => {
            // Never denied, even under an explicit Deny (§4.5).
            let id = call.identity()?;
            let mut x = Xml::new();
            x.leaf("UserId", &id.user_id).leaf("Account", call.account()).leaf("Arn", &id.principal.arn);
            Ok(Success::Query(Some(x.finish())))
        }
        "AssumeRole" => assume_role(call).await,
        other => Err(err(400, "InvalidAction", format!("Could not find operation {other} for version 2011-06-15"))),
    }
}

async fn assume_role(call: &Call) -> Res {
    let identity = call.identity()?.clone();
    let role_arn = call.required("RoleArn")?.to_string();
    let session_name = call.required("RoleSessionName")?.to_string();
    if session_name.len() < 2
        || session_name.len() > 64
        || !session_name.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
    {
        return Err(ApiError::validation(
            Service::Sts,
            format!("1 validation error detected: Value '{session_name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"),
        ));
    }
    let role_name = role_arn.rsplit('/').next().unwrap_or_default().to_string();
    let role = call
        .dir
        .roles
        .values()
        .find(|r| r.arn == role_arn || (r.name == role_name && role_arn.contains(&format!(":{}:", call.account()))))
        .cloned();
    // Session policies (T4): validated as session policies, at most 10 managed ARNs.
    let inline_policy = call.params.get("Policy").map(str::to_string);
    if let Some(p) = &inline_policy {
        if let Some(d) = sagegate_policy::validate(p, PolicyKind::Session).error {
            let code =
                if d.code == "PackedPolicyTooLarge" { "PackedPolicyTooLarge" } else { "MalformedPolicyDocument" };
            return Err(err(400, code, d.message));
        }
    }
    let arns: Vec<String> = call
        .params
        .structs("PolicyArns")
        .into_iter()
        .filter_map(|f| f.into_iter().find(|(k, _)| k == "arn").map(|(_, v)| v))
        .collect();
    if arns.len() > 10 {
        return Err(ApiError::validation(Service::Sts, "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10"));
    }
    // Session tags (T5).
    let tags: Vec<Tag> = call
        .params
        .structs("Tags")
        .into_iter()
        .map(|f| {
            let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
            Tag { key: get("Key"), value: get("Value") }
        })
        .collect();
    if tags.len() > 50 || tags.iter().any(|t| t.key.is_empty() || t.key.len() > 128 || t.value.len() > 256) {
        return Err(ApiError::validation(Service::Sts, "1 validation error detected: Value at 'tags' failed to satisfy constraint: at most 50 tags, keys of 1 to 128 and values of at most 256 characters"));
    }
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

    // Authorization (T1–T3): the trust policy is the resource-based policy and must grant by itself (E7).
    let mut ctx = call.base_context();
    ctx.insert_single("sts:RoleSessionName", session_name.clone());
    if let Some(e) = call.params.get("ExternalId") {
        ctx.insert_single("sts:ExternalId", e);
    }
    if let Some(si) = &source_identity {
        ctx.insert_single("sts:SourceIdentity", si.clone());
    }
    for t in &tags {
        ctx.insert_single(format!("aws:RequestTag/{}", t.key), t.value.clone());
    }
    if !tags.is_empty() {
        ctx.insert("aws:TagKeys", ContextValue::Multi(tags.iter().map(|t| t.key.clone()).collect()));
    }
    if !transitive.is_empty() {
        ctx.insert("sts:TransitiveTagKeys", ContextValue::Multi(transitive.clone()));
    }
    if let Some(r) = &role {
        for t in &r.tags {
            ctx.insert_single(format!("aws:ResourceTag/{}", t.key), t.value.clone());
            ctx.insert_single(format!("iam:ResourceTag/{}", t.key), t.value.clone());
        }
    }
    let mut set: PolicySet = (*identity.policies).clone();
    set.resource = role.as_ref().and_then(|r| CompiledPolicy::parse("trust policy", &r.trust_policy).ok());
    let mut actions = vec!["sts:AssumeRole"];
    if !tags.is_empty() {
        actions.push("sts:TagSession");
    }
    if source_identity.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    for action in actions {
        let req = Request::new(identity.principal.clone(), action, &role_arn, None, ctx.clone())
            .map_err(|e| ApiError::internal(Service::Sts, e))?;
        let d = evaluate(&set, &req);
        if let Some(m) = access_denied_message(&req, &d) {
            return Err(ApiError::access_denied(Service::Sts, m));
        }
    }
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
    let chained = identity.session.as_ref().is_some_and(|s| s.kind == "role");
    let max = if chained { 3600 } else { role.max_session_duration };
    let duration = match call.params.get("DurationSeconds") {
        None => 3600.min(max),
        Some(v) => {
            let d: i64 = v.parse().map_err(|_| {
                ApiError::validation(Service::Sts, format!("1 validation error detected: Value '{v}' at 'durationSeconds' failed to satisfy constraint: Member must be a number"))
            })?;
            if d < 900 {
                return Err(ApiError::validation(
                    Service::Sts,
                    format!("1 validation error detected: Value '{d}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"),
                ));
            }
            if d > max {
                return Err(ApiError::validation(
                    Service::Sts,
                    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                ));
            }
            d
        }
    };
    let mut session_policies: Vec<String> = inline_policy.into_iter().collect();
    for a in &arns {
        match call.dir.managed_policy_document(a) {
            Some(d) => session_policies.push(d),
            None => {
                return Err(err(
                    400,
                    "InvalidParameterValue",
                    format!("The policy {a} does not exist or is not attachable."),
                ))
            }
        }
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
    let rec = SessionRec {
        access_key_id: crate::ids::id("ASIA"),
        secret: crate::ids::secret(),
        token: crate::ids::session_token(),
        expires: call.now + duration,
        issued: call.now,
        arn: arn.clone(),
        source: role.name.clone(),
        kind: "role".into(),
        session_policies,
        tags: all_tags,
        transitive_tag_keys: all_transitive,
        source_identity: source_identity.or_else(|| identity.session.as_ref().and_then(|s| s.source_identity.clone())),
        mfa: false,
        studio: None,
    };
    let out = rec.clone();
    let state = call.state.clone();
    tokio::task::spawn_blocking(move || {
        state.write(|tx| {
            let v = serde_json::to_value(&rec).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            tx.put(SESSION, &rec.access_key_id, &v)
        })
    })
    .await
    .map_err(|e| ApiError::internal(Service::Sts, e))?
    .map_err(|e| ApiError::internal(Service::Sts, e))?;
    let mut x = Xml::new();
    x.node("Credentials", |x| {
        x.leaf("AccessKeyId", &out.access_key_id)
            .leaf("SecretAccessKey", &out.secret)
            .leaf("SessionToken", &out.token)
            .leaf("Expiration", &iso8601(out.expires));
    });
    x.node("AssumedRoleUser", |x| {
        x.leaf("AssumedRoleId", &format!("{}:{session_name}", role.id)).leaf("Arn", &arn);
    });
    if !out.session_policies.is_empty() || !tags.is_empty() {
        x.leaf("PackedPolicySize", "6");
    }
    if let Some(si) = &out.source_identity {
        x.leaf("SourceIdentity", si);
    }
    Ok(Success::Query(Some(x.finish())))
}
