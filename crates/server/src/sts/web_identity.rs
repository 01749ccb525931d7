//! Web identity tokens (OpenID Connect JWTs) for AssumeRoleWithWebIdentity: which provider issued a
//! token, whether it may be redeemed, and the condition keys it sets.
//!
//! sagegate runs offline and cannot fetch an identity provider's signing keys (JWKS), so a token is
//! checked structurally [choice, docs/compatibility.md]: three base64url parts, a JSON header naming a
//! signing algorithm other than `none`, and claims from a known issuer: `iss` is the URL of an IAM OIDC
//! provider of the account (or a built-in provider), `aud` (or `azp`) one of its client ids, `exp` in
//! the future, `iat` and `nbf` not in the future. A provider tagged `sagegate:hs256-secret` (a sagegate
//! extension) has its tokens' signatures verified: they must be HS256 with that secret.
//!
//! Keys for the trust policy (`<provider>` is the provider URL without `https://`):
//! `<provider>:aud` (`azp` when present, else the matching `aud`), `<provider>:sub`, `<provider>:amr`
//! (multivalued, when the token has it), `accounts.google.com:oaud`, the provider-specific claims the
//! catalog lists for `sts:AssumeRoleWithWebIdentity` (`token.actions.githubusercontent.com:repository`,
//! …), and session tags and source identity from the `https://aws.amazon.com/tags` and
//! `https://aws.amazon.com/source_identity` claims.

use serde_json::Value;

use super::codec::base64_decode;
use super::federation::{Federated, FederationError};
use crate::directory::Directory;
use crate::records::{ContextEntry, Tag};

/// Providers IAM knows without an OIDC provider in the account (their tokens are JWTs).
const BUILT_IN: [&str; 2] = ["cognito-identity.amazonaws.com", "accounts.google.com"];

/// OAuth 2.0 providers whose tokens are opaque access tokens, which cannot be checked offline.
const OAUTH_ONLY: [&str; 2] = ["graph.facebook.com", "www.amazon.com"];

/// The extension tag whose value is the HS256 secret of a provider's tokens.
pub const HS256_TAG: &str = "sagegate:hs256-secret";

/// How far in the future `iat` and `nbf` may lie (clock skew between the IdP and sagegate) [choice].
const SKEW: i64 = 300;

/// The AWS claims of session tags and source identity.
const TAGS_CLAIM: &str = "https://aws.amazon.com/tags";
const SOURCE_IDENTITY_CLAIM: &str = "https://aws.amazon.com/source_identity";

fn invalid(msg: impl Into<String>) -> FederationError {
    FederationError::InvalidIdentityToken(msg.into())
}

fn decode_part(part: &str, what: &str) -> Result<Value, FederationError> {
    let bytes =
        base64_decode(part).ok_or_else(|| invalid(format!("The web identity token's {what} is not base64url.")))?;
    let v: Value = serde_json::from_slice(&bytes)
        .map_err(|_| invalid(format!("The web identity token's {what} is not a JSON object.")))?;
    v.is_object().then_some(v).ok_or_else(|| invalid(format!("The web identity token's {what} is not a JSON object.")))
}

/// A claim as the strings a condition key holds: a string, a number or a boolean as text, an array of those.
fn claim_values(v: &Value) -> Option<(Vec<String>, bool)> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match v {
        Value::Array(items) => Some((items.iter().filter_map(scalar).collect(), true)),
        other => scalar(other).map(|s| (vec![s], false)),
    }
}

fn entry(key: String, values: Vec<String>, multi: bool) -> ContextEntry {
    ContextEntry { key, values, multi }
}

/// Whether a catalog key prefix (`token.actions.githubusercontent.com/${SubPath}`) names `provider`;
/// `${…}` stands for any non-empty text.
fn prefix_matches(pattern: &str, provider: &str) -> bool {
    let Some(start) = pattern.find("${") else {
        return pattern == provider;
    };
    let Some(end) = pattern.get(start..).and_then(|p| p.find('}')).map(|e| start + e + 1) else {
        return false;
    };
    let (head, tail) = (pattern.get(..start).unwrap_or_default(), pattern.get(end..).unwrap_or_default());
    let Some(rest) = provider.strip_prefix(head) else { return false };
    (1..=rest.len()).any(|n| rest.get(n..).is_some_and(|after| rest.is_char_boundary(n) && prefix_matches(tail, after)))
}

/// The provider-specific claim keys the catalog lists for `provider`, as (key, claim) pairs.
fn catalog_claims(provider: &str) -> Vec<(String, &'static str)> {
    let Some(action) = sagegate_catalog::Catalog::get().action("sts:AssumeRoleWithWebIdentity") else {
        return Vec::new();
    };
    action
        .condition_keys
        .iter()
        .filter_map(|k| {
            let (prefix, claim) = k.rsplit_once(':')?;
            let generic = matches!(claim, "aud" | "sub" | "amr" | "oaud");
            (!generic && !prefix.starts_with("sts") && !prefix.starts_with("aws") && prefix_matches(prefix, provider))
                .then(|| (format!("{provider}:{claim}"), claim))
        })
        .collect()
}

/// Verifies `token` and reads what it says. `now` is the server's clock.
pub fn read(dir: &Directory, token: &str, provider_id: Option<&str>, now: i64) -> Result<Federated, FederationError> {
    if let Some(p) = provider_id.filter(|p| OAUTH_ONLY.contains(p)) {
        return Err(invalid(format!(
            "sagegate cannot validate OAuth 2.0 access tokens of {p} offline; use an OpenID Connect ID token."
        )));
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Err(invalid("The web identity token is not a JSON Web Token (three base64url parts)."));
    };
    let header = decode_part(header, "header")?;
    let claims = decode_part(payload, "payload")?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or_default();
    if alg.is_empty() || alg.eq_ignore_ascii_case("none") || signature.is_empty() {
        return Err(invalid("The web identity token is not signed."));
    }
    let claim_str = |name: &str| claims.get(name).and_then(Value::as_str);
    let iss = claim_str("iss").ok_or_else(|| invalid("The web identity token has no 'iss' claim."))?;
    let host_path = iss.strip_prefix("https://").unwrap_or(iss);
    // The issuer names the provider: an IAM OIDC provider with that URL, else a built-in one.
    let iam_provider = dir.oidc_providers.values().find(|p| p.url == host_path);
    let (provider, provider_name) = match iam_provider {
        Some(p) => (p.arn.clone(), p.url.clone()),
        None if BUILT_IN.contains(&host_path) => (host_path.to_string(), host_path.to_string()),
        None => return Err(invalid(format!("No OpenIDConnect provider found in your account for {iss}"))),
    };
    // The signature, where the provider registered a key through the sagegate extension.
    if let Some(secret) = iam_provider.and_then(|p| p.tags.iter().find(|t| t.key == HS256_TAG)) {
        let signed_part = token.rsplit_once('.').map(|(s, _)| s).unwrap_or_default();
        let expected =
            super::codec::base64_encode(&sagegate_sigv4::hmac_sha256(secret.value.as_bytes(), signed_part.as_bytes()))
                .replace('+', "-")
                .replace('/', "_");
        let given = signature.trim_end_matches('=');
        if alg != "HS256" || !sagegate_sigv4::constant_time_eq(expected.as_bytes(), given.as_bytes()) {
            return Err(invalid("The web identity token's signature could not be verified."));
        }
    }
    // Audience: `azp` when present, else `aud` (a string or a list), against the client ids.
    let auds: Vec<String> = match claims.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    let azp = claim_str("azp").map(str::to_string);
    let candidates: Vec<String> = azp.iter().cloned().chain(auds.iter().cloned()).collect();
    let audience = match iam_provider {
        Some(p) => candidates
            .iter()
            .find(|a| p.client_ids.contains(a))
            .cloned()
            .ok_or_else(|| invalid("Incorrect token audience"))?,
        None => candidates.first().cloned().ok_or_else(|| invalid("The web identity token has no 'aud' claim."))?,
    };
    // Lifetime.
    let time = |name: &str| claims.get(name).and_then(Value::as_f64).map(|t| t as i64);
    let exp = time("exp").ok_or_else(|| invalid("The web identity token has no 'exp' claim."))?;
    if now >= exp {
        return Err(FederationError::Expired(format!(
            "Token expired: current date/time {now} must be before the expiration date/time {exp}"
        )));
    }
    for name in ["iat", "nbf"] {
        if time(name).is_some_and(|t| t > now + SKEW) {
            return Err(invalid(format!(
                "The web identity token is not valid yet: its '{name}' claim lies in the future."
            )));
        }
    }
    let sub = claim_str("sub").ok_or_else(|| invalid("The web identity token has no 'sub' claim."))?.to_string();

    // Condition keys: the trust decision sees `keys`; the session keeps `kept` for its later requests.
    let mut keys = vec![
        entry(format!("{provider_name}:aud"), vec![audience.clone()], false),
        entry(format!("{provider_name}:sub"), vec![sub.clone()], false),
    ];
    if let Some((values, _)) = claims.get("amr").and_then(claim_values) {
        keys.push(entry(format!("{provider_name}:amr"), values, true));
    }
    let mut kept = keys.clone();
    kept.push(entry("aws:FederatedProvider".into(), vec![provider.clone()], false));
    if provider_name == "accounts.google.com" && azp.is_some() {
        keys.push(entry(format!("{provider_name}:oaud"), auds.clone(), false));
    }
    for (key, claim) in catalog_claims(&provider_name) {
        if let Some((values, multi)) = claims.get(claim).and_then(claim_values) {
            keys.push(entry(key, values, multi));
        }
    }

    // Session tags: {"principal_tags": {"k": ["v"]}, "transitive_tag_keys": ["k"]}.
    let mut tags = Vec::new();
    let mut transitive = Vec::new();
    if let Some(t) = claims.get(TAGS_CLAIM) {
        if let Some(map) = t.get("principal_tags").and_then(Value::as_object) {
            for (k, v) in map {
                let value = match v {
                    Value::Array(a) => a.first().and_then(Value::as_str),
                    other => other.as_str(),
                };
                let value = value.ok_or_else(|| {
                    invalid(format!("The session tag '{k}' in the web identity token has no string value."))
                })?;
                tags.push(Tag { key: k.clone(), value: value.to_string() });
            }
        }
        if let Some(list) = t.get("transitive_tag_keys").and_then(Value::as_array) {
            transitive = list.iter().filter_map(Value::as_str).map(str::to_string).collect();
        }
    }
    let source_identity = claim_str(SOURCE_IDENTITY_CLAIM).map(str::to_string);
    Ok(Federated {
        response: vec![("SubjectFromWebIdentityToken", sub), ("Provider", provider.clone()), ("Audience", audience)],
        provider,
        keys,
        kept,
        tags,
        transitive,
        source_identity,
        session_name: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_prefixes_match_providers() {
        assert!(prefix_matches("token.actions.githubusercontent.com", "token.actions.githubusercontent.com"));
        assert!(prefix_matches(
            "token.actions.githubusercontent.com/${SubPath}",
            "token.actions.githubusercontent.com/org"
        ));
        assert!(!prefix_matches(
            "token.actions.githubusercontent.com/${SubPath}",
            "token.actions.githubusercontent.com/"
        ));
        assert!(prefix_matches("agent.${Domain}.buildkite.dev", "agent.x.buildkite.dev"));
        assert!(!prefix_matches("gitlab.com", "gitlab.com.evil"));
        let github = catalog_claims("token.actions.githubusercontent.com");
        assert!(github
            .iter()
            .any(|(k, c)| k == "token.actions.githubusercontent.com:repository" && *c == "repository"));
        assert!(catalog_claims("example.com").is_empty());
    }
}
