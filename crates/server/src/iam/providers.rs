//! IAM identity providers: OpenID Connect providers (URL, client ids, thumbprints) and SAML providers
//! (metadata), which AssumeRoleWithWebIdentity and AssumeRoleWithSAML trust; with their tags.
//!
//! Inputs are checked against the botocore model first, so constraint violations read as IAM's
//! `ValidationError`. A provider ARN is `arn:aws:iam::<account>:oidc-provider/<url without https://>`
//! or `arn:aws:iam::<account>:saml-provider/<name>`.

use super::entity::{authorized, Record, Tagged};
use super::*;
use crate::call::iso8601;
use crate::sts::saml;

/// At most this many providers of each kind per account, client ids per OIDC provider, and
/// thumbprints per OIDC provider (IAM quotas).
const MAX_PROVIDERS: usize = 100;
const MAX_CLIENT_IDS: usize = 100;
const MAX_THUMBPRINTS: usize = 5;

/// Without a `validUntil` in the metadata, a SAML provider stays valid this long [choice].
const DEFAULT_VALIDITY: i64 = 100 * 365 * 86_400;

/// The operation's input checked against the botocore model.
fn model(call: &Call) -> Result<(), ApiError> {
    crate::sts::validate::validate_in("iam", &call.operation, &call.params)
        .map_err(|m| ApiError::validation(Service::Iam, m))
}

fn no_such_oidc(arn: &str) -> ApiError {
    err(404, "NoSuchEntity", format!("OpenIDConnect Provider not found for arn {arn}"))
}

fn no_such_saml(arn: &str) -> ApiError {
    err(404, "NoSuchEntity", format!("Manifest not found for arn {arn}"))
}

/// The resource keys of a provider: its tags as `aws:ResourceTag/<k>`.
fn tag_ctx(tags: &[Tag]) -> Ctx {
    tags.iter().map(|t| single(format!("aws:ResourceTag/{}", t.key), t.value.clone())).collect()
}

impl Record for OidcProviderRec {
    const STORE: &'static str = OIDC_PROVIDER;
    const LABEL: &'static str = "OpenID Connect provider";
    fn store_key(&self) -> String {
        self.arn.clone()
    }
    fn arn(&self) -> &str {
        &self.arn
    }
    fn target(call: &Call) -> Result<Self, ApiError> {
        let arn = arn_param(call, "OpenIDConnectProviderArn")?;
        call.dir.oidc_providers.get(&arn).cloned().ok_or_else(|| no_such_oidc(&arn))
    }
    fn assumed_arn(call: &Call) -> Option<String> {
        call.params.get("OpenIDConnectProviderArn").map(str::to_string)
    }
    fn missing(&self) -> ApiError {
        no_such_oidc(&self.arn)
    }
    fn resource_ctx(&self) -> Ctx {
        tag_ctx(&self.tags)
    }
}

impl Tagged for OidcProviderRec {
    const TAG_QUOTA: &'static str = "TagsPerOpenIdConnectProvider";
    fn tags_mut(&mut self) -> &mut Vec<Tag> {
        &mut self.tags
    }
    fn tags(&self) -> &[Tag] {
        &self.tags
    }
}

impl Record for SamlProviderRec {
    const STORE: &'static str = SAML_PROVIDER;
    const LABEL: &'static str = "SAML provider";
    fn store_key(&self) -> String {
        self.arn.clone()
    }
    fn arn(&self) -> &str {
        &self.arn
    }
    fn target(call: &Call) -> Result<Self, ApiError> {
        let arn = arn_param(call, "SAMLProviderArn")?;
        call.dir.saml_providers.get(&arn).cloned().ok_or_else(|| no_such_saml(&arn))
    }
    fn assumed_arn(call: &Call) -> Option<String> {
        call.params.get("SAMLProviderArn").map(str::to_string)
    }
    fn missing(&self) -> ApiError {
        no_such_saml(&self.arn)
    }
    fn resource_ctx(&self) -> Ctx {
        tag_ctx(&self.tags)
    }
}

impl Tagged for SamlProviderRec {
    const TAG_QUOTA: &'static str = "TagsPerSamlProvider";
    fn tags_mut(&mut self) -> &mut Vec<Tag> {
        &mut self.tags
    }
    fn tags(&self) -> &[Tag] {
        &self.tags
    }
}

// ----- OpenID Connect ----------------------------------------------------------------------------

/// Thumbprints are SHA-1 fingerprints: 40 hexadecimal digits, at most 5.
fn check_thumbprints(list: &[String]) -> Result<(), ApiError> {
    if list.len() > MAX_THUMBPRINTS {
        return Err(quota("ThumbprintsPerOpenIdConnectProvider", MAX_THUMBPRINTS));
    }
    match list.iter().find(|t| t.len() != 40 || !t.bytes().all(|b| b.is_ascii_hexdigit())) {
        Some(t) => Err(invalid_input(format!("Thumbprint {t} is not 40 hexadecimal characters."))),
        None => Ok(()),
    }
}

/// The client ids, each once, in the order given.
fn dedup(list: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for c in list {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

pub(super) async fn create_oidc(call: &Call) -> Res {
    model(call)?;
    let url = call.required("Url")?;
    let host = url
        .strip_prefix("https://")
        .filter(|h| {
            !h.is_empty() && !h.starts_with('/') && !h.contains(|c: char| c.is_whitespace() || c == '?' || c == '#')
        })
        .ok_or_else(|| {
            invalid_input(format!("Invalid Open ID Connect Provider URL: {url} (it must begin with https://)."))
        })?
        .to_string();
    let arn = format!("arn:aws:iam::{}:oidc-provider/{host}", call.account());
    let tags = tags_param(call)?;
    call.authorize("iam:CreateOpenIDConnectProvider", &arn, request_tags_ctx(&tags))?;
    let client_ids = dedup(call.params.list("ClientIDList"));
    if client_ids.len() > MAX_CLIENT_IDS {
        return Err(quota("ClientIdsPerOpenIdConnectProvider", MAX_CLIENT_IDS));
    }
    let thumbprints = call.params.list("ThumbprintList");
    check_thumbprints(&thumbprints)?;
    let exists = err(409, "EntityAlreadyExists", format!("Provider with url https://{host} already exists."));
    if call.dir.oidc_providers.contains_key(&arn) {
        return Err(exists);
    }
    if call.dir.oidc_providers.len() >= MAX_PROVIDERS {
        return Err(quota("OpenIdIdpsPerAccount", MAX_PROVIDERS));
    }
    let rec = OidcProviderRec { arn, url: host, client_ids, thumbprints, created: call.now, tags };
    insert(call, rec.clone(), exists).await?;
    result(|x| {
        x.leaf("OpenIDConnectProviderArn", &rec.arn);
        if !rec.tags.is_empty() {
            tags_xml(x, "Tags", &rec.tags);
        }
    })
}

pub(super) fn get_oidc(call: &Call) -> Res {
    model(call)?;
    let p: OidcProviderRec = authorized(call, "iam:GetOpenIDConnectProvider", |_| Vec::new())?;
    result(|x| {
        x.leaf("Url", &p.url);
        string_list(x, "ClientIDList", &p.client_ids);
        string_list(x, "ThumbprintList", &p.thumbprints);
        x.leaf("CreateDate", &iso8601(p.created));
        if !p.tags.is_empty() {
            tags_xml(x, "Tags", &p.tags);
        }
    })
}

pub(super) fn list_oidc(call: &Call) -> Res {
    call.authorize("iam:ListOpenIDConnectProviders", "*", Vec::new())?;
    let mut arns: Vec<&String> = call.dir.oidc_providers.keys().collect();
    arns.sort();
    result(|x| {
        x.list("OpenIDConnectProviderList", &arns, |x, a| {
            x.leaf("Arn", a);
        });
    })
}

pub(super) async fn delete_oidc(call: &Call) -> Res {
    model(call)?;
    let p: OidcProviderRec = authorized(call, "iam:DeleteOpenIDConnectProvider", |_| Vec::new())?;
    remove(call, &p).await?;
    done()
}

/// AddClientIDToOpenIDConnectProvider and RemoveClientIDFromOpenIDConnectProvider (both idempotent),
/// and UpdateOpenIDConnectProviderThumbprint (replaces the list).
pub(super) async fn change_oidc(call: &Call) -> Res {
    model(call)?;
    let p: OidcProviderRec = authorized(call, &action(call), |_| Vec::new())?;
    let op = call.operation.clone();
    let client_id = call.params.get("ClientID").map(str::to_string);
    let thumbprints = call.params.list("ThumbprintList");
    if op == "UpdateOpenIDConnectProviderThumbprint" {
        check_thumbprints(&thumbprints)?;
    }
    update::<OidcProviderRec>(call, p.store_key(), p.missing(), move |p| {
        match (op.as_str(), &client_id) {
            ("AddClientIDToOpenIDConnectProvider", Some(c)) => {
                if !p.client_ids.contains(c) {
                    if p.client_ids.len() >= MAX_CLIENT_IDS {
                        return Err(quota("ClientIdsPerOpenIdConnectProvider", MAX_CLIENT_IDS));
                    }
                    p.client_ids.push(c.clone());
                }
            }
            ("RemoveClientIDFromOpenIDConnectProvider", Some(c)) => p.client_ids.retain(|x| x != c),
            _ => p.thumbprints = thumbprints.clone(),
        }
        Ok(())
    })
    .await?;
    done()
}

// ----- SAML --------------------------------------------------------------------------------------

fn read_metadata(text: &str) -> Result<saml::Metadata, ApiError> {
    saml::metadata(text).map_err(|e| invalid_input(format!("Could not parse metadata: {e}.")))
}

pub(super) async fn create_saml(call: &Call) -> Res {
    model(call)?;
    let name = call.required("Name")?.to_string();
    let document = call.required("SAMLMetadataDocument")?.to_string();
    let arn = format!("arn:aws:iam::{}:saml-provider/{name}", call.account());
    let tags = tags_param(call)?;
    call.authorize("iam:CreateSAMLProvider", &arn, request_tags_ctx(&tags))?;
    let metadata = read_metadata(&document)?;
    let exists = err(409, "EntityAlreadyExists", format!("SAMLProvider {name} already exists."));
    if call.dir.saml_providers.contains_key(&arn) {
        return Err(exists);
    }
    if call.dir.saml_providers.len() >= MAX_PROVIDERS {
        return Err(quota("SamlProvidersPerAccount", MAX_PROVIDERS));
    }
    let rec = SamlProviderRec {
        arn,
        name,
        metadata: document,
        entity_id: metadata.entity_id,
        uuid: crate::ids::uuid().replace('-', "").to_ascii_uppercase(),
        created: call.now,
        valid_until: metadata.valid_until.unwrap_or(call.now.saturating_add(DEFAULT_VALIDITY)),
        tags,
    };
    insert(call, rec.clone(), exists).await?;
    result(|x| {
        x.leaf("SAMLProviderArn", &rec.arn);
        if !rec.tags.is_empty() {
            tags_xml(x, "Tags", &rec.tags);
        }
    })
}

pub(super) fn get_saml(call: &Call) -> Res {
    model(call)?;
    let p: SamlProviderRec = authorized(call, "iam:GetSAMLProvider", |_| Vec::new())?;
    result(|x| {
        x.leaf("SAMLProviderUUID", &p.uuid)
            .leaf("SAMLMetadataDocument", &p.metadata)
            .leaf("CreateDate", &iso8601(p.created))
            .leaf("ValidUntil", &iso8601(p.valid_until));
        if !p.tags.is_empty() {
            tags_xml(x, "Tags", &p.tags);
        }
    })
}

/// UpdateSAMLProvider: new metadata (encryption settings are accepted and ignored).
pub(super) async fn update_saml(call: &Call) -> Res {
    model(call)?;
    let p: SamlProviderRec = authorized(call, "iam:UpdateSAMLProvider", |_| Vec::new())?;
    let document = call.params.get("SAMLMetadataDocument").map(str::to_string);
    let metadata = document.as_deref().map(read_metadata).transpose()?;
    let now = call.now;
    let p = update::<SamlProviderRec>(call, p.store_key(), p.missing(), move |p| {
        if let (Some(d), Some(m)) = (&document, &metadata) {
            p.metadata = d.clone();
            p.entity_id = m.entity_id.clone();
            p.valid_until = m.valid_until.unwrap_or(now.saturating_add(DEFAULT_VALIDITY));
        }
        Ok(())
    })
    .await?;
    result(|x| {
        x.leaf("SAMLProviderArn", &p.arn);
    })
}

pub(super) fn list_saml(call: &Call) -> Res {
    call.authorize("iam:ListSAMLProviders", "*", Vec::new())?;
    let mut providers: Vec<&SamlProviderRec> = call.dir.saml_providers.values().collect();
    providers.sort_by(|a, b| a.arn.cmp(&b.arn));
    result(|x| {
        x.list("SAMLProviderList", &providers, |x, p| {
            x.leaf("Arn", &p.arn).leaf("ValidUntil", &iso8601(p.valid_until)).leaf("CreateDate", &iso8601(p.created));
        });
    })
}

pub(super) async fn delete_saml(call: &Call) -> Res {
    model(call)?;
    let p: SamlProviderRec = authorized(call, "iam:DeleteSAMLProvider", |_| Vec::new())?;
    remove(call, &p).await?;
    done()
}
