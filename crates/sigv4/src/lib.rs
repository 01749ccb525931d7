//! AWS Signature Version 4 verification as pure functions: parse, canonicalise, derive, compare.
//!
//! Each stage is a function with its own test vectors (`shared/spec/wire-protocols.md` §5–§9), and
//! `verify` runs them in the fixed order of §5.9 so that every error is deterministic. Nothing here
//! does I/O or reads a clock: the caller passes `now` and a credential lookup.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub mod sign;
pub mod time;

pub use sign::{sign_request, SigningParams};
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
        CredentialRef::parse(s).map(|c| c.owned())
    }

    /// `<yyyymmdd>/<region>/<service>/aws4_request` as the client sent it.
    pub fn scope(&self) -> String {
        format!("{}/{}/{}/{}", self.date, self.region, self.service, self.terminator)
    }
}

/// `Credential`, borrowed from the request: `verify` allocates nothing to read it.
#[derive(Debug, Clone, Copy)]
struct CredentialRef<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    terminator: &'a str,
}

impl<'a> CredentialRef<'a> {
    fn parse(s: &'a str) -> Result<CredentialRef<'a>, AuthError> {
        let mut parts = split_ascii(s, b'/');
        match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(access_key_id), Some(date), Some(region), Some(service), Some(terminator), None)
                if !access_key_id.is_empty() =>
            {
                Ok(CredentialRef { access_key_id, date, region, service, terminator })
            }
            _ => Err(AuthError::IncompleteSignature(format!(
                "Credential should be scoped to a valid region, service and terminator: '{s}'"
            ))),
        }
    }

    fn owned(&self) -> Credential {
        Credential {
            access_key_id: self.access_key_id.to_string(),
            date: self.date.to_string(),
            region: self.region.to_string(),
            service: self.service.to_string(),
            terminator: self.terminator.to_string(),
        }
    }

    /// `<yyyymmdd>/<region>/<service>/<terminator>` in pieces, to hash without joining them.
    fn scope_pieces(&self) -> [&'a str; 7] {
        [self.date, "/", self.region, "/", self.service, "/", self.terminator]
    }

    fn scope(&self) -> String {
        self.scope_pieces().concat()
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
    let (c, signed_headers, signature) = split_authorization(header)?;
    Ok(AuthorizationHeader {
        credential: c.owned(),
        signed_headers: signed_headers.to_string(),
        signature: signature.to_string(),
    })
}

/// `parse_authorization`, borrowing: (credential, signed headers, signature).
fn split_authorization(header: &str) -> Result<(CredentialRef<'_>, &str, &str), AuthError> {
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
    for part in split_ascii(rest, b',') {
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
    let credential = CredentialRef::parse(credential.ok_or_else(|| incomplete("Credential"))?)?;
    let signed_headers = signed.filter(|s| !s.is_empty()).ok_or_else(|| incomplete("SignedHeaders"))?;
    let signature = signature.filter(|s| !s.is_empty()).ok_or_else(|| incomplete("Signature"))?;
    Ok((credential, signed_headers, signature))
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
    push_canonical_headers(&mut out, signed_headers, headers)?;
    Ok(out)
}

/// Appends the canonical headers block to `out`; `Err` names a signed header missing from the request.
fn push_canonical_headers(out: &mut String, signed_headers: &str, headers: &[(&str, &str)]) -> Result<(), String> {
    for name in split_ascii(signed_headers, b';') {
        let mut found = false;
        for (_, value) in headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)) {
            if found {
                out.push(',');
            } else {
                out.push_str(name);
                out.push(':');
                found = true;
            }
            if is_canonical_value(value) {
                out.push_str(value);
                continue;
            }
            for (i, word) in value.split_whitespace().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(word);
            }
        }
        if !found {
            return Err(name.to_string());
        }
        out.push('\n');
    }
    Ok(())
}

/// Whether a header value is already in canonical form (ASCII, no control characters, no leading,
/// trailing or repeated spaces), as almost every value is: then it is copied as it is, without splitting
/// into words. One pass over the bytes. A value it turns down takes the word-splitting path, which gives
/// the same text for one it could have accepted.
fn is_canonical_value(value: &str) -> bool {
    let b = value.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return false;
    }
    let mut after_space = false;
    let mut words = b.chunks_exact(8);
    for chunk in &mut words {
        // Eight bytes at a time: a word of plain characters (0x21–0x7f) needs no closer look.
        if special_bytes(chunk) == 0 {
            after_space = false;
        } else if !canonical_bytes(chunk, &mut after_space) {
            return false;
        }
    }
    canonical_bytes(words.remainder(), &mut after_space)
}

/// `is_canonical_value` byte by byte; `after_space`: the byte before `chunk` was a space.
fn canonical_bytes(chunk: &[u8], after_space: &mut bool) -> bool {
    for &c in chunk {
        if c <= b' ' {
            // A space after a space, or a control character (tab, line break, …).
            if c != b' ' || *after_space {
                return false;
            }
            *after_space = true;
        } else if c >= 0x80 {
            return false;
        } else {
            *after_space = false;
        }
    }
    true
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `chunk` as a word.
#[inline]
fn word(chunk: &[u8]) -> u64 {
    u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]))
}

/// Non-zero when some byte of the 8-byte `chunk` is below `!` (a space or a control character) or not
/// ASCII. Exact ("has a byte less than n" for n ≤ 128 once no byte has its high bit set).
#[inline]
fn special_bytes(chunk: &[u8]) -> u64 {
    let w = word(chunk);
    (w.wrapping_sub(LOW_BITS * 0x21) & !w & HIGH_BITS) | (w & HIGH_BITS)
}

/// The position of the first `sep` in `b`, eight bytes at a time.
#[inline]
fn find_byte(b: &[u8], sep: u8) -> Option<usize> {
    let pattern = LOW_BITS * u64::from(sep);
    let mut words = b.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut words {
        let x = word(chunk) ^ pattern;
        // A zero byte of x is a byte equal to `sep` (exact as a test; the byte is then found by scanning).
        if x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS != 0 {
            return chunk.iter().position(|&c| c == sep).map(|i| at + i);
        }
        at += 8;
    }
    words.remainder().iter().position(|&c| c == sep).map(|i| at + i)
}

/// `str::split` at an ASCII byte, without `memchr`, whose set-up costs more than the search on the short
/// strings of a signature (`Authorization` parts, credential scope, signed header names).
fn split_ascii(s: &str, sep: u8) -> SplitAscii<'_> {
    SplitAscii { rest: Some(s), sep }
}

struct SplitAscii<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for SplitAscii<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        match find_byte(s.as_bytes(), self.sep) {
            // `sep` is ASCII, so both sides of it are character boundaries.
            Some(i) => {
                self.rest = s.get(i + 1..);
                s.get(..i)
            }
            None => {
                self.rest = None;
                Some(s)
            }
        }
    }
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

/// A 32-byte digest as lower-case hex, on the stack.
fn hex32(bytes: &[u8]) -> [u8; 64] {
    let mut pairs = [[b'0'; 2]; 32];
    for (pair, &b) in pairs.iter_mut().zip(bytes) {
        // A `u8` index is always in range: the compiler drops the fallback.
        *pair = HEX_PAIRS.get(usize::from(b)).copied().unwrap_or_default();
    }
    let mut out = [b'0'; 64];
    out.copy_from_slice(pairs.as_flattened());
    out
}

/// Each byte's two lower-case hex digits: one load per byte.
#[allow(clippy::indexing_slicing)]
const HEX_PAIRS: [[u8; 2]; 256] = {
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [hex_digit((i >> 4) as u8), hex_digit((i & 15) as u8)];
        i += 1;
    }
    t
};

const fn hex_digit(n: u8) -> u8 {
    if n < 10 {
        b'0' + n
    } else {
        b'a' + n - 10
    }
}

/// The text of `hex32`'s output (always ASCII).
fn hex_str(h: &[u8; 64]) -> &str {
    std::str::from_utf8(h).unwrap_or_default()
}

/// The string to sign (§5.5).
pub fn string_to_sign(request_time: &str, scope: &str, canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{request_time}\n{scope}\n{}", sha256_hex(canonical_request.as_bytes()))
}

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 keyed with `key`, ready for data. Keying hashes two blocks, so a server keeps the keyed
/// state of each signing key rather than the key alone.
fn keyed(key: &[u8]) -> Option<HmacSha256> {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail; callers treat None as a MAC that
    // never verifies rather than panic.
    <HmacSha256 as Mac>::new_from_slice(key).ok()
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    match keyed(key) {
        Some(mut m) => {
            m.update(data);
            m.finalize().into_bytes().into()
        }
        None => [0; 32],
    }
}

/// HMAC-SHA256 of `data` under `key` (the server's session-token MAC uses it).
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    hmac(key, data)
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
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(hex_digit(b >> 4) as char);
        s.push(hex_digit(b & 15) as char);
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

    /// The headers `verify` reads, in one pass over the request's headers (each the first of its name,
    /// as `header` finds it).
    fn auth_headers(&self) -> AuthHeaders<'_> {
        let mut h = AuthHeaders::default();
        for (name, value) in &self.headers {
            let slot = match name.len() {
                4 if name.eq_ignore_ascii_case("date") => &mut h.date,
                10 if name.eq_ignore_ascii_case("x-amz-date") => &mut h.x_amz_date,
                13 if name.eq_ignore_ascii_case("authorization") => &mut h.authorization,
                20 if name.eq_ignore_ascii_case("x-amz-security-token") => &mut h.security_token,
                20 if name.eq_ignore_ascii_case("x-amz-content-sha256") => &mut h.content_sha256,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(*value);
            }
        }
        h
    }
}

#[derive(Default)]
struct AuthHeaders<'a> {
    authorization: Option<&'a str>,
    x_amz_date: Option<&'a str>,
    date: Option<&'a str>,
    security_token: Option<&'a str>,
    content_sha256: Option<&'a str>,
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

/// Signing keys by access key id, then (date, region, service), each with the secret it was derived
/// from. A key changes once a day, so a server keeps them (§5.6) and skips four HMACs per request; it
/// also keeps each key's keyed HMAC state, which skips two more block hashes. A hit allocates nothing.
#[derive(Default)]
pub struct SigningKeyCache {
    keys: std::sync::RwLock<std::collections::HashMap<String, Vec<CachedKey>>>,
}

#[derive(Clone)]
struct CachedKey {
    date: String,
    region: String,
    service: String,
    secret: String,
    key: [u8; 32],
    mac: HmacSha256,
}

impl std::fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.keys.read().map_or(0, |m| m.values().map(Vec::len).sum());
        f.debug_struct("SigningKeyCache").field("keys", &n).finish()
    }
}

/// At most this many scopes (dates, regions, services) are kept per access key; the oldest goes first.
const SCOPES_PER_KEY: usize = 8;

impl SigningKeyCache {
    pub fn new() -> Self {
        SigningKeyCache::default()
    }

    /// The signing key, derived once per (key id, date, region, service) and secret.
    pub fn get(&self, akid: &str, secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
        self.entry(akid, secret, date, region, service).0
    }

    /// The signing key and its keyed HMAC state.
    fn entry(
        &self,
        akid: &str,
        secret: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> ([u8; 32], Option<HmacSha256>) {
        let same_scope = |e: &CachedKey| e.date == date && e.region == region && e.service == service;
        if let Ok(map) = self.keys.read() {
            // The secret is part of the check: a rotated secret must not reuse the old key.
            if let Some(e) = map.get(akid).and_then(|v| v.iter().find(|e| same_scope(e))) {
                if constant_time_eq(e.secret.as_bytes(), secret.as_bytes()) {
                    return (e.key, Some(e.mac.clone()));
                }
            }
        }
        let key = signing_key(secret, date, region, service);
        let mac = keyed(&key);
        if let (Ok(mut map), Some(mac)) = (self.keys.write(), mac.clone()) {
            if map.len() > 100_000 {
                map.clear(); // bounded: old dates and removed keys fall out
            }
            let scopes = map.entry(akid.to_string()).or_default();
            scopes.retain(|e| !same_scope(e));
            if scopes.len() >= SCOPES_PER_KEY {
                scopes.remove(0);
            }
            scopes.push(CachedKey {
                date: date.to_string(),
                region: region.to_string(),
                service: service.to_string(),
                secret: secret.to_string(),
                key,
                mac,
            });
        }
        (key, mac)
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
    // Nothing on the success path allocates but the key lookup, the canonical request and, for
    // requests with a query string, its pairs.
    let params = if req.query.is_empty() { Vec::new() } else { parse_query(req.query) };
    let param = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let headers = req.auth_headers();
    let header_auth = headers.authorization;
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
        let credential = CredentialRef::parse(param("X-Amz-Credential").ok_or_else(|| missing("X-Amz-Credential"))?)?;
        let signed = param("X-Amz-SignedHeaders").ok_or_else(|| missing("X-Amz-SignedHeaders"))?;
        let sig = param("X-Amz-Signature").ok_or_else(|| missing("X-Amz-Signature"))?;
        let date = param("X-Amz-Date").ok_or_else(|| missing("X-Amz-Date"))?;
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
        let header = header_auth.unwrap_or_default();
        let (credential, signed, sig) = split_authorization(header)?;
        let (time, signed_name) = match (headers.x_amz_date, headers.date) {
            (Some(t), _) => (t, "x-amz-date"),
            (None, Some(d)) => (d, "date"),
            (None, None) => {
                return Err(AuthError::IncompleteSignature(format!(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={header}"
            )))
            }
        };
        if !split_ascii(signed, b';').any(|h| h == signed_name) {
            return Err(AuthError::InvalidSignature(format!("'{signed_name}' must be a signed header")));
        }
        (credential, signed, sig, time, None)
    };
    if !split_ascii(signed_headers, b';').any(|h| h == "host") {
        return Err(AuthError::InvalidSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.".into()));
    }
    // 3. Time, then the skew or expiry window.
    let request_time = parse_amz_date(time_text).or_else(|| parse_http_date(time_text)).ok_or_else(|| {
        AuthError::IncompleteSignature(format!("Date must be in ISO-8601 'basic format'. Got '{time_text}'."))
    })?;
    match expires {
        None => time::check_skew(request_time, now, cfg.max_clock_skew)?,
        Some(exp) => {
            if now < request_time - cfg.max_clock_skew || now > request_time + exp + cfg.presigned_grace {
                return Err(AuthError::InvalidSignature("Request has expired".into()));
            }
        }
    }
    // 4. Scope checks (§5.8).
    let day = time::amz_day(request_time);
    let day_matches = match &day {
        Some(d) => credential.date.as_bytes() == d,
        None => credential.date.len() == 8 && format_amz_date(request_time).starts_with(credential.date),
    };
    if !day_matches {
        let day = day.map_or_else(
            || format_amz_date(request_time).chars().take(8).collect(),
            |d| String::from_utf8_lossy(&d).into_owned(),
        );
        return Err(AuthError::InvalidSignature(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{day}', from '{time_text}'.",
            credential.date
        )));
    }
    if credential.service != cfg.service {
        return Err(AuthError::InvalidSignature(format!(
            "Credential should be scoped to correct service: '{}'. ",
            cfg.service
        )));
    }
    if !cfg.regions.is_empty() && !cfg.regions.iter().any(|r| r == credential.region) {
        return Err(AuthError::InvalidSignature("Credential should be scoped to a valid region. ".into()));
    }
    if credential.terminator != "aws4_request" {
        return Err(AuthError::InvalidSignature(
            "Credential should be scoped with a valid terminator: 'aws4_request'".into(),
        ));
    }
    // 5. Key lookup, status and session token (§5.7).
    let key = lookup(credential.access_key_id).ok_or(AuthError::UnrecognizedClient)?;
    let token = headers.security_token.or_else(|| param("X-Amz-Security-Token"));
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
    let body_hash = hex32(&Sha256::digest(req.body));
    let payload_hash = match headers.content_sha256 {
        Some("UNSIGNED-PAYLOAD") => {
            return Err(AuthError::InvalidSignature("UNSIGNED-PAYLOAD is not supported by this service".into()))
        }
        Some(h) if h.as_bytes() != body_hash => {
            return Err(AuthError::InvalidSignature(
                "The provided 'x-amz-content-sha256' header does not match what was computed.".into(),
            ))
        }
        _ => hex_str(&body_hash),
    };
    // The canonical request, written once into one buffer (§5.3).
    let mut creq = String::with_capacity(192 + signed_headers.len() * 2 + req.query.len() * 2 + req.path.len());
    creq.push_str(req.method);
    creq.push('\n');
    if req.path == "/" || req.path.is_empty() {
        creq.push('/');
    } else {
        creq.push_str(&canonical_uri(req.path));
    }
    creq.push('\n');
    if presigned || !req.query.is_empty() {
        creq.push_str(&canonical_query(&params, presigned));
    }
    creq.push('\n');
    push_canonical_headers(&mut creq, signed_headers, &req.headers)
        .map_err(|h| AuthError::InvalidSignature(format!("The request signature we calculated does not match the signature you provided: signed header '{h}' is missing from the request.")))?;
    creq.push('\n');
    creq.push_str(signed_headers);
    creq.push('\n');
    creq.push_str(payload_hash);
    let creq_hash = hex32(&Sha256::digest(creq.as_bytes()));
    // The string to sign (§5.5) goes straight into the keyed MAC, piece by piece.
    let mac = match cache {
        Some(c) => {
            c.entry(credential.access_key_id, &key.secret, credential.date, credential.region, credential.service).1
        }
        None => keyed(&signing_key(&key.secret, credential.date, credential.region, credential.service)),
    };
    let expected = match mac {
        Some(mut mac) => {
            for piece in [ALGORITHM, "\n", time_text, "\n"] {
                mac.update(piece.as_bytes());
            }
            for piece in credential.scope_pieces() {
                mac.update(piece.as_bytes());
            }
            mac.update(b"\n");
            mac.update(&creq_hash);
            hex32(&mac.finalize().into_bytes())
        }
        None => [0; 64],
    };
    if !constant_time_eq(&expected, given_signature.as_bytes()) {
        let sts = string_to_sign(time_text, &credential.scope(), &creq);
        return Err(AuthError::InvalidSignature(format!(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'{creq}'\n\nThe String-to-Sign should have been\n'{sts}'\n"
        )));
    }
    Ok(Verified {
        access_key_id: credential.access_key_id.to_string(),
        region: credential.region.to_string(),
        request_time,
        presigned,
    })
}

#[cfg(test)]
mod tests;
