//! SageMaker's authorization model: which checks an API call implies (spec
//! `sagemaker-authorization.md` §2–§5), and the decision SageMaker would return.
//!
//! ```text
//! (operation, JSON body, caller, stored state) ──plan──▶ [Check] ──decide──▶ CallOutcome
//!   Check = (action, resource ARN, context): C1 own action per resource, C2 tag-on-create,
//!   C2′ implied actions, C3 iam:PassRole per role
//! ```
//! The request-field → condition-key table (`keys`) and the PassRole table (`passrole`) are data.

pub mod arns;
pub mod catalog_sar;
pub mod keys;
pub mod passrole;
pub mod path;
pub mod plan;
pub mod role_manager;
pub mod state;

pub use arns::Scope;
pub use catalog_sar::CatalogSar;
pub use plan::{
    decide, decide_check, plan, CallOutcome, Caller, Check, CheckKind, PlanError, Sar, State, StoredModelPackage,
    StudioSession,
};
pub use state::JsonState;
