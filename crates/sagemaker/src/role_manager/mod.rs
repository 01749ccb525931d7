//! SageMaker Role Manager as a pure, offline template expander (spec `role-manager.md`):
//! (persona | activities) + parameters + options → role name, trust policy, policy documents and
//! managed policy ARNs, with every check of §7 and §9 made before anything is printed or created.
//!
//! ```text
//! RoleRequest ──plan_role──▶ RolePlan ──export::{cloudformation, terraform}──▶ template text
//!   catalogue (activities, personas: data)   templates (CDK data + console-documented data)
//!   expand (placeholders on the JSON tree)   flaws (F1–F13 notes)   strict (--strict corrections)
//! ```
//! Creating the role through an IAM API is the caller's job (`sagegate roles create`).

pub mod catalogue;
pub mod error;
pub mod expand;
pub mod export;
pub mod flaws;
pub mod params;
pub mod role;
pub mod strict;
pub mod templates;

pub use catalogue::{Activity, Catalogue, Persona, Source, TemplateVersion, ACTIVITIES, PERSONAS};
pub use error::{PlanErrors, RoleError};
pub use params::Param;
pub use role::{
    plan_role, Layout, ManagedAttachment, Note, PlannedActivity, PlannedPolicy, RolePlan, RoleRequest, TrustForm,
    DEFAULT_POLICIES_PER_ROLE, DOMAIN_ACTIVITY_LIMIT, MAX_POLICIES_PER_ROLE,
};
pub use strict::Change;
pub use templates::{Provenance, Template};
