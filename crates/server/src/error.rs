//! One error type per protocol family, rendered exactly as AWS renders it (wire spec §3.4, §4.3, §8).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::xml::escape;

/// The protocol, and for Query the service, of the routed request: it decides the error shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    SageMaker,
    Iam,
    Sts,
}

impl Service {
    pub fn protocol(self) -> sagegate_sigv4::Protocol {
        match self {
            Service::SageMaker => sagegate_sigv4::Protocol::Json,
            Service::Iam | Service::Sts => sagegate_sigv4::Protocol::Query,
        }
    }

    /// The SigV4 signing name.
    pub fn signing_name(self) -> &'static str {
        match self {
            Service::SageMaker => "sagemaker",
            Service::Iam => "iam",
            Service::Sts => "sts",
        }
    }

    pub fn xml_namespace(self) -> &'static str {
        match self {
            Service::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
            Service::Sts | Service::SageMaker => "https://sts.amazonaws.com/doc/2011-06-15/",
        }
    }
}

/// An error, ready to become an AWS-shaped response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub service: Service,
    pub status: u16,
    pub code: String,
    pub message: String,
    /// Front-layer JSON errors (auth) use `message` and a namespaced `__type`; modelled errors `Message`.
    pub front_layer: bool,
}

impl ApiError {
    pub fn new(service: Service, status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError { service, status, code: code.to_string(), message: message.into(), front_layer: false }
    }

    /// An authentication failure, with the protocol's code and status (§8).
    pub fn auth(service: Service, e: &sagegate_sigv4::AuthError) -> Self {
        let p = service.protocol();
        ApiError {
            service,
            status: e.status(p),
            code: e.code(p).to_string(),
            message: e.to_string(),
            front_layer: true,
        }
    }

    /// AccessDenied: HTTP 400 `AccessDeniedException` on JSON, 403 `AccessDenied` on Query (AD7).
    pub fn access_denied(service: Service, message: String) -> Self {
        match service {
            Service::SageMaker => {
                ApiError { service, status: 400, code: "AccessDeniedException".into(), message, front_layer: true }
            }
            _ => ApiError::new(service, 403, "AccessDenied", message),
        }
    }

    /// A bug: never a panic, always a 500 in the protocol's words.
    pub fn internal(service: Service, detail: impl std::fmt::Display) -> Self {
        let code = match service {
            Service::SageMaker | Service::Sts => "InternalFailure",
            Service::Iam => "ServiceFailure",
        };
        ApiError::new(service, 500, code, format!("An internal error occurred: {detail}"))
    }

    /// `ValidationError` (Query) or `ValidationException` (JSON), 400.
    pub fn validation(service: Service, message: impl Into<String>) -> Self {
        let code = if service == Service::SageMaker { "ValidationException" } else { "ValidationError" };
        ApiError::new(service, 400, code, message)
    }

    /// Renders the error with the request id (§2, §3.4, §4.3).
    pub fn into_response_with_id(self, request_id: &str) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = match self.service {
            Service::SageMaker => {
                let type_ = if self.front_layer {
                    format!("com.amazon.coral.service#{}", self.code)
                } else {
                    self.code.clone()
                };
                let msg_key =
                    if self.front_layer && self.code != "AccessDeniedException" { "message" } else { "Message" };
                let body = serde_json::json!({"__type": type_, msg_key: self.message}).to_string();
                let mut r = (status, body).into_response();
                r.headers_mut().insert("content-type", HeaderValue::from_static("application/x-amz-json-1.1"));
                if let Ok(v) = HeaderValue::from_str(&self.code) {
                    r.headers_mut().insert("x-amzn-ErrorType", v);
                }
                r
            }
            Service::Iam | Service::Sts => {
                let kind = if self.status >= 500 { "Receiver" } else { "Sender" };
                let body = format!(
                    "<ErrorResponse xmlns=\"{}\">\n  <Error>\n    <Type>{kind}</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n",
                    self.service.xml_namespace(),
                    escape(&self.code),
                    escape(&self.message)
                );
                let mut r = (status, body).into_response();
                r.headers_mut().insert("content-type", HeaderValue::from_static("text/xml"));
                r
            }
        };
        crate::http::common_headers(&mut resp, request_id);
        resp
    }
}
