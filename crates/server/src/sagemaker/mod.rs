//! The SageMaker API (AWS JSON 1.1): every operation is planned and authorized exactly as
//! `sagegate simulate --api` does it (`sagegate_sagemaker::plan` and `decide`, with stored tags and
//! spaces as state), then emulated when sagegate emulates it (see `docs/compatibility.md`).
//!
//! ```text
//! dispatch ─▶ one store transaction: plan (reads tags, spaces) ─▶ decide ─▶ emulate (reads, writes)
//!          └▶ (a Describe whose resources are all cached) plan ─▶ decide ─▶ answer, from `cache.rs`
//! ```
//! A denied call, or a failed emulation, writes nothing.

use std::sync::Arc;

use serde_json::Value;

use sagegate_policy::Context;
use sagegate_sagemaker::{decide, plan, Caller, CatalogSar, PlanError, Scope, StudioSession};
use sagegate_store::{StoreError, Tx};

use crate::call::{Call, Params};
use crate::directory::{Directory, Identity};
use crate::error::{ApiError, Service};
use crate::http::Success;
use crate::AppState;

pub mod cache;
mod extras;
pub mod families;
pub mod ops;
pub mod presigned;
pub mod records;
mod roles;
mod search;
pub mod studio;

/// Everything an emulated call needs, owned, so it can run on a blocking thread.
pub struct Env {
    pub state: Arc<AppState>,
    pub dir: Arc<Directory>,
    pub identity: Identity,
    pub op: String,
    pub body: Value,
    pub region: String,
    pub scope: Scope,
    pub now: i64,
    /// Seconds per lifecycle step on the simulated clock.
    pub step: i64,
    pub studio: Option<StudioSession>,
    /// The global and principal keys of the request (§2.6).
    pub context: Context,
    /// `http://host:port` of this server, for presigned URLs.
    pub base_url: String,
}

impl Env {
    pub fn new(call: &Call, identity: Identity, studio: Option<StudioSession>, op: &str, body: Value) -> Env {
        Env {
            state: call.state.clone(),
            dir: call.dir.clone(),
            identity,
            op: op.to_string(),
            body,
            region: call.region.clone(),
            scope: Scope::new(&call.region, call.account()),
            now: call.now,
            step: call.state.config.status_step_seconds.max(0),
            studio,
            context: call.base_context(),
            base_url: call.base_url(),
        }
    }
}

/// Why an emulated call failed: an API error (the transaction rolls back) or a storage failure.
#[derive(Debug)]
pub enum Fail {
    Api(ApiError),
    Store(StoreError),
}

pub fn not_emulated(op: &str) -> Fail {
    Fail::Api(ApiError::new(
        Service::SageMaker,
        501,
        "NotImplementedException",
        format!(
            "sagegate authorized SageMaker.{op} (every check allowed) but does not emulate this operation; see docs/compatibility.md."
        ),
    ))
}

/// The operations sagegate emulates beyond the generic families.
pub const SPECIAL_OPERATIONS: &[&str] = &[
    "AddTags",
    "DeleteTags",
    "ListTags",
    "Search",
    "CreatePresignedNotebookInstanceUrl",
    "CreatePresignedDomainUrl",
    "ListLabelingJobsForWorkteam",
    "ListTrainingJobsForHyperParameterTuningJob",
];

/// Whether sagegate emulates an operation (the rest are authorized only).
pub fn emulated(op: &str) -> bool {
    SPECIAL_OPERATIONS.contains(&op) || families::route(op).is_some()
}

pub async fn dispatch(call: &Call) -> Result<Success, ApiError> {
    let identity = call.identity()?.clone();
    let Params::Json(body) = &call.params else {
        return Err(ApiError::new(Service::SageMaker, 400, "SerializationException", "Expected a JSON body."));
    };
    let sar = CatalogSar::default();
    if !sar.is_operation(&call.operation) {
        return Err(ApiError::new(
            Service::SageMaker,
            400,
            "UnknownOperationException",
            format!("Unknown operation SageMaker.{}", call.operation),
        ));
    }
    let studio =
        identity.session.as_ref().and_then(|s| s.studio.clone()).map(|(domain_id, user_profile_name, space_name)| {
            StudioSession { domain_id, user_profile_name, space_name }
        });
    let env = Env::new(call, identity, studio, &call.operation, body.clone());
    if let Some(answer) = cached_describe(&env) {
        return answer.map(Success::Json);
    }
    let joined = tokio::task::spawn_blocking(move || run(&env)).await;
    match joined {
        Ok(r) => r.map(Success::Json),
        Err(e) => Err(ApiError::internal(Service::SageMaker, e)),
    }
}

/// Whether an operation never writes, so it may fill the read cache and need not invalidate it.
fn read_only(op: &str) -> bool {
    matches!(op, "ListTags" | "Search" | "ListLabelingJobsForWorkteam" | "ListTrainingJobsForHyperParameterTuningJob")
        || matches!(families::route(op), Some((_, families::Verb::Describe | families::Verb::List)))
}

/// Plans, decides and answers a Describe from the read cache, when the cache holds everything the call
/// reads (`cache.rs`); `None` sends the call down the transactional path. The checks and their order are
/// those of [`run`]: plan, decide, input validation, then the answer.
fn cached_describe(env: &Env) -> Option<Result<Value, ApiError>> {
    let (f, families::Verb::Describe) = families::route(&env.op)? else { return None };
    // Studio's Describe reads other records to resolve the effective execution role.
    if studio::describe_reads_others(f) {
        return None;
    }
    let cache = &env.state.resources;
    let resource = cache.get(&records::key_of_arn(&ops::arn_for(env, f, &env.body).ok()?)?)?;
    let st = cache::CacheState::new(cache, &env.region);
    let caller =
        Caller { principal: env.identity.principal.clone(), context: env.context.clone(), studio: env.studio.clone() };
    let checks = plan(&env.op, &env.body, &env.scope, &caller, &st, &CatalogSar::default()).ok()?;
    if st.missed() {
        return None;
    }
    env.state.metrics.decisions.fetch_add(checks.len() as u64, std::sync::atomic::Ordering::Relaxed);
    let decided = decide(checks, &env.identity.principal, &env.identity.policies);
    if let Some(m) = decided.message {
        return Some(Err(ApiError::access_denied(Service::SageMaker, m)));
    }
    match validate::check_input(&env.op, &env.body) {
        Ok(()) => {}
        Err(Fail::Api(e)) => return Some(Err(e)),
        Err(Fail::Store(_)) => return None,
    }
    let doc = Value::Object(ops::describe_doc_of(env, f, &resource));
    Some(Ok(if f.ty == "workteam" { serde_json::json!({ "Workteam": doc }) } else { doc }))
}

/// A new domain id: `d-` and 12 lower-case letters and digits (§5.1 Decision).
fn new_domain_id() -> String {
    format!("d-{}", crate::ids::lower_alnum(12))
}

/// Plans, decides and emulates one call in one transaction.
fn run(env: &Env) -> Result<Value, ApiError> {
    let domain_id = (env.op == "CreateDomain").then(new_domain_id);
    let id = domain_id.clone();
    authorized(env, domain_id, &mut |env: &Env, tx: &mut dyn Tx| emulate(env, tx, id.as_deref()))
}

/// Plans and decides `env.op` on `env.body`, then, if every check allows, runs `then` in the same
/// transaction. A denial or a failure of `then` writes nothing.
pub fn authorized(
    env: &Env,
    domain_id: Option<String>,
    then: &mut dyn FnMut(&Env, &mut dyn Tx) -> Result<Value, Fail>,
) -> Result<Value, ApiError> {
    let sar = CatalogSar::default();
    let caller =
        Caller { principal: env.identity.principal.clone(), context: env.context.clone(), studio: env.studio.clone() };
    let mut outcome: Option<Result<Value, ApiError>> = None;
    let read_only = read_only(&env.op);
    let cache = &env.state.resources;
    let epoch = cache.epoch();
    let mut reads = Vec::new();
    let result = env.state.store.transaction(&mut |tx: &mut dyn Tx| {
        outcome = None;
        let st = records::TxState::new(tx, &env.region, domain_id.clone());
        let st = if read_only { st.logging_reads() } else { st };
        let checks = match plan(&env.op, &env.body, &env.scope, &caller, &st, &sar) {
            Ok(c) => c,
            Err(e @ PlanError::MissingField(_)) => {
                outcome = Some(Err(ApiError::validation(Service::SageMaker, e.to_string())));
                return Ok(());
            }
            Err(PlanError::UnknownOperation(op)) => {
                outcome = Some(Err(ApiError::new(
                    Service::SageMaker,
                    501,
                    "NotImplementedException",
                    format!("SageMaker.{op} has no IAM action in the Service Authorization Reference yet, so sagegate cannot authorize it."),
                )));
                return Ok(());
            }
        };
        if let Some(e) = st.error() {
            return Err(e);
        }
        env.state.metrics.decisions.fetch_add(checks.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let decided = decide(checks, &env.identity.principal, &env.identity.policies);
        if let Some(m) = decided.message {
            outcome = Some(Err(ApiError::access_denied(Service::SageMaker, m)));
            return Ok(());
        }
        reads = st.take_reads();
        let tx = st.tx.into_inner();
        match then(env, tx) {
            Ok(v) => {
                outcome = Some(Ok(v));
                Ok(())
            }
            Err(Fail::Api(e)) => {
                outcome = Some(Err(e));
                Err(StoreError::Aborted("the call failed".into()))
            }
            Err(Fail::Store(e)) => Err(e),
        }
    });
    if !read_only {
        cache.invalidate();
    } else if result.is_ok() {
        cache.fill(epoch, reads);
    }
    match (outcome, result) {
        (Some(r), _) => r,
        (None, Err(e)) => Err(ApiError::internal(Service::SageMaker, e)),
        (None, Ok(())) => Err(ApiError::internal(Service::SageMaker, "the call produced no outcome")),
    }
}

/// The emulation of an authorized call.
fn emulate(env: &Env, tx: &mut dyn Tx, domain_id: Option<&str>) -> Result<Value, Fail> {
    validate::check_input(&env.op, &env.body)?;
    match env.op.as_str() {
        "AddTags" => return ops::add_tags(env, tx),
        "DeleteTags" => return ops::delete_tags(env, tx),
        "ListTags" => return ops::list_tags(env, tx),
        "Search" => return search::search(env, tx),
        "CreatePresignedNotebookInstanceUrl" => return presigned::create_notebook_url(env, tx),
        "CreatePresignedDomainUrl" => return presigned::create_domain_url(env, tx),
        "ListLabelingJobsForWorkteam" => return extras::labeling_jobs_for_workteam(env, tx),
        "ListTrainingJobsForHyperParameterTuningJob" => return extras::training_jobs_for_tuning_job(env, tx),
        "CreateDomain" => return studio::create_domain(env, tx, domain_id.unwrap_or_default()),
        _ => {}
    }
    match families::route(&env.op) {
        Some((f, verb)) => ops::run(env, tx, f, verb),
        None => Err(not_emulated(&env.op)),
    }
}

mod validate;
