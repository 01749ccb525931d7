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
    if let Some(target) = headers.get("x-amz-target").and_then(|v| v.to_str().ok()) {
        if let Some(op) = target.strip_prefix("SageMaker.") {
            let json: serde_json::Value = if body.is_empty() {
                serde_json::json!({})
            } else {
                serde_json::from_slice(body).map_err(|_| {
                    ApiError::new(
                        Service::SageMaker,
                        400,
                        "SerializationException",
                        "Start of structure or map found where not expected, or the body is not valid JSON.",
                    )
                })?
            };
            if !json.is_object() {
                return Err(ApiError::new(
                    Service::SageMaker,
                    400,
                    "SerializationException",
                    "The request body must be a JSON object.",
                ));
            }
            return Ok(Routed { service: Service::SageMaker, operation: op.to_string(), params: Params::Json(json) });
        }
        return Err(ApiError::new(
            Service::SageMaker,
            400,
            "UnknownOperationException",
            format!("Unknown target: {target}"),
        ));
    }
    let mut pairs = sagegate_sigv4::parse_query(uri.query().unwrap_or_default());
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if form || (!body.is_empty() && pairs.is_empty()) {
        let text = std::str::from_utf8(body).map_err(|_| {
            ApiError::new(Service::Iam, 400, "MalformedQueryString", "The request body is not valid UTF-8.")
        })?;
        pairs.extend(sagegate_sigv4::parse_query(text));
    }
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
    let body = match axum::body::to_bytes(req.into_body(), crate::MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(
                Service::Iam,
                413,
                "RequestEntityTooLarge",
                format!("The request body exceeds {} bytes.", crate::MAX_BODY_BYTES),
            )
            .into_response_with_id(&request_id)
        }
    };
    let result = process(&state, &method, &uri, &headers, &body, peer, &request_id).await;
    let resp = match result {
        Ok(r) => r,
        Err(e) => {
            if e.code.starts_with("AccessDenied") {
                state.metrics.denied.fetch_add(1, Ordering::Relaxed);
            }
            state.metrics.errors.fetch_add(1, Ordering::Relaxed);
            e.into_response_with_id(&request_id)
        }
    };
    state.metrics.record_latency(started.elapsed());
    resp
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
    let now = now();
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
        let verified = sagegate_sigv4::verify(&http, &cfg, now, |akid| dir.key_record(akid))
            .map_err(|e| ApiError::auth(routed.service, &e))?;
        let identity = dir
            .identity(&verified.access_key_id)
            .ok_or_else(|| ApiError::auth(routed.service, &sagegate_sigv4::AuthError::UnrecognizedClient))?;
        (Some(identity), verified.region)
    };
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
        source_ip: peer,
        secure_transport: false,
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
                let mut r = v.to_string().into_response();
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
