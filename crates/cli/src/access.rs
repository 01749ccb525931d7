//! `sagegate access`: the access matrix, "what can this principal do?". Every action of a service
//! (SageMaker by default, from the catalog) is decided for the principal against one resource: the
//! one given, or a representative ARN of the action's resource type (`*` for wildcard-only actions).
//! The principal's policies come from a CASE.json or from a running server
//! (`GetAccountAuthorizationDetails`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use serde_json::{json, Value};

use sagegate_catalog::Catalog;
use sagegate_policy::case::{Case, CaseBody};
use sagegate_policy::glob::matches_text;
use sagegate_policy::{explain, Decision, PolicySet, PolicyType, Principal, Request};

use crate::remote::{decode_document, Client, CredentialArgs, Credentials, Element};

#[derive(clap::Args)]
pub struct AccessArgs {
    /// The principal: a user, a role (decided as a session of it) or a role session ARN. With
    /// --input it defaults to the case's principal.
    #[arg(long)]
    pub principal: Option<String>,
    /// Decide only the actions that apply to this resource ARN, on it.
    #[arg(long)]
    pub resource: Option<String>,
    /// A CASE.json whose policies (identity, boundary, session, SCPs, RCPs, resource) and context
    /// are used (see docs/simulate-case-format.md).
    #[arg(long, conflicts_with = "endpoint")]
    pub input: Option<PathBuf>,
    /// A running server to read the principal's policies from (GetAccountAuthorizationDetails).
    #[arg(long)]
    pub endpoint: Option<String>,
    #[command(flatten)]
    pub credentials: CredentialArgs,
    /// The service whose actions to list.
    #[arg(long, default_value = "sagemaker")]
    pub service: String,
    /// The region of representative ARNs and of aws:RequestedRegion.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Show only allowed or only denied actions.
    #[arg(long, value_enum)]
    pub only: Option<Only>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AccessOutput::Table)]
    pub output: AccessOutput,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum AccessOutput {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Only {
    Allowed,
    Denied,
}

/// The policies and request template everything is decided with.
struct Subject {
    principal: Principal,
    context: sagegate_policy::Context,
    policies: PolicySet,
    /// The same policies with every Allow's conditions dropped and every conditional Deny removed:
    /// what would be allowed if the conditions held.
    relaxed: Option<PolicySet>,
    /// (name, kind) of each policy used, for the header.
    sources: Vec<String>,
}

pub fn run(args: &AccessArgs) -> Result<ExitCode, String> {
    let case_json = match (&args.input, &args.endpoint) {
        (Some(path), _) => from_file(path, args)?,
        (None, Some(endpoint)) => from_server(endpoint, args)?,
        (None, None) => return Err("give the principal's policies: --input CASE.json or --endpoint URL".into()),
    };
    let subject = subject(&case_json, &args.region)?;
    let catalog = Catalog::get();
    let service = catalog
        .service(&args.service)
        .ok_or_else(|| format!("unknown service prefix `{}` (the catalog has no such service)", args.service))?;
    let account = subject.principal.account.clone().unwrap_or_else(|| "123456789012".into());
    let partition = if args.region.starts_with("cn-") {
        "aws-cn"
    } else if args.region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    let fill = |format: &str| -> String {
        let mut out = String::new();
        let mut rest = format;
        while let Some(i) = rest.find("${") {
            out.push_str(rest.get(..i).unwrap_or_default());
            let after = rest.get(i + 2..).unwrap_or_default();
            let Some(end) = after.find('}') else { break };
            out.push_str(match after.get(..end).unwrap_or_default() {
                "Partition" => partition,
                "Region" => &args.region,
                "Account" => &account,
                _ => "example",
            });
            rest = after.get(end + 1..).unwrap_or_default();
        }
        out.push_str(rest);
        out
    };
    let glob_of = |format: &str| -> String {
        let mut g = String::new();
        let mut rest = format;
        while let Some(i) = rest.find("${") {
            g.push_str(rest.get(..i).unwrap_or_default());
            g.push('*');
            let after = rest.get(i + 2..).unwrap_or_default();
            rest = after.find('}').and_then(|e| after.get(e + 1..)).unwrap_or_default();
        }
        g.push_str(rest);
        g
    };

    let mut rows: Vec<Value> = Vec::new();
    let mut skipped = 0usize;
    let progress = std::io::stderr().is_terminal() && service.actions.len() > 50;
    let total = service.actions.len();
    for (i, action) in service.actions.iter().enumerate() {
        if progress {
            draw_progress(i, total, &action.qualified);
        }
        let resource = match &args.resource {
            Some(r) => {
                let applies = action.resource_types.iter().any(|t| {
                    service
                        .resource_types
                        .iter()
                        .any(|rt| rt.name == t.name && matches_text(&glob_of(rt.arn_format), r))
                });
                if !applies {
                    skipped += 1;
                    continue;
                }
                r.clone()
            }
            None => {
                let ty = action.required_resource_types().next().or_else(|| action.resource_types.first());
                match ty.and_then(|t| service.resource_types.iter().find(|rt| rt.name == t.name)) {
                    Some(rt) => fill(rt.arn_format),
                    None => "*".to_string(),
                }
            }
        };
        let Ok(request) =
            Request::new(subject.principal.clone(), &action.qualified, &resource, None, subject.context.clone())
        else {
            skipped += 1;
            continue;
        };
        let e = explain(&subject.policies, &request);
        let conditional = !e.decision.is_allowed()
            && subject.relaxed.as_ref().is_some_and(|r| sagegate_policy::evaluate(r, &request).is_allowed());
        let statements: Vec<Value> = e
            .matched
            .iter()
            .filter(|m| match e.decision {
                // The grant is the identity-based or resource-based Allow; SCP, RCP, boundary and
                // session Allows only let it through.
                Decision::Allow => {
                    m.effect == "Allow" && matches!(m.policy_type, PolicyType::Identity | PolicyType::ResourceBased)
                }
                Decision::ExplicitDeny(_) => m.effect == "Deny",
                Decision::ImplicitDeny(_) => false,
            })
            .map(|m| {
                json!({"policyType": m.policy_type.implicit_phrase(), "policy": m.policy, "statement": m.statement, "effect": m.effect})
            })
            .collect();
        let decided_by = match e.decision {
            Decision::ImplicitDeny(t) => format!("no {} allows", t.implicit_phrase()),
            Decision::Allow if statements.is_empty() => "no statement needed (the account root)".to_string(),
            _ => statements
                .iter()
                .map(|s| {
                    format!(
                        "{}/{}",
                        s["policy"].as_str().unwrap_or_default(),
                        s["statement"].as_str().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        };
        let allowed = e.decision.is_allowed();
        if args.only.is_some_and(|o| (o == Only::Allowed) != allowed) {
            continue;
        }
        rows.push(json!({
            "action": action.qualified,
            "accessLevel": action.access_level.as_str(),
            "resource": resource,
            "decision": e.kind().as_str(),
            "decidedBy": decided_by,
            "statements": statements,
            "conditionalAllow": conditional,
        }));
    }
    if progress {
        eprint!("\r{:width$}\r", "", width = 100);
        let _ = std::io::stderr().flush();
    }
    let count = |d: &str| rows.iter().filter(|r| r["decision"] == d).count();
    let conditional = rows.iter().filter(|r| r["conditionalAllow"] == true).count();
    let summary = json!({
        "actions": total,
        "decided": rows.len(),
        "allowed": count("Allow"),
        "explicitDeny": count("ExplicitDeny"),
        "implicitDeny": count("ImplicitDeny"),
        "allowedOnlyUnderConditions": conditional,
        "notApplicable": skipped,
    });
    match args.output {
        AccessOutput::Json => {
            let v = json!({
                "principal": subject.principal.arn,
                "service": args.service,
                "resource": args.resource,
                "policies": subject.sources,
                "summary": summary,
                "actions": rows,
            });
            println!("{}", serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?);
        }
        AccessOutput::Table => print!("{}", table(&subject, &rows, &summary, args)),
    }
    Ok(ExitCode::SUCCESS)
}

fn draw_progress(done: usize, total: usize, what: &str) {
    const WIDTH: usize = 30;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH).min(WIDTH);
    let bar: String = "#".repeat(filled) + &" ".repeat(WIDTH - filled);
    let name: String = what.chars().take(50).collect();
    eprint!("\r[{bar}] {done}/{total} {name:<50}");
    let _ = std::io::stderr().flush();
}

fn table(subject: &Subject, rows: &[Value], summary: &Value, args: &AccessArgs) -> String {
    let text = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    let mut out = format!("principal: {}\npolicies: {}\n", subject.principal.arn, subject.sources.join(", "));
    if let Some(r) = &args.resource {
        out.push_str(&format!("resource: {r}\n"));
    }
    let width = |k: &str, min: usize| rows.iter().map(|r| text(r, k).len()).max().unwrap_or(0).max(min);
    let (wa, wl, wr) = (width("action", 6), width("accessLevel", 6), width("resource", 8));
    out.push_str(&format!(
        "\n{:<wa$}  {:<wl$}  {:<wr$}  {:<13}  DECIDED BY\n",
        "ACTION", "ACCESS", "RESOURCE", "DECISION"
    ));
    for r in rows {
        let mut decision = text(r, "decision");
        if r["conditionalAllow"] == true {
            decision.push('*');
        }
        out.push_str(&format!(
            "{:<wa$}  {:<wl$}  {:<wr$}  {:<13}  {}\n",
            text(r, "action"),
            text(r, "accessLevel"),
            text(r, "resource"),
            decision,
            text(r, "decidedBy")
        ));
    }
    let n = |k: &str| summary[k].as_u64().unwrap_or(0);
    out.push_str(&format!(
        "\n{} allowed, {} explicitly denied, {} implicitly denied ({} of {} {} actions",
        n("allowed"),
        n("explicitDeny"),
        n("implicitDeny"),
        n("decided"),
        n("actions"),
        args.service
    ));
    if n("notApplicable") > 0 {
        out.push_str(&format!("; {} do not apply to the resource", n("notApplicable")));
    }
    out.push_str(")\n");
    if n("allowedOnlyUnderConditions") > 0 {
        out.push_str(&format!(
            "* {} denied here would be allowed when their conditions hold (the request carries only the case's context keys)\n",
            n("allowedOnlyUnderConditions")
        ));
    }
    out
}

/// A CASE.json with the principal (and a placeholder action) set.
fn from_file(path: &PathBuf, args: &AccessArgs) -> Result<Value, String> {
    let text = crate::read_input(path)?;
    let mut v: Value = serde_json::from_str(&text).map_err(|e| format!("{}: not valid JSON: {e}", path.display()))?;
    let obj = v.as_object_mut().ok_or_else(|| format!("{}: a CASE.json is a JSON object", path.display()))?;
    for k in ["expect", "expectMessage", "expectDecidedBy"] {
        obj.remove(k);
    }
    let request = obj.entry("request").or_insert_with(|| json!({}));
    let req = request.as_object_mut().ok_or_else(|| format!("{}: `request` must be an object", path.display()))?;
    if let Some(p) = &args.principal {
        req.insert("principal".into(), json!(p));
    }
    if !req.contains_key("principal") {
        return Err(format!("{}: the case names no principal; pass --principal", path.display()));
    }
    req.insert("action".into(), json!(format!("{}:ListActions", args.service)));
    req.insert("resource".into(), json!("*"));
    Ok(v)
}

/// The principal's policies as IAM reports them, as a CASE.json value.
fn from_server(endpoint: &str, args: &AccessArgs) -> Result<Value, String> {
    let principal = args.principal.clone().ok_or("--endpoint needs --principal")?;
    let show = |e: crate::remote::RemoteError| match e.help() {
        Some(h) => format!("{e}\n  help: {h}"),
        None => e.to_string(),
    };
    let client = Client::new(endpoint, Credentials::resolve(&args.credentials).map_err(show)?).map_err(show)?;
    let pages = client.call_paged("iam", "GetAccountAuthorizationDetails", &[]).map_err(show)?;
    let members = |list: &str| -> Vec<Element> {
        pages.iter().flat_map(|p| p.members(&[list]).into_iter().cloned().collect::<Vec<_>>()).collect()
    };
    let (users, groups, roles, managed) =
        (members("UserDetailList"), members("GroupDetailList"), members("RoleDetailList"), members("Policies"));
    let managed_document = |arn: &str| -> Option<Value> {
        let text = managed
            .iter()
            .find(|m| m.child_text("Arn") == Some(arn))
            .and_then(|m| {
                m.members(&["PolicyVersionList"])
                    .into_iter()
                    .find(|v| v.child_text("IsDefaultVersion") == Some("true"))
                    .and_then(|v| v.child_text("Document").map(decode_document))
            })
            .or_else(|| Catalog::get().managed_policy_by_arn(arn).map(|p| p.document.to_string()))?;
        Some(json!({"name": arn.rsplit('/').next().unwrap_or(arn), "document": text}))
    };
    let mut identity: Vec<Value> = Vec::new();
    // An entity's inline and attached policies go into `identity`; its boundary is returned.
    let collect = |e: &Element, list: &str, identity: &mut Vec<Value>| -> Option<Value> {
        for p in e.members(&[list]) {
            identity.push(json!({
                "name": p.child_text("PolicyName").unwrap_or_default(),
                "document": decode_document(p.child_text("PolicyDocument").unwrap_or_default()),
            }));
        }
        for a in e.members(&["AttachedManagedPolicies"]) {
            if let Some(doc) = a.child_text("PolicyArn").and_then(managed_document) {
                identity.push(doc);
            }
        }
        e.find(&["PermissionsBoundary", "PermissionsBoundaryArn"]).and_then(|arn| managed_document(&arn.text))
    };
    let boundary: Option<Value>;
    let mut request_principal = json!(principal);
    if let Some(user) = users.iter().find(|u| u.child_text("Arn") == Some(principal.as_str())) {
        boundary = collect(user, "UserPolicyList", &mut identity);
        for g in user.members(&["GroupList"]) {
            if let Some(group) = groups.iter().find(|x| x.child_text("GroupName") == Some(g.text.as_str())) {
                collect(group, "GroupPolicyList", &mut identity); // groups have no boundary
            }
        }
    } else {
        let role_name = match principal.split_once(":assumed-role/") {
            Some((_, rest)) => rest.split('/').next().unwrap_or_default().to_string(),
            None => principal
                .rsplit_once(":role/")
                .map(|(_, r)| r.rsplit('/').next().unwrap_or(r).to_string())
                .unwrap_or_default(),
        };
        let role = roles
            .iter()
            .find(|r| r.child_text("RoleName") == Some(role_name.as_str()))
            .filter(|_| !role_name.is_empty());
        let Some(role) = role else {
            if principal.ends_with(":root") {
                return Ok(
                    json!({"request": {"principal": principal, "action": format!("{}:ListActions", args.service), "resource": "*"}}),
                );
            }
            return Err(format!("{principal} is neither a user nor a role of the server's account"));
        };
        boundary = collect(role, "RolePolicyList", &mut identity);
        let role_arn = role.child_text("Arn").unwrap_or_default().to_string();
        if !principal.contains(":assumed-role/") {
            // A role acts through a session; the session is what IAM decides for.
            let account = role_arn.split(':').nth(4).unwrap_or_default();
            request_principal = json!({"arn": format!("arn:aws:sts::{account}:assumed-role/{role_name}/sagegate-access"), "roleArn": role_arn});
        } else {
            request_principal = json!({"arn": principal, "roleArn": role_arn});
        }
    }
    let mut case = json!({
        "request": {"principal": request_principal, "action": format!("{}:ListActions", args.service), "resource": "*"},
        "identityPolicies": identity,
    });
    if let (Some(b), Some(o)) = (boundary, case.as_object_mut()) {
        o.insert("permissionsBoundary".into(), b);
    }
    Ok(case)
}

/// Drops the conditions of every Allow statement and removes every conditional Deny.
fn relax(doc: &Value) -> Value {
    let mut doc = doc.clone();
    let relax_statement = |s: &mut Value| -> bool {
        let Some(o) = s.as_object_mut() else { return true };
        let deny = o.get("Effect").and_then(Value::as_str) == Some("Deny");
        if o.contains_key("Condition") {
            if deny {
                return false;
            }
            o.remove("Condition");
        }
        true
    };
    match doc.get_mut("Statement") {
        Some(Value::Array(items)) => items.retain_mut(relax_statement),
        Some(single @ Value::Object(_)) => {
            let keep = relax_statement(single);
            if !keep {
                *single = json!([]);
            }
        }
        _ => {}
    }
    doc
}

fn relaxed_case(case_json: &Value) -> Option<Value> {
    let mut v = case_json.clone();
    let obj = v.as_object_mut()?;
    for key in ["identityPolicies", "permissionsBoundary", "sessionPolicy", "resourcePolicy", "scps", "rcps"] {
        let Some(entry) = obj.get_mut(key) else { continue };
        relax_entry(entry)?;
    }
    Some(v)
}

/// Relaxes a policy entry in any CASE.json form (document, `{name, document}`, text, lists).
fn relax_entry(entry: &mut Value) -> Option<()> {
    match entry {
        Value::Array(items) => items.iter_mut().try_for_each(relax_entry),
        Value::String(text) => {
            let doc: Value = serde_json::from_str(text).ok()?;
            *entry = relax(&doc);
            Some(())
        }
        Value::Object(o) if o.contains_key("document") => {
            let doc = match o.get("document")? {
                Value::String(t) => serde_json::from_str(t).ok()?,
                d => d.clone(),
            };
            o.insert("document".into(), relax(&doc));
            Some(())
        }
        Value::Object(_) => {
            *entry = relax(entry);
            Some(())
        }
        _ => Some(()),
    }
}

fn subject(case_json: &Value, region: &str) -> Result<Subject, String> {
    let case = Case::from_value(case_json).map_err(|e| e.to_string())?;
    let CaseBody::Decision(d) = &case.body else {
        return Err("the case must be a decision case (with `request`)".into());
    };
    let policies = d.policy_set().map_err(|e| e.to_string())?;
    let relaxed = relaxed_case(case_json).and_then(|v| Case::from_value(&v).ok()).and_then(|c| match &c.body {
        CaseBody::Decision(d) => d.policy_set().ok(),
        CaseBody::Validation { .. } => None,
    });
    let mut context = d.request.context.clone();
    if !context.contains("aws:RequestedRegion") {
        context.insert_single("aws:RequestedRegion", region.to_string());
    }
    let mut sources: Vec<String> = d.identity.iter().map(|p| format!("{} (identity)", p.name)).collect();
    if let Some(b) = &d.boundary {
        sources.push(format!("{} (boundary)", b.name));
    }
    for s in d.session.iter().flatten() {
        sources.push(format!("{} (session)", s.name));
    }
    if let Some(r) = &d.resource {
        sources.push(format!("{} (resource-based)", r.name));
    }
    let scps: usize = d.scps.iter().map(Vec::len).sum();
    if scps > 0 {
        sources.push(format!("{scps} SCPs"));
    }
    if sources.is_empty() {
        sources.push("none".into());
    }
    Ok(Subject { principal: d.request.principal.clone(), context, policies, relaxed, sources })
}
