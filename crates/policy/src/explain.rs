//! Decisions, explanations, and AWS's AccessDenied message text (sections 0.3 and 14).

use serde::Serialize;

use crate::request::{PrincipalKind, Request};
use crate::span::{line_column, LineColumn, Span};

/// The three outcomes (0.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum DecisionKind {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

impl DecisionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Allow => "Allow",
            DecisionKind::ExplicitDeny => "ExplicitDeny",
            DecisionKind::ImplicitDeny => "ImplicitDeny",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Allow" => Some(DecisionKind::Allow),
            "ExplicitDeny" => Some(DecisionKind::ExplicitDeny),
            "ImplicitDeny" => Some(DecisionKind::ImplicitDeny),
            _ => None,
        }
    }
}

/// The policy types that take part in a decision (0.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PolicyType {
    Rcp,
    Scp,
    ResourceBased,
    Identity,
    PermissionsBoundary,
    Session,
}

impl PolicyType {
    /// The `<type>` of an implicit-deny message (AD1).
    pub fn implicit_phrase(self) -> &'static str {
        match self {
            PolicyType::Rcp => "resource control policy",
            PolicyType::Scp => "service control policy",
            PolicyType::ResourceBased => "resource-based policy",
            PolicyType::Identity => "identity-based policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::Session => "session policy",
        }
    }

    /// The `<a-type>` of an explicit-deny message (AD2).
    pub fn explicit_phrase(self) -> &'static str {
        match self {
            PolicyType::Rcp => "a resource control policy",
            PolicyType::Scp => "a service control policy",
            PolicyType::ResourceBased => "a resource-based policy",
            PolicyType::Identity => "an identity-based policy",
            PolicyType::PermissionsBoundary => "a permissions boundary",
            PolicyType::Session => "a session policy",
        }
    }

    /// A short machine name, used in JSON output.
    pub fn key(self) -> &'static str {
        match self {
            PolicyType::Rcp => "rcp",
            PolicyType::Scp => "scp",
            PolicyType::ResourceBased => "resource",
            PolicyType::Identity => "identity",
            PolicyType::PermissionsBoundary => "boundary",
            PolicyType::Session => "session",
        }
    }
}

/// Identifies one statement among the policies of a `PolicySet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatementRef {
    pub policy_type: PolicyType,
    /// The SCP or RCP level (0 = organization root), else 0.
    pub level: usize,
    /// The policy's position within its kind (and level).
    pub policy: usize,
    /// The statement's position within its policy's `Statement` array.
    pub statement: usize,
}

/// A decision, with the policy type that decided a denial and the denying statement, if explicit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    ExplicitDeny(StatementRef),
    ImplicitDeny(PolicyType),
}

impl Decision {
    pub fn kind(&self) -> DecisionKind {
        match self {
            Decision::Allow => DecisionKind::Allow,
            Decision::ExplicitDeny(_) => DecisionKind::ExplicitDeny,
            Decision::ImplicitDeny(_) => DecisionKind::ImplicitDeny,
        }
    }

    /// The policy type that decided a denial.
    pub fn policy_type(&self) -> Option<PolicyType> {
        match self {
            Decision::Allow => None,
            Decision::ExplicitDeny(s) => Some(s.policy_type),
            Decision::ImplicitDeny(t) => Some(*t),
        }
    }

    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow)
    }
}

/// AWS's AccessDenied text for a denial (AD1–AD5); None for `Allow`.
pub fn access_denied_message(req: &Request, decision: &Decision) -> Option<String> {
    let principal = match req.principal.kind {
        PrincipalKind::Anonymous => "anonymous",
        _ => req.principal.arn.as_str(),
    };
    let action = &req.action;
    let on = if req.resource == "*" { String::new() } else { format!(" on resource: {}", req.resource) };
    match decision {
        Decision::Allow => None,
        Decision::ImplicitDeny(t) => Some(format!(
            "User: {principal} is not authorized to perform: {action}{on} because no {} allows the {action} action",
            t.implicit_phrase()
        )),
        Decision::ExplicitDeny(s) => Some(format!(
            "User: {principal} is not authorized to perform: {action}{on} with an explicit deny in {}",
            s.policy_type.explicit_phrase()
        )),
    }
}

/// A statement that applied to the request (S1), for explanations.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchedStatement {
    pub policy_type: PolicyType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    /// The policy's name, or `#<index>` when it has none.
    pub policy: String,
    /// The statement's Sid, or `#<index>`.
    pub statement: String,
    pub statement_index: usize,
    pub effect: &'static str,
    pub span: Span,
    pub position: LineColumn,
}

/// The element of a statement that did not match a request (S1 order: principal, action, resource,
/// condition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Element {
    Principal,
    Action,
    Resource,
    Condition,
}

impl Element {
    pub fn as_str(self) -> &'static str {
        match self {
            Element::Principal => "principal",
            Element::Action => "action",
            Element::Resource => "resource",
            Element::Condition => "condition",
        }
    }
}

/// One condition of a statement, as evaluated against the request (explanations only).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionTrace {
    /// The operator as written, e.g. `ForAllValues:StringLike`.
    pub operator: String,
    /// The condition key as written.
    pub key: String,
    /// The policy's values as written.
    pub values: Vec<String>,
    /// Whether the condition held.
    pub holds: bool,
    /// The request's value of the key (found ignoring case, C2); None when the request does not have it.
    pub seen: Option<crate::request::ContextValue>,
    /// Key through values, in the policy source.
    pub span: Span,
    pub position: LineColumn,
}

/// How one statement fared against the request (explanations only): whether it applied, and if not,
/// which element did not match. Conditions are evaluated (all of them) only when principal, action and
/// resource matched.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementTrace {
    pub policy_type: PolicyType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    /// The policy's name, or `#<index>` when it has none.
    pub policy: String,
    /// The policy's position within its kind (and level).
    pub policy_index: usize,
    /// The statement's Sid, or `#<index>`.
    pub statement: String,
    pub statement_index: usize,
    pub effect: &'static str,
    pub span: Span,
    pub position: LineColumn,
    pub applies: bool,
    /// The first element that did not match; None when the statement applied.
    pub failed: Option<Element>,
    /// The span of the element that did not match (its key through its value), when it is written in the
    /// statement (a missing `Resource` has none).
    pub failed_span: Option<Span>,
    pub conditions: Vec<ConditionTrace>,
}

/// The result of one policy kind (S2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KindResult {
    Allow,
    Deny,
    None,
}

/// A decision with everything needed to understand it.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub decision: Decision,
    /// AccessDenied text, or None when allowed.
    pub message: Option<String>,
    /// Every statement that applied, in evaluation order (RCP, SCP, RBP, identity, PB, session).
    pub matched: Vec<MatchedStatement>,
    /// Per-kind results for the kinds that took part, in evaluation order.
    pub kinds: Vec<(PolicyType, Option<usize>, KindResult)>,
    /// The strongest RBP principal match among applicable Allows (E6), when an RBP took part.
    pub resource_policy_match: Option<&'static str>,
    /// Whether the request was cross-account (E8).
    pub cross_account: bool,
    /// Notes: inputs that were ignored and why.
    pub notes: Vec<String>,
    /// Every statement of every policy that took part, in evaluation order, and how it fared. Filled by
    /// `explain_detailed` only; empty from `explain`.
    pub statements: Vec<StatementTrace>,
}

impl Explanation {
    pub fn kind(&self) -> DecisionKind {
        self.decision.kind()
    }

    /// The JSON form printed by `sagegate simulate --output json`.
    pub fn to_json(&self, req: &Request) -> serde_json::Value {
        let deciding = match self.decision {
            Decision::ExplicitDeny(s) => self
                .matched
                .iter()
                .find(|m| m.policy_type == s.policy_type && m.statement_index == s.statement && m.effect == "Deny"),
            _ => None,
        };
        serde_json::json!({
            "decision": self.decision.kind().as_str(),
            "decidedBy": self.decision.policy_type().map(PolicyType::implicit_phrase),
            "message": self.message,
            "request": {
                "principal": req.principal.arn,
                "principalKind": req.principal.kind,
                "action": req.action,
                "resource": req.resource,
                "resourceAccount": req.resource_account,
                "crossAccount": self.cross_account,
                "context": req.context.iter().map(|(k, v)| (k.to_string(), match v {
                    crate::ContextValue::Single(s) => serde_json::Value::String(s.clone()),
                    crate::ContextValue::Multi(vs) => serde_json::json!(vs),
                })).collect::<serde_json::Map<_, _>>(),
            },
            "denyingStatement": deciding,
            "matchedStatements": self.matched,
            "policyResults": self.kinds.iter().map(|(t, level, r)| serde_json::json!({
                "policyType": t.key(), "level": level, "result": r,
            })).collect::<Vec<_>>(),
            "resourcePolicyMatch": self.resource_policy_match,
            "notes": self.notes,
            "statements": self.statements,
        })
    }
}

/// Builds a `MatchedStatement` with its position in the policy source.
#[allow(clippy::too_many_arguments)]
pub(crate) fn matched(
    policy_type: PolicyType,
    level: Option<usize>,
    policy_name: &str,
    policy_index: usize,
    source: &str,
    sid: Option<&str>,
    statement_index: usize,
    deny: bool,
    span: Span,
) -> MatchedStatement {
    MatchedStatement {
        policy_type,
        level,
        policy: if policy_name.is_empty() { format!("#{policy_index}") } else { policy_name.to_string() },
        statement: match sid {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => format!("#{statement_index}"),
        },
        statement_index,
        effect: if deny { "Deny" } else { "Allow" },
        span,
        position: line_column(source, span.start),
    }
}
