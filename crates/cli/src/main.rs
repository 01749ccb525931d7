//! The `sagegate` binary: argument parsing and output formatting over the sagegate libraries.
//!
//! Exit codes: 0 success (for `policy check`: no errors; for `simulate`: the case ran), 1 the policy
//! check found errors, 2 bad usage or unreadable input.

mod access;
mod completions;
mod lint;
mod remote;
mod roles;
mod simulate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use sagegate_policy::case::{Case, CaseBody};
use sagegate_policy::span::line_text;
use sagegate_policy::{validate_with, Diagnostic, PolicyKind, Severity};

#[derive(Parser)]
#[command(name = "sagegate", version, about = "IAM-exact authorization for Amazon SageMaker, offline")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the SageMaker, IAM and STS APIs on one listener, authorizing every call.
    ///
    /// On first start it creates the account and its root credentials, and writes them to
    /// DATA_DIR/credentials as the AWS CLI profile `sagegate`. The server is ready when
    /// `GET /health` answers 200.
    Serve(ServeArgs),
    /// Work with policy documents.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Decide a request against a set of policies and explain the decision.
    ///
    /// With --api, decide a whole SageMaker API call: every check SageMaker makes (the operation's
    /// own action per resource, tag-on-create, iam:PassRole), and the outcome SageMaker returns.
    Simulate {
        /// A CASE.json file (see docs/simulate-case-format.md); `-` reads standard input. With
        /// --api, its policies, principal and context are used, and its action and resource ignored.
        #[arg(long)]
        input: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
        /// A SageMaker API operation, e.g. `sagemaker:CreateTrainingJob`.
        #[arg(long, requires = "request")]
        api: Option<String>,
        /// The operation's JSON request body (with --api).
        #[arg(long, requires = "api")]
        request: Option<PathBuf>,
        /// The calling principal's ARN (with --api; overrides the case's).
        #[arg(long, requires = "api")]
        principal: Option<String>,
        /// Stored resources: tags, spaces (with --api; see docs/simulate-case-format.md).
        #[arg(long, requires = "api")]
        state: Option<PathBuf>,
        /// The region the call is made in (with --api).
        #[arg(long, default_value = "us-east-1")]
        region: String,
        /// The Studio domain of the caller's execution-role session (with --api).
        #[arg(long, requires = "api")]
        studio_domain: Option<String>,
        /// The Studio user profile of the session (absent in shared spaces).
        #[arg(long, requires = "studio_domain")]
        studio_profile: Option<String>,
        /// The Studio space the session runs in.
        #[arg(long, requires = "studio_domain")]
        studio_space: Option<String>,
    },
    /// SageMaker Role Manager: plan a role from a persona or ML activities, export it, or create
    /// it through a running server's IAM API (see docs/role-manager.md).
    Roles {
        #[command(subcommand)]
        command: roles::RolesCommand,
    },
    /// What can this principal do? Decide every SageMaker action for a principal, from a CASE.json
    /// or a running server's IAM (see docs/access.md).
    Access(access::AccessArgs),
    /// Print a shell completion script, e.g. `sagegate completions bash > /etc/bash_completion.d/sagegate`.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of sagegate, or of one of its commands: `sagegate man policy lint | man -l -`.
    Man {
        /// A command path, e.g. `policy lint`; none for the whole tool.
        command: Vec<String>,
    },
}

/// Settings of `sagegate serve`; each also comes from the environment variable shown.
#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SAGEGATE_LISTEN", default_value = "127.0.0.1:5056")]
    listen: String,
    /// Directory for the SQLite database and the generated `credentials` file.
    #[arg(long, env = "SAGEGATE_DATA_DIR", default_value = "sagegate-data")]
    data_dir: PathBuf,
    /// Database: a `postgres://` URL for PostgreSQL; by default SQLite in DATA_DIR/sagegate.db.
    #[arg(long, env = "SAGEGATE_DATABASE")]
    database: Option<String>,
    /// The emulated account's id (used on first start).
    #[arg(long, env = "SAGEGATE_ACCOUNT_ID", default_value = "123456789012")]
    account_id: String,
    /// The region served (and the default for the credentials file).
    #[arg(long, env = "SAGEGATE_REGION", default_value = "us-east-1")]
    region: String,
    /// More regions to serve besides --region (comma-separated); requests scoped to other regions are refused.
    #[arg(long, env = "SAGEGATE_EXTRA_REGIONS", value_delimiter = ',')]
    extra_regions: Vec<String>,
    /// The accepted clock skew of signed requests, in seconds.
    #[arg(long, env = "SAGEGATE_MAX_CLOCK_SKEW", default_value_t = 900)]
    max_clock_skew: i64,
    /// Log every request as a JSON line on stderr, with its request id (server faults are always logged).
    #[arg(long, env = "SAGEGATE_LOG_REQUESTS")]
    log_requests: bool,
    /// Root access key id to create on first start (else random).
    #[arg(long, env = "SAGEGATE_ROOT_ACCESS_KEY_ID", hide_env_values = true)]
    root_access_key_id: Option<String>,
    /// Root secret access key to create on first start (else random).
    #[arg(long, env = "SAGEGATE_ROOT_SECRET_ACCESS_KEY", hide_env_values = true)]
    root_secret_access_key: Option<String>,
    /// Seconds each step of a SageMaker resource's lifecycle lasts (Pending → InService, InProgress →
    /// Completed, …) on the simulated clock; no real compute runs.
    #[arg(long, env = "SAGEGATE_STATUS_STEP_SECONDS", default_value_t = 5)]
    status_step_seconds: i64,
    /// Take each request's network origin from `X-Forwarded-For`, and simulate calls through an
    /// interface VPC endpoint with `x-sagegate-source-vpce` and `x-sagegate-source-vpc` (for tests of
    /// `aws:SourceIp`, `aws:SourceVpce` and `aws:SourceVpc` policies, or behind a trusted proxy).
    #[arg(long, env = "SAGEGATE_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// IAM's PoliciesPerRole quota (setting `iam.policies_per_role`): how many managed policies
    /// AttachRolePolicy lets one role have. AWS's default is 10; an account can have it raised to
    /// at most 20. Match it to `roles create --max-managed-policies`.
    #[arg(
        long,
        env = "SAGEGATE_IAM_POLICIES_PER_ROLE",
        value_name = "N",
        default_value_t = 10,
        value_parser = clap::value_parser!(u16).range(1..=20)
    )]
    iam_policies_per_role: u16,
    /// Test setting (hidden): seconds added to the server's clock, so tests can see temporary
    /// credentials expire without waiting.
    #[arg(long, env = "SAGEGATE_CLOCK_OFFSET", default_value_t = 0, hide = true, allow_hyphen_values = true)]
    clock_offset: i64,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Validate policy documents as IAM does; exits 1 if any has an error.
    Check {
        /// The kind of policy, which decides what is required and forbidden.
        /// identity (inline), managed, resource, trust, boundary, session, scp or rcp.
        #[arg(long, value_parser = parse_kind, default_value = "identity")]
        kind: PolicyKind,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
        /// Policy files (`-` reads standard input).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Lint policy documents like IAM Access Analyzer, knowing SageMaker: errors, security warnings,
    /// warnings and suggestions, each with a stable code (see docs/lint.md). Exits 1 if a finding is at
    /// least as severe as --fail-on, 2 on bad usage or an unreadable file.
    Lint(lint::LintArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum Output {
    Text,
    Json,
}

/// Policy kinds by their names in `sagegate_policy::PolicyKind` (one definition, no mirror enum).
fn parse_kind(s: &str) -> Result<PolicyKind, String> {
    PolicyKind::parse(s).ok_or_else(|| {
        let names: Vec<&str> = PolicyKind::ALL.iter().map(|k| k.name()).collect();
        format!("unknown policy kind `{s}` (expected one of: {})", names.join(", "))
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Policy { command: PolicyCommand::Check { kind, output, files } } => policy_check(kind, output, &files),
        Command::Policy { command: PolicyCommand::Lint(args) } => lint::run(&args),
        Command::Completions { shell } => completions::completions(shell, <Cli as clap::CommandFactory>::command()),
        Command::Man { command } => completions::man(<Cli as clap::CommandFactory>::command(), &command),
        Command::Simulate { input, output, api: None, .. } => simulate::run(&input, output),
        Command::Simulate {
            input,
            output,
            api: Some(api),
            request,
            principal,
            state,
            region,
            studio_domain,
            studio_profile,
            studio_space,
        } => {
            let studio = studio_domain.map(|domain_id| sagegate_sagemaker::StudioSession {
                domain_id,
                user_profile_name: studio_profile,
                space_name: studio_space,
            });
            let args = ApiArgs { api, request: request.unwrap_or_default(), principal, state, region, studio };
            simulate_api(&input, output, &args)
        }
        Command::Roles { command } => roles::run(command),
        Command::Access(args) => access::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn read_input(path: &PathBuf) -> Result<String, String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn policy_check(kind: PolicyKind, output: Output, files: &[PathBuf]) -> Result<ExitCode, String> {
    let mut any_error = false;
    let mut json_out = Vec::new();
    for path in files {
        let text = read_input(path)?;
        let v = validate_with(&text, kind, Some(sagegate_catalog::Catalog::get()));
        any_error |= v.error.is_some();
        match output {
            Output::Json => json_out.push(serde_json::json!({
                "file": path.display().to_string(),
                "kind": kind.name(),
                "valid": v.is_valid(),
                "error": v.error,
                "warnings": v.warnings,
            })),
            Output::Text => {
                let name = path.display().to_string();
                for d in v.error.iter().chain(v.warnings.iter()) {
                    print!("{}", render_diagnostic(&name, &text, d));
                }
                if v.is_valid() {
                    println!("{name}: ok ({} policy{})", kind.name(), warnings_suffix(v.warnings.len()));
                }
            }
        }
    }
    if let Output::Json = output {
        println!("{}", serde_json::to_string_pretty(&json_out).map_err(|e| e.to_string())?);
    }
    Ok(if any_error { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn warnings_suffix(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => ", 1 warning".into(),
        n => format!(", {n} warnings"),
    }
}

/// Renders a diagnostic like rustc: header, location, the source line with an underline, help.
fn render_diagnostic(file: &str, text: &str, d: &Diagnostic) -> String {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut s = format!("{level}[{}]: {}\n", d.code, d.message);
    match (d.span, d.position) {
        (Some(span), Some(pos)) => {
            s.push_str(&format!("  --> {file}:{pos}\n"));
            let line = line_text(text, span.start);
            let gutter = pos.line.to_string().len();
            let width = text
                .get(span.start..span.end)
                .map_or(1, |t| t.lines().next().unwrap_or_default().chars().count().max(1));
            s.push_str(&format!(
                "{:gutter$} |\n{} | {line}\n{:gutter$} | {}{}\n",
                "",
                pos.line,
                "",
                " ".repeat(pos.column - 1),
                "^".repeat(width)
            ));
        }
        _ => s.push_str(&format!("  --> {file}\n")),
    }
    if let Some(h) = &d.help {
        s.push_str(&format!("  = help: {h}\n"));
    }
    s.push_str(&format!("  = rule: {}\n\n", d.rule));
    s
}

/// The inputs of `simulate --api`.
struct ApiArgs {
    api: String,
    request: PathBuf,
    principal: Option<String>,
    state: Option<PathBuf>,
    region: String,
    studio: Option<sagegate_sagemaker::StudioSession>,
}

fn read_json(path: &PathBuf) -> Result<serde_json::Value, String> {
    serde_json::from_str(&read_input(path)?).map_err(|e| format!("{}: not valid JSON: {e}", path.display()))
}

fn simulate_api(input: &PathBuf, output: Output, args: &ApiArgs) -> Result<ExitCode, String> {
    use sagegate_sagemaker::{decide, plan, Caller, CatalogSar, JsonState, Scope};
    let op = args
        .api
        .strip_prefix("sagemaker:")
        .ok_or_else(|| format!("--api takes `sagemaker:<Operation>`, not `{}`", args.api))?;
    // The case supplies policies, principal and context; its action and resource do not matter here.
    let mut case_json = read_json(input)?;
    if let Some(req) = case_json.get_mut("request").and_then(serde_json::Value::as_object_mut) {
        req.insert("action".into(), serde_json::json!(args.api));
        req.insert("resource".into(), serde_json::json!("*"));
        if let Some(p) = &args.principal {
            req.insert("principal".into(), serde_json::json!(p));
        }
    }
    let case = Case::from_value(&case_json).map_err(|e| format!("{}: {e}", input.display()))?;
    let CaseBody::Decision(d) = &case.body else {
        return Err(format!("{}: --api needs a decision case (with `request`)", input.display()));
    };
    let policies = d.policy_set().map_err(|e| e.to_string())?;
    let body = read_json(&args.request)?;
    let state = match &args.state {
        Some(p) => JsonState::from_value(&read_json(p)?).map_err(|e| format!("{}: {e}", p.display()))?,
        None => JsonState::default(),
    };
    let principal = d.request.principal.clone();
    let account = principal.account.clone().unwrap_or_else(|| "123456789012".into());
    let scope = Scope::new(&args.region, &account);
    let mut context = d.request.context.clone();
    if let Some(st) = &args.studio {
        context.insert_single("sagemaker:DomainId", st.domain_id.clone());
        if let Some(p) = &st.user_profile_name {
            context.insert_single("sagemaker:UserProfileName", p.clone());
        }
    }
    let caller = Caller { principal: principal.clone(), context, studio: args.studio.clone() };
    let checks = plan(op, &body, &scope, &caller, &state, &CatalogSar::default()).map_err(|e| match e {
        sagegate_sagemaker::PlanError::MissingField(_) => format!("ValidationException: {e}"),
        other => other.to_string(),
    })?;
    let outcome = decide(checks, &principal, &policies);
    let overall = match outcome.failed.and_then(|i| outcome.decisions.get(i)) {
        None => "Allow",
        Some((_, dec)) => dec.kind().as_str(),
    };
    match output {
        Output::Json => {
            let checks: Vec<serde_json::Value> = outcome
                .decisions
                .iter()
                .map(|(c, dec)| {
                    serde_json::json!({
                        "kind": c.kind,
                        "action": c.action,
                        "resource": c.resource,
                        "decision": dec.kind().as_str(),
                        "decidedBy": dec.policy_type().map(|t| t.implicit_phrase()),
                        "context": c.context.iter().map(|(k, v)| (k.to_string(), match v {
                            sagegate_policy::ContextValue::Single(s) => serde_json::json!(s),
                            sagegate_policy::ContextValue::Multi(vs) => serde_json::json!(vs),
                        })).collect::<serde_json::Map<_, _>>(),
                        "expansions": c.expansions.len(),
                    })
                })
                .collect();
            let v = serde_json::json!({
                "operation": args.api,
                "decision": overall,
                "error": outcome.failed.map(|_| "AccessDeniedException"),
                "message": outcome.message,
                "failedCheck": outcome.failed,
                "checks": checks,
            });
            println!("{}", serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?);
        }
        Output::Text => {
            for (i, (c, dec)) in outcome.decisions.iter().enumerate() {
                let by = dec.policy_type().map(|t| format!(" ({})", t.implicit_phrase())).unwrap_or_default();
                println!("check {}: {:?} {} on {} -> {}{by}", i + 1, c.kind, c.action, c.resource, dec.kind().as_str());
            }
            match &outcome.message {
                None => println!("outcome: allowed"),
                Some(m) => println!("outcome: AccessDeniedException: {m}"),
            }
        }
    }
    let failures = case_expectation_failures(&case, overall, outcome.message.as_deref());
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("expectation failed: {f}");
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Checks a case's `expect` and `expectMessage` against an API-level outcome.
fn case_expectation_failures(case: &Case, decision: &str, message: Option<&str>) -> Vec<String> {
    let mut f = Vec::new();
    if let Some(want) = case.expect {
        if want.as_str() != decision {
            f.push(format!("expected {}, got {decision}", want.as_str()));
        }
    }
    if let Some(want) = &case.expect_message {
        if message != Some(want.as_str()) {
            f.push(format!("expected message {want:?}, got {message:?}"));
        }
    }
    f
}

fn serve(args: ServeArgs) -> Result<ExitCode, String> {
    std::fs::create_dir_all(&args.data_dir).map_err(|e| format!("cannot create {}: {e}", args.data_dir.display()))?;
    let database = args.database.clone().unwrap_or_else(|| args.data_dir.join("sagegate.db").display().to_string());
    let store = sagegate_store::open(&database).map_err(|e| format!("cannot open the database {database}: {e}"))?;
    let config = sagegate_server::Config {
        account_id: args.account_id.clone(),
        region: args.region.clone(),
        extra_regions: args.extra_regions.clone(),
        max_clock_skew: args.max_clock_skew,
        root_access_key_id: args.root_access_key_id.clone(),
        root_secret_access_key: args.root_secret_access_key.clone(),
        clock_offset: args.clock_offset,
        log_requests: args.log_requests,
        status_step_seconds: args.status_step_seconds,
        trust_forwarded_for: args.trust_forwarded_for,
        listen: args.listen.clone(),
        policies_per_role: usize::from(args.iam_policies_per_role),
    };
    let state = sagegate_server::AppState::new(config, std::sync::Arc::from(store))
        .map_err(|e| format!("cannot load the state: {e}"))?;
    let (akid, secret) = state.root_credentials().ok_or("the account has no root credentials")?;
    let creds = args.data_dir.join("credentials");
    let text =
        format!("[sagegate]\naws_access_key_id = {akid}\naws_secret_access_key = {secret}\nregion = {}\n", args.region);
    write_private(&creds, &text).map_err(|e| format!("cannot write {}: {e}", creds.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    // The last reference to the state must be dropped outside the runtime: the PostgreSQL client
    // blocks on its own runtime when closing, which panics on a runtime worker.
    let keep = state.clone();
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.listen).await.map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        eprintln!(
            "sagegate: serving SageMaker, IAM and STS on http://{addr} (account {}, {} database)\n\
             sagegate: root credentials are in {} as profile `sagegate`; try\n\
             sagegate:   AWS_SHARED_CREDENTIALS_FILE={} aws --profile sagegate --endpoint-url http://{addr} sts get-caller-identity",
            args.account_id,
            if database.starts_with("postgres") { "PostgreSQL" } else { "SQLite" },
            creds.display(),
            creds.display()
        );
        sagegate_server::serve(state, listener).await.map_err(|e| e.to_string())
    });
    drop(runtime);
    drop(keep);
    served?;
    Ok(ExitCode::SUCCESS)
}

/// Writes a file readable only by its owner (it holds a secret).
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
