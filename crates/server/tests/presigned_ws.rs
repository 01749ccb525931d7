//! The presigned notebook URL and its WebSocket end to end on a loopback socket (spec §3.4, S15): the
//! upgrade and every frame re-authorize the creator's CreatePresignedNotebookInstanceUrl with the
//! connection's network origin (`X-Forwarded-For`) and the creator's current policies, a policy change
//! closes an open socket at its next frame (code 1008), and unused URLs expire after their first-use window.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode};
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use sagegate_server::{AppState, Config};
use sagegate_store::Store;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

use common::*;

const ALLOWED_IP: &str = "10.1.2.3";
const DENIED_IP: &str = "192.0.2.1";
const NOTEBOOK: &str = "nb1";
const USER: &str = "alice";
const USER_ARN: &str = "arn:aws:iam::111122223333:user/alice";
const NOTEBOOK_ARN: &str = "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb1";
const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/NotebookExec";
const SIGN_IN: &str = "https://signin.aws.amazon.com/";

type Ws = WebSocketStream<TcpStream>;

/// A server over the SQLite file in `dir` that trusts `X-Forwarded-For`, with its clock moved by
/// `clock_offset`. No change-counter refresher runs: a policy change reaches the server only through the
/// IAM write's own refresh, so nothing in these tests waits for a timer.
fn state(dir: &std::path::Path, clock_offset: i64) -> (Arc<AppState>, Arc<dyn Store>) {
    let store: Arc<dyn Store> =
        Arc::from(sagegate_store::open(&dir.join("sagegate.db").display().to_string()).unwrap());
    let config = Config { trust_forwarded_for: true, ..config(clock_offset) };
    (AppState::new(config, store.clone()).unwrap(), store)
}

/// Serves `app` on a fresh loopback port, with the peer address as `ConnectInfo` (as `sagegate serve`).
async fn listen(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    addr
}

/// The served server and its address.
struct Live {
    server: Server,
    addr: SocketAddr,
}

impl Live {
    async fn new(tag: &str) -> Live {
        let dir = temp_dir(tag);
        let (state, store) = self::state(&dir, 0);
        let server = Server { app: sagegate_server::app(state.clone()), state, store, dir };
        let addr = listen(server.app.clone()).await;
        Live { server, addr }
    }

    /// A second server on the same database whose clock runs `clock_offset` seconds ahead, served too.
    async fn sibling(&self, clock_offset: i64) -> SocketAddr {
        let (state, _) = state(&self.server.dir, clock_offset);
        listen(sagegate_server::app(state)).await
    }
}

/// Sends one HTTP/1.1 request over a new connection to `addr` (`Host` stays what the request names, as
/// behind a proxy) and reads the whole answer.
async fn http(addr: SocketAddr, req: Request<Body>, ip: Option<&str>) -> Answer {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let mut head = format!("{} {} HTTP/1.1\r\n", parts.method, parts.uri);
    for (k, v) in &parts.headers {
        head.push_str(&format!("{k}: {}\r\n", v.to_str().unwrap()));
    }
    if !parts.headers.contains_key("host") {
        head.push_str(&format!("host: {HOST}\r\n"));
    }
    if let Some(ip) = ip {
        head.push_str(&format!("x-forwarded-for: {ip}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", body.len()));
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(&body).await.unwrap();
    let mut raw = Vec::new();
    tcp.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let text = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = text.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse::<u16>().unwrap();
    let mut headers = HeaderMap::new();
    for line in lines {
        let (k, v) = line.split_once(':').unwrap();
        headers.append(HeaderName::from_bytes(k.trim().as_bytes()).unwrap(), HeaderValue::from_str(v.trim()).unwrap());
    }
    let mut body = raw[split + 4..].to_vec();
    if headers.get("transfer-encoding").is_some_and(|v| v == "chunked") {
        body = dechunk(&body);
    }
    Answer { status: StatusCode::from_u16(status).unwrap(), headers, body: String::from_utf8(body).unwrap() }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 2 + size + 2..];
    }
}

async fn iam(addr: SocketAddr, pairs: &[(&str, &str)]) -> Answer {
    let mut all = vec![("Action", pairs[0].1), ("Version", "2010-05-08")];
    all.extend_from_slice(&pairs[1..]);
    let a = http(addr, Unsigned::form(form(&all)).sign(&root(), "iam"), None).await;
    assert_eq!(a.status, 200, "{}: {}", pairs[0].1, a.body);
    a
}

async fn sagemaker(addr: SocketAddr, creds: &Creds, op: &str, body: serde_json::Value, ip: &str) -> Answer {
    let req = Unsigned::json(&format!("SageMaker.{op}"), body.to_string()).sign(creds, "sagemaker");
    http(addr, req, Some(ip)).await
}

fn policy(statements: &str) -> String {
    format!("{{\"Version\":\"2012-10-17\",\"Statement\":[{statements}]}}")
}

/// The user's inline policy `allow`: presigned notebook URLs only from 10.0.0.0/8, plus what creating a
/// notebook instance needs.
fn allow_policy() -> String {
    policy(&format!(
        r#"{{"Effect":"Allow","Action":"sagemaker:CreatePresignedNotebookInstanceUrl","Resource":"*","Condition":{{"IpAddress":{{"aws:SourceIp":"10.0.0.0/8"}}}}}},
           {{"Effect":"Allow","Action":"sagemaker:CreateNotebookInstance","Resource":"*"}},
           {{"Effect":"Allow","Action":"iam:PassRole","Resource":"{ROLE_ARN}","Condition":{{"StringEquals":{{"iam:PassedToService":"sagemaker.amazonaws.com"}}}}}}"#
    ))
}

/// An execution role, the user `alice` with the `allow` policy and an access key, and the notebook
/// instance `nb1` that alice creates from an allowed address.
async fn fixture(live: &Live) -> Creds {
    let trust =
        policy(r#"{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}"#);
    iam(live.addr, &[("Action", "CreateRole"), ("RoleName", "NotebookExec"), ("AssumeRolePolicyDocument", &trust)])
        .await;
    iam(live.addr, &[("Action", "CreateUser"), ("UserName", USER)]).await;
    iam(
        live.addr,
        &[
            ("Action", "PutUserPolicy"),
            ("UserName", USER),
            ("PolicyName", "allow"),
            ("PolicyDocument", &allow_policy()),
        ],
    )
    .await;
    let a = iam(live.addr, &[("Action", "CreateAccessKey"), ("UserName", USER)]).await;
    let creds = Creds { akid: a.xml("AccessKeyId"), secret: a.xml("SecretAccessKey"), token: None };
    let body =
        serde_json::json!({"NotebookInstanceName": NOTEBOOK, "InstanceType": "ml.t3.medium", "RoleArn": ROLE_ARN});
    let a = sagemaker(live.addr, &creds, "CreateNotebookInstance", body, ALLOWED_IP).await;
    assert_eq!(a.status, 200, "{}", a.body);
    creds
}

/// A presigned URL for `nb1`, created from an allowed address.
async fn presigned_url(live: &Live, creds: &Creds, extra: serde_json::Value) -> String {
    let mut body = serde_json::json!({"NotebookInstanceName": NOTEBOOK});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let a = sagemaker(live.addr, creds, "CreatePresignedNotebookInstanceUrl", body, ALLOWED_IP).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    let url = v["AuthorizedUrl"].as_str().unwrap().to_string();
    let prefix = format!("http://{HOST}/sagegate/notebook/{NOTEBOOK}?authToken=");
    let token = url.strip_prefix(&prefix).unwrap_or_else(|| panic!("{url}"));
    assert!(!token.is_empty() && token.bytes().all(|b| b.is_ascii_hexdigit()), "{url}");
    url
}

/// The path and query of a URL that points at sagegate.
fn path_of(url: &str) -> &str {
    url.strip_prefix(&format!("http://{HOST}")).unwrap()
}

/// Opens the notebook page (plain HTTP GET) from `ip`.
async fn page(addr: SocketAddr, url: &str, ip: &str) -> Answer {
    let req = Request::builder().method("GET").uri(path_of(url)).body(Body::empty()).unwrap();
    http(addr, req, Some(ip)).await
}

/// Opens the notebook's WebSocket with `headers` (the origin), over a connection to `addr`. A refused
/// upgrade gives its status and body.
async fn socket(addr: SocketAddr, url: &str, headers: &[(&str, &str)]) -> Result<Ws, (StatusCode, Vec<u8>)> {
    let ws_url = url.replacen("http://", "ws://", 1).replacen("?authToken=", "/ws?authToken=", 1);
    let mut req = ws_url.into_client_request().unwrap();
    for (k, v) in headers {
        req.headers_mut().insert(HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
    }
    let tcp = TcpStream::connect(addr).await.unwrap();
    match tokio_tungstenite::client_async(req, tcp).await {
        Ok((ws, resp)) => {
            assert_eq!(resp.status(), StatusCode::SWITCHING_PROTOCOLS);
            Ok(ws)
        }
        Err(WsError::Http(resp)) => Err((resp.status(), resp.body().clone().unwrap_or_default())),
        Err(e) => panic!("WebSocket handshake failed: {e}"),
    }
}

async fn socket_from(addr: SocketAddr, url: &str, ip: &str) -> Result<Ws, (StatusCode, Vec<u8>)> {
    socket(addr, url, &[("x-forwarded-for", ip)]).await
}

/// The next frame from the server (bounded, so that a missing answer fails instead of hanging).
async fn next(ws: &mut Ws) -> Option<Result<Message, WsError>> {
    tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("no frame from the server within 10 s")
}

async fn echoes(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text)).await.unwrap();
    match next(ws).await {
        Some(Ok(Message::Text(t))) => assert_eq!(t.as_str(), text),
        other => panic!("expected the echo of {text:?}, got {other:?}"),
    }
}

/// Sends `frame` and expects the server to answer it with nothing but a close frame, 1008 "access
/// denied" (a refused ping gets no pong), then the connection to end.
async fn refused_at_next_frame(ws: &mut Ws, frame: Message) {
    ws.send(frame).await.unwrap();
    match next(ws).await {
        Some(Ok(Message::Close(Some(f)))) => {
            assert_eq!(f, CloseFrame { code: CloseCode::Policy, reason: "access denied".into() });
            assert_eq!(u16::from(f.code), 1008);
        }
        other => panic!("expected close 1008, got {other:?}"),
    }
    // Nothing follows the close frame: the stream ends.
    match next(ws).await {
        None | Some(Err(WsError::ConnectionClosed | WsError::AlreadyClosed)) => {}
        Some(Err(WsError::Protocol(_) | WsError::Io(_))) => {}
        other => panic!("expected the end of the connection, got {other:?}"),
    }
}

/// The AccessDenied text of an open refused for alice with no allowing statement.
fn implicit_deny() -> String {
    format!("User: {USER_ARN} is not authorized to perform: sagemaker:CreatePresignedNotebookInstanceUrl on resource: {NOTEBOOK_ARN} because no identity-based policy allows the sagemaker:CreatePresignedNotebookInstanceUrl action")
}

#[tokio::test]
async fn an_allowed_address_opens_the_socket_and_every_frame_is_answered() {
    let live = Live::new("ws-allowed").await;
    let creds = fixture(&live).await;
    // (a) The URL itself can only be created from an allowed address.
    let body = serde_json::json!({"NotebookInstanceName": NOTEBOOK});
    let a = sagemaker(live.addr, &creds, "CreatePresignedNotebookInstanceUrl", body, DENIED_IP).await;
    assert_eq!((a.status.as_u16(), a.code().as_str()), (400, "AccessDeniedException"), "{}", a.body);
    assert_eq!(a.message(), implicit_deny());
    let url = presigned_url(&live, &creds, serde_json::json!({})).await;
    // The page opens from an allowed address, for alice.
    let a = page(live.addr, &url, ALLOWED_IP).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.header("content-type").unwrap().starts_with("text/html"), "{:?}", a.headers);
    assert!(a.body.contains(&format!("Opened by {USER_ARN}")), "{}", a.body);
    // (b) The WebSocket upgrades; text frames are echoed and pings answered, each after its own check.
    let mut ws = socket_from(live.addr, &url, ALLOWED_IP).await.unwrap();
    echoes(&mut ws, "print('hello')").await;
    ws.send(Message::Ping(b"are you there".to_vec().into())).await.unwrap();
    match next(&mut ws).await {
        Some(Ok(Message::Pong(p))) => assert_eq!(&p[..], b"are you there"),
        other => panic!("expected a pong, got {other:?}"),
    }
    for i in 0..5 {
        echoes(&mut ws, &format!("frame {i}")).await;
    }
    // Two sockets on one URL (a notebook opens several kernel channels).
    let mut second = socket_from(live.addr, &url, "10.255.0.1, 192.0.2.99").await.unwrap();
    echoes(&mut second, "second").await;
    echoes(&mut ws, "first again").await;
    ws.close(None).await.unwrap();
    second.close(None).await.unwrap();
}

#[tokio::test]
async fn a_disallowed_origin_is_refused_at_the_upgrade() {
    let live = Live::new("ws-denied").await;
    let creds = fixture(&live).await;
    let url = presigned_url(&live, &creds, serde_json::json!({})).await;
    // (c) The upgrade is refused with a bare 403: no 101, no body.
    let forbidden = (StatusCode::FORBIDDEN, Vec::new());
    assert_eq!(socket_from(live.addr, &url, DENIED_IP).await.err(), Some(forbidden.clone()));
    // Without X-Forwarded-For the peer address (127.0.0.1) is the source IP: outside 10.0.0.0/8.
    assert_eq!(socket(live.addr, &url, &[]).await.err(), Some(forbidden.clone()));
    // Through an interface VPC endpoint there is no aws:SourceIp, so IpAddress cannot match (S15).
    let vpce = [("x-forwarded-for", ALLOWED_IP), ("x-sagegate-source-vpce", "vpce-0123456789abcdef0")];
    assert_eq!(socket(live.addr, &url, &vpce).await.err(), Some(forbidden.clone()));
    // A token for another notebook, or no token at all.
    let other = url.replacen(&format!("/notebook/{NOTEBOOK}?"), "/notebook/nb2?", 1);
    assert_eq!(socket_from(live.addr, &other, ALLOWED_IP).await.err(), Some(forbidden.clone()));
    let forged = format!("{}?authToken=00", url.split('?').next().unwrap());
    assert_eq!(socket_from(live.addr, &forged, ALLOWED_IP).await.err(), Some(forbidden.clone()));
    // The page gives the same refusal with AWS's AccessDenied text.
    let a = page(live.addr, &url, DENIED_IP).await;
    assert_eq!((a.status, a.body.as_str()), (StatusCode::FORBIDDEN, implicit_deny().as_str()));
    let a = page(live.addr, &forged, ALLOWED_IP).await;
    assert_eq!((a.status, a.body.as_str()), (StatusCode::FORBIDDEN, "Invalid or expired authorization token."));
    // None of this spent the URL: it still opens from an allowed address.
    let mut ws = socket_from(live.addr, &url, ALLOWED_IP).await.unwrap();
    echoes(&mut ws, "still here").await;
}

#[tokio::test]
async fn a_policy_change_closes_the_open_socket_at_its_next_frame() {
    let live = Live::new("ws-policy").await;
    let creds = fixture(&live).await;
    let url = presigned_url(&live, &creds, serde_json::json!({})).await;
    // (d) An explicit Deny added while the socket is open: the next frame is refused with 1008.
    let mut ws = socket_from(live.addr, &url, ALLOWED_IP).await.unwrap();
    echoes(&mut ws, "before").await;
    let deny = policy(r#"{"Effect":"Deny","Action":"sagemaker:CreatePresignedNotebookInstanceUrl","Resource":"*"}"#);
    iam(
        live.addr,
        &[("Action", "PutUserPolicy"), ("UserName", USER), ("PolicyName", "deny"), ("PolicyDocument", &deny)],
    )
    .await;
    refused_at_next_frame(&mut ws, Message::text("after the deny")).await;
    // New opens are refused too, the page with the explicit-deny text.
    assert_eq!(socket_from(live.addr, &url, ALLOWED_IP).await.err(), Some((StatusCode::FORBIDDEN, Vec::new())));
    let a = page(live.addr, &url, ALLOWED_IP).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(
        a.body,
        format!("User: {USER_ARN} is not authorized to perform: sagemaker:CreatePresignedNotebookInstanceUrl on resource: {NOTEBOOK_ARN} with an explicit deny in an identity-based policy")
    );
    // Deny removed: the same URL opens again.
    iam(live.addr, &[("Action", "DeleteUserPolicy"), ("UserName", USER), ("PolicyName", "deny")]).await;
    let mut ws = socket_from(live.addr, &url, ALLOWED_IP).await.unwrap();
    echoes(&mut ws, "allowed again").await;
    // The Allow removed (an implicit deny): the next frame, here a ping, is refused the same way.
    iam(live.addr, &[("Action", "DeleteUserPolicy"), ("UserName", USER), ("PolicyName", "allow")]).await;
    refused_at_next_frame(&mut ws, Message::Ping(b"ping".to_vec().into())).await;
    let a = page(live.addr, &url, ALLOWED_IP).await;
    assert_eq!((a.status, a.body.as_str()), (StatusCode::FORBIDDEN, implicit_deny().as_str()));
}

#[tokio::test]
async fn urls_expire_after_the_first_use_window_and_the_session() {
    let live = Live::new("ws-expiry").await;
    let creds = fixture(&live).await;
    let unused = presigned_url(&live, &creds, serde_json::json!({})).await;
    let refused_only = presigned_url(&live, &creds, serde_json::json!({})).await;
    let used = presigned_url(&live, &creds, serde_json::json!({})).await;
    let short = presigned_url(&live, &creds, serde_json::json!({"SessionExpirationDurationInSeconds": 1800})).await;
    let late_first = presigned_url(&live, &creds, serde_json::json!({})).await;
    let forbidden = Some((StatusCode::FORBIDDEN, Vec::new()));
    // First uses now; an open refused for its origin is not a use.
    for url in [&used, &short] {
        let mut ws = socket_from(live.addr, url, ALLOWED_IP).await.unwrap();
        echoes(&mut ws, "first use").await;
    }
    assert_eq!(socket_from(live.addr, &refused_only, DENIED_IP).await.err(), forbidden, "{refused_only}");
    // 280 s later (inside the 300 s window, with room for a slow machine) an unused URL still opens: its
    // first use.
    let almost = live.sibling(280).await;
    let mut ws = socket_from(almost, &late_first, ALLOWED_IP).await.unwrap();
    echoes(&mut ws, "just in time").await;
    // (e) 301 s later the unused URLs are refused: a bare 403 at the upgrade, the sign-in redirect for
    // the page. URLs first used in time keep working for their session.
    let later = live.sibling(301).await;
    for url in [&unused, &refused_only] {
        assert_eq!(socket_from(later, url, ALLOWED_IP).await.err(), forbidden, "{url}");
        let a = page(later, url, ALLOWED_IP).await;
        assert_eq!((a.status, a.header("location")), (StatusCode::SEE_OTHER, Some(SIGN_IN)), "{}", a.body);
    }
    for url in [&used, &short, &late_first] {
        let mut ws = socket_from(later, url, ALLOWED_IP).await.unwrap();
        echoes(&mut ws, "within the session").await;
    }
    // Past a 1800 s session the URL is refused; the default 43200 s session goes on.
    let past_session = live.sibling(1801).await;
    assert_eq!(socket_from(past_session, &short, ALLOWED_IP).await.err(), forbidden);
    let a = page(past_session, &short, ALLOWED_IP).await;
    assert_eq!((a.status, a.header("location")), (StatusCode::SEE_OTHER, Some(SIGN_IN)), "{}", a.body);
    let mut ws = socket_from(past_session, &used, ALLOWED_IP).await.unwrap();
    echoes(&mut ws, "long session").await;
}
