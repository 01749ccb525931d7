//! sagegate's IAM policy language: parsing with spans, validation as strict as IAM's, evaluation across
//! every policy kind, and explanations with AWS's exact AccessDenied text.
//!
//! The normative reference is `shared/spec/iam-evaluation.md`; rule IDs (`V3`, `E6`, …) in comments and
//! tests point into it. This crate does no I/O and has no async: text in, decisions out.
//!
//! ```text
//! text ──Policy::parse──▶ Policy (AST, spans) ──CompiledPolicy::compile──▶ CompiledPolicy (indexed)
//!   └──validate(kind)──▶ Validation (IAM error text, line:column, lint warnings)
//! PolicySet + Request ──evaluate──▶ Decision          (hot path, no allocation; fast path for the
//!                                                       common shape, else the reference algorithm)
//!                     ──explain───▶ Explanation       (matched statements, spans, AccessDenied message)
//!                     ──explain_detailed──▶ Explanation + how every statement fared (for `simulate`)
//! ```

pub mod arn;
pub mod ast;
pub mod case;
pub mod compile;
pub mod condition;
pub mod eval;
pub mod explain;
mod fast;
pub mod glob;
mod index;
pub mod json;
pub mod parse;
pub mod request;
pub mod span;
pub mod validate;
pub mod variables;

pub use ast::Policy;
pub use compile::CompiledPolicy;
pub use eval::{evaluate, evaluate_fast, evaluate_reference, explain, explain_detailed, PolicySet};
pub use explain::{ConditionTrace, Decision, DecisionKind, Element, Explanation, PolicyType, StatementTrace};
pub use parse::ParseError;
pub use request::{Context, ContextValue, Principal, PrincipalKind, Request};
pub use validate::{validate, validate_with, Diagnostic, NameKind, PolicyKind, Severity, Validation, Vocabulary};
