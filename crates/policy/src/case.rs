//! The CASE.json format of `sagegate simulate --input` and of the conformance corpus.
//!
//! A decision case holds a request and the policies that may take part; a validation case holds one
//! policy and its kind. Either may carry expectations (`expect…` fields), which `run` checks. The
//! format is documented for users in `docs/simulate-case-format.md`.

use serde_json::{Map, Value};

use crate::eval::{explain_detailed, PolicySet};
use crate::explain::{DecisionKind, Explanation};
use crate::request::{Context, ContextValue, Principal, PrincipalKind, Request};
use crate::validate::{validate, PolicyKind, Validation};
use crate::CompiledPolicy;

/// Why a case file could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("the case is not valid JSON: {0}")]
    Json(String),
    #[error("{0}")]
    Shape(String),
    #[error("policy {name}: {message}")]
    Policy { name: String, message: String },
    #[error(transparent)]
    Request(#[from] crate::request::RequestError),
}

fn shape(msg: impl Into<String>) -> CaseError {
    CaseError::Shape(msg.into())
}

/// One policy of a case: its name and source text.
#[derive(Debug, Clone)]
pub struct CasePolicy {
    pub name: String,
    pub text: String,
}

/// A parsed case.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: Option<String>,
    pub body: CaseBody,
    pub expect: Option<DecisionKind>,
    pub expect_message: Option<String>,
    pub expect_decided_by: Option<String>,
    pub expect_valid: Option<bool>,
    pub expect_code: Option<String>,
}

#[derive(Debug, Clone)]
pub enum CaseBody {
    Decision(Box<DecisionCase>),
    Validation { kind: PolicyKind, policy: CasePolicy },
}

/// The inputs of a decision case.
#[derive(Debug, Clone)]
pub struct DecisionCase {
    pub request: Request,
    pub identity: Vec<CasePolicy>,
    pub resource: Option<CasePolicy>,
    pub boundary: Option<CasePolicy>,
    pub session: Option<Vec<CasePolicy>>,
    pub scps: Vec<Vec<CasePolicy>>,
    pub rcps: Vec<Vec<CasePolicy>>,
}

const KNOWN_FIELDS: [&str; 17] = [
    "id",
    "rules",
    "description",
    "request",
    "identityPolicies",
    "resourcePolicy",
    "permissionsBoundary",
    "sessionPolicy",
    "scps",
    "rcps",
    "expect",
    "expectMessage",
    "expectDecidedBy",
    "kind",
    "policy",
    "expectValid",
    "expectCode",
];

impl Case {
    /// Parses one case object.
    pub fn from_json(text: &str) -> Result<Case, CaseError> {
        let v: Value = serde_json::from_str(text).map_err(|e| CaseError::Json(e.to_string()))?;
        Case::from_value(&v)
    }

    pub fn from_value(v: &Value) -> Result<Case, CaseError> {
        let obj = v.as_object().ok_or_else(|| shape("a case must be a JSON object"))?;
        if let Some(k) = obj.keys().find(|k| !KNOWN_FIELDS.contains(&k.as_str())) {
            return Err(shape(format!("unknown case field `{k}` (known: {})", KNOWN_FIELDS.join(", "))));
        }
        let str_field = |k: &str| -> Result<Option<String>, CaseError> {
            match obj.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(shape(format!("`{k}` must be a string"))),
            }
        };
        let expect = match str_field("expect")? {
            None => None,
            Some(s) => Some(
                DecisionKind::parse(&s)
                    .ok_or_else(|| shape(format!("`expect` must be Allow, ExplicitDeny or ImplicitDeny, not `{s}`")))?,
            ),
        };
        let body = if obj.contains_key("request") {
            CaseBody::Decision(Box::new(decision_case(obj)?))
        } else if obj.contains_key("policy") {
            let kind_name = str_field("kind")?.unwrap_or_else(|| "identity".into());
            let kind =
                PolicyKind::parse(&kind_name).ok_or_else(|| shape(format!("unknown policy kind `{kind_name}`")))?;
            let policy = case_policy(obj.get("policy").unwrap_or(&Value::Null), "policy")?;
            CaseBody::Validation { kind, policy }
        } else {
            return Err(shape("a case needs `request` (a decision case) or `policy` (a validation case)"));
        };
        Ok(Case {
            id: str_field("id")?,
            body,
            expect,
            expect_message: str_field("expectMessage")?,
            expect_decided_by: str_field("expectDecidedBy")?,
            expect_valid: obj.get("expectValid").and_then(Value::as_bool),
            expect_code: str_field("expectCode")?,
        })
    }

    /// Runs the case. Never panics; problems show up as failures of the outcome.
    pub fn run(&self) -> CaseOutcome {
        match &self.body {
            CaseBody::Decision(d) => match d.policy_set() {
                Ok(set) => {
                    let e = explain_detailed(&set, &d.request);
                    CaseOutcome { case: self.clone(), result: Ok(CaseResult::Decision(Box::new(e))) }
                }
                Err(e) => CaseOutcome { case: self.clone(), result: Err(e) },
            },
            CaseBody::Validation { kind, policy } => {
                let v = validate(&policy.text, *kind);
                CaseOutcome { case: self.clone(), result: Ok(CaseResult::Validation(v)) }
            }
        }
    }
}

impl DecisionCase {
    /// Parses and compiles every policy. A policy that does not parse is an error (E1 would deny).
    pub fn policy_set(&self) -> Result<PolicySet, CaseError> {
        let compile = |p: &CasePolicy| {
            CompiledPolicy::parse(p.name.clone(), &p.text).map_err(|e| {
                let pos = crate::span::line_column(&p.text, e.span.start);
                CaseError::Policy { name: p.name.clone(), message: format!("{pos}: {e}") }
            })
        };
        let levels = |ls: &[Vec<CasePolicy>]| -> Result<Vec<Vec<CompiledPolicy>>, CaseError> {
            ls.iter().map(|l| l.iter().map(compile).collect()).collect()
        };
        Ok(PolicySet {
            identity: self.identity.iter().map(compile).collect::<Result<_, _>>()?,
            boundary: self.boundary.as_ref().map(compile).transpose()?,
            session: self.session.as_ref().map(|s| s.iter().map(compile).collect::<Result<_, _>>()).transpose()?,
            resource: self.resource.as_ref().map(compile).transpose()?,
            scps: levels(&self.scps)?,
            rcps: levels(&self.rcps)?,
        })
    }
}

fn decision_case(obj: &Map<String, Value>) -> Result<DecisionCase, CaseError> {
    let req = obj.get("request").and_then(Value::as_object).ok_or_else(|| shape("`request` must be an object"))?;
    let principal = parse_principal(req.get("principal").ok_or_else(|| shape("`request.principal` is required"))?)?;
    let action = req.get("action").and_then(Value::as_str).ok_or_else(|| shape("`request.action` must be a string"))?;
    let resource = match req.get("resource") {
        None => "*",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(shape("`request.resource` must be a string (an ARN or \"*\")")),
    };
    let resource_account = match req.get("resourceAccount") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(shape("`request.resourceAccount` must be a string")),
    };
    let mut context = Context::new();
    if let Some(c) = req.get("context") {
        let c = c.as_object().ok_or_else(|| shape("`request.context` must be an object"))?;
        for (k, v) in c {
            let value = match v {
                Value::Array(items) => ContextValue::Multi(items.iter().map(scalar_text).collect::<Result<_, _>>()?),
                other => ContextValue::Single(scalar_text(other)?),
            };
            context.insert(k.clone(), value);
        }
    }
    if req.get("deriveContext").and_then(Value::as_bool).unwrap_or(true) {
        derive_principal_keys(&principal, &mut context);
    }
    for k in req.keys() {
        if !["principal", "action", "resource", "resourceAccount", "context", "deriveContext"].contains(&k.as_str()) {
            return Err(shape(format!("unknown request field `{k}`")));
        }
    }
    let request = Request::new(principal, action, resource, resource_account, context)?;
    let one = |k: &str| obj.get(k).filter(|v| !v.is_null()).map(|v| case_policy(v, k)).transpose();
    let list = |k: &str| -> Result<Vec<CasePolicy>, CaseError> {
        match obj.get(k) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                items.iter().enumerate().map(|(i, p)| case_policy(p, &format!("{k}[{i}]"))).collect()
            }
            Some(other) => Ok(vec![case_policy(other, k)?]),
        }
    };
    let levels = |k: &str| -> Result<Vec<Vec<CasePolicy>>, CaseError> {
        match obj.get(k) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(levels)) => levels
                .iter()
                .enumerate()
                .map(|(i, l)| match l {
                    Value::Array(ps) => {
                        ps.iter().enumerate().map(|(j, p)| case_policy(p, &format!("{k}[{i}][{j}]"))).collect()
                    }
                    _ => Err(shape(format!("`{k}` is a list of levels, each a list of policies"))),
                })
                .collect(),
            Some(_) => Err(shape(format!("`{k}` is a list of levels, each a list of policies"))),
        }
    };
    Ok(DecisionCase {
        request,
        identity: list("identityPolicies")?,
        resource: one("resourcePolicy")?,
        boundary: one("permissionsBoundary")?,
        session: if obj.get("sessionPolicy").is_some_and(|v| !v.is_null()) {
            Some(list("sessionPolicy")?)
        } else {
            None
        },
        scps: levels("scps")?,
        rcps: levels("rcps")?,
    })
}

fn scalar_text(v: &Value) -> Result<String, CaseError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(shape("a context value must be a string, number, boolean or a list of them")),
    }
}

fn parse_principal(v: &Value) -> Result<Principal, CaseError> {
    match v {
        Value::String(s) => Ok(Principal::parse(s)?),
        Value::Object(o) => {
            let arn = o
                .get("arn")
                .and_then(Value::as_str)
                .ok_or_else(|| shape("`request.principal.arn` must be a string"))?;
            let mut p = Principal::parse(arn)?;
            for (k, v) in o {
                let s = || {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| shape(format!("`request.principal.{k}` must be a string")))
                };
                match k.as_str() {
                    "arn" => {}
                    "roleArn" => p.role_arn = Some(s()?),
                    "federatedBy" => p.federated_by = Some(s()?),
                    "uniqueId" => p.unique_id = Some(s()?),
                    _ => {
                        return Err(shape(format!(
                            "unknown principal field `{k}` (known: arn, roleArn, federatedBy, uniqueId)"
                        )))
                    }
                }
            }
            Ok(p)
        }
        _ => Err(shape("`request.principal` must be an ARN string or an object with `arn`")),
    }
}

/// Adds the principal keys of K2/K3 that the case does not set itself.
fn derive_principal_keys(p: &Principal, ctx: &mut Context) {
    let mut set = |k: &str, v: String| {
        if !ctx.contains(k) {
            ctx.insert_single(k, v);
        }
    };
    let account = p.account.clone().unwrap_or_default();
    match p.kind {
        PrincipalKind::Root => {
            set("aws:PrincipalType", "Account".into());
            set("aws:userid", account.clone());
            set("aws:PrincipalArn", p.arn.clone());
            set("aws:PrincipalAccount", account);
        }
        PrincipalKind::IamUser => {
            set("aws:PrincipalType", "User".into());
            if let Some(id) = &p.unique_id {
                set("aws:userid", id.clone());
            }
            if let Some(n) = p.user_name() {
                set("aws:username", n.to_string());
            }
            set("aws:PrincipalArn", p.arn.clone());
            set("aws:PrincipalAccount", account);
        }
        PrincipalKind::RoleSession => {
            set("aws:PrincipalType", "AssumedRole".into());
            if let (Some(id), Some(s)) = (&p.unique_id, p.session_name()) {
                set("aws:userid", format!("{id}:{s}"));
            }
            if let Some(r) = &p.role_arn {
                set("aws:PrincipalArn", r.clone());
            }
            set("aws:PrincipalAccount", account);
        }
        PrincipalKind::FederatedUser => {
            set("aws:PrincipalType", "FederatedUser".into());
            let name = p.arn.rsplit('/').next().unwrap_or_default();
            set("aws:userid", format!("{account}:{name}"));
            set("aws:PrincipalArn", p.arn.clone());
            set("aws:PrincipalAccount", account);
        }
        PrincipalKind::Anonymous => {
            set("aws:PrincipalType", "Anonymous".into());
            set("aws:PrincipalAccount", "anonymous".into());
        }
        PrincipalKind::Service => {
            set("aws:PrincipalServiceName", p.arn.clone());
        }
        PrincipalKind::WebIdentity => {}
    }
    if p.kind != PrincipalKind::Anonymous {
        set("aws:PrincipalIsAWSService", (p.kind == PrincipalKind::Service).to_string());
    }
}

fn case_policy(v: &Value, default_name: &str) -> Result<CasePolicy, CaseError> {
    match v {
        Value::String(text) => Ok(CasePolicy { name: default_name.to_string(), text: text.clone() }),
        Value::Object(o) if o.contains_key("document") && !o.contains_key("Statement") => {
            let name = o.get("name").and_then(Value::as_str).unwrap_or(default_name).to_string();
            let text = match o.get("document") {
                Some(Value::String(t)) => t.clone(),
                Some(doc) => serde_json::to_string_pretty(doc).map_err(|e| shape(e.to_string()))?,
                None => String::new(),
            };
            Ok(CasePolicy { name, text })
        }
        Value::Object(_) => Ok(CasePolicy {
            name: default_name.to_string(),
            text: serde_json::to_string_pretty(v).map_err(|e| shape(e.to_string()))?,
        }),
        _ => Err(shape(format!(
            "`{default_name}` must be a policy document, {{\"name\", \"document\"}}, or a JSON string"
        ))),
    }
}

/// What running a case produced.
#[derive(Debug, Clone)]
pub enum CaseResult {
    Decision(Box<Explanation>),
    Validation(Validation),
}

/// A case with its result, able to check its expectations.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    pub case: Case,
    pub result: Result<CaseResult, CaseError>,
}

impl CaseOutcome {
    /// The decision, for decision cases whose policies all parsed.
    pub fn decision(&self) -> Option<DecisionKind> {
        match &self.result {
            Ok(CaseResult::Decision(e)) => Some(e.kind()),
            _ => None,
        }
    }

    pub fn explanation(&self) -> Option<&Explanation> {
        match &self.result {
            Ok(CaseResult::Decision(e)) => Some(e),
            _ => None,
        }
    }

    /// Each expectation that does not hold, described. Empty when the case passes.
    pub fn failures(&self) -> Vec<String> {
        let c = &self.case;
        let mut f = Vec::new();
        match &self.result {
            Err(e) => f.push(format!("the case could not run: {e}")),
            Ok(CaseResult::Decision(e)) => {
                if let Some(want) = c.expect {
                    if e.kind() != want {
                        f.push(format!(
                            "expected {}, got {} ({})",
                            want.as_str(),
                            e.kind().as_str(),
                            e.message.as_deref().unwrap_or("allowed")
                        ));
                    }
                }
                if let Some(want) = &c.expect_message {
                    if e.message.as_deref() != Some(want.as_str()) {
                        f.push(format!("expected message {want:?}, got {:?}", e.message));
                    }
                }
                if let Some(want) = &c.expect_decided_by {
                    let got = e.decision.policy_type().map(|t| t.implicit_phrase());
                    if got != Some(want.as_str()) {
                        f.push(format!("expected decided by {want:?}, got {got:?}"));
                    }
                }
            }
            Ok(CaseResult::Validation(v)) => {
                if let Some(want) = c.expect_valid {
                    if v.is_valid() != want {
                        f.push(format!("expected valid = {want}, got {:?}", v.error.as_ref().map(|d| &d.message)));
                    }
                }
                if let Some(want) = &c.expect_code {
                    let got = v.error.as_ref().map(|d| d.code);
                    if got != Some(want.as_str()) {
                        f.push(format!("expected code {want:?}, got {got:?}"));
                    }
                }
                if let Some(want) = &c.expect_message {
                    let got = v.error.as_ref().map(|d| d.message.as_str());
                    if got != Some(want.as_str()) {
                        f.push(format!("expected message {want:?}, got {got:?}"));
                    }
                }
            }
        }
        f
    }
}
