//! SigV4 signing for clients (wire spec §5), built from the same stage functions the verifier uses,
//! so a request signed here verifies there by construction. Pure: the caller passes the time.

use crate::{
    canonical_headers, canonical_query, canonical_request, canonical_uri, format_amz_date, parse_query, sha256_hex,
    signature, signing_key, string_to_sign,
};

/// Who signs, for which scope, when.
#[derive(Debug, Clone)]
pub struct SigningParams<'a> {
    pub access_key_id: &'a str,
    pub secret_access_key: &'a str,
    /// The session token of temporary credentials; sent as `x-amz-security-token` and signed.
    pub session_token: Option<&'a str>,
    pub region: &'a str,
    /// The signing name, e.g. `iam`, `sts`, `sagemaker`.
    pub service: &'a str,
    /// Seconds since the epoch.
    pub time: i64,
}

/// Signs a request with header authentication. `headers` must include `host`; the returned headers
/// (`x-amz-date`, `x-amz-security-token` when there is a token, `authorization`) are to be added
/// to the request. Every given header is signed.
pub fn sign_request(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    params: &SigningParams<'_>,
) -> Vec<(String, String)> {
    let amz_date = format_amz_date(params.time);
    let date = amz_date.get(..8).unwrap_or_default().to_string();
    let mut added: Vec<(String, String)> = vec![("x-amz-date".into(), amz_date.clone())];
    if let Some(token) = params.session_token {
        added.push(("x-amz-security-token".into(), token.to_string()));
    }
    let mut all: Vec<(String, String)> =
        headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.to_string())).chain(added.iter().cloned()).collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let mut names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    names.dedup();
    let signed_headers = names.join(";");
    let pairs: Vec<(&str, &str)> = all.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    // Every name comes from `all`, so the block cannot miss a header.
    let block = canonical_headers(&signed_headers, &pairs).unwrap_or_default();
    let query = if query.is_empty() { String::new() } else { canonical_query(&parse_query(query), false) };
    let creq = canonical_request(method, &canonical_uri(path), &query, &block, &signed_headers, &sha256_hex(body));
    let scope = format!("{date}/{}/{}/aws4_request", params.region, params.service);
    let sts = string_to_sign(&amz_date, &scope, &creq);
    let key = signing_key(params.secret_access_key, &date, params.region, params.service);
    let sig = signature(&key, &sts);
    added.push((
        "authorization".into(),
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={sig}",
            params.access_key_id
        ),
    ));
    added
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{verify, HttpRequest, KeyRecord, VerifyConfig};

    fn params(token: Option<&str>) -> SigningParams<'_> {
        SigningParams {
            access_key_id: "AKIDEXAMPLE",
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            session_token: token,
            region: "us-east-1",
            service: "iam",
            time: 1_440_938_160, // 20150830T123600Z, the time of the spec's vectors
        }
    }

    fn verifies(query: &str, body: &[u8], token: Option<&str>) -> bool {
        let base =
            [("host", "iam.amazonaws.com"), ("content-type", "application/x-www-form-urlencoded; charset=utf-8")];
        let added = sign_request("POST", "/", query, &base, body, &params(token));
        let mut headers: Vec<(&str, &str)> = base.to_vec();
        headers.extend(added.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let req = HttpRequest { method: "POST", path: "/", query, headers, body };
        let cfg = VerifyConfig { service: "iam".into(), regions: vec![], max_clock_skew: 900, presigned_grace: 0 };
        verify(&req, &cfg, 1_440_938_160, |_| {
            Some(KeyRecord {
                secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
                session_token: token.map(str::to_string),
                expires_at: None,
            })
        })
        .is_ok()
    }

    #[test]
    fn signed_requests_verify() {
        assert!(verifies("", b"Action=ListUsers&Version=2010-05-08", None));
        assert!(verifies("Action=ListUsers&Version=2010-05-08", b"", None));
        assert!(verifies("", b"Action=GetUser&Version=2010-05-08", Some("session-token")));
    }

    #[test]
    fn the_signature_matches_the_documented_vector_for_get_vanilla() {
        // The AWS SigV4 test suite's get-vanilla request (wire spec §9): GET / with host and date only.
        let p = SigningParams { service: "service", ..params(None) };
        let added = sign_request("GET", "/", "", &[("host", "example.amazonaws.com")], b"", &p);
        let auth = &added.iter().find(|(n, _)| n == "authorization").unwrap().1;
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }
}
