//! The fixed request pipeline: parse → authenticate → authorize → dispatch (wire spec §1).

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, Uri};
use axum::response::{IntoResponse, Response};

use crate::call::{Call, Params};
use crate::error::{ApiError, Service};
use crate::AppState;

/// Headers on every response (§2).
pub fn common_headers(resp: &mut Response, request_id: &str) {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-RequestId", v);
    }
    if let Ok(v) = HeaderValue::from_str(&http_date(now())) {
        h.insert("date", v);
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// RFC 7231 IMF-fixdate.
pub fn http_date(t: i64) -> String {
    let amz = sagegate_sigv4::format_amz_date(t);
    let (y, m, d) = (&amz[0..4], &amz[4..6], &amz[6..8]);
    let days = t.div_euclid(86_400);
    let weekday =
        ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"].get(days.rem_euclid(7) as usize).copied().unwrap_or("Thu");
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .get(m.parse::<usize>().unwrap_or(1).saturating_sub(1))
        .copied()
        .unwrap_or("Jan");
    format!("{weekday}, {d} {month} {y} {}:{}:{} GMT", &amz[9..11], &amz[11..13], &amz[13..15])
}

/// What a request is, once its protocol is known.
struct Routed {
    service: Service,
    operation: String,
    params: Params,
}

fn route(headers: &HeaderMap, uri: &Uri, body: &[u8]) -> Result<Routed, ApiError> {
    if let Some(target) = headers.get("x-amz-target") {
        let Some(op) = target.to_str().ok().and_then(|t| t.strip_prefix("SageMaker.")) else {
            return Err(ApiError::new(
                Service::SageMaker,
                400,
                "UnknownOperationException",
                format!("Unknown target: {}", String::from_utf8_lossy(target.as_bytes())),
            ));
        };
        let json: serde_json::Value = if body.is_empty() {
            serde_json::json!({})
        } else {
            // serde_json rejects invalid UTF-8 and caps nesting at 128 levels, so no body can crash it.
            serde_json::from_slice(body).map_err(|e| {
                ApiError::new(
                    Service::SageMaker,
                    400,
                    "SerializationException",
                    format!("The request body is not valid JSON: {e}."),
                )
            })?
        };
        if !json.is_object() {
            return Err(ApiError::new(
                Service::SageMaker,
                400,
                "SerializationException",
                "Start of structure or map found where not expected: the request body must be a JSON object.",
            ));
        }
        return Ok(Routed { service: Service::SageMaker, operation: op.to_string(), params: Params::Json(json) });
    }
    let query = uri.query().unwrap_or_default();
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let use_body = form || (!body.is_empty() && query.is_empty());
    // Parse strictly; on failure, answer in the namespace of the service the request most likely meant.
    let parsed = parse_form(query).and_then(|mut pairs| {
        if use_body {
            let text = std::str::from_utf8(body).map_err(|_| "The request body is not valid UTF-8.".to_string())?;
            pairs.extend(parse_form(text)?);
        }
        Ok(pairs)
    });
    let pairs = match parsed {
        Ok(p) => p,
        Err(message) => {
            let lenient = String::from_utf8_lossy(body);
            let guess = if query.contains("Version=2011-06-15") || (use_body && lenient.contains("Version=2011-06-15"))
            {
                Service::Sts
            } else {
                Service::Iam
            };
            return Err(ApiError::new(guess, 400, "MalformedQueryString", message));
        }
    };
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let version = get("Version");
    let service = match version.as_deref() {
        Some("2010-05-08") => Service::Iam,
        Some("2011-06-15") => Service::Sts,
        _ => {
            let msg = match (get("Action"), version) {
                (Some(a), Some(v)) => format!("Could not find operation {a} for version {v}"),
                _ => "The request names no service: send X-Amz-Target (SageMaker) or Action and Version (IAM, STS)."
                    .into(),
            };
            return Err(ApiError::new(Service::Iam, 400, "InvalidAction", msg));
        }
    };
    let operation =
        get("Action").ok_or_else(|| ApiError::new(service, 400, "InvalidAction", "The request has no Action."))?;
    Ok(Routed { service, operation, params: Params::Query(pairs) })
}

/// Decodes `application/x-www-form-urlencoded` text (a form body or a URL query) strictly: `+` is a
/// space, every `%` starts two hex digits, and the decoded bytes must be UTF-8 (wire spec §4.1).
pub fn parse_form(text: &str) -> Result<Vec<(String, String)>, String> {
    fn decode(s: &str) -> Result<String, String> {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            match c {
                b'%' => {
                    let hex = |x: Option<&u8>| x.and_then(|x| (*x as char).to_digit(16));
                    match (hex(b.get(i + 1)), hex(b.get(i + 2))) {
                        (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
                        _ => {
                            let bad: String = s.get(i..).unwrap_or_default().chars().take(3).collect();
                            return Err(format!("Invalid percent-encoding in the query string: '{bad}'."));
                        }
                    }
                    i += 3;
                    continue;
                }
                b'+' => out.push(b' '),
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8(out).map_err(|_| "The query string is not valid UTF-8 once percent-decoded.".to_string())
    }
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((n, v)) => Ok((decode(n)?, decode(v)?)),
            None => Ok((decode(p)?, String::new())),
        })
        .collect()
}

/// The protocol an unparsed request is meant for, from its headers and URL alone (for errors raised
/// before the body is read).
fn guess_service(headers: &HeaderMap, uri: &Uri) -> Service {
    if headers.contains_key("x-amz-target") {
        Service::SageMaker
    } else if uri.query().unwrap_or_default().contains("Version=2011-06-15") {
        Service::Sts
    } else {
        Service::Iam
    }
}

/// Operations AWS serves without a signature (§1).
fn unsigned(service: Service, op: &str) -> bool {
    service == Service::Sts && matches!(op, "AssumeRoleWithWebIdentity" | "AssumeRoleWithSAML")
}

/// The single entry point for AWS API requests.
pub async fn handle(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let request_id = crate::ids::uuid();
    let started = std::time::Instant::now();
    state.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let too_large = || {
        ApiError::new(
            guess_service(&headers, &uri),
            413,
            "RequestEntityTooLarge",
            format!("Request body must be no larger than {} bytes.", crate::MAX_BODY_BYTES),
        )
    };
    let declared = headers.get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let result = match read_body(req.into_body(), declared).await {
        Err(BodyError::TooLarge) => Err(too_large()),
        Err(BodyError::Unreadable(e)) => Err(ApiError::new(
            guess_service(&headers, &uri),
            400,
            "IncompleteBody",
            format!("The request body could not be read: {e}"),
        )),
        Ok(body) => {
            let work = process(&state, &method, &uri, &headers, &body, peer, &request_id);
            // No request path panics (lints and fuzzing see to it); should one ever do so, the client
            // still gets an AWS-shaped 500 and the server keeps serving.
            match catch_panic(work).await {
                Ok(r) => r,
                Err(()) => Err(ApiError::internal(guess_service(&headers, &uri), "the request handler panicked")),
            }
        }
    };
    let (resp, error) = match result {
        Ok(r) => (r, None),
        Err(e) => {
            if e.code.starts_with("AccessDenied") {
                state.metrics.denied.fetch_add(1, Ordering::Relaxed);
            }
            state.metrics.errors.fetch_add(1, Ordering::Relaxed);
            let summary = (e.code.clone(), e.message.clone());
            (e.into_response_with_id(&request_id), Some(summary))
        }
    };
    let elapsed = started.elapsed();
    state.metrics.record_latency(elapsed);
    // Denials and other 4xx answers are ordinary traffic, and a synchronous log line per request costs
    // a fifth of the CPU under load: by default only genuine server faults (5xx but 501) are logged.
    let status = resp.status().as_u16();
    if state.config.log_requests || (status >= 500 && status != 501) {
        log_request(&request_id, &method, &headers, status, elapsed, error);
    }
    resp
}

/// One structured log line per request (JSON on stderr), keyed by the request id clients also see.
fn log_request(
    request_id: &str,
    method: &Method,
    headers: &HeaderMap,
    status: u16,
    elapsed: std::time::Duration,
    error: Option<(String, String)>,
) {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
    let line = serde_json::json!({
        "time": crate::call::iso8601(now()),
        "requestId": request_id,
        "method": method.as_str(),
        "target": target,
        "status": status,
        "micros": elapsed.as_micros() as u64,
        "errorCode": error.as_ref().map(|e| &e.0),
        "message": error.as_ref().map(|e| &e.1),
    });
    eprintln!("{line}");
}

/// How much of an oversized body is read and thrown away, so that a client still sending it receives
/// the 413 rather than a reset connection. Larger bodies get the 413 and the connection is closed.
const DRAIN_BYTES: u64 = 64 * 1024 * 1024;

enum BodyError {
    TooLarge,
    Unreadable(String),
}

/// Reads the body, at most `MAX_BODY_BYTES` of it. A body declared or found to be larger is refused;
/// up to `DRAIN_BYTES` of it are read and discarded first. Memory use stays within the limit.
async fn read_body(mut body: axum::body::Body, declared: Option<u64>) -> Result<Bytes, BodyError> {
    use axum::body::HttpBody;
    let max = crate::MAX_BODY_BYTES as u64;
    if declared.is_some_and(|n| n > DRAIN_BYTES) {
        return Err(BodyError::TooLarge);
    }
    let mut too_large = declared.is_some_and(|n| n > max);
    let mut buf: Vec<u8> = Vec::with_capacity(declared.unwrap_or(0).min(max) as usize);
    let mut seen: u64 = 0;
    loop {
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
        let data = match frame {
            None => break,
            Some(Err(e)) => return Err(BodyError::Unreadable(e.to_string())),
            Some(Ok(f)) => match f.into_data() {
                Ok(d) => d,
                Err(_) => continue, // trailers
            },
        };
        seen = seen.saturating_add(data.len() as u64);
        if seen > DRAIN_BYTES {
            return Err(BodyError::TooLarge);
        }
        if seen > max {
            too_large = true;
        }
        if !too_large {
            buf.extend_from_slice(&data);
        }
    }
    if too_large {
        return Err(BodyError::TooLarge);
    }
    Ok(Bytes::from(buf))
}

/// Runs a future, turning a panic while it is polled into `Err(())`.
pub async fn catch_panic<F: std::future::Future>(fut: F) -> Result<F::Output, ()> {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(_) => std::task::Poll::Ready(Err(())),
        }
    })
    .await
}

async fn process(
    state: &Arc<AppState>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    peer: Option<String>,
    request_id: &str,
) -> Result<Response, ApiError> {
    let routed = route(headers, uri, body)?;
    let dir = state.directory();
    let now = state.now();
    // Authenticate.
    let (identity, region) = if unsigned(routed.service, &routed.operation) {
        (None, state.config.region.clone())
    } else {
        let header_pairs: Vec<(&str, &str)> =
            headers.iter().filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?))).collect();
        let http = sagegate_sigv4::HttpRequest {
            method: method.as_str(),
            path: uri.path(),
            query: uri.query().unwrap_or_default(),
            headers: header_pairs,
            body,
        };
        let cfg = sagegate_sigv4::VerifyConfig {
            service: routed.service.signing_name().to_string(),
            regions: if routed.service == Service::Iam { Vec::new() } else { state.config.regions() },
            max_clock_skew: state.config.max_clock_skew,
            presigned_grace: 0,
        };
        // A session purged after it expired is still answered ExpiredToken through its sealed token.
        let lookup =
            |akid: &str| dir.key_record(akid).or_else(|| crate::sts::token::purged_session(&dir, akid, &http, now));
        let verified = sagegate_sigv4::verify_cached(&http, &cfg, now, lookup, &state.signing_keys)
            .map_err(|e| ApiError::auth(routed.service, &e))?;
        let identity = crate::sts::session::resolve(&dir, &verified.access_key_id, now)
            .ok_or_else(|| ApiError::auth(routed.service, &sagegate_sigv4::AuthError::UnrecognizedClient))?;
        crate::sts::session::check_allowed(&identity, routed.service, &routed.operation)?;
        (Some(identity), verified.region)
    };
    let origin = crate::call::Origin::of(headers, peer, state.config.trust_forwarded_for);
    let call = Call {
        state: state.clone(),
        dir,
        identity,
        service: routed.service,
        operation: routed.operation,
        params: routed.params,
        region,
        request_id: request_id.to_string(),
        now,
        source_ip: origin.source_ip.clone(),
        secure_transport: false,
        origin,
    };
    // Authorize and dispatch (each operation authorizes with the checks it implies).
    let out = match call.service {
        Service::Iam => crate::iam::dispatch(&call).await,
        Service::Sts => crate::sts::dispatch(&call).await,
        Service::SageMaker => crate::sagemaker::dispatch(&call).await,
    }?;
    Ok(out.render(call.service, &call.operation, request_id))
}

/// A successful response body in its protocol.
pub enum Success {
    Json(serde_json::Value),
    /// The XML of `<OpResult>`, or None for operations without output.
    Query(Option<String>),
}

impl Success {
    /// Wraps the body in its protocol's envelope and headers (§2, §3.2, §4.2).
    pub fn render(self, service: Service, op: &str, request_id: &str) -> Response {
        let mut resp = match self {
            Success::Json(v) => {
                // Straight to bytes: `to_string` would go through `fmt::Display`, twice as slow here.
                let mut r = serde_json::to_vec(&v).unwrap_or_default().into_response();
                r.headers_mut().insert("content-type", HeaderValue::from_static("application/x-amz-json-1.1"));
                r
            }
            Success::Query(result) => {
                let mut r = crate::xml::envelope(service.xml_namespace(), op, result, request_id).into_response();
                r.headers_mut().insert("content-type", HeaderValue::from_static("text/xml"));
                r
            }
        };
        common_headers(&mut resp, request_id);
        resp
    }
}
