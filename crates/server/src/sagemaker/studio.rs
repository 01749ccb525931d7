//! Studio: domains, user profiles, spaces and apps (spec §4), execution-role resolution (§4.5) and the
//! credentials of a Studio app's execution-role session, which carry `sagemaker:DomainId` and
//! `sagemaker:UserProfileName`.

use serde_json::{json, Map, Value};

use sagegate_store::{StoreError, Tx};

use super::families::{family, Family};
use super::ops::{self, check_name, creation_tags, in_use, merge_tags, not_found, s, validation, Out};
use super::records::{self, list_all, load, save, Resource};
use super::roles::{cannot_assume, role_of, trusts_sagemaker};
use super::{Env, Fail};
use crate::ids::hex;
use crate::records::SessionRec;

fn domain_arn(env: &Env, id: &str) -> String {
    env.scope.arn(&format!("domain/{id}"))
}

/// The stored domain, or SageMaker's not-found error.
pub fn domain(env: &Env, tx: &mut dyn Tx, id: &str) -> Result<Resource, Fail> {
    let arn = domain_arn(env, id);
    load(tx, &arn)?.ok_or_else(|| not_found(format!("Domain not found: {arn}")))
}

pub fn profile(env: &Env, tx: &mut dyn Tx, domain_id: &str, name: &str) -> Result<Resource, Fail> {
    let arn = env.scope.arn(&format!("user-profile/{domain_id}/{name}"));
    load(tx, &arn)?.ok_or_else(|| not_found(format!("User profile not found: {arn}")))
}

pub fn space(env: &Env, tx: &mut dyn Tx, domain_id: &str, name: &str) -> Result<Resource, Fail> {
    let arn = env.scope.arn(&format!("space/{domain_id}/{name}"));
    load(tx, &arn)?.ok_or_else(|| not_found(format!("Space not found: {arn}")))
}

/// Custom tags (not system ones) of a parent, copied to what is created under it.
fn custom_tags(r: &Resource) -> Vec<(String, String)> {
    r.tags.iter().filter(|(k, _)| !k.starts_with("aws:") && !k.starts_with("sagemaker:")).cloned().collect()
}

fn propagates(d: &Resource) -> bool {
    d.str("TagPropagation") == Some("ENABLED")
}

pub fn create_domain(env: &Env, tx: &mut dyn Tx, id: &str) -> Out {
    let Some(f) = family("domain") else { return Err(super::not_emulated(&env.op)) };
    let name = s(&env.body, "DomainName").unwrap_or_default().to_string();
    check_name(f, "DomainName", &name)?;
    let count = tx.count(records::KIND, &records::type_prefix(&env.region, "domain"))?;
    if count as usize >= f.quota {
        return Err(ops::limit(
            "The account-level service limit 'Maximum number of domains per account' has been reached.",
        ));
    }
    let arn = domain_arn(env, id);
    super::roles::check_passed_roles(env, &arn)?;
    let mut doc = ops::doc_of(f, &env.body);
    doc.insert("DomainId".into(), json!(id));
    doc.insert("HomeEfsFileSystemId".into(), json!(format!("fs-{}", hex(17))));
    doc.insert("Url".into(), json!(format!("https://{id}.studio.{}.sagemaker.aws", env.region)));
    doc.insert("SecurityGroupIdForDomainBoundary".into(), json!(format!("sg-{}", hex(17))));
    if s(&env.body, "AuthMode") == Some("SSO") {
        doc.insert("SingleSignOnManagedApplicationInstanceId".into(), json!(format!("ins-{}", hex(16))));
    }
    let url = doc.get("Url").cloned().unwrap_or(Value::Null);
    let r = Resource::new(f, name, arn.clone(), creation_tags(env, &env.body)?, doc, env.now, env.step);
    save(tx, &r)?;
    Ok(json!({"DomainArn": arn, "Url": url}))
}

/// CreateUserProfile, CreateSpace and CreateApp.
pub fn create(env: &Env, tx: &mut dyn Tx, f: &Family) -> Out {
    let body = &env.body;
    let domain_id = s(body, "DomainId").unwrap_or_default().to_string();
    let d = domain(env, tx, &domain_id)?;
    let name = s(body, f.name_field).unwrap_or_default().to_string();
    check_name(f, f.name_field, &name)?;
    let arn = ops::arn_for(env, f, body)?;
    if let Some(old) = load(tx, &arn)? {
        if !(f.ty == "app" && old.status(env.now) == Some("Deleted")) {
            return Err(in_use(format!("{} already exists: {arn}", f.label)));
        }
    }
    let mut tags = Vec::new();
    if propagates(&d) || f.ty == "app" {
        merge_tags(&mut tags, &custom_tags(&d))?;
    }
    let mut doc = ops::doc_of(f, body);
    match f.ty {
        "user-profile" => {
            let sso = d.str("AuthMode") == Some("SSO");
            let given = body.get("SingleSignOnUserIdentifier").is_some() || body.get("SingleSignOnUserValue").is_some();
            if sso
                && (s(body, "SingleSignOnUserIdentifier") != Some("UserName")
                    || s(body, "SingleSignOnUserValue").is_none())
            {
                return Err(validation("SingleSignOnUserIdentifier and SingleSignOnUserValue must be specified for a domain with SSO authentication mode. SingleSignOnUserIdentifier must be UserName."));
            }
            if !sso && given {
                return Err(validation("SingleSignOnUserIdentifier and SingleSignOnUserValue can only be specified for a domain with SSO authentication mode."));
            }
            doc.insert("HomeEfsFileSystemUid".into(), json!(format!("{}", 200_000 + env.now % 100_000)));
        }
        "space" => {
            let sharing = body.get("SpaceSharingSettings").and_then(|x| s(x, "SharingType"));
            let owner = body.get("OwnershipSettings").and_then(|x| s(x, "OwnerUserProfileName"));
            if sharing == Some("Private") && owner.is_none() {
                return Err(validation(
                    "A private space requires an owner: specify OwnershipSettings.OwnerUserProfileName.",
                ));
            }
            if let Some(o) = owner {
                let p = profile(env, tx, &domain_id, o)?;
                if propagates(&d) {
                    merge_tags(&mut tags, &custom_tags(&p))?;
                }
            }
            doc.entry("SpaceSharingSettings").or_insert_with(|| json!({"SharingType": "Shared"}));
            doc.insert("HomeEfsFileSystemUid".into(), json!(format!("{}", 300_000 + env.now % 100_000)));
            doc.insert("Url".into(), json!(format!("https://{domain_id}.studio.{}.sagemaker.aws/{name}", env.region)));
        }
        "app" => {
            match (s(body, "UserProfileName"), s(body, "SpaceName")) {
                (Some(p), None) => {
                    let pr = profile(env, tx, &domain_id, p)?;
                    merge_tags(&mut tags, &custom_tags(&pr))?;
                }
                (None, Some(sp)) => {
                    let spr = space(env, tx, &domain_id, sp)?;
                    if propagates(&d) {
                        merge_tags(&mut tags, &custom_tags(&spr))?;
                    }
                }
                _ => return Err(validation("Exactly one of UserProfileName or SpaceName must be specified.")),
            }
            let ty = s(body, "AppType").unwrap_or_default();
            let default_instance =
                if matches!(ty, "JupyterServer" | "RStudioServerPro") { "system" } else { "ml.t3.medium" };
            doc.entry("ResourceSpec").or_insert_with(|| json!({"InstanceType": default_instance}));
        }
        _ => {}
    }
    super::roles::check_passed_roles(env, &arn)?;
    merge_tags(&mut tags, &creation_tags(env, body)?)?;
    let r = Resource::new(f, name, arn.clone(), tags, doc, env.now, env.step);
    save(tx, &r)?;
    let mut out = Map::new();
    out.insert(f.arn_field.to_string(), Value::String(arn));
    Ok(Value::Object(out))
}

/// What must be gone before a Studio resource can be deleted.
pub fn check_delete(env: &Env, tx: &mut dyn Tx, f: &Family, r: &Resource) -> Result<(), Fail> {
    let domain_id = r.str("DomainId").unwrap_or_default().to_lowercase();
    let live_apps = |tx: &mut dyn Tx, owner: &str| -> Result<bool, StoreError> {
        let prefix = format!("{}:app/{domain_id}/{}/", env.region, owner.to_lowercase());
        Ok(list_all(tx, &prefix)?.iter().any(|a| a.status(env.now) != Some("Deleted")))
    };
    match f.ty {
        "domain" => {
            for ty in ["user-profile", "space"] {
                let prefix = format!("{}:{ty}/{domain_id}/", env.region);
                if tx.count(records::KIND, &prefix)? > 0 {
                    return Err(in_use(format!(
                        "Domain {} cannot be deleted while it has user profiles or spaces; delete them first.",
                        r.str("DomainId").unwrap_or_default()
                    )));
                }
            }
        }
        "user-profile" => {
            if live_apps(tx, &r.name)? {
                return Err(in_use(format!(
                    "User profile {} has apps that are not deleted; delete them first.",
                    r.name
                )));
            }
            let prefix = format!("{}:space/{domain_id}/", env.region);
            let owns = list_all(tx, &prefix)?.iter().any(|sp| {
                let (owner, sharing) = records::space_facts(sp);
                sharing == "Private" && owner.as_deref() == Some(r.name.as_str())
            });
            if owns {
                return Err(in_use(format!("User profile {} owns private spaces; delete them first.", r.name)));
            }
        }
        "space" if live_apps(tx, &r.name)? => {
            return Err(in_use(format!("Space {} has apps that are not deleted; delete them first.", r.name)));
        }
        _ => {}
    }
    Ok(())
}

/// The execution role of a profile: its own, else the domain default (§4.5).
fn profile_role(d: &Resource, p: Option<&Resource>) -> Option<String> {
    let own = p.and_then(|p| p.get("UserSettings")).and_then(|u| s(u, "ExecutionRole"));
    own.or_else(|| d.get("DefaultUserSettings").and_then(|u| s(u, "ExecutionRole"))).map(str::to_string)
}

/// The effective execution role where code runs (§4.5 table): a profile's apps, a private space (its
/// owner's role), or a shared space (the domain's space default, else its user default).
pub fn effective_role(
    env: &Env,
    tx: &mut dyn Tx,
    domain_id: &str,
    profile_name: Option<&str>,
    space_name: Option<&str>,
) -> Result<Option<String>, Fail> {
    let d = domain(env, tx, domain_id)?;
    if let Some(sp) = space_name {
        let spr = space(env, tx, domain_id, sp)?;
        let (owner, sharing) = records::space_facts(&spr);
        if sharing == "Private" {
            let p = match owner {
                Some(o) => Some(profile(env, tx, domain_id, &o)?),
                None => None,
            };
            return Ok(profile_role(&d, p.as_ref()));
        }
        let space_default = d.get("DefaultSpaceSettings").and_then(|u| s(u, "ExecutionRole")).map(str::to_string);
        return Ok(space_default.or_else(|| profile_role(&d, None)));
    }
    let p = match profile_name {
        Some(n) => Some(profile(env, tx, domain_id, n)?),
        None => None,
    };
    Ok(profile_role(&d, p.as_ref()))
}

/// Describe shows the role that applies (`EffectiveExecutionRole`, a sagegate member); DescribeUserProfile
/// also fills `UserSettings.ExecutionRole` when the profile inherits the domain default.
/// Whether Describe of this family reads other records (the effective execution role).
pub fn describe_reads_others(f: &Family) -> bool {
    matches!(f.ty, "user-profile" | "space" | "app")
}

pub fn on_describe(env: &Env, tx: &mut dyn Tx, f: &Family, r: &Resource, out: &mut Map<String, Value>) {
    if !describe_reads_others(f) {
        return;
    }
    let domain_id = r.str("DomainId").unwrap_or_default().to_string();
    let (profile_name, space_name) = match f.ty {
        "user-profile" => (Some(r.name.clone()), None),
        "space" => (None, Some(r.name.clone())),
        _ => (r.str("UserProfileName").map(str::to_string), r.str("SpaceName").map(str::to_string)),
    };
    let role = effective_role(env, tx, &domain_id, profile_name.as_deref(), space_name.as_deref()).ok().flatten();
    if let Some(role) = role {
        if f.ty == "user-profile" {
            let settings = out.entry("UserSettings").or_insert_with(|| json!({}));
            if let Some(o) = settings.as_object_mut() {
                o.entry("ExecutionRole").or_insert_with(|| json!(role));
            }
        }
        out.insert("EffectiveExecutionRole".into(), json!(role));
    }
}

/// Mints the credentials SageMaker gives a Studio app: a session of the effective execution role,
/// assumed by `sagemaker.amazonaws.com`, carrying the Studio session context (§4.5).
pub fn mint_app_session(
    env: &Env,
    tx: &mut dyn Tx,
    domain_id: &str,
    profile_name: &str,
    space_name: Option<&str>,
    duration: i64,
) -> Result<SessionRec, Fail> {
    let d = domain(env, tx, domain_id)?;
    profile(env, tx, domain_id, profile_name)?;
    let shared = match space_name {
        Some(sp) => records::space_facts(&space(env, tx, domain_id, sp)?).1 != "Private",
        None => false,
    };
    let role_arn = effective_role(env, tx, domain_id, Some(profile_name), space_name)?
        .ok_or_else(|| validation("No execution role is set for this user profile, space or domain."))?;
    let role = role_of(env, &role_arn).ok_or_else(|| cannot_assume(&role_arn))?;
    let source_arn = match space_name {
        Some(sp) => env.scope.arn(&format!("space/{domain_id}/{sp}")),
        None => env.scope.arn(&format!("user-profile/{domain_id}/{profile_name}")),
    };
    let stamp_identity = d
        .get("DomainSettings")
        .and_then(|x| s(x, "ExecutionRoleIdentityConfig"))
        .is_some_and(|c| c == "USER_PROFILE_NAME");
    let extra: &[&str] = if stamp_identity { &["sts:SetSourceIdentity"] } else { &[] };
    if !trusts_sagemaker(env, role, &source_arn, extra) {
        return Err(cannot_assume(&role_arn));
    }
    let account = &env.scope.account;
    let access_key_id = crate::ids::id("ASIA");
    let expires = env.now.saturating_add(duration);
    // A sealed token, so a purged session still answers ExpiredToken (sts/token.rs).
    let token = crate::sts::token::mint(&env.dir, &access_key_id, expires);
    Ok(SessionRec {
        access_key_id,
        secret: crate::ids::secret(),
        token,
        expires,
        issued: env.now,
        arn: format!("arn:aws:sts::{account}:assumed-role/{}/SageMaker", role.name),
        source: role.name.clone(),
        kind: "role".into(),
        session_policies: Vec::new(),
        tags: Vec::new(),
        transitive_tag_keys: Vec::new(),
        source_identity: stamp_identity.then(|| profile_name.to_string()),
        mfa: false,
        studio: Some((
            domain_id.to_string(),
            (!shared).then(|| profile_name.to_string()),
            space_name.map(str::to_string),
        )),
    })
}

/// sagegate's STS-protocol action that issues a Studio app's execution-role credentials, shaped like
/// AssumeRole. The caller must be allowed into Studio as the profile (`sagemaker:CreatePresignedDomainUrl`
/// on it), as a user opening Studio is; the credentials are those of the app running as that profile,
/// in `SpaceName` when given.
pub const STUDIO_SESSION_ACTION: &str = "AssumeStudioExecutionRole";

pub async fn assume_execution_role(call: &crate::call::Call) -> Result<crate::http::Success, crate::error::ApiError> {
    use crate::error::{ApiError, Service};
    let identity = call.identity()?.clone();
    let domain_id = call.required("DomainId")?.to_string();
    let profile_name = call.required("UserProfileName")?.to_string();
    let space_name = call.params.get("SpaceName").map(str::to_string);
    let duration = match call.params.get("DurationSeconds").map(str::parse::<i64>) {
        None => 3600,
        Some(Ok(d)) if (900..=43_200).contains(&d) => d,
        Some(_) => return Err(ApiError::validation(Service::Sts, "DurationSeconds must be between 900 and 43200.")),
    };
    let body = json!({"DomainId": domain_id, "UserProfileName": profile_name});
    let env = Env::new(call, identity, None, "CreatePresignedDomainUrl", body);
    let state = call.state.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let mut minted: Option<SessionRec> = None;
        let r = super::authorized(&env, None, &mut |env: &Env, tx: &mut dyn Tx| {
            let rec = mint_app_session(env, tx, &domain_id, &profile_name, space_name.as_deref(), duration)?;
            let v = serde_json::to_value(&rec).map_err(|e| Fail::Store(StoreError::Invalid(e.to_string())))?;
            tx.put(crate::records::SESSION, &rec.access_key_id, &v)?;
            minted = Some(rec);
            Ok(Value::Null)
        });
        let _ = state.refresh();
        r.map(|_| minted)
    })
    .await
    .map_err(|e| ApiError::internal(Service::Sts, e))?;
    let rec = match joined {
        Ok(Some(rec)) => rec,
        Ok(None) => return Err(ApiError::internal(Service::Sts, "no session was minted")),
        Err(e) if e.code == "AccessDeniedException" => return Err(ApiError::access_denied(Service::Sts, e.message)),
        Err(e) => return Err(ApiError::new(Service::Sts, e.status, &e.code, e.message)),
    };
    let role_id = call.dir.roles.get(&rec.source).map(|r| r.id.clone()).unwrap_or_default();
    let mut x = crate::xml::Xml::new();
    x.node("Credentials", |x| {
        x.leaf("AccessKeyId", &rec.access_key_id)
            .leaf("SecretAccessKey", &rec.secret)
            .leaf("SessionToken", &rec.token)
            .leaf("Expiration", &crate::call::iso8601(rec.expires));
    });
    x.node("AssumedRoleUser", |x| {
        x.leaf("AssumedRoleId", &format!("{role_id}:SageMaker")).leaf("Arn", &rec.arn);
    });
    if let Some(si) = &rec.source_identity {
        x.leaf("SourceIdentity", si);
    }
    Ok(crate::http::Success::Query(Some(x.finish())))
}
