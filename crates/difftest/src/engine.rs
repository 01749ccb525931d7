//! Glue to our engine (`sagegate_policy`), in-process. The only file that names its API.

use crate::case_util::{PolicyRef, Slot};
use sagegate_policy::case::Case;
use sagegate_policy::{DecisionKind, PolicyKind};
use serde_json::Value;

/// Decisions in the oracle's vocabulary (also the allow-list's).
pub const ALLOWED: &str = "Allowed";
pub const IMPLICIT: &str = "ImplicitlyDenied";
pub const EXPLICIT: &str = "ExplicitlyDenied";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineResult {
    Decision(&'static str),
    /// The case could not run (a policy failed to parse, or the case shape was refused).
    Error(String),
    /// The engine panicked (always a bug).
    Panic(String),
}

impl EngineResult {
    pub fn decision(&self) -> Option<&'static str> {
        match self {
            EngineResult::Decision(d) => Some(d),
            _ => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            EngineResult::Decision(d) => (*d).to_string(),
            EngineResult::Error(e) => format!("error: {e}"),
            EngineResult::Panic(e) => format!("PANIC: {e}"),
        }
    }
}

fn word(k: DecisionKind) -> &'static str {
    match k {
        DecisionKind::Allow => ALLOWED,
        DecisionKind::ExplicitDeny => EXPLICIT,
        DecisionKind::ImplicitDeny => IMPLICIT,
    }
}

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".into()
    }
}

/// Runs one CASE through the engine. Never panics.
pub fn run(case: &Value) -> EngineResult {
    let text = serde_json::to_string(case).unwrap_or_default();
    let r = std::panic::catch_unwind(move || {
        let c = match Case::from_json(&text) {
            Ok(c) => c,
            Err(e) => return EngineResult::Error(e.to_string()),
        };
        let outcome = c.run();
        match outcome.decision() {
            Some(k) => EngineResult::Decision(word(k)),
            None => EngineResult::Error(outcome.failures().join("; ")),
        }
    });
    r.unwrap_or_else(|p| EngineResult::Panic(panic_text(p)))
}

pub fn kind(slot: Slot) -> PolicyKind {
    match slot {
        Slot::Identity => PolicyKind::Identity,
        Slot::Resource => PolicyKind::Resource,
        Slot::Trust => PolicyKind::Trust,
        Slot::Boundary => PolicyKind::Boundary,
        Slot::Session => PolicyKind::Session,
        Slot::Scp => PolicyKind::Scp,
        Slot::Rcp => PolicyKind::Rcp,
    }
}

/// Our validator's first error for one policy (V14/V15): (row, message), or None when valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VError {
    pub row: Option<u8>,
    pub code: String,
    pub message: String,
}

/// Lint codes that make a document validation-only (spec section 15: the oracle parses such values
/// leniently, e.g. `10abc`), although our validator accepts the document.
pub const VALIDATION_ONLY_LINTS: &[&str] = &["invalid-condition-value"];

pub fn validate(p: &PolicyRef) -> Result<Option<VError>, String> {
    let text = p.text.clone();
    let k = kind(p.slot);
    let r = std::panic::catch_unwind(move || sagegate_policy::validate(&text, k));
    match r {
        Ok(v) => {
            if let Some(d) = v.error {
                return Ok(Some(VError { row: d.row, code: d.code.to_string(), message: d.message }));
            }
            Ok(v.warnings.into_iter().find(|w| VALIDATION_ONLY_LINTS.contains(&w.code)).map(|d| VError {
                row: None,
                code: d.code.to_string(),
                message: format!("(lint {}) {}", d.code, d.message),
            }))
        }
        Err(p) => Err(panic_text(p)),
    }
}
