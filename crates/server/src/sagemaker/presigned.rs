//! Presigned notebook and Studio URLs (spec §3.4): real URLs that point at sagegate. Opening one is
//! authorized again on every HTTP request and every WebSocket frame, for the URL's creator with their
//! current policies and the request's network origin; a non-Allow answer is 403 (or a closed socket).

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use sagegate_sagemaker::{decide, plan, Caller, CatalogSar, Scope};
use sagegate_store::{Tx, TxExt};

use super::ops::{s, validation, Out};
use super::records::{self, TxState, PRESIGNED};
use super::studio;
use super::{Env, Fail};
use crate::call::Origin;
use crate::directory::Identity;
use crate::AppState;

/// Who created a URL: the access key id they signed with (a session's, a user's, or the root key).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    /// `notebook` or `domain`.
    pub kind: String,
    pub access_key_id: String,
    pub region: String,
    /// The request that created the URL (re-planned on every use).
    pub request: Value,
    pub created: i64,
    /// The URL must be first opened within this many seconds.
    pub first_use_within: i64,
    pub session_seconds: i64,
    #[serde(default)]
    pub first_used: Option<i64>,
}

fn access_key_of(env: &Env) -> String {
    if let Some(s) = &env.identity.session {
        return s.access_key_id.clone();
    }
    if let Some(u) = &env.identity.user {
        if let Some(k) = env.dir.access_keys.values().find(|k| &k.user == u && k.status == "Active") {
            return k.id.clone();
        }
    }
    env.dir.account.as_ref().map(|a| a.root_access_key_id.clone()).unwrap_or_default()
}

fn store_token(tx: &mut dyn Tx, t: &Token) -> Result<String, Fail> {
    let id = crate::ids::hex(48);
    tx.put_as(PRESIGNED, &id, t)?;
    Ok(id)
}

pub fn create_notebook_url(env: &Env, tx: &mut dyn Tx) -> Out {
    let name = s(&env.body, "NotebookInstanceName").unwrap_or_default().to_string();
    let arn = env.scope.named("notebook-instance", &name);
    if records::load(tx, &arn)?.is_none() {
        return Err(validation("RecordNotFound"));
    }
    let session = env.body.get("SessionExpirationDurationInSeconds").and_then(Value::as_i64).unwrap_or(43_200);
    let t = Token {
        kind: "notebook".into(),
        access_key_id: access_key_of(env),
        region: env.region.clone(),
        request: json!({"NotebookInstanceName": name}),
        created: env.now,
        first_use_within: 300,
        session_seconds: session,
        first_used: None,
    };
    let id = store_token(tx, &t)?;
    Ok(json!({"AuthorizedUrl": format!("{}/sagegate/notebook/{name}?authToken={id}", env.base_url)}))
}

pub fn create_domain_url(env: &Env, tx: &mut dyn Tx) -> Out {
    let domain_id = s(&env.body, "DomainId").unwrap_or_default().to_string();
    let profile = s(&env.body, "UserProfileName").unwrap_or_default().to_string();
    let d = studio::domain(env, tx, &domain_id)?;
    studio::profile(env, tx, &domain_id, &profile)?;
    if d.str("AuthMode") == Some("SSO") {
        return Err(validation(
            "Presigned URLs are not supported for domains in SSO authentication mode; users sign in through the IAM Identity Center portal.",
        ));
    }
    if let Some(sp) = s(&env.body, "SpaceName") {
        studio::space(env, tx, &domain_id, sp)?;
    }
    let expires = env.body.get("ExpiresInSeconds").and_then(Value::as_i64).unwrap_or(300);
    let session = env.body.get("SessionExpirationDurationInSeconds").and_then(Value::as_i64).unwrap_or(43_200);
    let t = Token {
        kind: "domain".into(),
        access_key_id: access_key_of(env),
        region: env.region.clone(),
        request: json!({"DomainId": domain_id, "UserProfileName": profile}),
        created: env.now,
        first_use_within: expires,
        session_seconds: session,
        first_used: None,
    };
    let id = store_token(tx, &t)?;
    Ok(json!({"AuthorizedUrl": format!("{}/sagegate/studio/{domain_id}/{profile}?authToken={id}", env.base_url)}))
}

#[derive(Deserialize)]
pub struct AuthQuery {
    #[serde(rename = "authToken")]
    auth_token: Option<String>,
}

/// Why opening a URL is refused.
enum Refusal {
    Forbidden(String),
    SignIn,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Forbidden(m) => (StatusCode::FORBIDDEN, m).into_response(),
            // AWS sends an expired, unused URL to the console sign-in page.
            Refusal::SignIn => Redirect::to("https://signin.aws.amazon.com/").into_response(),
        }
    }
}

/// Checks a token for `(kind, path)` and re-authorizes its creator's call from `origin`. The first
/// admitted use is recorded; a refused open does not count as one.
fn admit(
    state: &Arc<AppState>,
    token: &str,
    kind: &str,
    path_ok: &dyn Fn(&Value) -> bool,
    origin: &Origin,
) -> Result<String, Refusal> {
    let now = state.now();
    let bad = || Refusal::Forbidden("Invalid or expired authorization token.".into());
    let mut found: Option<Token> = None;
    let _ = state.store.transaction(&mut |tx: &mut dyn Tx| {
        found = tx.get_as::<Token>(PRESIGNED, token)?;
        Ok(())
    });
    let t = found.ok_or_else(bad)?;
    if t.kind != kind || !path_ok(&t.request) {
        return Err(bad());
    }
    let first = match t.first_used {
        Some(first) => first,
        None if now <= t.created.saturating_add(t.first_use_within) => now,
        None => return Err(Refusal::SignIn),
    };
    if now > first.saturating_add(t.session_seconds) {
        return Err(Refusal::SignIn);
    }
    let dir = state.directory();
    let identity: Identity = crate::sts::session::resolve(&dir, &t.access_key_id, now)
        .filter(|_| dir.key_record(&t.access_key_id).is_some_and(|k| k.expires_at.is_none_or(|e| e > now)))
        .ok_or_else(|| Refusal::Forbidden("The credentials that created this URL are no longer valid.".into()))?;
    let op = if kind == "notebook" { "CreatePresignedNotebookInstanceUrl" } else { "CreatePresignedDomainUrl" };
    let mut ctx = identity.context.clone();
    crate::call::add_time_keys(&mut ctx, now, false, &t.region);
    origin.add_keys(&mut ctx);
    let scope = Scope::new(&t.region, dir.account_id());
    let caller = Caller { principal: identity.principal.clone(), context: ctx, studio: None };
    let sar = CatalogSar::default();
    let mut verdict: Result<String, Refusal> = Err(bad());
    let _ = state.store.transaction(&mut |tx: &mut dyn Tx| {
        let st = TxState::new(tx, &t.region, None);
        verdict = match plan(op, &t.request, &scope, &caller, &st, &sar) {
            Ok(checks) => {
                state.metrics.decisions.fetch_add(checks.len() as u64, std::sync::atomic::Ordering::Relaxed);
                match decide(checks, &identity.principal, &identity.policies).message {
                    None => Ok(identity.principal.arn.clone()),
                    Some(m) => Err(Refusal::Forbidden(m)),
                }
            }
            Err(e) => Err(Refusal::Forbidden(e.to_string())),
        };
        Ok(())
    });
    if verdict.is_ok() && t.first_used.is_none() {
        let _ = state.store.transaction(&mut |tx: &mut dyn Tx| {
            if let Some(mut stored) = tx.get_as::<Token>(PRESIGNED, token)? {
                if stored.first_used.is_none() {
                    stored.first_used = Some(now);
                    tx.put_as(PRESIGNED, token, &stored)?;
                }
            }
            Ok(())
        });
    }
    verdict
}

fn page(title: &str, who: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html><head><title>{title}</title></head><body><h1>{title}</h1><p>sagegate placeholder: no notebook runs here. Opened by {who}; every request and WebSocket frame to this URL is authorized again.</p></body></html>\n",
        title = crate::xml::escape(title),
        who = crate::xml::escape(who)
    ))
}

fn origin_of(state: &AppState, parts: &Parts) -> Origin {
    let peer = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string());
    Origin::of(&parts.headers, peer, state.config.trust_forwarded_for)
}

pub async fn open_notebook(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    Query(q): Query<AuthQuery>,
    parts: Parts,
) -> Response {
    let origin = origin_of(&state, &parts);
    let token = q.auth_token.unwrap_or_default();
    let st = state.clone();
    let n = name.clone();
    let verdict = tokio::task::spawn_blocking(move || {
        admit(
            &st,
            &token,
            "notebook",
            &|r| r.get("NotebookInstanceName").and_then(Value::as_str) == Some(n.as_str()),
            &origin,
        )
    })
    .await;
    match verdict {
        Ok(Ok(who)) => page(&format!("Notebook instance {name}"), &who).into_response(),
        Ok(Err(r)) => r.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub async fn open_studio(
    State(state): State<Arc<AppState>>,
    Path((domain, profile)): Path<(String, String)>,
    Query(q): Query<AuthQuery>,
    parts: Parts,
) -> Response {
    let origin = origin_of(&state, &parts);
    let token = q.auth_token.unwrap_or_default();
    let st = state.clone();
    let (d, p) = (domain.clone(), profile.clone());
    let verdict = tokio::task::spawn_blocking(move || {
        admit(
            &st,
            &token,
            "domain",
            &|r| {
                r.get("DomainId").and_then(Value::as_str) == Some(d.as_str())
                    && r.get("UserProfileName").and_then(Value::as_str) == Some(p.as_str())
            },
            &origin,
        )
    })
    .await;
    match verdict {
        Ok(Ok(who)) => page(&format!("Studio {domain} / {profile}"), &who).into_response(),
        Ok(Err(r)) => r.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The notebook's WebSocket (a kernel channel): echoes text frames, authorizing each one first.
pub async fn notebook_socket(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    Query(q): Query<AuthQuery>,
    ws: WebSocketUpgrade,
    parts: Parts,
) -> Response {
    let origin = origin_of(&state, &parts);
    let token = q.auth_token.unwrap_or_default();
    let check = {
        let (state, token, name, origin) = (state.clone(), token.clone(), name.clone(), origin.clone());
        move || {
            let (state, token, name, origin) = (state.clone(), token.clone(), name.clone(), origin.clone());
            async move {
                tokio::task::spawn_blocking(move || {
                    admit(
                        &state,
                        &token,
                        "notebook",
                        &|r| r.get("NotebookInstanceName").and_then(Value::as_str) == Some(name.as_str()),
                        &origin,
                    )
                    .is_ok()
                })
                .await
                .unwrap_or(false)
            }
        }
    };
    if !check().await {
        return StatusCode::FORBIDDEN.into_response();
    }
    ws.on_upgrade(move |socket| relay(socket, check))
}

async fn relay<F, Fut>(mut socket: WebSocket, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    while let Some(Ok(msg)) = socket.recv().await {
        if matches!(msg, Message::Close(_)) {
            break;
        }
        if !check().await {
            let close = axum::extract::ws::CloseFrame { code: 1008, reason: "access denied".into() };
            let _ = socket.send(Message::Close(Some(close))).await;
            break;
        }
        if let Message::Text(t) = msg {
            if socket.send(Message::Text(t)).await.is_err() {
                break;
            }
        }
    }
}
