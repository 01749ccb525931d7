//! SAML 2.0 for IAM SAML providers (their metadata) and AssumeRoleWithSAML (the assertion).
//!
//! An assertion is base64 XML, a `Response` holding an `Assertion` (or the `Assertion` alone). It is
//! accepted when [choice, docs/compatibility.md]: the response status (if any) is `Success` (else
//! `IDPRejectedClaim`); the issuer is the provider's metadata `entityID`; an `Audience` is AWS's sign-in
//! endpoint; no `NotOnOrAfter` has passed (`ExpiredTokenException`) and no `NotBefore` lies ahead; it
//! has a `NameID` and the `RoleSessionName` attribute; and its `Role` attribute, when present, lists the
//! requested role and provider. Encrypted assertions are refused. XML signatures are **not** verified:
//! that needs XML canonicalization and RSA, which sagegate does not carry.
//!
//! Keys: `saml:aud` (the `Recipient`), `saml:iss`, `saml:sub`, `saml:sub_type`, `saml:namequalifier`,
//! `saml:doc`, the attribute keys of the OIDs below, and session tags (`PrincipalTag:<k>`,
//! `TransitiveTagKeys`) and `SourceIdentity` from AWS's attributes. The session keeps `saml:sub`,
//! `saml:sub_type` and `saml:namequalifier` for its later requests.

use sagegate_policy::condition::Instant;

use super::codec::{base64_decode, base64_encode_padded, sha1};
use super::federation::{Federated, FederationError};
use super::xmldoc::{self, Element};
use crate::records::{ContextEntry, SamlProviderRec, Tag};

/// The audiences AWS accepts: its sign-in endpoint (global or regional) and its URN.
fn is_aws_audience(a: &str) -> bool {
    a == "https://signin.aws.amazon.com/saml"
        || a == "urn:amazon:webservices"
        || a.strip_prefix("https://")
            .and_then(|r| r.strip_suffix(".signin.aws.amazon.com/saml"))
            .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

const AWS_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/";

/// Attribute OIDs and the `saml:` keys they set; `true` marks a multivalued key.
const ATTRIBUTE_KEYS: &[(&str, &str, bool)] = &[
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "saml:edupersonaffiliation", true),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.2", "saml:edupersonnickname", true),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.3", "saml:edupersonorgdn", false),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.4", "saml:edupersonorgunitdn", true),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.5", "saml:edupersonprimaryaffiliation", false),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "saml:edupersonprincipalname", false),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.7", "saml:edupersonentitlement", true),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.8", "saml:edupersonprimaryorgunitdn", false),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.9", "saml:edupersonscopedaffiliation", true),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.10", "saml:edupersontargetedid", true),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.11", "saml:edupersonassurance", true),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.2", "saml:eduorghomepageuri", true),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.3", "saml:eduorgidentityauthnpolicyuri", true),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.4", "saml:eduorglegalname", true),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.5", "saml:eduorgsuperioruri", true),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.6", "saml:eduorgwhitepagesuri", true),
    ("urn:oid:2.5.4.3", "saml:cn", true),
    ("urn:oid:2.5.4.4", "saml:surname", false),
    ("urn:oid:2.5.4.42", "saml:givenName", false),
    ("urn:oid:2.5.4.41", "saml:name", false),
    ("urn:oid:2.5.4.45", "saml:x500UniqueIdentifier", false),
    ("urn:oid:0.9.2342.19200300.100.1.1", "saml:uid", false),
    ("urn:oid:0.9.2342.19200300.100.1.3", "saml:mail", false),
];

/// How far ahead of sagegate's clock an IdP's `NotBefore` may be [choice].
const SKEW: i64 = 300;

/// What IAM keeps from a provider's metadata: the IdP's `entityID` and its `validUntil`, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub entity_id: String,
    pub valid_until: Option<i64>,
}

/// Reads SAML metadata (`EntityDescriptor`, or the first one of an `EntitiesDescriptor`).
pub fn metadata(text: &str) -> Result<Metadata, String> {
    let root = xmldoc::parse(text)?;
    let ed = if root.name == "EntityDescriptor" { Some(&root) } else { root.find("EntityDescriptor") };
    let ed = ed.ok_or("no EntityDescriptor")?;
    let entity_id = ed.attr("entityID").filter(|e| !e.is_empty()).ok_or("no entityID")?.to_string();
    if ed.find("IDPSSODescriptor").is_none() {
        return Err("no IDPSSODescriptor".into());
    }
    let valid_until = match ed.attr("validUntil").or_else(|| root.attr("validUntil")) {
        Some(v) => Some(Instant::parse(v).ok_or("validUntil is not a date")?.seconds),
        None => None,
    };
    Ok(Metadata { entity_id, valid_until })
}

fn invalid(msg: impl Into<String>) -> FederationError {
    FederationError::InvalidIdentityToken(msg.into())
}

fn time_attr(e: &Element, name: &str) -> Result<Option<i64>, FederationError> {
    match e.attr(name) {
        None => Ok(None),
        Some(v) => Instant::parse(v)
            .map(|i| Some(i.seconds))
            .ok_or_else(|| invalid(format!("The SAML assertion's {name} is not a date."))),
    }
}

/// `SubjectType` and `saml:sub_type`: `persistent`, `transient`, or the format URI as sent.
fn subject_type(format: Option<&str>) -> String {
    let format = format.unwrap_or("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified");
    format.strip_prefix("urn:oasis:names:tc:SAML:2.0:nameid-format:").unwrap_or(format).to_string()
}

fn entry(key: &str, value: String) -> ContextEntry {
    ContextEntry { key: key.into(), values: vec![value], multi: false }
}

/// Verifies a base64 assertion for `provider` and reads it. `role_arn` is the role asked for.
pub fn read(
    provider: &SamlProviderRec,
    account: &str,
    role_arn: &str,
    assertion: &str,
    now: i64,
) -> Result<Federated, FederationError> {
    let xml = base64_decode(assertion)
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| invalid("The SAML assertion is not base64-encoded UTF-8."))?;
    let root = xmldoc::parse(&xml).map_err(|e| invalid(format!("The SAML assertion is not well-formed XML: {e}.")))?;
    if let Some(code) = root.child("Status").and_then(|s| s.child("StatusCode")).and_then(|c| c.attr("Value")) {
        if !code.ends_with(":Success") {
            return Err(FederationError::IdpRejectedClaim(format!(
                "The identity provider reported that authentication failed ({code})."
            )));
        }
    }
    if root.find("EncryptedAssertion").is_some() {
        return Err(invalid("sagegate does not accept encrypted SAML assertions."));
    }
    let assertion = if root.name == "Assertion" { Some(&root) } else { root.child("Assertion") };
    let assertion = assertion.ok_or_else(|| invalid("The SAML response has no Assertion."))?;
    let issuer = assertion.child("Issuer").or_else(|| root.child("Issuer")).map(Element::text).unwrap_or_default();
    if issuer != provider.entity_id {
        return Err(invalid("Issuer not present in specified provider"));
    }
    if provider.valid_until <= now {
        return Err(invalid("The SAML provider's metadata is no longer valid (ValidUntil has passed)."));
    }
    // Subject.
    let subject = assertion.child("Subject").ok_or_else(|| invalid("The SAML assertion has no Subject."))?;
    let name_id = subject.child("NameID").ok_or_else(|| invalid("The SAML assertion has no NameID."))?;
    let sub = name_id.text();
    let sub_type = subject_type(name_id.attr("Format"));
    let confirmation = subject.child("SubjectConfirmation").and_then(|c| c.child("SubjectConfirmationData"));
    let recipient = confirmation.and_then(|c| c.attr("Recipient")).map(str::to_string);
    // Lifetime and audience.
    let conditions = assertion.child("Conditions");
    let mut not_on_or_after = Vec::new();
    for e in confirmation.into_iter().chain(conditions) {
        not_on_or_after.extend(time_attr(e, "NotOnOrAfter")?);
        if time_attr(e, "NotBefore")?.is_some_and(|t| t > now + SKEW) {
            return Err(invalid("The SAML assertion is not valid yet (NotBefore lies in the future)."));
        }
    }
    if let Some(t) = not_on_or_after.iter().copied().min().filter(|t| now >= *t) {
        return Err(FederationError::Expired(format!(
            "The SAML assertion expired: current date/time {now} must be before NotOnOrAfter {t}"
        )));
    }
    let audiences: Vec<String> = conditions
        .into_iter()
        .flat_map(|c| c.children_named("AudienceRestriction"))
        .flat_map(|r| r.children_named("Audience"))
        .map(Element::text)
        .collect();
    if !audiences.iter().any(|a| is_aws_audience(a)) {
        return Err(invalid("The SAML assertion's audience is not https://signin.aws.amazon.com/saml."));
    }
    // Attributes.
    let attributes: Vec<(&str, Vec<String>)> = assertion
        .children_named("AttributeStatement")
        .flat_map(|s| s.children_named("Attribute"))
        .filter_map(|a| Some((a.attr("Name")?, a.children_named("AttributeValue").map(Element::text).collect())))
        .collect();
    let aws = |name: &str| -> Vec<&Vec<String>> {
        attributes.iter().filter(|(n, _)| n.strip_prefix(AWS_ATTRIBUTE) == Some(name)).map(|(_, v)| v).collect()
    };
    let provider_name = provider.arn.rsplit('/').next().unwrap_or_default();
    // The Role attribute lists "role-arn,provider-arn" pairs (either order).
    let roles: Vec<&String> = aws("Role").into_iter().flatten().collect();
    if !roles.is_empty()
        && !roles.iter().any(|pair| {
            let mut parts = pair.split(',').map(str::trim);
            let (a, b) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            (a == role_arn && b == provider.arn) || (b == role_arn && a == provider.arn)
        })
    {
        return Err(FederationError::Denied);
    }
    let session_name = aws("RoleSessionName").into_iter().find_map(|v| v.first()).cloned().ok_or_else(|| {
        invalid("The SAML assertion has no https://aws.amazon.com/SAML/Attributes/RoleSessionName attribute.")
    })?;
    let name_ok = (2..=64).contains(&session_name.chars().count())
        && session_name.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if !name_ok {
        return Err(invalid(format!("The RoleSessionName attribute '{session_name}' is not a valid session name.")));
    }
    let mut tags = Vec::new();
    for (name, values) in &attributes {
        if let Some(key) = name.strip_prefix(AWS_ATTRIBUTE).and_then(|n| n.strip_prefix("PrincipalTag:")) {
            tags.push(Tag { key: key.to_string(), value: values.first().cloned().unwrap_or_default() });
        }
    }
    let transitive: Vec<String> = aws("TransitiveTagKeys").into_iter().flatten().cloned().collect();
    let source_identity = aws("SourceIdentity").into_iter().find_map(|v| v.first()).cloned();
    // Keys.
    let name_qualifier = base64_encode_padded(&sha1(format!("{issuer}{account}/{provider_name}").as_bytes()));
    let kept = vec![
        entry("saml:sub", sub.clone()),
        entry("saml:sub_type", sub_type.clone()),
        entry("saml:namequalifier", name_qualifier.clone()),
    ];
    let mut keys = kept.clone();
    keys.push(entry("saml:iss", issuer.clone()));
    keys.push(entry("saml:doc", format!("{account}/{provider_name}")));
    if let Some(r) = &recipient {
        keys.push(entry("saml:aud", r.clone()));
    }
    for (oid, key, multi) in ATTRIBUTE_KEYS {
        if let Some((_, values)) = attributes.iter().find(|(n, _)| n == oid) {
            keys.push(ContextEntry { key: key.to_string(), values: values.clone(), multi: *multi });
        }
    }
    Ok(Federated {
        provider: provider.arn.clone(),
        keys,
        kept,
        tags,
        transitive,
        source_identity,
        session_name: Some(session_name),
        response: vec![
            ("Subject", sub),
            ("SubjectType", sub_type),
            ("Issuer", issuer),
            ("Audience", recipient.unwrap_or_default()),
            ("NameQualifier", name_qualifier),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_and_subject_types() {
        assert!(is_aws_audience("https://signin.aws.amazon.com/saml"));
        assert!(is_aws_audience("https://eu-west-1.signin.aws.amazon.com/saml"));
        assert!(is_aws_audience("urn:amazon:webservices"));
        assert!(!is_aws_audience("https://evil.example/https://signin.aws.amazon.com/saml"));
        assert_eq!(subject_type(Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")), "persistent");
        assert_eq!(
            subject_type(Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")),
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
        );
    }

    #[test]
    fn metadata_names_the_entity() {
        let m = metadata(r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example/x" validUntil="2030-01-01T00:00:00Z"><md:IDPSSODescriptor/></md:EntityDescriptor>"#).unwrap();
        assert_eq!(m.entity_id, "https://idp.example/x");
        assert_eq!(m.valid_until, Instant::parse("2030-01-01T00:00:00Z").map(|i| i.seconds));
        assert!(metadata("<EntityDescriptor entityID='a'/>").is_err());
        assert!(metadata("not xml").is_err());
    }
}
