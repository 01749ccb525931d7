//! AWS Signature Version 4 verification as pure functions: parse, canonicalise, derive, compare.
//!
//! Each stage is a function with its own test vectors (`shared/spec/wire-protocols.md` §5–§9), and
//! `verify` runs them in the fixed order of §5.9 so that every error is deterministic. Nothing here
//! does I/O or reads a clock: the caller passes `now` and a credential lookup.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub mod time;

pub use time::{format_amz_date, parse_amz_date, parse_http_date};

/// SHA-256 of the empty string, the payload hash of a request without a body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The wire protocol of the routed service: it decides error codes and HTTP statuses (§8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// AWS JSON 1.1 (SageMaker).
    Json,
    /// awsQuery (IAM, STS).
    Query,
}

/// Why authentication failed. `code` and `status` depend on the protocol (§8).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("Request is missing Authentication Token")]
    MissingAuthenticationToken,
    #[error("{0}")]
    IncompleteSignature(String),
    #[error("The security token included in the request is invalid.")]
    UnrecognizedClient,
    #[error("The security token included in the request is expired")]
    ExpiredToken,
    /// A signature, scope, skew or expiry failure; the message says which.
    #[error("{0}")]
    InvalidSignature(String),
}

impl AuthError {
    /// The error code for the protocol (§8).
    pub fn code(&self, p: Protocol) -> &'static str {
        match (self, p) {
            (AuthError::MissingAuthenticationToken, Protocol::Json) => "MissingAuthenticationTokenException",
            (AuthError::MissingAuthenticationToken, Protocol::Query) => "MissingAuthenticationToken",
            (AuthError::IncompleteSignature(_), Protocol::Json) => "IncompleteSignatureException",
            (AuthError::IncompleteSignature(_), Protocol::Query) => "IncompleteSignature",
            (AuthError::UnrecognizedClient, Protocol::Json) => "UnrecognizedClientException",
            (AuthError::UnrecognizedClient, Protocol::Query) => "InvalidClientTokenId",
            (AuthError::ExpiredToken, Protocol::Json) => "ExpiredTokenException",
            (AuthError::ExpiredToken, Protocol::Query) => "ExpiredToken",
            (AuthError::InvalidSignature(_), Protocol::Json) => "InvalidSignatureException",
            (AuthError::InvalidSignature(_), Protocol::Query) => "SignatureDoesNotMatch",
        }
    }

    /// The HTTP status for the protocol (§8): JSON errors are 400; Query auth errors 403, except
    /// `IncompleteSignature` (400).
    pub fn status(&self, p: Protocol) -> u16 {
        match (self, p) {
            (_, Protocol::Json) | (AuthError::IncompleteSignature(_), Protocol::Query) => 400,
            _ => 403,
        }
    }
}

/// The components of an `Authorization` header or of presigned query parameters (§5.1, §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub terminator: String,
}

impl Credential {
    /// Parses `<akid>/<yyyymmdd>/<region>/<service>/aws4_request`.
    pub fn parse(s: &str) -> Result<Credential, AuthError> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [akid, date, region, service, terminator] if !akid.is_empty() => Ok(Credential {
                access_key_id: akid.to_string(),
                date: date.to_string(),
                region: region.to_string(),
                service: service.to_string(),
                terminator: terminator.to_string(),
            }),
            _ => Err(AuthError::IncompleteSignature(format!(
                "Credential should be scoped to a valid region, service and terminator: '{s}'"
            ))),
        }
    }

    /// `<yyyymmdd>/<region>/<service>/aws4_request` as the client sent it.
    pub fn scope(&self) -> String {
        format!("{}/{}/{}/{}", self.date, self.region, self.service, self.terminator)
    }
}

/// A parsed `Authorization: AWS4-HMAC-SHA256 …` header (§5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationHeader {
    pub credential: Credential,
    /// As sent: lower-case names joined by `;`.
    pub signed_headers: String,
    pub signature: String,
}

/// Parses the `Authorization` header. Components may come in any order, separated by `,` and spaces.
pub fn parse_authorization(header: &str) -> Result<AuthorizationHeader, AuthError> {
    let incomplete = |what: &str| {
        AuthError::IncompleteSignature(format!(
            "Authorization header requires '{what}' parameter. Authorization={header}"
        ))
    };
    let rest = header.strip_prefix(ALGORITHM).filter(|r| r.starts_with(' ')).ok_or_else(|| {
        AuthError::IncompleteSignature(format!(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header and the AWS4-HMAC-SHA256 algorithm. Authorization={header}"
        ))
    })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        } else if !part.is_empty() {
            return Err(AuthError::IncompleteSignature(format!(
                "'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
            )));
        }
    }
    let credential = Credential::parse(credential.ok_or_else(|| incomplete("Credential"))?)?;
    let signed_headers = signed.filter(|s| !s.is_empty()).ok_or_else(|| incomplete("SignedHeaders"))?.to_string();
    let signature = signature.filter(|s| !s.is_empty()).ok_or_else(|| incomplete("Signature"))?.to_string();
    Ok(AuthorizationHeader { credential, signed_headers, signature })
}

/// Percent-encodes per SigV4: only `A-Z a-z 0-9 - _ . ~` stay; `%XX` is upper-case hex (§5.3).
pub fn uri_encode(s: &str, encode_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b'/' if !encode_slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes `%XX` escapes (and, in query strings, `+` as a space). Invalid escapes stay literal.
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |x: u8| (x as char).to_digit(16);
        match c {
            b'%' => match (b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(c),
            },
            b'+' if plus_is_space => out.push(b' '),
            _ => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The canonical URI of a non-S3 service: dot and empty segments dropped, each segment encoded twice
/// (§5.3 step 2).
pub fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    if segments.is_empty() {
        return "/".into();
    }
    let mut out = String::new();
    for s in segments {
        out.push('/');
        out.push_str(&uri_encode(&uri_encode(s, true), true));
    }
    if path.ends_with('/') {
        out.push('/');
    }
    out
}

/// Splits a raw query string into decoded (name, value) pairs.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((n, v)) => (percent_decode(n, true), percent_decode(v, true)),
            None => (percent_decode(p, true), String::new()),
        })
        .collect()
}

/// The canonical query string (§5.3 step 3); `X-Amz-Signature` is left out for presigned requests.
pub fn canonical_query(params: &[(String, String)], presigned: bool) -> String {
    let mut enc: Vec<(String, String)> = params
        .iter()
        .filter(|(n, _)| !(presigned && n == "X-Amz-Signature"))
        .map(|(n, v)| (uri_encode(n, true), uri_encode(v, true)))
        .collect();
    enc.sort();
    enc.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("&")
}

/// The canonical headers block (§5.3 step 4): `name:value\n` for each signed header, values of repeated
/// headers joined with `,`, trimmed, inner whitespace collapsed. A signed header missing from the
/// request is an error (§5.4).
pub fn canonical_headers(signed_headers: &str, headers: &[(&str, &str)]) -> Result<String, String> {
    let mut out = String::new();
    for name in signed_headers.split(';') {
        let values: Vec<String> = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        if values.is_empty() {
            return Err(name.to_string());
        }
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    Ok(out)
}

/// The canonical request: six parts joined by `\n` (§5.3).
pub fn canonical_request(
    method: &str,
    uri: &str,
    query: &str,
    headers: &str,
    signed_headers: &str,
    payload_hash: &str,
) -> String {
    format!("{method}\n{uri}\n{query}\n{headers}\n{signed_headers}\n{payload_hash}")
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// The string to sign (§5.5).
pub fn string_to_sign(request_time: &str, scope: &str, canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{request_time}\n{scope}\n{}", sha256_hex(canonical_request.as_bytes()))
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail; fall back to an all-zero MAC
    // rather than panic, which would simply never verify.
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().into()
        }
        Err(_) => [0; 32],
    }
}

/// The signing key for (secret, date, region, service) (§5.6). Cache it: it changes once a day.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// The hex signature of a string to sign.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex(&hmac(signing_key, string_to_sign.as_bytes()))
}

/// Compares two signatures in constant time (for equal lengths; the length is not secret).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn hex(bytes: &[u8]) -> String {
    let digit = |n: u8| char::from_digit(u32::from(n), 16).unwrap_or('0');
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(digit(b >> 4));
        s.push(digit(b & 15));
    }
    s
}

/// The parts of an HTTP request that SigV4 needs.
#[derive(Debug, Clone)]
pub struct HttpRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: &'a str,
    pub headers: Vec<(&'a str, &'a str)>,
    pub body: &'a [u8],
}

impl HttpRequest<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
    }
}

/// What the server knows about an access key (§5.7).
#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub secret: String,
    /// The session token of temporary (`ASIA…`) credentials.
    pub session_token: Option<String>,
    /// When temporary credentials expire (epoch seconds).
    pub expires_at: Option<i64>,
}

/// Settings of the verifier.
#[derive(Debug, Clone)]
pub struct VerifyConfig {
    /// The routed service's signing name (`sagemaker`, `iam`, `sts`).
    pub service: String,
    /// Regions served; empty means any (IAM is global).
    pub regions: Vec<String>,
    /// The clock-skew window in seconds (§7); default 900.
    pub max_clock_skew: i64,
    /// Grace after a presigned URL's expiry (§6); default 0.
    pub presigned_grace: i64,
}

/// A verified request: who signed it, with what scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub access_key_id: String,
    pub region: String,
    pub request_time: i64,
    pub presigned: bool,
}

/// Signing keys by (access key id, secret, date, region, service). A key changes once a day, so a
/// server keeps them (§5.6) and skips four HMACs per request.
#[derive(Debug, Default)]
pub struct SigningKeyCache {
    keys: std::sync::Mutex<std::collections::HashMap<KeyScope, (String, [u8; 32])>>,
}

/// (access key id, date, region, service).
type KeyScope = (String, String, String, String);

impl SigningKeyCache {
    pub fn new() -> Self {
        SigningKeyCache::default()
    }

    /// The signing key, derived once per (key id, date, region, service) and secret.
    pub fn get(&self, akid: &str, secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
        let id = (akid.to_string(), date.to_string(), region.to_string(), service.to_string());
        if let Ok(map) = self.keys.lock() {
            // The secret is part of the check: a rotated secret must not reuse the old key.
            if let Some((s, k)) = map.get(&id) {
                if constant_time_eq(s.as_bytes(), secret.as_bytes()) {
                    return *k;
                }
            }
        }
        let key = signing_key(secret, date, region, service);
        if let Ok(mut map) = self.keys.lock() {
            if map.len() > 100_000 {
                map.clear(); // bounded: old dates and removed keys fall out
            }
            map.insert(id, (secret.to_string(), key));
        }
        key
    }
}

/// Verifies a request in the order of §5.9. `lookup` finds a key record by access key id in O(1).
pub fn verify(
    req: &HttpRequest<'_>,
    cfg: &VerifyConfig,
    now: i64,
    lookup: impl Fn(&str) -> Option<KeyRecord>,
) -> Result<Verified, AuthError> {
    verify_inner(req, cfg, now, lookup, None)
}

/// `verify`, with signing keys from a cache.
pub fn verify_cached(
    req: &HttpRequest<'_>,
    cfg: &VerifyConfig,
    now: i64,
    lookup: impl Fn(&str) -> Option<KeyRecord>,
    cache: &SigningKeyCache,
) -> Result<Verified, AuthError> {
    verify_inner(req, cfg, now, lookup, Some(cache))
}

fn verify_inner(
    req: &HttpRequest<'_>,
    cfg: &VerifyConfig,
    now: i64,
    lookup: impl Fn(&str) -> Option<KeyRecord>,
    cache: Option<&SigningKeyCache>,
) -> Result<Verified, AuthError> {
    let params = parse_query(req.query);
    let param = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let header_auth = req.header("authorization");
    let query_auth = param("X-Amz-Algorithm");
    // 1. Find the auth.
    let presigned = match (header_auth, query_auth) {
        (Some(_), Some(_)) => {
            return Err(AuthError::IncompleteSignature("Only one authentication method is allowed".into()))
        }
        (None, None) => return Err(AuthError::MissingAuthenticationToken),
        (Some(_), None) => false,
        (None, Some(_)) => true,
    };
    // 2. Parse the components.
    let (credential, signed_headers, given_signature, time_text, expires) = if presigned {
        let missing = |p: &str| {
            AuthError::IncompleteSignature(format!(
                "AWS query-string parameters must include '{p}'. Re-examine the query-string parameters."
            ))
        };
        if query_auth != Some(ALGORITHM) {
            return Err(AuthError::IncompleteSignature(format!(
                "Unsupported AWS 'algorithm': '{}'",
                query_auth.unwrap_or_default()
            )));
        }
        let credential = Credential::parse(param("X-Amz-Credential").ok_or_else(|| missing("X-Amz-Credential"))?)?;
        let signed = param("X-Amz-SignedHeaders").ok_or_else(|| missing("X-Amz-SignedHeaders"))?.to_string();
        let sig = param("X-Amz-Signature").ok_or_else(|| missing("X-Amz-Signature"))?.to_string();
        let date = param("X-Amz-Date").ok_or_else(|| missing("X-Amz-Date"))?.to_string();
        let expires = param("X-Amz-Expires")
            .ok_or_else(|| missing("X-Amz-Expires"))?
            .parse::<i64>()
            .ok()
            .filter(|e| (1..=604_800).contains(e))
            .ok_or_else(|| {
                AuthError::IncompleteSignature("X-Amz-Expires must be an integer from 1 to 604800".into())
            })?;
        (credential, signed, sig, date, Some(expires))
    } else {
        let auth = parse_authorization(header_auth.unwrap_or_default())?;
        let (time, signed_name) = match (req.header("x-amz-date"), req.header("date")) {
            (Some(t), _) => (t.to_string(), "x-amz-date"),
            (None, Some(d)) => (d.to_string(), "date"),
            (None, None) => {
                return Err(AuthError::IncompleteSignature(format!(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={}",
                header_auth.unwrap_or_default()
            )))
            }
        };
        if !auth.signed_headers.split(';').any(|h| h == signed_name) {
            return Err(AuthError::InvalidSignature(format!("'{signed_name}' must be a signed header")));
        }
        (auth.credential, auth.signed_headers, auth.signature, time, None)
    };
    if !signed_headers.split(';').any(|h| h == "host") {
        return Err(AuthError::InvalidSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.".into()));
    }
    // 3. Time, then the skew or expiry window.
    let request_time = parse_amz_date(&time_text).or_else(|| parse_http_date(&time_text)).ok_or_else(|| {
        AuthError::IncompleteSignature(format!("Date must be in ISO-8601 'basic format'. Got '{time_text}'."))
    })?;
    let amz_time = format_amz_date(request_time);
    match expires {
        None => time::check_skew(request_time, now, cfg.max_clock_skew)?,
        Some(exp) => {
            if now < request_time - cfg.max_clock_skew || now > request_time + exp + cfg.presigned_grace {
                return Err(AuthError::InvalidSignature("Request has expired".into()));
            }
        }
    }
    // 4. Scope checks (§5.8).
    if !amz_time.starts_with(&credential.date) || credential.date.len() != 8 {
        return Err(AuthError::InvalidSignature(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{}'.",
            credential.date,
            amz_time.get(..8).unwrap_or_default(),
            time_text
        )));
    }
    if credential.service != cfg.service {
        return Err(AuthError::InvalidSignature(format!(
            "Credential should be scoped to correct service: '{}'. ",
            cfg.service
        )));
    }
    if !cfg.regions.is_empty() && !cfg.regions.contains(&credential.region) {
        return Err(AuthError::InvalidSignature("Credential should be scoped to a valid region. ".into()));
    }
    if credential.terminator != "aws4_request" {
        return Err(AuthError::InvalidSignature(
            "Credential should be scoped with a valid terminator: 'aws4_request'".into(),
        ));
    }
    // 5. Key lookup, status and session token (§5.7).
    let key = lookup(&credential.access_key_id).ok_or(AuthError::UnrecognizedClient)?;
    let token = req.header("x-amz-security-token").or_else(|| param("X-Amz-Security-Token"));
    match (&key.session_token, token) {
        (Some(want), Some(got)) if constant_time_eq(want.as_bytes(), got.as_bytes()) => {}
        (Some(_), _) => return Err(AuthError::UnrecognizedClient),
        (None, Some(_)) => return Err(AuthError::UnrecognizedClient),
        (None, None) => {}
    }
    if key.expires_at.is_some_and(|e| now >= e) {
        return Err(AuthError::ExpiredToken);
    }
    // 6. Signature.
    let body_hash = sha256_hex(req.body);
    let payload_hash = match req.header("x-amz-content-sha256") {
        Some("UNSIGNED-PAYLOAD") => {
            return Err(AuthError::InvalidSignature("UNSIGNED-PAYLOAD is not supported by this service".into()))
        }
        Some(h) if h != body_hash => {
            return Err(AuthError::InvalidSignature(
                "The provided 'x-amz-content-sha256' header does not match what was computed.".into(),
            ))
        }
        Some(h) => h.to_string(),
        None => body_hash,
    };
    let headers = canonical_headers(&signed_headers, &req.headers)
        .map_err(|h| AuthError::InvalidSignature(format!("The request signature we calculated does not match the signature you provided: signed header '{h}' is missing from the request.")))?;
    let query = if presigned || !req.query.is_empty() { canonical_query(&params, presigned) } else { String::new() };
    let creq =
        canonical_request(req.method, &canonical_uri(req.path), &query, &headers, &signed_headers, &payload_hash);
    let sts = string_to_sign(&time_text, &credential.scope(), &creq);
    let key_bytes = match cache {
        Some(c) => {
            c.get(&credential.access_key_id, &key.secret, &credential.date, &credential.region, &credential.service)
        }
        None => signing_key(&key.secret, &credential.date, &credential.region, &credential.service),
    };
    let expected = signature(&key_bytes, &sts);
    if !constant_time_eq(expected.as_bytes(), given_signature.as_bytes()) {
        return Err(AuthError::InvalidSignature(format!(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'{creq}'\n\nThe String-to-Sign should have been\n'{sts}'\n"
        )));
    }
    Ok(Verified { access_key_id: credential.access_key_id, region: credential.region, request_time, presigned })
}

#[cfg(test)]
mod tests;
