//! The SageMaker API (AWS JSON 1.1): every operation is planned and authorized exactly as
//! `sagegate simulate --api` does it (the same `sagegate_sagemaker::plan` and `decide`). Resource
//! emulation arrives with issue 5; until then an allowed call answers that it is not emulated.

use sagegate_sagemaker::{decide, plan, Caller, CatalogSar, JsonState, PlanError, Scope, StudioSession};

use crate::call::{Call, Params};
use crate::error::{ApiError, Service};
use crate::http::Success;

pub async fn dispatch(call: &Call) -> Result<Success, ApiError> {
    let identity = call.identity()?;
    let Params::Json(body) = &call.params else {
        return Err(ApiError::new(Service::SageMaker, 400, "SerializationException", "Expected a JSON body."));
    };
    let sar = CatalogSar::default();
    if !sar.operations().contains(&call.operation.as_str()) {
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
    let caller = Caller { principal: identity.principal.clone(), context: call.base_context(), studio };
    let scope = Scope::new(&call.region, call.account());
    // Stored SageMaker resources (tags, spaces) come with issue 5's emulation.
    let state = JsonState::default();
    let checks = match plan(&call.operation, body, &scope, &caller, &state, &sar) {
        Ok(c) => c,
        Err(e @ PlanError::MissingField(_)) => return Err(ApiError::validation(Service::SageMaker, e.to_string())),
        Err(PlanError::UnknownOperation(op)) => {
            return Err(ApiError::new(
                Service::SageMaker,
                501,
                "NotImplementedException",
                format!("SageMaker.{op} has no IAM action in the Service Authorization Reference yet, so sagegate cannot authorize it."),
            ))
        }
    };
    call.state.metrics.decisions.fetch_add(checks.len() as u64, std::sync::atomic::Ordering::Relaxed);
    let outcome = decide(checks, &identity.principal, &identity.policies);
    if let Some(m) = outcome.message {
        return Err(ApiError::access_denied(Service::SageMaker, m));
    }
    Err(ApiError::new(
        Service::SageMaker,
        501,
        "NotImplementedException",
        format!(
            "sagegate authorized SageMaker.{} (every check allowed) but does not emulate this operation yet; see docs/compatibility.md.",
            call.operation
        ),
    ))
}
