//! Stage-by-stage test vectors from `shared/spec/wire-protocols.md` §9 and the negative cases of §9.3.

use super::*;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TIME: &str = "20261122T102333Z";
const HOST: &str = "127.0.0.1:5056";
const BODY: &[u8] = br#"{"NotebookInstanceName": "nb-a"}"#;

fn cfg(service: &str) -> VerifyConfig {
    VerifyConfig { service: service.into(), regions: vec!["us-east-1".into()], max_clock_skew: 900, presigned_grace: 0 }
}

fn lookup(akid: &str) -> Option<KeyRecord> {
    (akid == AKID).then(|| KeyRecord { secret: SECRET.into(), session_token: None, expires_at: None })
}

fn now() -> i64 {
    parse_amz_date(TIME).unwrap()
}

const CANONICAL_1: &str = "POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:127.0.0.1:5056\nx-amz-date:20261122T102333Z\nx-amz-target:SageMaker.DescribeNotebookInstance\n\ncontent-type;host;x-amz-date;x-amz-target\n089e6b372c9d1790b3aca91265f3e1070cd0fd1ab9ac6fe2624fceaff50a0d57";
const SIG_1: &str = "454eecc83fbc6e7c679663e9d9bbdb411c87a7c710d3b57a2859caddc50e93c6";

fn headers_1(host: &'static str, auth: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("Content-Type", "application/x-amz-json-1.1"),
        ("Host", host),
        ("X-Amz-Date", TIME),
        ("X-Amz-Target", "SageMaker.DescribeNotebookInstance"),
        ("Authorization", auth),
    ]
}

const AUTH_1: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sagemaker/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=454eecc83fbc6e7c679663e9d9bbdb411c87a7c710d3b57a2859caddc50e93c6";

#[test]
fn vector_1_canonical_request() {
    let h = headers_1(HOST, AUTH_1);
    let headers = canonical_headers("content-type;host;x-amz-date;x-amz-target", &h).unwrap();
    let creq = canonical_request(
        "POST",
        &canonical_uri("/"),
        "",
        &headers,
        "content-type;host;x-amz-date;x-amz-target",
        &sha256_hex(BODY),
    );
    assert_eq!(creq, CANONICAL_1);
}

#[test]
fn vector_1_string_to_sign_key_and_signature() {
    let sts = string_to_sign(TIME, "20261122/us-east-1/sagemaker/aws4_request", CANONICAL_1);
    assert_eq!(sts.lines().last(), Some("8484f5dbe387e72df758900aaddc93b5b2a3f1480d2b794c096e635e67f4c0cb"));
    let key = signing_key(SECRET, "20261122", "us-east-1", "sagemaker");
    assert_eq!(hex(&key), "726ef5bc06030f0a8846a6b8ad38b2960495e4979cf72b96896d4d123edc3a43");
    assert_eq!(signature(&key, &sts), SIG_1);
}

#[test]
fn vector_1_verifies_end_to_end() {
    let req = HttpRequest { method: "POST", path: "/", query: "", headers: headers_1(HOST, AUTH_1), body: BODY };
    let v = verify(&req, &cfg("sagemaker"), now(), lookup).unwrap();
    assert_eq!(v.access_key_id, AKID);
    assert!(!v.presigned);
}

const PRESIGNED_QUERY: &str = "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261122%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20261122T102333Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host";

#[test]
fn vector_2_presigned() {
    let params = parse_query(PRESIGNED_QUERY);
    assert_eq!(canonical_query(&params, true), PRESIGNED_QUERY);
    let creq = canonical_request("GET", "/", PRESIGNED_QUERY, "host:127.0.0.1:5056\n", "host", EMPTY_SHA256);
    let sts = string_to_sign(TIME, "20261122/us-east-1/sts/aws4_request", &creq);
    assert_eq!(sts.lines().last(), Some("da6e5545137c1590382346304f345dd041c1dd9bb8741fe71f4174142396ea54"));
    let key = signing_key(SECRET, "20261122", "us-east-1", "sts");
    assert_eq!(hex(&key), "0824f3a5d780cf95cf594a9b425eb6ce45478a863f7ed69f12440f4ba5862d91");
    let sig = signature(&key, &sts);
    assert_eq!(sig, "195367017f58893d046b382f842fa3622a831f8944756d61087dcae07c792207");
    let query = format!("{PRESIGNED_QUERY}&X-Amz-Signature={sig}");
    let req = HttpRequest { method: "GET", path: "/", query: &query, headers: vec![("Host", HOST)], body: b"" };
    assert!(verify(&req, &cfg("sts"), now() + 30, lookup).is_ok());
    // A POST-signed URL fetched with another method fails (§6).
    let post = HttpRequest { method: "POST", ..req.clone() };
    assert!(matches!(verify(&post, &cfg("sts"), now(), lookup), Err(AuthError::InvalidSignature(_))));
    // Expired after X-Amz-Expires.
    assert_eq!(
        verify(&req, &cfg("sts"), now() + 61, lookup),
        Err(AuthError::InvalidSignature("Request has expired".into()))
    );
}

#[test]
fn negative_vectors_fail_with_their_row() {
    let sig_mismatch = |r: Result<Verified, AuthError>| match r {
        Err(AuthError::InvalidSignature(m)) => m.starts_with("The request signature we calculated does not match"),
        _ => false,
    };
    // Host without the port.
    let req = HttpRequest { method: "POST", path: "/", query: "", headers: headers_1("127.0.0.1", AUTH_1), body: BODY };
    assert!(sig_mismatch(verify(&req, &cfg("sagemaker"), now(), lookup)));
    // Body off by one byte.
    let req = HttpRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: headers_1(HOST, AUTH_1),
        body: br#"{"NotebookInstanceName": "nb-b"}"#,
    };
    assert!(sig_mismatch(verify(&req, &cfg("sagemaker"), now(), lookup)));
    // Time outside the window by one second, both ways.
    let req = HttpRequest { method: "POST", path: "/", query: "", headers: headers_1(HOST, AUTH_1), body: BODY };
    let e = verify(&req, &cfg("sagemaker"), now() + 901, lookup).unwrap_err();
    assert!(e.to_string().starts_with("Signature expired: 20261122T102333Z is now earlier than"), "{e}");
    let e = verify(&req, &cfg("sagemaker"), now() - 901, lookup).unwrap_err();
    assert!(e.to_string().starts_with("Signature not yet current:"), "{e}");
    assert!(verify(&req, &cfg("sagemaker"), now() + 900, lookup).is_ok());
    // Wrong scope date.
    let auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/sagemaker/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00";
    let req = HttpRequest { method: "POST", path: "/", query: "", headers: headers_1(HOST, auth), body: BODY };
    assert_eq!(
        verify(&req, &cfg("sagemaker"), now(), lookup).unwrap_err().to_string(),
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261121' != '20261122', from '20261122T102333Z'."
    );
    // Wrong service, unknown key, no auth, both auth methods.
    assert_eq!(
        verify(
            &HttpRequest { method: "POST", path: "/", query: "", headers: headers_1(HOST, AUTH_1), body: BODY },
            &cfg("sts"),
            now(),
            lookup
        )
        .unwrap_err()
        .to_string(),
        "Credential should be scoped to correct service: 'sts'. "
    );
    let req = HttpRequest { method: "POST", path: "/", query: "", headers: headers_1(HOST, AUTH_1), body: BODY };
    assert_eq!(verify(&req, &cfg("sagemaker"), now(), |_| None), Err(AuthError::UnrecognizedClient));
    let req = HttpRequest { method: "POST", path: "/", query: "", headers: vec![("Host", HOST)], body: BODY };
    assert_eq!(verify(&req, &cfg("sagemaker"), now(), lookup), Err(AuthError::MissingAuthenticationToken));
    let req = HttpRequest {
        method: "POST",
        path: "/",
        query: "X-Amz-Algorithm=AWS4-HMAC-SHA256",
        headers: headers_1(HOST, AUTH_1),
        body: BODY,
    };
    assert!(matches!(verify(&req, &cfg("sagemaker"), now(), lookup), Err(AuthError::IncompleteSignature(_))));
}

#[test]
fn session_tokens_are_checked() {
    let temp = |akid: &str| {
        (akid == AKID).then(|| KeyRecord {
            secret: SECRET.into(),
            session_token: Some("tok".into()),
            expires_at: Some(now() + 3600),
        })
    };
    // Token missing from a temporary key: unrecognized client; the same query without the token param.
    let params = parse_query(PRESIGNED_QUERY);
    let creq =
        canonical_request("GET", "/", &canonical_query(&params, true), "host:127.0.0.1:5056\n", "host", EMPTY_SHA256);
    let sig = signature(
        &signing_key(SECRET, "20261122", "us-east-1", "sts"),
        &string_to_sign(TIME, "20261122/us-east-1/sts/aws4_request", &creq),
    );
    let query = format!("{PRESIGNED_QUERY}&X-Amz-Signature={sig}");
    let req = HttpRequest { method: "GET", path: "/", query: &query, headers: vec![("Host", HOST)], body: b"" };
    assert_eq!(verify(&req, &cfg("sts"), now(), temp), Err(AuthError::UnrecognizedClient));
    // With the token in the query (signed), it verifies; after expiry, ExpiredToken.
    let with_token = format!("{PRESIGNED_QUERY}&X-Amz-Security-Token=tok");
    let params = parse_query(&with_token);
    let creq =
        canonical_request("GET", "/", &canonical_query(&params, true), "host:127.0.0.1:5056\n", "host", EMPTY_SHA256);
    let sig = signature(
        &signing_key(SECRET, "20261122", "us-east-1", "sts"),
        &string_to_sign(TIME, "20261122/us-east-1/sts/aws4_request", &creq),
    );
    let query = format!("{with_token}&X-Amz-Signature={sig}");
    let req = HttpRequest { method: "GET", path: "/", query: &query, headers: vec![("Host", HOST)], body: b"" };
    assert!(verify(&req, &cfg("sts"), now(), temp).is_ok());
    let expired = |akid: &str| {
        (akid == AKID).then(|| KeyRecord {
            secret: SECRET.into(),
            session_token: Some("tok".into()),
            expires_at: Some(now()),
        })
    };
    assert_eq!(verify(&req, &cfg("sts"), now(), expired), Err(AuthError::ExpiredToken));
}

#[test]
fn error_codes_per_protocol() {
    let e = AuthError::InvalidSignature("x".into());
    assert_eq!((e.code(Protocol::Json), e.status(Protocol::Json)), ("InvalidSignatureException", 400));
    assert_eq!((e.code(Protocol::Query), e.status(Protocol::Query)), ("SignatureDoesNotMatch", 403));
    assert_eq!(AuthError::UnrecognizedClient.code(Protocol::Query), "InvalidClientTokenId");
}

#[test]
fn canonical_uri_and_query_encoding() {
    assert_eq!(canonical_uri(""), "/");
    assert_eq!(canonical_uri("/a/./b//c"), "/a/b/c");
    assert_eq!(canonical_uri("/a b"), "/a%2520b");
    let q = parse_query("b=2&a=x+y&a=1&c");
    assert_eq!(canonical_query(&q, false), "a=1&a=x%20y&b=2&c=");
}

#[test]
fn constant_time_compare() {
    assert!(constant_time_eq(b"abc", b"abc"));
    assert!(!constant_time_eq(b"abc", b"abd"));
    assert!(!constant_time_eq(b"abc", b"ab"));
}

#[test]
fn cached_keys_verify_and_follow_secret_rotation() {
    let cache = SigningKeyCache::new();
    let req = HttpRequest { method: "POST", path: "/", query: "", headers: headers_1(HOST, AUTH_1), body: BODY };
    assert!(verify_cached(&req, &cfg("sagemaker"), now(), lookup, &cache).is_ok());
    assert!(verify_cached(&req, &cfg("sagemaker"), now(), lookup, &cache).is_ok());
    let rotated = |akid: &str| {
        (akid == AKID).then(|| KeyRecord { secret: "other".into(), session_token: None, expires_at: None })
    };
    assert!(matches!(
        verify_cached(&req, &cfg("sagemaker"), now(), rotated, &cache),
        Err(AuthError::InvalidSignature(_))
    ));
}

#[test]
fn header_values_are_trimmed_and_collapsed() {
    let h = [("A", "  x \t y  "), ("b", "plain value"), ("B", "v\u{b}w"), ("c", "p\u{a0}q")];
    assert_eq!(canonical_headers("a;b;c", &h).unwrap(), "a:x y\nb:plain value,v w\nc:p q\n");
    assert_eq!(canonical_headers("a;d", &h).unwrap_err(), "d");
}

/// The word-at-a-time helpers against their byte-by-byte definitions, on every byte value at every
/// position of values up to 19 bytes long and on generated strings.
#[test]
fn word_at_a_time_helpers_agree_with_bytewise_definitions() {
    let canonical_ref = |v: &str| {
        let b = v.as_bytes();
        v.is_ascii()
            && b.first() != Some(&b' ')
            && b.last() != Some(&b' ')
            && !b.iter().any(|&c| c < b' ')
            && !b.windows(2).any(|w| w == b"  ")
    };
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut cases: Vec<Vec<u8>> = Vec::new();
    for len in 0..20usize {
        for pos in 0..len {
            for c in 0u8..=255 {
                let mut v = vec![b'a'; len];
                v[pos] = c;
                cases.push(v);
            }
        }
    }
    let alphabet = b" \ta-Z;,/=~\x7f";
    for _ in 0..20_000 {
        let len = next(40) as usize;
        cases.push((0..len).map(|_| alphabet[next(alphabet.len() as u64) as usize]).collect());
    }
    for bytes in &cases {
        for sep in [b';', b',', b'/', b' ', 0u8, 0xff] {
            assert_eq!(find_byte(bytes, sep), bytes.iter().position(|&c| c == sep), "{bytes:?} {sep}");
        }
        if let Ok(v) = std::str::from_utf8(bytes) {
            assert_eq!(is_canonical_value(v), canonical_ref(v), "{v:?}");
            let want: Vec<&str> = v.split(';').collect();
            assert_eq!(split_ascii(v, b';').collect::<Vec<_>>(), want, "{v:?}");
            // Whatever path a value takes, its canonical form is its words joined by single spaces.
            let words: Vec<&str> = v.split_whitespace().collect();
            assert_eq!(canonical_headers("a", &[("a", v)]).unwrap(), format!("a:{}\n", words.join(" ")), "{v:?}");
        }
    }
    assert_eq!(hex32(&[0x01, 0xab, 0xff]).get(..6), Some(&b"01abff"[..]));
}
