//! Session tokens that carry their own expiry, and the purge of expired sessions.
//!
//! AWS answers `ExpiredToken` for expired temporary credentials however old they are, because its tokens
//! describe themselves. Stored sessions are purged an hour after they expire, so a token minted here
//! ends with its expiry, sealed by a MAC keyed from the account's root secret: a purged session's token
//! still proves when it expired, and is still answered `ExpiredToken`. The MAC binds the access key id,
//! so a token cannot be moved to another key, and a forged expiry does not verify.
//!
//! ```text
//! FwoGZXIvYXdzE <88 random characters> <base64 of: expiry (8 bytes, big-endian) ‖ MAC (16 bytes)>
//! ```

use sagegate_sigv4::{constant_time_eq, hmac_sha256, HttpRequest, KeyRecord};
use sagegate_store::{StoreError, TxExt};

use super::codec::{base64_decode, base64_encode};
use crate::directory::Directory;
use crate::records::{SessionRec, SESSION, SESSION_FEDERATION};
use crate::AppState;

const PREFIX: &str = "FwoGZXIvYXdzE";
const RANDOM_CHARS: usize = 88;
/// 24 bytes in base64 without padding.
const SEAL_CHARS: usize = 32;

/// Expired sessions stay in the store this long. The margin lets processes whose clocks disagree by
/// up to an hour share a database without one purging what the others still honour [choice].
pub const PURGE_AFTER: i64 = 3600;

/// At most this many sessions are purged per transaction; the refresher comes back for the rest.
const PURGE_BATCH: usize = 1000;

fn seal_key(dir: &Directory) -> Option<[u8; 32]> {
    let account = dir.account.as_ref()?;
    Some(hmac_sha256(account.root_secret.as_bytes(), b"sagegate session token seal"))
}

fn seal(key: &[u8; 32], akid: &str, body: &str, expires: i64) -> [u8; 16] {
    let message = format!("{akid}\n{body}\n{expires}");
    let mac = hmac_sha256(key, message.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(mac.get(..16).unwrap_or(&[0; 16]));
    out
}

/// A new session token for `akid`, expiring at `expires`.
pub fn mint(dir: &Directory, akid: &str, expires: i64) -> String {
    let random = crate::ids::session_token();
    let body: String = random.chars().skip(PREFIX.len()).take(RANDOM_CHARS).collect();
    let Some(key) = seal_key(dir) else {
        return random;
    };
    let mut tail = expires.to_be_bytes().to_vec();
    tail.extend_from_slice(&seal(&key, akid, &body, expires));
    format!("{PREFIX}{body}{}", base64_encode(&tail))
}

/// The expiry a sealed token proves for `akid`, if it is one of ours and intact.
fn sealed_expiry(dir: &Directory, akid: &str, token: &str) -> Option<i64> {
    let rest = token.strip_prefix(PREFIX)?;
    if rest.len() != RANDOM_CHARS + SEAL_CHARS || !rest.is_ascii() {
        return None;
    }
    let (body, tail) = (rest.get(..RANDOM_CHARS)?, rest.get(RANDOM_CHARS..)?);
    let tail = base64_decode(tail)?;
    let (expiry, mac) = (tail.get(..8)?, tail.get(8..)?);
    let expires = i64::from_be_bytes(expiry.try_into().ok()?);
    let key = seal_key(dir)?;
    constant_time_eq(&seal(&key, akid, body, expires), mac).then_some(expires)
}

/// The key record of a session that is no longer stored, when the request presents its sealed token
/// and that token has expired: SigV4 then answers `ExpiredToken`, as for a stored expired session.
pub fn purged_session(dir: &Directory, akid: &str, req: &HttpRequest<'_>, now: i64) -> Option<KeyRecord> {
    let token = match req.header("x-amz-security-token") {
        Some(t) => t.to_string(),
        None => sagegate_sigv4::parse_query(req.query)
            .into_iter()
            .find(|(k, _)| k == "X-Amz-Security-Token")
            .map(|(_, v)| v)?,
    };
    let expires = sealed_expiry(dir, akid, &token).filter(|e| *e <= now)?;
    Some(KeyRecord { secret: String::new(), session_token: Some(token), expires_at: Some(expires) })
}

/// Deletes the sessions that expired more than `PURGE_AFTER` ago, with what they kept, in one
/// transaction; returns how many went. Cheap when nothing is due: the snapshot knows its first expiry.
pub fn purge_expired(state: &AppState) -> Result<usize, StoreError> {
    let now = state.now();
    let dir = state.directory();
    if dir.first_expiry.is_none_or(|t| t.saturating_add(PURGE_AFTER) > now) {
        return Ok(0);
    }
    let due: Vec<String> = dir
        .sessions
        .values()
        .filter(|s| s.expires.saturating_add(PURGE_AFTER) <= now)
        .map(|s| s.access_key_id.clone())
        .take(PURGE_BATCH)
        .collect();
    if due.is_empty() {
        return Ok(0);
    }
    state.write(|tx| {
        let mut purged = 0;
        for akid in &due {
            // Another process may have purged it already; only a stored, expired session goes.
            let Some(s) = tx.get_as::<SessionRec>(SESSION, akid)? else { continue };
            if s.expires.saturating_add(PURGE_AFTER) <= now {
                tx.delete(SESSION, akid)?;
                tx.delete(SESSION_FEDERATION, akid)?;
                purged += 1;
            }
        }
        Ok(purged)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::AccountRec;

    fn dir(secret: &str) -> Directory {
        let mut d = Directory::default();
        d.account = Some(AccountRec {
            id: "123456789012".into(),
            root_access_key_id: "AKIAROOT".into(),
            root_secret: secret.into(),
            created: 0,
        });
        d
    }

    #[test]
    fn sealed_tokens_prove_their_expiry_and_nothing_else() {
        let d = dir("s1");
        let t = mint(&d, "ASIAONE", 1_000);
        assert_eq!(t.len(), PREFIX.len() + RANDOM_CHARS + SEAL_CHARS);
        assert!(t.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/'));
        assert_eq!(sealed_expiry(&d, "ASIAONE", &t), Some(1_000));
        // Another key id, another account secret, or a changed character: no proof.
        assert_eq!(sealed_expiry(&d, "ASIATWO", &t), None);
        assert_eq!(sealed_expiry(&dir("s2"), "ASIAONE", &t), None);
        let mut forged = t.clone().into_bytes();
        let last = forged.len() - 5;
        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(sealed_expiry(&d, "ASIAONE", std::str::from_utf8(&forged).unwrap()), None);
        assert_eq!(sealed_expiry(&d, "ASIAONE", "FwoGZXIvYXdzEshort"), None);
        // Without an account there is nothing to seal with: a plain random token.
        assert!(mint(&Directory::default(), "ASIAONE", 1).starts_with(PREFIX));
    }

    #[test]
    fn purged_sessions_answer_expired_only_once_expired() {
        let d = dir("s1");
        let t = mint(&d, "ASIAONE", 1_000);
        let headers = vec![("X-Amz-Security-Token", t.as_str())];
        let req = HttpRequest { method: "POST", path: "/", query: "", headers, body: b"" };
        let rec = purged_session(&d, "ASIAONE", &req, 1_000).unwrap();
        assert_eq!((rec.session_token.as_deref(), rec.expires_at), (Some(t.as_str()), Some(1_000)));
        assert!(purged_session(&d, "ASIAONE", &req, 999).is_none());
        let query = format!("X-Amz-Security-Token={}", sagegate_sigv4::uri_encode(&t, true));
        let presigned = HttpRequest { method: "GET", path: "/", query: &query, headers: vec![], body: b"" };
        assert!(purged_session(&d, "ASIAONE", &presigned, 2_000).is_some());
    }
}
