//! One authenticated call: its parameters, its caller, and authorization through the engine.

use std::sync::Arc;

use sagegate_policy::{evaluate, explain::access_denied_message, Context, ContextValue, Request};

use crate::directory::{Directory, Identity};
use crate::error::{ApiError, Service};
use crate::AppState;

/// Request parameters: a JSON body (SageMaker) or decoded Query pairs (IAM, STS).
#[derive(Debug, Clone)]
pub enum Params {
    Json(serde_json::Value),
    Query(Vec<(String, String)>),
}

impl Params {
    /// A Query parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        match self {
            Params::Query(p) => p.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()),
            Params::Json(v) => v.get(name).and_then(serde_json::Value::as_str),
        }
    }

    /// A list parameter `Name.member.N` (N from 1), in order; `Name=` alone is an empty list.
    pub fn list(&self, name: &str) -> Vec<String> {
        let Params::Query(p) = self else {
            return Vec::new();
        };
        let prefix = format!("{name}.member.");
        let mut items: Vec<(u32, String)> =
            p.iter().filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.parse().ok()?, v.clone()))).collect();
        items.sort_by_key(|(n, _)| *n);
        items.into_iter().map(|(_, v)| v).collect()
    }

    /// Tags as `Name.member.N.{Key,Value}`, in order (IAM and STS share the encoding; each checks its own limits).
    pub fn tags(&self, name: &str) -> Vec<crate::records::Tag> {
        self.structs(name)
            .into_iter()
            .map(|f| {
                let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
                crate::records::Tag { key: get("Key"), value: get("Value") }
            })
            .collect()
    }

    /// A list of structures `Name.member.N.Field`, as (N-ordered) maps of field → value.
    pub fn structs(&self, name: &str) -> Vec<Vec<(String, String)>> {
        let Params::Query(p) = self else {
            return Vec::new();
        };
        let prefix = format!("{name}.member.");
        let mut by_n: Vec<(u32, Vec<(String, String)>)> = Vec::new();
        for (k, v) in p {
            let Some(rest) = k.strip_prefix(&prefix) else {
                continue;
            };
            let Some((n, field)) = rest.split_once('.') else {
                continue;
            };
            let Ok(n) = n.parse::<u32>() else { continue };
            match by_n.iter_mut().find(|(m, _)| *m == n) {
                Some((_, fields)) => fields.push((field.to_string(), v.clone())),
                None => by_n.push((n, vec![(field.to_string(), v.clone())])),
            }
        }
        by_n.sort_by_key(|(n, _)| *n);
        by_n.into_iter().map(|(_, f)| f).collect()
    }
}

/// Everything a handler needs.
pub struct Call {
    pub state: Arc<AppState>,
    pub dir: Arc<Directory>,
    /// None only for unsigned operations.
    pub identity: Option<Identity>,
    pub service: Service,
    pub operation: String,
    pub params: Params,
    /// The credential scope's region.
    pub region: String,
    pub request_id: String,
    pub now: i64,
    pub source_ip: Option<String>,
    pub secure_transport: bool,
    /// Where the request came from besides its IP (a simulated VPC endpoint), and the `Host` it named.
    pub origin: Origin,
}

/// The network origin of a request (§2.6). The peer address is `aws:SourceIp`. With the
/// `trust_forwarded_for` setting, `X-Forwarded-For` names it instead, and `x-sagegate-source-vpce`
/// (with `x-sagegate-source-vpc`) simulates a call through an interface VPC endpoint: then
/// `aws:SourceVpce`/`aws:SourceVpc` are set and `aws:SourceIp` is absent, as the spec decides.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub source_ip: Option<String>,
    pub vpce: Option<String>,
    pub vpc: Option<String>,
    pub host: Option<String>,
}

impl Origin {
    pub fn of(headers: &axum::http::HeaderMap, peer: Option<String>, trust_forwarded_for: bool) -> Origin {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_string());
        let mut source_ip = peer;
        let (mut vpce, mut vpc) = (None, None);
        if trust_forwarded_for {
            if let Some(first) =
                header("x-forwarded-for").and_then(|v| v.split(',').next().map(|x| x.trim().to_string()))
            {
                source_ip = Some(first);
            }
            vpce = header("x-sagegate-source-vpce").filter(|v| !v.is_empty());
            vpc = header("x-sagegate-source-vpc").filter(|v| !v.is_empty());
            if vpce.is_some() {
                source_ip = None;
            }
        }
        Origin { source_ip, vpce, vpc, host: header("host") }
    }

    /// The network keys of this origin.
    pub fn add_keys(&self, ctx: &mut Context) {
        if let Some(ip) = &self.source_ip {
            ctx.insert_single("aws:SourceIp", ip.clone());
        }
        if let Some(v) = &self.vpce {
            ctx.insert_single("aws:SourceVpce", v.clone());
        }
        if let Some(v) = &self.vpc {
            ctx.insert_single("aws:SourceVpc", v.clone());
        }
    }
}

impl Call {
    pub fn identity(&self) -> Result<&Identity, ApiError> {
        self.identity
            .as_ref()
            .ok_or_else(|| ApiError::auth(self.service, &sagegate_sigv4::AuthError::MissingAuthenticationToken))
    }

    /// A required Query parameter, or IAM's `ValidationError` (§4.1).
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.params.get(name).ok_or_else(|| {
            let camel = name.get(..1).map(str::to_ascii_lowercase).unwrap_or_default() + name.get(1..).unwrap_or_default();
            ApiError::validation(self.service, format!("1 validation error detected: Value null at '{camel}' failed to satisfy constraint: Member must not be null"))
        })
    }

    /// The global keys of a request (K3, §2.6), plus the caller's principal keys.
    pub fn base_context(&self) -> Context {
        let mut ctx = self.identity.as_ref().map(|i| i.context.clone()).unwrap_or_default();
        let region = if self.service == Service::Iam { "us-east-1" } else { self.region.as_str() };
        add_time_keys(&mut ctx, self.now, self.secure_transport, region);
        self.origin.add_keys(&mut ctx);
        ctx
    }

    /// `http://host:port` as the client named this server, for URLs that point back at it.
    pub fn base_url(&self) -> String {
        let host = self.origin.host.clone().unwrap_or_else(|| self.state.config.listen.clone());
        format!("http://{host}")
    }

    /// Authorizes `action` on `resource` with extra context keys (single or multivalued). Resources of
    /// the `aws` pseudo-account (AWS managed policies) count as the caller's own, so reading them needs
    /// only an identity Allow, as on AWS.
    pub fn authorize(&self, action: &str, resource: &str, extra: Vec<(String, ContextValue)>) -> Result<(), ApiError> {
        let identity = self.identity()?;
        let mut ctx = self.base_context();
        for (k, v) in extra {
            ctx.insert(k, v);
        }
        let owner = resource.starts_with("arn:aws:iam::aws:").then(|| self.account().to_string());
        let req = Request::new(identity.principal.clone(), action, resource, owner, ctx)
            .map_err(|e| ApiError::internal(self.service, e))?;
        let decision = evaluate(&identity.policies, &req);
        self.state.metrics.decisions.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        access_denied_message(&req, &decision).map_or(Ok(()), |m| Err(ApiError::access_denied(self.service, m)))
    }

    pub fn account(&self) -> &str {
        self.dir.account_id()
    }
}

/// The request keys every call carries besides its principal and network keys (K3, §2.6).
pub fn add_time_keys(ctx: &mut Context, now: i64, secure_transport: bool, region: &str) {
    ctx.insert_single("aws:CurrentTime", iso8601(now));
    ctx.insert_single("aws:EpochTime", now.to_string());
    ctx.insert_single("aws:SecureTransport", secure_transport.to_string());
    ctx.insert_single("aws:RequestedRegion", region.to_string());
    ctx.insert_single("aws:PrincipalIsAWSService", "false");
    ctx.insert_single("aws:ViaAWSService", "false");
}

/// `2026-11-22T10:23:33Z`.
pub fn iso8601(t: i64) -> String {
    let a = sagegate_sigv4::format_amz_date(t);
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        a.get(0..4).unwrap_or_default(),
        a.get(4..6).unwrap_or_default(),
        a.get(6..8).unwrap_or_default(),
        a.get(9..11).unwrap_or_default(),
        a.get(11..13).unwrap_or_default(),
        a.get(13..15).unwrap_or_default()
    )
}
