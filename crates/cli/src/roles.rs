//! `sagegate roles plan|create|activities`: SageMaker Role Manager from the command line (spec
//! `role-manager.md`). `plan` prints the role a selection makes (or a CloudFormation/Terraform
//! template); `create` makes it through a running server's IAM API as the console does, after every
//! check has passed, and rolls back on failure so no partial role is left.

use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use serde_json::{json, Value};

use sagegate_sagemaker::role_manager::{
    export, plan_role, Catalogue, Layout, PlanErrors, RolePlan, RoleRequest, Source, TrustForm, ACTIVITIES,
    DEFAULT_POLICIES_PER_ROLE, PERSONAS,
};

use crate::remote::{decode_document, Client, CredentialArgs, Credentials, RemoteError};

#[derive(Subcommand)]
pub enum RolesCommand {
    /// Print the role a persona or a list of ML activities makes: its trust policy and each policy,
    /// or a deployable template with --format. Nothing is created. Exits 1 if a check fails.
    Plan {
        #[command(flatten)]
        selection: Selection,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
        /// Print a deployable template instead.
        #[arg(long, value_enum)]
        format: Option<ExportFormat>,
    },
    /// Create the role through a running server's IAM API (CreateRole, CreatePolicy,
    /// AttachRolePolicy), after every check has passed. Exits 1 if a check or a call fails; a failed
    /// creation is rolled back.
    Create {
        #[command(flatten)]
        selection: Selection,
        /// The server's URL.
        #[arg(long, default_value = "http://127.0.0.1:5056")]
        endpoint: String,
        #[command(flatten)]
        credentials: CredentialArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// List the ML activities (with their parameters and variants) and the personas.
    Activities {
        /// The catalogue whose persona presets to show.
        #[arg(long, value_parser = parse_catalogue, default_value = "current")]
        catalog: Catalogue,
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Cloudformation,
    Terraform,
}

fn parse_catalogue(s: &str) -> Result<Catalogue, String> {
    Catalogue::parse(s).ok_or_else(|| format!("unknown catalogue `{s}` (expected 2022-12 or current)"))
}

fn parse_layout(s: &str) -> Result<Layout, String> {
    Layout::parse(s).ok_or_else(|| format!("unknown layout `{s}` (expected console or cdk)"))
}

fn parse_trust(s: &str) -> Result<TrustForm, String> {
    TrustForm::parse(s)
        .ok_or_else(|| format!("unknown trust form `{s}` (expected conditioned, plain or first-activity)"))
}

/// What the administrator picks: the console's three steps as flags.
#[derive(clap::Args, Clone)]
pub struct Selection {
    /// The persona whose activities are pre-ticked: data-scientist, mlops-engineer or compute-role.
    #[arg(long)]
    pub persona: Option<String>,
    /// Which published persona presets to use.
    #[arg(long, value_parser = parse_catalogue, default_value = "current")]
    pub catalog: Catalogue,
    /// Tick an ML activity (id, row number or policy stem), optionally with a template version:
    /// `manage-ml-jobs`, `run-studio-apps@2`, `run-studio-apps@console`. Repeat or separate by commas.
    #[arg(long = "activity", value_delimiter = ',')]
    pub activities: Vec<String>,
    /// Untick an activity the persona pre-ticked.
    #[arg(long, value_delimiter = ',')]
    pub without: Vec<String>,
    /// An activity parameter: `S3Buckets=a,b`, `PassRoles=ARN`, `ECRRepoArns=ARN`, `WorkGroupNames=…`,
    /// `GlueDbNames=…`, `KendraIndexIds=…` (CDK names such as rolesToPass work too).
    #[arg(long = "param", value_name = "KEY=VALUE[,VALUE…]")]
    pub params: Vec<String>,
    /// VPC customisation: `SUBNET[,SUBNET…]/SG[,SG…]`.
    #[arg(long, value_name = "SUBNETS/SGS")]
    pub vpc: Vec<String>,
    /// KMS customisation: a key ARN used as data and volume key, or `DATA[,…]/VOLUME[,…]`.
    #[arg(long, value_name = "KEY-ARN | DATA/VOLUME")]
    pub kms: Vec<String>,
    /// The role name suffix (the console prefixes `sagemaker-`, the CDK layout `SageMaker-`).
    #[arg(long = "role-name", value_name = "SUFFIX")]
    pub role_name: Option<String>,
    /// The role's description.
    #[arg(long)]
    pub description: Option<String>,
    /// console: customer managed policies at /service-role/; cdk: inline policies.
    #[arg(long, value_parser = parse_layout, default_value = "console")]
    pub layout: Layout,
    /// The trust policy: conditioned (aws:SourceArn; the console default), plain, or first-activity
    /// (the CDK default).
    #[arg(long, value_parser = parse_trust)]
    pub trust: Option<TrustForm>,
    /// The region for {{Region}} (and the partition); `*` if not given (with `create`: the
    /// credentials' region).
    #[arg(long)]
    pub region: Option<String>,
    /// The account for {{AccountId}}; `*` if not given (with `create`: the caller's account).
    #[arg(long)]
    pub account: Option<String>,
    /// Milliseconds since the epoch for the policy names (default: now), for reproducible output.
    #[arg(long)]
    pub timestamp: Option<u64>,
    /// The account's managed-policies-per-role quota: 10 by default, at most 20.
    #[arg(long, default_value_t = DEFAULT_POLICIES_PER_ROLE)]
    pub max_managed_policies: usize,
    /// An additional managed policy to attach (name or ARN), as in the console's step 3.
    #[arg(long = "attach", value_name = "POLICY")]
    pub attach: Vec<String>,
    /// Also enforce the domain wizard's limit of 8 ML activities.
    #[arg(long)]
    pub for_domain: bool,
    /// Add missing prerequisite activities instead of failing.
    #[arg(long)]
    pub fix_dependencies: bool,
    /// Correct the known flaws of the public templates (F4–F8, F10) instead of generating them
    /// faithfully, and list each change with its flaw id; a flaw that cannot be corrected (F12, an
    /// AWS managed policy) is listed as such.
    #[arg(long)]
    pub strict: bool,
}

impl Selection {
    fn request(&self, region: Option<String>, account: Option<String>) -> Result<RoleRequest, String> {
        let mut params: Vec<(String, Vec<String>)> = Vec::new();
        for p in &self.params {
            let (k, v) = p.split_once('=').ok_or_else(|| format!("--param takes KEY=VALUE, not `{p}`"))?;
            params.push((k.to_string(), v.split(',').map(str::to_string).collect()));
        }
        let split = |flag: &str, v: &str| -> Result<(Vec<String>, Vec<String>), String> {
            let (a, b) = v.split_once('/').ok_or_else(|| format!("--{flag} takes A[,A…]/B[,B…], not `{v}`"))?;
            let list = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
            Ok((list(a), list(b)))
        };
        for v in &self.vpc {
            let (subnets, groups) = split("vpc", v)?;
            params.push(("VpcSubnets".into(), subnets));
            params.push(("VpcSecurityGroups".into(), groups));
        }
        for v in &self.kms {
            // A KMS key ARN has no `/` before `key/`; `DATA/VOLUME` splits on the `/` between ARNs.
            let (data, volume) = match v.find("/arn:") {
                Some(i) => (v.get(..i).unwrap_or_default().to_string(), v.get(i + 1..).unwrap_or_default().to_string()),
                None => (v.clone(), v.clone()),
            };
            params.push(("DataKmsKeys".into(), data.split(',').map(str::to_string).collect()));
            params.push(("VolumeKmsKeys".into(), volume.split(',').map(str::to_string).collect()));
        }
        let timestamp_ms = match self.timestamp {
            Some(t) => t,
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        };
        Ok(RoleRequest {
            persona: self.persona.clone(),
            catalogue: self.catalog,
            activities: self.activities.iter().filter(|a| !a.trim().is_empty()).cloned().collect(),
            without: self.without.iter().filter(|a| !a.trim().is_empty()).cloned().collect(),
            params,
            role_suffix: self.role_name.clone(),
            description: self.description.clone(),
            layout: self.layout,
            trust: self.trust,
            region: self.region.clone().or(region),
            account: self.account.clone().or(account),
            timestamp_ms,
            max_managed_policies: self.max_managed_policies,
            extra_managed_policies: self.attach.clone(),
            for_domain: self.for_domain,
            fix_dependencies: self.fix_dependencies,
            strict: self.strict,
        })
    }
}

pub fn run(command: RolesCommand) -> Result<ExitCode, String> {
    match command {
        RolesCommand::Plan { selection, output, format } => plan(&selection, output, format),
        RolesCommand::Create { selection, endpoint, credentials, output } => {
            create(&selection, &endpoint, &credentials, output)
        }
        RolesCommand::Activities { catalog, output } => activities(catalog, output),
    }
}

/// Prints the plan errors (every one, with help) and returns exit code 1.
fn refuse(errors: &PlanErrors) -> ExitCode {
    eprintln!("error: {errors}");
    ExitCode::from(1)
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn plan(selection: &Selection, output: Output, format: Option<ExportFormat>) -> Result<ExitCode, String> {
    let plan = match plan_role(&selection.request(None, None)?) {
        Ok(p) => p,
        Err(e) => return Ok(refuse(&e)),
    };
    match (format, output) {
        (Some(ExportFormat::Cloudformation), _) => print!("{}", export::cloudformation(&plan)),
        (Some(ExportFormat::Terraform), _) => print!("{}", export::terraform(&plan)),
        (None, Output::Json) => println!("{}", pretty(&plan.to_json())),
        (None, Output::Text) => print!("{}", render_plan(&plan)),
    }
    Ok(ExitCode::SUCCESS)
}

/// The plan as text: the role, its activities, the trust policy, each policy, the notes.
pub fn render_plan(plan: &RolePlan) -> String {
    let mut s = format!("role {} (path {}, {} layout)\n", plan.role_name, plan.path, plan.layout.name());
    s.push_str(&format!(
        "persona {}, catalogue {}; region {}, account {}\n",
        plan.persona.unwrap_or("none (custom role settings)"),
        plan.catalogue,
        plan.region,
        plan.account
    ));
    s.push_str(&format!("managed policies: {} of quota {}\n\nactivities:\n", plan.managed_policy_count, plan.quota));
    for a in &plan.activities {
        let what = match (&a.template, a.version) {
            (Some(t), Some(v)) => format!("{t} v{v}"),
            _ => a.activity.stem().to_string(),
        };
        s.push_str(&format!("  {:>2}  {:<52} {what}\n", a.activity.number, a.activity.name));
    }
    s.push_str(&format!("\ntrust policy ({}):\n{}\n", plan.trust_form.name(), pretty(&plan.trust_policy)));
    for p in &plan.policies {
        let kind = match plan.layout {
            Layout::Console => format!("customer managed policy {} (path {})", p.name, p.path),
            Layout::Cdk => format!("inline policy {}", p.name),
        };
        s.push_str(&format!(
            "\n{kind}\n  for {} (template {} v{}, {})\n{}\n",
            p.activity,
            p.template,
            p.version,
            p.provenance.name(),
            pretty(&p.document)
        ));
    }
    for m in &plan.managed {
        let why = m.activity.map_or_else(|| "additional".to_string(), |a| format!("for {a}"));
        let version = m.version_id.as_deref().map(|v| format!(", {v}")).unwrap_or_default();
        s.push_str(&format!("\nmanaged policy {} ({why}{version})\n", m.arn));
    }
    if !plan.notes.is_empty() {
        s.push_str("\nnotes:\n");
        for n in &plan.notes {
            s.push_str(&format!("  {}: {}\n", n.id, n.message));
        }
    }
    if plan.strict {
        s.push_str(&strict_changes(plan));
    }
    s
}

/// The `--strict` section: each change with its flaw id.
fn strict_changes(plan: &RolePlan) -> String {
    if plan.changes.is_empty() {
        return "\nstrict: no selected template has a flaw to correct\n".into();
    }
    let mut s = format!("\nstrict changes ({}):\n", plan.changes.len());
    for c in &plan.changes {
        s.push_str(&format!("  {}: {}\n", c.flaw, c.message));
    }
    s
}

fn activities(catalogue: Catalogue, output: Output) -> Result<ExitCode, String> {
    use sagegate_sagemaker::role_manager::{expand, templates};
    let params_of = |stem: &str, version| -> Vec<String> {
        templates::find(stem, version).ok().flatten().map(|t| expand::placeholders(&t.document).1).unwrap_or_default()
    };
    let variants = |stem: &str, version| -> Vec<&'static str> {
        [("_VPC", "vpc"), ("_KMS", "kms")]
            .into_iter()
            .filter(|(suffix, _)| templates::find(&format!("{stem}{suffix}"), version).ok().flatten().is_some())
            .map(|(_, v)| v)
            .collect()
    };
    let rows: Vec<Value> = ACTIVITIES
        .iter()
        .map(|a| {
            let version = a.default_version(catalogue);
            let (kind, params, vars) = match a.source {
                Source::Template { stem } => ("customer managed", params_of(stem, version), variants(stem, version)),
                Source::Managed { .. } => ("AWS managed", vec![], vec![]),
                Source::Unavailable { .. } => ("unavailable", vec![], vec![]),
            };
            json!({
                "id": a.id, "number": a.number, "name": a.name, "kind": kind, "policy": a.stem(),
                "versions": a.versions.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "defaultVersion": version.to_string(), "parameters": params, "variants": vars,
                "catalogues": a.catalogues, "requires": a.requires, "summary": a.summary,
            })
        })
        .collect();
    let personas: Vec<Value> = PERSONAS
        .iter()
        .map(|p| json!({"id": p.id, "name": p.name, "purpose": p.purpose, "activities": p.preset(catalogue)}))
        .collect();
    match output {
        Output::Json => {
            println!("{}", pretty(&json!({"catalogue": catalogue.name(), "activities": rows, "personas": personas})))
        }
        Output::Text => {
            println!("ML activities (default versions of catalogue {catalogue}):");
            for r in &rows {
                let list = |k: &str| {
                    r[k].as_array()
                        .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","))
                        .unwrap_or_default()
                };
                println!(
                    "  {:>2} {:<28} {:<16} {:<44} params: {:<28} variants: {}",
                    r["number"].as_u64().unwrap_or_default(),
                    r["id"].as_str().unwrap_or_default(),
                    r["kind"].as_str().unwrap_or_default(),
                    r["policy"].as_str().unwrap_or_default(),
                    if list("parameters").is_empty() { "-".into() } else { list("parameters") },
                    if list("variants").is_empty() { "-".into() } else { list("variants") },
                );
            }
            println!("\npersonas (catalogue {catalogue}):");
            for p in PERSONAS {
                println!("  {:<15} {}", p.id, p.preset(catalogue).join(", "));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `create` did, for the report and for rollback.
#[derive(Default)]
struct Created {
    role: Option<String>,
    role_arn: Option<String>,
    policies: Vec<(String, String)>,
    inline: Vec<String>,
    attached: Vec<String>,
}

fn api_error(e: RemoteError) -> String {
    match e.help() {
        Some(h) => format!("{e}\n  help: {h}"),
        None => e.to_string(),
    }
}

fn create(
    selection: &Selection,
    endpoint: &str,
    credential_args: &CredentialArgs,
    output: Output,
) -> Result<ExitCode, String> {
    let credentials = Credentials::resolve(credential_args).map_err(api_error)?;
    let region = credentials.region.clone();
    let client = Client::new(endpoint, credentials).map_err(api_error)?;
    // The caller's account scopes {{AccountId}}: a read, before any check or write.
    let account = if selection.account.is_some() {
        None
    } else {
        let who = client.call("sts", "GetCallerIdentity", &[]).map_err(api_error)?;
        who.find(&["GetCallerIdentityResult", "Account"]).map(|a| a.text.clone())
    };
    let plan = match plan_role(&selection.request(Some(region), account)?) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("no IAM call was made.");
            return Ok(refuse(&e));
        }
    };
    let warnings = pass_role_warnings(&client, selection);
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let mut created = Created::default();
    match create_calls(&client, &plan, &mut created) {
        Ok(()) => {}
        Err(e) => {
            // An unreachable or garbled server is a usage problem (2); a refused call is a failed
            // creation (1).
            let code = if matches!(e, RemoteError::Connect(..) | RemoteError::Malformed(..)) { 2 } else { 1 };
            let undone = rollback(&client, &created);
            eprintln!("error: {}", api_error(e));
            eprintln!("{undone}");
            return Ok(ExitCode::from(code));
        }
    }
    match output {
        Output::Json => {
            let mut report = json!({
                "roleName": plan.role_name,
                "roleArn": created.role_arn,
                "policies": created.policies.iter().map(|(n, a)| json!({"name": n, "arn": a})).collect::<Vec<_>>(),
                "inlinePolicies": created.inline,
                "attachedPolicyArns": created.attached,
                "warnings": warnings,
                "notes": plan.notes.iter().map(|n| json!({"id": n.id, "message": n.message})).collect::<Vec<_>>(),
            });
            if let (true, Some(obj)) = (plan.strict, report.as_object_mut()) {
                obj.insert("changes".into(), plan.changes.iter().map(|c| c.to_json()).collect());
            }
            println!("{}", pretty(&report));
        }
        Output::Text => {
            println!("created role {}", created.role_arn.as_deref().unwrap_or(&plan.role_name));
            for (name, arn) in &created.policies {
                println!("created policy {name} ({arn})");
            }
            for name in &created.inline {
                println!("put inline policy {name}");
            }
            for arn in &created.attached {
                println!("attached {arn}");
            }
            for n in &plan.notes {
                println!("note {}: {}", n.id, n.message);
            }
            for c in &plan.changes {
                println!("strict {}: {}", c.flaw, c.message);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn p(k: &str, v: impl Into<String>) -> (String, String) {
    (k.to_string(), v.into())
}

/// CreateRole, then each policy (CreatePolicy or PutRolePolicy), then each attachment.
fn create_calls(client: &Client, plan: &RolePlan, created: &mut Created) -> Result<(), RemoteError> {
    let mut params = vec![
        p("RoleName", &plan.role_name),
        p("Path", &plan.path),
        p("AssumeRolePolicyDocument", plan.trust_policy.to_string()),
    ];
    if let Some(d) = &plan.description {
        params.push(p("Description", d));
    }
    let role = client.call("iam", "CreateRole", &params)?;
    created.role = Some(plan.role_name.clone());
    created.role_arn = role.find(&["CreateRoleResult", "Role", "Arn"]).map(|a| a.text.clone());
    for policy in &plan.policies {
        match plan.layout {
            Layout::Console => {
                let answer = client.call(
                    "iam",
                    "CreatePolicy",
                    &[
                        p("PolicyName", &policy.name),
                        p("Path", &policy.path),
                        p("PolicyDocument", policy.document.to_string()),
                    ],
                )?;
                let arn =
                    answer.find(&["CreatePolicyResult", "Policy", "Arn"]).map(|a| a.text.clone()).unwrap_or_default();
                created.policies.push((policy.name.clone(), arn));
            }
            Layout::Cdk => {
                client.call(
                    "iam",
                    "PutRolePolicy",
                    &[
                        p("RoleName", &plan.role_name),
                        p("PolicyName", &policy.name),
                        p("PolicyDocument", policy.document.to_string()),
                    ],
                )?;
                created.inline.push(policy.name.clone());
            }
        }
    }
    let arns: Vec<String> =
        created.policies.iter().map(|(_, a)| a.clone()).chain(plan.managed.iter().map(|m| m.arn.clone())).collect();
    for arn in arns {
        client.call("iam", "AttachRolePolicy", &[p("RoleName", &plan.role_name), p("PolicyArn", &arn)])?;
        created.attached.push(arn);
    }
    Ok(())
}

/// Undoes what `create_calls` did, in reverse; says what it undid and what it could not.
fn rollback(client: &Client, created: &Created) -> String {
    let Some(role) = &created.role else {
        return "nothing had been created.".into();
    };
    let mut failures = Vec::new();
    let mut run = |action: &str, params: &[(String, String)]| {
        if let Err(e) = client.call("iam", action, params) {
            failures.push(format!("{action}: {e}"));
        }
    };
    for arn in created.attached.iter().rev() {
        run("DetachRolePolicy", &[p("RoleName", role), p("PolicyArn", arn)]);
    }
    for name in created.inline.iter().rev() {
        run("DeleteRolePolicy", &[p("RoleName", role), p("PolicyName", name)]);
    }
    for (_, arn) in created.policies.iter().rev() {
        run("DeletePolicy", &[p("PolicyArn", arn)]);
    }
    run("DeleteRole", &[p("RoleName", role)]);
    if failures.is_empty() {
        format!(
            "rolled back: the role {role} and its {} policies were deleted; nothing is left.",
            created.policies.len() + created.inline.len()
        )
    } else {
        format!("rollback incomplete; remove these by hand:\n  {}", failures.join("\n  "))
    }
}

/// §7: the roles given to pass should exist on this server and trust sagemaker.amazonaws.com.
fn pass_role_warnings(client: &Client, selection: &Selection) -> Vec<String> {
    let mut out = Vec::new();
    let roles: Vec<String> = selection
        .params
        .iter()
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| {
            sagegate_sagemaker::role_manager::Param::parse(k)
                == Some(sagegate_sagemaker::role_manager::Param::PassRoles)
        })
        .flat_map(|(_, v)| v.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect();
    for arn in roles {
        let Some(name) = arn.rsplit('/').next().filter(|n| !n.is_empty()) else { continue };
        match client.call("iam", "GetRole", &[p("RoleName", name)]) {
            Err(e) if e.code() == Some("NoSuchEntity") => {
                out.push(format!("the role to pass {arn} does not exist on this server"))
            }
            Err(_) => {}
            Ok(role) => {
                let trust = role
                    .find(&["GetRoleResult", "Role", "AssumeRolePolicyDocument"])
                    .map(|d| decode_document(&d.text))
                    .unwrap_or_default();
                if !trust.contains("sagemaker.amazonaws.com") {
                    out.push(format!("the role to pass {arn} does not trust sagemaker.amazonaws.com"));
                }
            }
        }
    }
    out
}
