//! Identifiers: access key ids, unique ids, secrets, session tokens and request ids (wire spec §4.5).

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // getrandom only fails when the OS has no entropy source; fall back to the clock so ids stay unique.
    if getrandom::getrandom(&mut b).is_err() {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        for (i, x) in b.iter_mut().enumerate() {
            *x = (t >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
    b
}

fn from_alphabet<const N: usize>(alphabet: &[u8], len: usize) -> String {
    let bytes = random_bytes::<N>();
    bytes
        .iter()
        .take(len)
        .map(|b| alphabet.get(usize::from(*b) % alphabet.len()).copied().unwrap_or(b'A') as char)
        .collect()
}

/// A 20-character id with a 4-letter prefix: `AKIA…`, `ASIA…`, `AIDA…`, `AROA…`, `ANPA…`, `AGPA…`.
pub fn id(prefix: &str) -> String {
    format!("{prefix}{}", from_alphabet::<32>(UPPER_ALNUM, 20 - prefix.len()))
}

/// A 40-character secret access key.
pub fn secret() -> String {
    from_alphabet::<64>(SECRET_CHARS, 40)
}

/// An opaque session token (carries no secret).
pub fn session_token() -> String {
    format!("FwoGZXIvYXdzE{}", from_alphabet::<128>(SECRET_CHARS, 120))
}

/// `len` random lower-case hex digits (at most 64), for generated resource ids and tokens.
pub fn hex(len: usize) -> String {
    sagegate_sigv4::hex(&random_bytes::<32>()).chars().take(len).collect()
}

/// `len` random lower-case letters and digits (at most 32), e.g. the 12 of a Studio domain id.
pub fn lower_alnum(len: usize) -> String {
    from_alphabet::<32>(b"abcdefghijklmnopqrstuvwxyz0123456789", len)
}

/// A lowercase UUID v4.
pub fn uuid() -> String {
    let mut b = random_bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = sagegate_sigv4::hex(&b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let k = id("AKIA");
        assert_eq!(k.len(), 20);
        assert!(k.starts_with("AKIA") && k.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
        assert_eq!(secret().len(), 40);
        let u = uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(u.as_bytes()[14], b'4');
        assert_ne!(id("AKIA"), id("AKIA"));
    }
}
