//! Shared helpers of the server's integration tests: a server over a fresh SQLite store in a temp
//! directory, driven without a socket (`tower::ServiceExt::oneshot`), and a SigV4 signer built from the
//! `sagegate_sigv4` stage functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use sagegate_server::{AppState, Config};
use sagegate_store::Store;
use tower::ServiceExt;

pub const ACCOUNT: &str = "111122223333";
pub const ROOT_KEY: &str = "AKIATESTROOT00000001";
pub const ROOT_SECRET: &str = "testRootSecretAccessKey00000000000000001";
pub const HOST: &str = "127.0.0.1:5056";

/// A server over its own SQLite file; the directory is removed on drop.
pub struct Server {
    pub state: Arc<AppState>,
    pub app: Router,
    pub store: Arc<dyn Store>,
    pub dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("sagegate-{tag}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn config(clock_offset: i64) -> Config {
    Config {
        account_id: ACCOUNT.into(),
        root_access_key_id: Some(ROOT_KEY.into()),
        root_secret_access_key: Some(ROOT_SECRET.into()),
        clock_offset,
        ..Config::default()
    }
}

impl Server {
    pub fn new(tag: &str) -> Server {
        let dir = temp_dir(tag);
        let store: Arc<dyn Store> =
            Arc::from(sagegate_store::open(&dir.join("sagegate.db").display().to_string()).unwrap());
        let state = AppState::new(config(0), store.clone()).unwrap();
        Server { app: sagegate_server::app(state.clone()), state, store, dir }
    }

    /// A second server process's view of the same database, with its clock moved by `clock_offset`.
    pub fn sibling(&self, clock_offset: i64) -> (Arc<AppState>, Router) {
        let store: Arc<dyn Store> =
            Arc::from(sagegate_store::open(&self.dir.join("sagegate.db").display().to_string()).unwrap());
        let state = AppState::new(config(clock_offset), store).unwrap();
        (state.clone(), sagegate_server::app(state))
    }

    /// Every record of every kind the server keeps, and the change counter: a failed call must leave
    /// this unchanged.
    pub fn snapshot(&self) -> (u64, Vec<(String, String, serde_json::Value)>) {
        let mut rows = Vec::new();
        self.store
            .transaction(&mut |tx| {
                rows.clear();
                for kind in ["account", "user", "group", "role", "policy", "access-key", "session"] {
                    for (k, v) in tx.list(kind, "", None, 100_000)? {
                        rows.push((kind.to_string(), k, v));
                    }
                }
                Ok(())
            })
            .unwrap();
        (self.store.change_counter().unwrap(), rows)
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Credentials to sign with.
#[derive(Clone, Debug)]
pub struct Creds {
    pub akid: String,
    pub secret: String,
    pub token: Option<String>,
}

pub fn root() -> Creds {
    Creds { akid: ROOT_KEY.into(), secret: ROOT_SECRET.into(), token: None }
}

/// A request to sign: the method, the raw URL query, the extra headers and the body.
pub struct Unsigned {
    pub method: &'static str,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Unsigned {
    /// An awsQuery POST with a form body.
    pub fn form(body: impl Into<Vec<u8>>) -> Unsigned {
        Unsigned {
            method: "POST",
            query: String::new(),
            headers: vec![("content-type".into(), "application/x-www-form-urlencoded; charset=utf-8".into())],
            body: body.into(),
        }
    }

    /// A SageMaker JSON 1.1 call.
    pub fn json(target: &str, body: impl Into<Vec<u8>>) -> Unsigned {
        Unsigned {
            method: "POST",
            query: String::new(),
            headers: vec![
                ("content-type".into(), "application/x-amz-json-1.1".into()),
                ("x-amz-target".into(), target.into()),
            ],
            body: body.into(),
        }
    }

    /// The request without any authentication.
    pub fn unsigned(self) -> Request<Body> {
        let mut b = Request::builder().method(self.method).uri(uri(&self.query)).header("host", HOST);
        for (k, v) in &self.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        b.body(Body::from(self.body)).unwrap()
    }

    /// Signs for `service` in `region` at time `t` (SigV4 header authentication, wire spec §5).
    pub fn sign_at(self, creds: &Creds, service: &str, region: &str, t: i64) -> Request<Body> {
        let amz_date = sagegate_sigv4::format_amz_date(t);
        let date = &amz_date[..8];
        let mut headers: Vec<(String, String)> = self.headers.clone();
        headers.push(("host".into(), HOST.into()));
        headers.push(("x-amz-date".into(), amz_date.clone()));
        if let Some(tok) = &creds.token {
            headers.push(("x-amz-security-token".into(), tok.clone()));
        }
        headers.sort();
        let signed: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
        let signed = signed.join(";");
        let pairs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let block = sagegate_sigv4::canonical_headers(&signed, &pairs).unwrap();
        let query = if self.query.is_empty() {
            String::new()
        } else {
            sagegate_sigv4::canonical_query(&sagegate_sigv4::parse_query(&self.query), false)
        };
        let creq = sagegate_sigv4::canonical_request(
            self.method,
            "/",
            &query,
            &block,
            &signed,
            &sagegate_sigv4::sha256_hex(&self.body),
        );
        let scope = format!("{date}/{region}/{service}/aws4_request");
        let sts = sagegate_sigv4::string_to_sign(&amz_date, &scope, &creq);
        let key = sagegate_sigv4::signing_key(&creds.secret, date, region, service);
        let sig = sagegate_sigv4::signature(&key, &sts);
        let auth =
            format!("AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={sig}", creds.akid);
        let mut b = Request::builder().method(self.method).uri(uri(&self.query)).header("authorization", auth);
        for (k, v) in &headers {
            b = b.header(k.as_str(), v.as_str());
        }
        b.body(Body::from(self.body)).unwrap()
    }

    pub fn sign(self, creds: &Creds, service: &str) -> Request<Body> {
        self.sign_at(creds, service, "us-east-1", now())
    }
}

fn uri(query: &str) -> String {
    if query.is_empty() {
        "/".into()
    } else {
        format!("/?{query}")
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `<Code>` of an XML error, `__type` (after `#`) of a JSON error.
    pub fn code(&self) -> String {
        if let Some(c) = between(&self.body, "<Code>", "</Code>") {
            return c.to_string();
        }
        let v: serde_json::Value = serde_json::from_str(&self.body).unwrap_or_default();
        v["__type"].as_str().unwrap_or_default().rsplit('#').next().unwrap_or_default().to_string()
    }

    pub fn message(&self) -> String {
        if let Some(m) = between(&self.body, "<Message>", "</Message>") {
            return m
                .replace("&apos;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
        }
        let v: serde_json::Value = serde_json::from_str(&self.body).unwrap_or_default();
        v["Message"].as_str().or(v["message"].as_str()).unwrap_or_default().to_string()
    }

    /// A leaf of an XML success body.
    pub fn xml(&self, name: &str) -> String {
        between(&self.body, &format!("<{name}>"), &format!("</{name}>")).unwrap_or_default().to_string()
    }
}

pub fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = s.find(open)? + open.len();
    let end = s.get(start..)?.find(close)? + start;
    s.get(start..end)
}

pub async fn send(app: &Router, req: Request<Body>) -> Answer {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    Answer { status, headers, body: String::from_utf8(bytes.to_vec()).unwrap() }
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub fn enc(s: &str) -> String {
    sagegate_sigv4::uri_encode(s, true)
}

/// An awsQuery form body from pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}
