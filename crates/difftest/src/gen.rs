//! Seeded generator of random CASE documents (the `sagegate simulate --input` format).
//!
//! Every case is built around one request; policy elements are derived from that request (its action,
//! resource, principal and context) so that statements match about half of the time, and then perturbed
//! (wildcards, case variants, variables, negations, other services and accounts).
//!
//! Shapes the oracle cannot represent faithfully are never generated (see `docs/differential-testing.md`,
//! "Shapes the generator avoids"): root callers always carry an `Allow *:*` identity policy (the spec's
//! implicit root Allow, E2/E10); federated users always carry a session policy (T6); `sts:AssumeRole*` and
//! KMS requests always carry a trust/key policy (E7); single-valued keys are strings and multivalued keys
//! are lists (M1); ARN-typed context values are well-formed ARNs; variables only name single-valued keys;
//! service and anonymous callers get no SCPs, identity policies, PB or session policies (E2).

use crate::rng::Rng;
use serde_json::{json, Map, Value};

pub const ACCT_A: &str = "111111111111";
pub const ACCT_B: &str = "222222222222";
pub const ACCT_C: &str = "333333333333";
pub const REGION: &str = "us-east-1";

/// What a generated case deliberately contains (for statistics; the harness classifies cases from the
/// CASE JSON itself, never from these tags).
#[derive(Debug, Clone, Default)]
pub struct Tags {
    pub injected_invalid: Option<&'static str>,
    pub d_input: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct GenCase {
    pub index: u64,
    pub case: Value,
    pub tags: Tags,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Res {
    Wildcard,
    S3Object,
    S3Bucket,
    SageMaker(&'static str),
    IamUser,
    IamRole,
    Ec2Instance,
    KmsKey,
    Secret,
    Sqs,
    Lambda,
    Dynamo,
}

#[derive(Clone, Copy, Debug)]
struct ActionSpec {
    action: &'static str,
    res: Res,
    /// The resource type accepts a resource-based policy (or a trust/key policy).
    rbp: bool,
    /// Trust-policy action (E7, T1).
    trust: bool,
    /// Service keys the oracle accepts for this action: (key, multivalued).
    service_keys: &'static [(&'static str, bool)],
}

const ACTIONS: &[ActionSpec] = &[
    ActionSpec { action: "s3:GetObject", res: Res::S3Object, rbp: true, trust: false, service_keys: &[] },
    ActionSpec { action: "s3:PutObject", res: Res::S3Object, rbp: true, trust: false, service_keys: &[] },
    ActionSpec {
        action: "s3:ListBucket",
        res: Res::S3Bucket,
        rbp: true,
        trust: false,
        service_keys: &[("s3:prefix", false)],
    },
    ActionSpec { action: "s3:ListAllMyBuckets", res: Res::Wildcard, rbp: false, trust: false, service_keys: &[] },
    ActionSpec {
        action: "sagemaker:CreateNotebookInstance",
        res: Res::SageMaker("notebook-instance"),
        rbp: false,
        trust: false,
        service_keys: &[("sagemaker:InstanceTypes", true)],
    },
    ActionSpec {
        action: "sagemaker:DescribeTrainingJob",
        res: Res::SageMaker("training-job"),
        rbp: false,
        trust: false,
        service_keys: &[],
    },
    ActionSpec {
        action: "sagemaker:AddTags",
        res: Res::SageMaker("notebook-instance"),
        rbp: false,
        trust: false,
        service_keys: &[],
    },
    ActionSpec {
        action: "sagemaker:ListNotebookInstances",
        res: Res::Wildcard,
        rbp: false,
        trust: false,
        service_keys: &[],
    },
    ActionSpec { action: "iam:GetUser", res: Res::IamUser, rbp: false, trust: false, service_keys: &[] },
    ActionSpec {
        action: "iam:PassRole",
        res: Res::IamRole,
        rbp: false,
        trust: false,
        service_keys: &[("iam:PassedToService", false)],
    },
    ActionSpec {
        action: "sts:AssumeRole",
        res: Res::IamRole,
        rbp: true,
        trust: true,
        service_keys: &[("sts:ExternalId", false), ("sts:RoleSessionName", false)],
    },
    ActionSpec { action: "sts:TagSession", res: Res::IamRole, rbp: true, trust: true, service_keys: &[] },
    ActionSpec { action: "ec2:DescribeInstances", res: Res::Wildcard, rbp: false, trust: false, service_keys: &[] },
    ActionSpec { action: "ec2:StartInstances", res: Res::Ec2Instance, rbp: false, trust: false, service_keys: &[] },
    ActionSpec { action: "kms:Decrypt", res: Res::KmsKey, rbp: true, trust: false, service_keys: &[] },
    ActionSpec {
        action: "secretsmanager:GetSecretValue",
        res: Res::Secret,
        rbp: true,
        trust: false,
        service_keys: &[],
    },
    ActionSpec { action: "sqs:SendMessage", res: Res::Sqs, rbp: true, trust: false, service_keys: &[] },
    ActionSpec { action: "lambda:InvokeFunction", res: Res::Lambda, rbp: true, trust: false, service_keys: &[] },
    ActionSpec { action: "dynamodb:GetItem", res: Res::Dynamo, rbp: true, trust: false, service_keys: &[] },
];

/// Other actions used as non-matching (or partially matching) policy entries.
const OTHER_ACTIONS: &[&str] = &[
    "s3:DeleteObject",
    "s3:GetBucketPolicy",
    "sagemaker:DeleteNotebookInstance",
    "sagemaker:CreateTrainingJob",
    "iam:CreateUser",
    "ec2:RunInstances",
    "sts:GetCallerIdentity",
    "kms:Encrypt",
    "sqs:ReceiveMessage",
    "lambda:GetFunction",
];

/// Services whose actions RCPs govern (E2's data table, as far as this generator uses services), and
/// the ones they do not (D4). RCPs are only generated for requests of these services.
pub const RCP_SUPPORTED: &[&str] = &["s3", "sts", "kms", "sqs", "secretsmanager"];
pub const RCP_UNSUPPORTED: &[&str] = &["sagemaker", "iam"];

const USERS: &[&str] = &["alice", "bob", "carol"];
const ROLES: &[&str] = &["DataScientist", "Admin", "Exec"];
const SESSIONS: &[&str] = &["s1", "alice", "build-42"];
const SERVICES: &[&str] = &["sagemaker.amazonaws.com", "s3.amazonaws.com", "lambda.amazonaws.com"];
// `m*` checks PV5: a resolved value's `*` is literal.
const TEAMS: &[&str] = &["ml", "data", "ops", "m*"];
const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "us-west-2"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PKind {
    Root,
    User,
    RoleSession,
    Federated,
    Service,
    Anonymous,
}

/// The calling principal as the generator knows it.
#[derive(Clone, Debug)]
struct Caller {
    kind: PKind,
    arn: String,
    account: Option<String>,
    /// User name (users), role name (sessions), federated name.
    name: String,
    role_arn: Option<String>,
    session: Option<String>,
}

/// Condition-key value types (M1 and the operator families of section 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Str,
    Arn,
    Num,
    Date,
    Bool,
    Ip,
    Bin,
    Multi,
}

/// Everything statement builders need to know about the case.
struct Ctx {
    caller: Caller,
    spec: ActionSpec,
    resource: String,
    owner: String,
    /// The request context (string or list values).
    context: Map<String, Value>,
    /// Keys that could appear in conditions, with types, present or not.
    key_pool: Vec<(String, Ty)>,
}

pub struct Generator {
    pub seed: u64,
}

fn s<S: AsRef<str> + ?Sized>(x: &S) -> Value {
    Value::String(x.as_ref().to_string())
}

fn one_or_list(rng: &mut Rng, items: Vec<Value>) -> Value {
    if items.len() == 1 && rng.chance(60) {
        items.into_iter().next().unwrap_or(Value::Null)
    } else {
        Value::Array(items)
    }
}

fn flip_case(x: &str) -> String {
    x.chars().map(|c| if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect()
}

/// Replaces one character (not `:` or `/`) by `?`.
fn question_one(rng: &mut Rng, x: &str) -> String {
    let idx: Vec<usize> = x.char_indices().filter(|(_, c)| c.is_ascii_alphanumeric()).map(|(i, _)| i).collect();
    if idx.is_empty() {
        return x.to_string();
    }
    let at = *rng.pick(&idx);
    let mut out = String::with_capacity(x.len());
    for (i, c) in x.char_indices() {
        out.push(if i == at { '?' } else { c });
    }
    out
}

/// A prefix of `x` (at least one char short of it) followed by `*`.
fn prefix_star(rng: &mut Rng, x: &str) -> String {
    let chars: Vec<char> = x.chars().collect();
    if chars.is_empty() {
        return "*".into();
    }
    let n = rng.below(chars.len());
    let mut p: String = chars.iter().take(n).collect();
    p.push('*');
    p
}

fn suffix_star(rng: &mut Rng, x: &str) -> String {
    let chars: Vec<char> = x.chars().collect();
    if chars.is_empty() {
        return "*".into();
    }
    let n = rng.below(chars.len());
    let mut p = String::from("*");
    p.extend(chars.iter().skip(chars.len() - n));
    p
}

/// Splits an ARN into its six components (R1); None for non-ARNs.
pub fn arn_parts(arn: &str) -> Option<[String; 6]> {
    let mut it = arn.splitn(6, ':');
    let p: Vec<String> = (0..6).filter_map(|_| it.next().map(str::to_string)).collect();
    if p.len() != 6 || p.first().map(String::as_str) != Some("arn") {
        return None;
    }
    let mut out: [String; 6] = Default::default();
    for (i, v) in p.into_iter().enumerate() {
        if let Some(slot) = out.get_mut(i) {
            *slot = v;
        }
    }
    Some(out)
}

fn join_arn(p: &[String; 6]) -> String {
    p.join(":")
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator { seed }
    }

    pub fn case(&self, index: u64) -> GenCase {
        let mut rng = Rng::for_case(self.seed, index);
        let mut tags = Tags::default();
        let spec = *rng.pick(ACTIONS);
        let service = spec.action.split(':').next().unwrap_or_default();

        // Caller.
        let mut kinds = vec![PKind::Root, PKind::User, PKind::RoleSession, PKind::Federated];
        let mut weights = vec![8, 32, 32, 12];
        if spec.rbp {
            kinds.extend([PKind::Service, PKind::Anonymous]);
            weights.extend([if spec.trust { 14 } else { 8 }, if spec.trust { 0 } else { 6 }]);
        }
        let kind = *kinds.get(rng.weighted(&weights)).unwrap_or(&PKind::User);
        let caller_acct = ACCT_A.to_string();
        let caller = make_caller(&mut rng, kind, &caller_acct);

        // Resource and owner.
        let cross = rng.chance(if spec.rbp { 35 } else { 12 });
        let owner = if cross {
            if rng.chance(80) {
                ACCT_B
            } else {
                ACCT_C
            }
        } else {
            ACCT_A
        }
        .to_string();
        let resource = make_resource(&mut rng, spec.res, &owner, &caller);

        // Context.
        let (context, key_pool) = make_context(&mut rng, &caller, &spec, &owner);

        let mut ctx = Ctx { caller, spec, resource, owner, context, key_pool };
        let mut case = Map::new();

        // Policies.
        let pk = ctx.caller.kind;
        let principal_side = !matches!(pk, PKind::Service | PKind::Anonymous);
        if pk == PKind::Root {
            // Root has an implicit Allow instead of identity policies (E2, E10); the oracle needs it spelled
            // out, and nothing else may be attached (an identity Deny would not bind root).
            let pols = vec![
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            ];
            case.insert("identityPolicies".into(), Value::Array(pols));
        } else if principal_side {
            let n = rng.weighted(&[12, 50, 28, 10]);
            let pols: Vec<Value> = (0..n).map(|_| self.policy(&mut rng, &ctx, Role::Identity)).collect();
            case.insert("identityPolicies".into(), Value::Array(pols));
        }
        let wants_rbp = spec.trust || spec.res == Res::KmsKey || (spec.rbp && rng.chance(75));
        if wants_rbp {
            let role = if spec.trust { Role::Trust } else { Role::Resource };
            case.insert("resourcePolicy".into(), self.policy(&mut rng, &ctx, role));
        }
        if matches!(pk, PKind::User | PKind::RoleSession | PKind::Federated) && rng.chance(28) {
            case.insert("permissionsBoundary".into(), self.policy(&mut rng, &ctx, Role::Boundary));
        }
        if pk == PKind::Federated || (pk == PKind::RoleSession && rng.chance(30)) {
            let sp = self.policy(&mut rng, &ctx, Role::Session);
            let sp = if rng.chance(15) { Value::Array(vec![sp]) } else { sp };
            case.insert("sessionPolicy".into(), sp);
        }
        if principal_side && rng.chance(40) {
            let levels = rng.range(1, 3);
            let scps: Vec<Value> = (0..levels).map(|_| self.scp_level(&mut rng, &ctx)).collect();
            case.insert("scps".into(), Value::Array(scps));
        }
        let rcp_ok = RCP_SUPPORTED.contains(&service) || RCP_UNSUPPORTED.contains(&service);
        if rcp_ok && rng.chance(if RCP_UNSUPPORTED.contains(&service) { 15 } else { 30 }) {
            let levels = rng.range(1, 2);
            let rcps: Vec<Value> = (0..levels).map(|_| Value::Array(vec![self.rcp(&mut rng, &ctx)])).collect();
            case.insert("rcps".into(), Value::Array(rcps));
        }

        // Deliberate inputs: D1/D5/D6 (decisions compared) and invalid documents (validation compared).
        let roll = rng.below(100);
        if roll < 4 {
            tags.d_input = inject_d1(&mut rng, &mut case, &ctx);
        } else if roll < 6 {
            tags.d_input = inject_resource_entry(&mut rng, &mut case, &ctx, true);
        } else if roll < 8 {
            tags.d_input = inject_resource_entry(&mut rng, &mut case, &ctx, false);
        } else if roll < 15 {
            tags.injected_invalid = inject_invalid(&mut rng, &mut case);
        }

        // Request. Context is given in full (deriveContext false), so both sides see the same keys.
        let mut request = Map::new();
        if ctx.caller.kind == PKind::Federated {
            // Who federated (P5 ViaUser): the IAM user of the same name, as the oracle assumes.
            let acct = ctx.caller.account.clone().unwrap_or_default();
            request.insert(
                "principal".into(),
                json!({"arn": ctx.caller.arn, "federatedBy": format!("arn:aws:iam::{acct}:user/{}", ctx.caller.name)}),
            );
        } else {
            request.insert("principal".into(), s(&ctx.caller.arn));
        }
        request.insert("action".into(), s(spec.action));
        request.insert("resource".into(), s(&ctx.resource));
        if spec.res != Res::Wildcard {
            request.insert("resourceAccount".into(), s(&ctx.owner));
        } else {
            // Actions without resource types: the owner is the caller's account (or the resource's
            // account for service/anonymous callers, which only reach here through RBP-capable actions).
            ctx.owner = ctx.caller.account.clone().unwrap_or_else(|| ACCT_A.to_string());
            request.insert("resourceAccount".into(), s(&ctx.owner));
        }
        request.insert("context".into(), Value::Object(std::mem::take(&mut ctx.context)));
        request.insert("deriveContext".into(), Value::Bool(false));
        let mut out = Map::new();
        out.insert("request".into(), Value::Object(request));
        for (k, v) in case {
            out.insert(k, v);
        }
        // Policy container forms (V8-independent, case format only): wrap some in {"name","document"}.
        wrap_some(&mut rng, &mut out);
        GenCase { index, case: Value::Object(out), tags }
    }

    fn scp_level(&self, rng: &mut Rng, ctx: &Ctx) -> Value {
        let mut pols = Vec::new();
        if rng.chance(75) {
            pols.push(
                json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}),
            );
            if rng.chance(45) {
                pols.push(self.policy(rng, ctx, Role::Scp));
            }
        } else {
            pols.push(self.policy(rng, ctx, Role::Scp));
        }
        Value::Array(pols)
    }

    fn rcp(&self, rng: &mut Rng, ctx: &Ctx) -> Value {
        let n = rng.range(1, 2);
        let stmts: Vec<Value> = (0..n)
            .map(|_| {
                let mut st = Map::new();
                st.insert("Effect".into(), s("Deny"));
                st.insert("Principal".into(), s("*"));
                let (k, v) = action_element(rng, ctx, true);
                st.insert(k.into(), v);
                let (k, v) = if rng.chance(60) { ("Resource".to_string(), s("*")) } else { resource_element(rng, ctx) };
                // The oracle does not pad short ARNs (R7) in RCPs, although it does in every other kind;
                // avoided shape (docs/differential-testing.md).
                let short = crate::case_util::strings(Some(&v))
                    .iter()
                    .any(|r| r != "*" && r.starts_with("arn:") && r.splitn(6, ':').count() < 6);
                let (k, v) = if short { ("Resource".to_string(), s("*")) } else { (k, v) };
                st.insert(k, v);
                if rng.chance(75) {
                    st.insert("Condition".into(), condition_block(rng, ctx, 1));
                }
                Value::Object(st)
            })
            .collect();
        json!({"Version": "2012-10-17", "Statement": stmts})
    }

    fn policy(&self, rng: &mut Rng, ctx: &Ctx, role: Role) -> Value {
        let n = match role {
            Role::Trust => rng.range(1, 2),
            _ => rng.weighted(&[0, 45, 35, 20]),
        };
        let mut stmts = Vec::with_capacity(n);
        let mut sids = Vec::new();
        for i in 0..n {
            let mut st = statement(rng, ctx, role);
            if rng.chance(25) {
                let sid = format!("S{i}x{}", rng.below(100));
                sids.push(sid.clone());
                if let Value::Object(m) = &mut st {
                    m.insert("Sid".into(), s(&sid));
                }
            }
            stmts.push(st);
        }
        let statement_value = if stmts.len() == 1 && rng.chance(30) {
            stmts.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(stmts)
        };
        let mut doc = Map::new();
        // V3: inline identity policies, RBPs and trust policies also accept 2008-10-17 or no Version
        // (variables then stay literal, PV3; statements with variables are D1 inputs).
        let legacy_ok = matches!(role, Role::Identity | Role::Resource | Role::Trust);
        match rng.below(100) {
            0..=3 if legacy_ok => {
                doc.insert("Version".into(), s("2008-10-17"));
            }
            4..=5 if legacy_ok => {}
            _ => {
                doc.insert("Version".into(), s("2012-10-17"));
            }
        }
        doc.insert("Statement".into(), statement_value);
        if matches!(role, Role::Resource | Role::Scp) && rng.chance(10) {
            doc.insert("Id".into(), s("policy-id-1"));
        }
        Value::Object(doc)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Identity,
    Boundary,
    Session,
    Scp,
    Resource,
    Trust,
}

fn make_caller(rng: &mut Rng, kind: PKind, acct: &str) -> Caller {
    match kind {
        PKind::Root => Caller {
            kind,
            arn: format!("arn:aws:iam::{acct}:root"),
            account: Some(acct.into()),
            name: String::new(),
            role_arn: None,
            session: None,
        },
        PKind::User => {
            let name = rng.pick(USERS).to_string();
            let path = if rng.chance(12) { "eng/" } else { "" };
            Caller {
                kind,
                arn: format!("arn:aws:iam::{acct}:user/{path}{name}"),
                account: Some(acct.into()),
                name,
                role_arn: None,
                session: None,
            }
        }
        PKind::RoleSession => {
            let role = rng.pick(ROLES).to_string();
            let sess = rng.pick(SESSIONS).to_string();
            Caller {
                kind,
                arn: format!("arn:aws:sts::{acct}:assumed-role/{role}/{sess}"),
                account: Some(acct.into()),
                role_arn: Some(format!("arn:aws:iam::{acct}:role/{role}")),
                name: role,
                session: Some(sess),
            }
        }
        PKind::Federated => {
            let name = rng.pick(USERS).to_string();
            Caller {
                kind,
                arn: format!("arn:aws:sts::{acct}:federated-user/{name}"),
                account: Some(acct.into()),
                name,
                role_arn: None,
                session: None,
            }
        }
        PKind::Service => {
            let svc = rng.pick(SERVICES).to_string();
            Caller { kind, arn: svc.clone(), account: None, name: svc, role_arn: None, session: None }
        }
        PKind::Anonymous => {
            Caller { kind, arn: "anonymous".into(), account: None, name: String::new(), role_arn: None, session: None }
        }
    }
}

/// Names that make `${aws:username}`-style variables match some of the time.
fn resource_name(rng: &mut Rng, caller: &Caller) -> String {
    let base = if !caller.name.is_empty() && caller.kind == PKind::User && rng.chance(50) {
        caller.name.clone()
    } else {
        rng.pick(USERS).to_string()
    };
    match rng.below(3) {
        0 => base,
        1 => format!("{base}-nb"),
        _ => format!("{base}-2024"),
    }
}

fn make_resource(rng: &mut Rng, res: Res, owner: &str, caller: &Caller) -> String {
    let name = resource_name(rng, caller);
    let region = if rng.chance(80) { REGION } else { *rng.pick(REGIONS) };
    match res {
        Res::Wildcard => "*".into(),
        Res::S3Object => {
            let bucket = if rng.chance(70) { "data-bucket" } else { "logs-bucket" };
            let key = match rng.below(3) {
                0 => format!("home/{name}/notes.txt"),
                1 => format!("shared/{name}.csv"),
                _ => "readme".to_string(),
            };
            format!("arn:aws:s3:::{bucket}/{key}")
        }
        Res::S3Bucket => format!("arn:aws:s3:::{}", if rng.chance(70) { "data-bucket" } else { "logs-bucket" }),
        Res::SageMaker(ty) => format!("arn:aws:sagemaker:{region}:{owner}:{ty}/{name}"),
        Res::IamUser => format!("arn:aws:iam::{owner}:user/{}", rng.pick(USERS)),
        Res::IamRole => format!("arn:aws:iam::{owner}:role/{}", rng.pick(ROLES)),
        Res::Ec2Instance => format!("arn:aws:ec2:{region}:{owner}:instance/i-0abc{}", rng.below(10)),
        Res::KmsKey => format!("arn:aws:kms:{region}:{owner}:key/1234abcd-12ab-34cd-56ef-12345678901{}", rng.below(10)),
        Res::Secret => format!("arn:aws:secretsmanager:{region}:{owner}:secret:{name}-AbCdEf"),
        Res::Sqs => format!("arn:aws:sqs:{region}:{owner}:{name}-queue"),
        Res::Lambda => format!("arn:aws:lambda:{region}:{owner}:function:{name}"),
        Res::Dynamo => format!("arn:aws:dynamodb:{region}:{owner}:table/{name}"),
    }
}

fn make_context(
    rng: &mut Rng,
    caller: &Caller,
    spec: &ActionSpec,
    owner: &str,
) -> (Map<String, Value>, Vec<(String, Ty)>) {
    let mut c = Map::new();
    let acct = caller.account.clone().unwrap_or_default();
    // Principal keys (K2); occasionally one is dropped to exercise absent keys.
    let drop = |rng: &mut Rng| rng.chance(6);
    match caller.kind {
        PKind::Root => {
            c.insert("aws:PrincipalType".into(), s("Account"));
            c.insert("aws:userid".into(), s(&acct));
            c.insert("aws:PrincipalArn".into(), s(&caller.arn));
            c.insert("aws:PrincipalAccount".into(), s(&acct));
        }
        PKind::User => {
            c.insert("aws:PrincipalType".into(), s("User"));
            c.insert("aws:userid".into(), s("AIDAEXAMPLEUSER0001"));
            if !drop(rng) {
                c.insert("aws:username".into(), s(&caller.name));
            }
            c.insert("aws:PrincipalArn".into(), s(&caller.arn));
            c.insert("aws:PrincipalAccount".into(), s(&acct));
        }
        PKind::RoleSession => {
            c.insert("aws:PrincipalType".into(), s("AssumedRole"));
            c.insert(
                "aws:userid".into(),
                s(&format!("AROAEXAMPLEROLE0001:{}", caller.session.clone().unwrap_or_default())),
            );
            c.insert("aws:PrincipalArn".into(), s(caller.role_arn.as_deref().unwrap_or_default()));
            c.insert("aws:PrincipalAccount".into(), s(&acct));
        }
        PKind::Federated => {
            c.insert("aws:PrincipalType".into(), s("FederatedUser"));
            c.insert("aws:userid".into(), s(&format!("{acct}:{}", caller.name)));
            c.insert("aws:PrincipalArn".into(), s(&caller.arn));
            c.insert("aws:PrincipalAccount".into(), s(&acct));
        }
        PKind::Service => {
            c.insert("aws:PrincipalServiceName".into(), s(&caller.arn));
        }
        PKind::Anonymous => {
            c.insert("aws:PrincipalAccount".into(), s("anonymous"));
        }
    }
    if caller.kind != PKind::Anonymous && !drop(rng) {
        c.insert("aws:PrincipalIsAWSService".into(), s(if caller.kind == PKind::Service { "true" } else { "false" }));
    }
    if drop(rng) {
        // keep the derived set incomplete sometimes
        if let Some(k) = c.keys().next().cloned() {
            c.remove(&k);
        }
    }

    // Optional global keys.
    let tagged = matches!(caller.kind, PKind::User | PKind::RoleSession | PKind::Federated);
    let s3 = matches!(spec.res, Res::S3Object | Res::S3Bucket);
    let mut pool: Vec<(String, Ty)> = vec![
        ("aws:SourceIp".into(), Ty::Ip),
        ("aws:CurrentTime".into(), Ty::Date),
        ("aws:EpochTime".into(), Ty::Num),
        ("aws:SecureTransport".into(), Ty::Bool),
        ("aws:MultiFactorAuthPresent".into(), Ty::Bool),
        ("aws:MultiFactorAuthAge".into(), Ty::Num),
        ("aws:TokenIssueTime".into(), Ty::Date),
        ("aws:RequestedRegion".into(), Ty::Str),
        ("aws:PrincipalOrgID".into(), Ty::Str),
        ("aws:PrincipalOrgPaths".into(), Ty::Multi),
        ("aws:CalledVia".into(), Ty::Multi),
        ("aws:SourceVpce".into(), Ty::Str),
        ("aws:SourceArn".into(), Ty::Arn),
        ("aws:SourceAccount".into(), Ty::Str),
        ("aws:ViaAWSService".into(), Ty::Bool),
        ("aws:ResourceAccount".into(), Ty::Str),
        ("aws:TagKeys".into(), Ty::Multi),
        ("aws:RequestTag/project".into(), Ty::Str),
        ("aws:SourceIdentity".into(), Ty::Str),
    ];
    if tagged {
        pool.push(("aws:PrincipalTag/team".into(), Ty::Str));
        pool.push(("aws:PrincipalTag/Project".into(), Ty::Str));
        pool.push(("aws:PrincipalTag/bin".into(), Ty::Bin));
    }
    if !s3 && spec.res != Res::Wildcard {
        pool.push(("aws:ResourceTag/project".into(), Ty::Str));
    }
    for (k, multi) in spec.service_keys {
        pool.push(((*k).to_string(), if *multi { Ty::Multi } else { Ty::Str }));
    }
    for (k, ty) in pool.clone() {
        if !rng.chance(45) {
            continue;
        }
        let v = match (k.as_str(), ty) {
            ("aws:SourceIp", _) => {
                s(rng.pick(&["10.0.0.5", "192.168.1.20", "203.0.113.9", "2001:db8::1", "2001:db8:1::7"]))
            }
            ("aws:CurrentTime", _) => {
                s(rng.pick(&["2024-06-01T12:00:00Z", "2025-01-15T08:30:00Z", "2023-12-31T23:59:59Z"]))
            }
            ("aws:TokenIssueTime", _) => s(rng.pick(&["2024-06-01T11:00:00Z", "2024-05-31T23:00:00Z"])),
            ("aws:EpochTime", _) => s(rng.pick(&["1717243200", "1736929800"])),
            ("aws:MultiFactorAuthAge", _) => s(rng.pick(&["300", "3600", "0", "86400"])),
            (_, Ty::Bool) => s(rng.pick(&["true", "false"])),
            ("aws:RequestedRegion", _) => s(rng.pick(REGIONS)),
            ("aws:PrincipalOrgID", _) => s(rng.pick(&["o-abc123", "o-zzz999"])),
            ("aws:PrincipalOrgPaths", _) => {
                list(rng, &["o-abc123/r-root/ou-a/", "o-abc123/r-root/ou-b/", "o-zzz999/r-x/"])
            }
            ("aws:CalledVia", _) => list(rng, &["athena.amazonaws.com", "cloudformation.amazonaws.com"]),
            ("aws:SourceVpce", _) => s(rng.pick(&["vpce-1a2b3c", "vpce-9z9z9z"])),
            ("aws:SourceArn", _) => s(rng.pick(&[
                "arn:aws:s3:::data-bucket",
                "arn:aws:sagemaker:us-east-1:111111111111:notebook-instance/alice-nb",
                "arn:aws:iam::222222222222:role/Exec",
            ])),
            ("aws:SourceAccount", _) => s(rng.pick(&[ACCT_A, ACCT_B])),
            ("aws:ResourceAccount", _) => s(owner),
            ("aws:TagKeys", _) => list(rng, &["project", "team", "Project", "cost-center"]),
            ("aws:RequestTag/project", _) => s(rng.pick(&["apollo", "gemini", "Apollo"])),
            ("aws:SourceIdentity", _) => s(rng.pick(&["alice", "admin@example.com"])),
            ("aws:PrincipalTag/team", _) => s(rng.pick(TEAMS)),
            ("aws:PrincipalTag/Project", _) => s(rng.pick(&["apollo", "gemini", ""])),
            ("aws:PrincipalTag/bin", _) => s(rng.pick(&["QUJD", "QUJE", "AAEC"])),
            ("aws:ResourceTag/project", _) => s(rng.pick(&["apollo", "gemini", "Apollo"])),
            ("sagemaker:InstanceTypes", _) => list(rng, &["ml.t3.medium", "ml.p3.2xlarge", "ml.m5.large"]),
            ("s3:prefix", _) => s(rng.pick(&["home/alice/", "home/bob/", "", "shared/"])),
            ("iam:PassedToService", _) => s(rng.pick(&["sagemaker.amazonaws.com", "ec2.amazonaws.com"])),
            ("sts:ExternalId", _) => s(rng.pick(&["ext-123", "ext-999"])),
            ("sts:RoleSessionName", _) => s(rng.pick(&["alice", "s1", "build-42"])),
            _ => s("value"),
        };
        c.insert(k, v);
    }
    // Keys the conditions may name: every pool key plus the principal keys.
    let mut key_pool = pool;
    for (k, ty) in [
        ("aws:username", Ty::Str),
        ("aws:userid", Ty::Str),
        ("aws:PrincipalArn", Ty::Arn),
        ("aws:PrincipalAccount", Ty::Str),
        ("aws:PrincipalType", Ty::Str),
        ("aws:PrincipalIsAWSService", Ty::Bool),
        ("aws:PrincipalServiceName", Ty::Str),
    ] {
        key_pool.push((k.to_string(), ty));
    }
    (c, key_pool)
}

/// A multivalued context value: a list of 0–3 distinct items (sometimes empty, M3/M4).
fn list(rng: &mut Rng, items: &[&str]) -> Value {
    let n = rng.weighted(&[8, 45, 35, 12]);
    let mut out: Vec<Value> = Vec::new();
    for _ in 0..n {
        let v = s(rng.pick(items));
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Value::Array(out)
}

fn statement(rng: &mut Rng, ctx: &Ctx, role: Role) -> Value {
    let mut st = Map::new();
    let deny_pct = match role {
        Role::Identity => 16,
        Role::Boundary | Role::Session => 12,
        Role::Scp => 35,
        Role::Resource => 15,
        Role::Trust => 8,
    };
    let deny = rng.chance(deny_pct);
    st.insert("Effect".into(), s(if deny { "Deny" } else { "Allow" }));
    match role {
        Role::Resource => {
            if deny && rng.chance(30) {
                st.insert("NotPrincipal".into(), principal_element(rng, ctx, true));
            } else {
                st.insert("Principal".into(), principal_element(rng, ctx, false));
            }
        }
        Role::Trust => {
            st.insert("Principal".into(), principal_element(rng, ctx, false));
        }
        _ => {}
    }
    if role == Role::Trust {
        let acts = [
            s("sts:AssumeRole"),
            json!(["sts:AssumeRole", "sts:TagSession"]),
            s("sts:TagSession"),
            s("sts:*"),
            s("sts:AssumeRoleWithSAML"),
        ];
        st.insert("Action".into(), rng.pick(&acts).clone());
    } else {
        let (k, v) = action_element(rng, ctx, false);
        st.insert(k.into(), v);
        let (k, v) = resource_element(rng, ctx);
        st.insert(k, v);
    }
    // Unconditional denies make most cases explicit denies; condition them more often.
    let cond_pct = if deny { 75 } else { 40 };
    if rng.chance(cond_pct) {
        let n = rng.weighted(&[0, 75, 25]);
        st.insert("Condition".into(), condition_block(rng, ctx, n));
    }
    Value::Object(st)
}

fn principal_element(rng: &mut Rng, ctx: &Ctx, not_principal: bool) -> Value {
    let c = &ctx.caller;
    let acct = c.account.clone().unwrap_or_else(|| ACCT_A.to_string());
    let mut aws: Vec<String> = Vec::new();
    let mut service: Vec<String> = Vec::new();
    let n = rng.weighted(&[0, 70, 25, 5]);
    for _ in 0..n {
        match rng.below(12) {
            0 if !not_principal => return if rng.chance(50) { s("*") } else { json!({"AWS": "*"}) },
            1 | 2 => {
                if matches!(c.kind, PKind::User | PKind::RoleSession | PKind::Federated) {
                    aws.push(c.arn.clone());
                } else {
                    aws.push(format!("arn:aws:iam::{acct}:user/{}", rng.pick(USERS)));
                }
            }
            3 => {
                if let Some(r) = &c.role_arn {
                    aws.push(r.clone());
                } else if c.kind == PKind::Federated {
                    // ViaUser (P5): the IAM user who federated.
                    aws.push(format!("arn:aws:iam::{acct}:user/{}", c.name));
                } else {
                    aws.push(format!("arn:aws:iam::{acct}:role/{}", rng.pick(ROLES)));
                }
            }
            4 => aws.push(acct.clone()),
            5 => aws.push(format!("arn:aws:iam::{acct}:root")),
            6 => aws.push(rng.pick(&[ACCT_B, ACCT_C]).to_string()),
            7 => aws.push(format!("arn:aws:iam::{}:user/{}", rng.pick(&[ACCT_A, ACCT_B]), rng.pick(USERS))),
            8 => aws.push(format!("arn:aws:sts::{acct}:assumed-role/{}/{}", rng.pick(ROLES), rng.pick(SESSIONS))),
            9 => {
                if c.kind == PKind::Service && rng.chance(70) {
                    service.push(c.arn.clone());
                } else {
                    service.push(rng.pick(SERVICES).to_string());
                }
            }
            10 => aws.push(format!("arn:aws:sts::{acct}:federated-user/{}", rng.pick(USERS))),
            _ => {
                if c.kind == PKind::Service {
                    service.push(c.arn.clone());
                } else if matches!(c.kind, PKind::User | PKind::RoleSession | PKind::Federated) {
                    aws.push(c.arn.clone());
                } else {
                    aws.push(acct.clone());
                }
            }
        }
    }
    aws.dedup();
    service.dedup();
    let mut m = Map::new();
    if !aws.is_empty() {
        m.insert("AWS".into(), one_or_list(rng, aws.iter().map(s).collect()));
    }
    if !service.is_empty() {
        m.insert("Service".into(), one_or_list(rng, service.iter().map(s).collect()));
    }
    if m.is_empty() {
        m.insert("AWS".into(), s(&acct));
    }
    Value::Object(m)
}

/// `Action`/`NotAction` entries derived from the request action.
fn action_element(rng: &mut Rng, ctx: &Ctx, rcp: bool) -> (&'static str, Value) {
    let action = ctx.spec.action;
    let (svc, name) = action.split_once(':').unwrap_or((action, ""));
    let n = rng.weighted(&[0, 60, 30, 10]);
    let mut entries = Vec::new();
    for _ in 0..n {
        let e = match rng.below(12) {
            0 => action.to_string(),
            1 => format!("{}:{}", flip_case(svc), flip_case(name)),
            2 => format!("{svc}:*"),
            3 => format!("{svc}:{}", prefix_star(rng, name)),
            4 => format!("{svc}:{}", suffix_star(rng, name)),
            5 => format!("{svc}:{}", question_one(rng, name)),
            6 if !rcp => "*".to_string(),
            7 => rng.pick(OTHER_ACTIONS).to_string(),
            8 => format!("{svc}:Zz*"),
            9 => format!("{svc}:{name}?"),
            // A3/A5: nothing is trimmed; an empty name or a second colon matches nothing.
            10 if rng.chance(25) => match rng.below(3) {
                0 => format!("{svc}:"),
                1 => format!("{svc}:{name} "),
                // A4: a wildcard in the prefix never matches (lint only).
                _ => format!("{}*:{name}", svc.chars().take(2).collect::<String>()),
            },
            _ => action.to_string(),
        };
        entries.push(s(&e));
    }
    if rcp && entries.is_empty() {
        entries.push(s(&format!("{svc}:*")));
    }
    let key = if !rcp && rng.chance(12) { "NotAction" } else { "Action" };
    (key, one_or_list(rng, entries))
}

/// `Resource`/`NotResource` entries derived from the request resource.
fn resource_element(rng: &mut Rng, ctx: &Ctx) -> (String, Value) {
    let n = rng.weighted(&[0, 65, 28, 7]);
    let mut entries = Vec::new();
    for _ in 0..n {
        entries.push(s(&resource_entry(rng, ctx)));
    }
    let key = if rng.chance(12) { "NotResource" } else { "Resource" };
    (key.to_string(), one_or_list(rng, entries))
}

fn resource_entry(rng: &mut Rng, ctx: &Ctx) -> String {
    if rng.chance(22) {
        return "*".into();
    }
    let Some(mut p) = arn_parts(&ctx.resource) else {
        // Wildcard-only action: ARN entries never match `*` (R3).
        return match rng.below(3) {
            0 => match ctx.spec.action.split(':').next().unwrap_or("s3") {
                svc @ ("s3" | "iam") => format!("arn:aws:{svc}:::*"),
                svc => format!("arn:aws:{svc}:*:*:*"),
            },
            1 => "arn:aws:s3:::data-bucket/*".into(),
            _ => "*".into(),
        };
    };
    let is_s3 = p[2] == "s3";
    // IAM and S3 ARNs carry no region (V14 row 14), not even `*`.
    let regionless = p[3].is_empty();
    // Split resource part into type prefix and rest (R6), except for S3.
    let rp = p[5].clone();
    let cut = if is_s3 { None } else { rp.find(['/', ':']) };
    let (ty, rest) = match cut {
        Some(i) => (rp[..=i].to_string(), rp[i + 1..].to_string()),
        None => (String::new(), rp.clone()),
    };
    let var_ok = true;
    match rng.below(16) {
        0 => {}
        1 if !regionless => p[3] = "*".into(),
        2 => p[4] = "*".into(),
        3 => {
            if !regionless {
                p[3] = "*".into();
            }
            p[4] = "*".into();
        }
        4 => p[5] = format!("{ty}*"),
        5 => p[5] = format!("{ty}{}", prefix_star(rng, &rest)),
        6 => p[5] = format!("{ty}{}", question_one(rng, &rest)),
        7 => p[5] = format!("{ty}{}", flip_case(&rest)),
        8 if var_ok => {
            // Variables (PV2) after the type prefix.
            let v = match rng.below(7) {
                0 => "${aws:username}".to_string(),
                1 => "${aws:username}*".to_string(),
                2 => "${aws:username}-*".to_string(),
                3 => "${aws:PrincipalTag/team}*".to_string(),
                4 => "${aws:nosuchkey, 'alice'}*".to_string(),
                5 => "${*}".to_string(),
                _ => "${aws:userid}*".to_string(),
            };
            if is_s3 {
                let bucket = rp.split('/').next().unwrap_or("data-bucket").to_string();
                p[5] = match rng.below(3) {
                    0 => format!("{bucket}/home/{v}/*"),
                    1 => format!("{bucket}/home/{v}"),
                    _ => format!("{bucket}/shared/{v}"),
                };
            } else {
                p[5] = format!("{ty}{v}");
            }
        }
        9 => p[4] = rng.pick(&[ACCT_A, ACCT_B, ACCT_C]).to_string(),
        10 if !regionless => p[3] = rng.pick(REGIONS).to_string(),
        11 => {
            // R4/R5: service and region compare ignoring case (the partition must be a known one, row 12).
            p[2] = flip_case(&p[2]);
            p[3] = flip_case(&p[3]);
        }
        12 => p[5] = "*".into(),
        13 => {
            if is_s3 {
                p[5] = format!("{}/*", rp.split('/').next().unwrap_or("data-bucket"));
            } else {
                p[5] = format!("{ty}other-name");
            }
        }
        14 if !regionless => {
            // R7: a short ARN whose last component is `*`.
            return format!("arn:aws:{}:*", p[2]);
        }
        _ => {
            if !regionless {
                p[3] = "*".into();
            }
            p[5] = format!("{ty}{}*", rest.chars().take(2).collect::<String>());
        }
    }
    join_arn(&p)
}

const STRING_OPS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
];
const NUM_OPS: &[&str] = &[
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
];
const DATE_OPS: &[&str] =
    &["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"];
const ARN_OPS: &[&str] = &["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"];

/// A `Condition` block with `n` operators.
fn condition_block(rng: &mut Rng, ctx: &Ctx, n: usize) -> Value {
    let mut block = Map::new();
    for _ in 0..n.max(1) {
        let (op, key, values) = condition(rng, ctx);
        let entry = block.entry(op).or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            // Never repeat a key under one operator (V2).
            m.entry(key).or_insert(values);
        }
    }
    Value::Object(block)
}

fn condition(rng: &mut Rng, ctx: &Ctx) -> (String, String, Value) {
    // Prefer present keys.
    let present: Vec<&(String, Ty)> = ctx.key_pool.iter().filter(|(k, _)| ctx.context.contains_key(k)).collect();
    let (key, ty) = if !present.is_empty() && rng.chance(78) {
        (*rng.pick(&present)).clone()
    } else {
        rng.pick(&ctx.key_pool).clone()
    };
    let cur = ctx.context.get(&key).cloned();
    let key_spelled = if rng.chance(8) { flip_case(&key) } else { key.clone() };

    if rng.chance(7) {
        let v =
            if rng.chance(20) { Value::Bool(rng.chance(50)) } else { s(rng.pick(&["true", "false", "True", "FALSE"])) };
        return ("Null".into(), key_spelled, v);
    }
    let (base, values) = match ty {
        Ty::Str => {
            let op = *rng.pick(STRING_OPS);
            (op.to_string(), string_values(rng, ctx, op, cur.as_ref()))
        }
        Ty::Multi => {
            let op = *rng.pick(STRING_OPS);
            (op.to_string(), multi_values(rng, cur.as_ref()))
        }
        Ty::Arn => {
            if rng.chance(70) {
                let op = *rng.pick(ARN_OPS);
                (op.to_string(), arn_values(rng, ctx, cur.as_ref()))
            } else {
                let op = *rng.pick(STRING_OPS);
                (op.to_string(), string_values(rng, ctx, op, cur.as_ref()))
            }
        }
        Ty::Num => {
            if key == "aws:EpochTime" && rng.chance(50) {
                let op = *rng.pick(DATE_OPS);
                (op.to_string(), date_values(rng, cur.as_ref()))
            } else {
                let op = *rng.pick(NUM_OPS);
                (op.to_string(), num_values(rng, cur.as_ref()))
            }
        }
        Ty::Date => {
            let op = *rng.pick(DATE_OPS);
            (op.to_string(), date_values(rng, cur.as_ref()))
        }
        Ty::Bool => ("Bool".to_string(), bool_values(rng, cur.as_ref())),
        Ty::Ip => (if rng.chance(50) { "IpAddress" } else { "NotIpAddress" }.to_string(), ip_values(rng, cur.as_ref())),
        Ty::Bin => ("BinaryEquals".to_string(), bin_values(rng)),
    };
    // Set prefixes: mostly for multivalued keys, sometimes over single values (M6).
    let multi = ty == Ty::Multi;
    let prefix = if multi {
        match rng.below(10) {
            0 => "", // M2: plain operator on a multivalued key
            1..=5 => "ForAnyValue:",
            _ => "ForAllValues:",
        }
    } else if rng.chance(8) {
        if rng.chance(50) {
            "ForAnyValue:"
        } else {
            "ForAllValues:"
        }
    } else {
        ""
    };
    let if_exists = rng.chance(if cur.is_none() { 35 } else { 15 });
    let mut op = format!("{prefix}{base}");
    if if_exists {
        op.push_str("IfExists");
    }
    (op, key_spelled, values)
}

fn cur_str(cur: Option<&Value>) -> Option<String> {
    match cur {
        Some(Value::String(x)) => Some(x.clone()),
        _ => None,
    }
}

fn vals(rng: &mut Rng, mut v: Vec<String>) -> Value {
    v.dedup();
    let items: Vec<Value> = v.iter().map(s).collect();
    one_or_list(rng, items)
}

fn string_values(rng: &mut Rng, ctx: &Ctx, op: &str, cur: Option<&Value>) -> Value {
    let like = op.contains("Like");
    let c = cur_str(cur).unwrap_or_else(|| "apollo".into());
    let n = rng.weighted(&[0, 60, 30, 10]);
    let mut out = Vec::new();
    for _ in 0..n {
        let v = match rng.below(14) {
            0..=2 => c.clone(),
            3 => flip_case(&c),
            4 if like => prefix_star(rng, &c),
            5 if like => question_one(rng, &c),
            6 => rng.pick(&["apollo", "ml", "us-east-1", "o-abc123", "alice", "nothing"]).to_string(),
            7 => "${aws:username}".into(),
            8 => "${aws:PrincipalTag/team}".into(),
            9 => "${aws:nosuchkey}".into(),
            10 => "${aws:nosuchkey, 'ml'}".into(),
            11 if like => "${*}".into(),
            12 => format!("{}${{aws:PrincipalAccount}}", if like { "*" } else { "" }),
            _ => {
                if ctx.caller.kind == PKind::User {
                    ctx.caller.name.clone()
                } else {
                    c.clone()
                }
            }
        };
        out.push(v);
    }
    vals(rng, out)
}

fn multi_values(rng: &mut Rng, cur: Option<&Value>) -> Value {
    let mut pool: Vec<String> = match cur {
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    pool.extend(
        ["project", "team", "ml.t3.medium", "athena.amazonaws.com", "o-abc123/r-root/ou-a/", "other"].map(String::from),
    );
    let n = rng.weighted(&[0, 50, 35, 15]);
    let mut out = Vec::new();
    for _ in 0..n {
        let v = rng.pick(&pool).clone();
        if !out.contains(&v) {
            out.push(v);
        }
    }
    vals(rng, out)
}

fn arn_values(rng: &mut Rng, ctx: &Ctx, cur: Option<&Value>) -> Value {
    let c = cur_str(cur).unwrap_or_else(|| format!("arn:aws:iam::{ACCT_A}:user/alice"));
    let n = rng.weighted(&[0, 70, 30]);
    let mut out = Vec::new();
    for _ in 0..n {
        let v = match (rng.below(8), arn_parts(&c)) {
            (0 | 1, _) => c.clone(),
            (2, Some(mut p)) => {
                p[4] = "*".into();
                join_arn(&p)
            }
            (3, Some(mut p)) => {
                p[5] = prefix_star(rng, &p[5].clone());
                join_arn(&p)
            }
            (4, Some(mut p)) => {
                p[3] = "*".into();
                p[5] = "*".into();
                join_arn(&p)
            }
            (5, _) => format!("arn:aws:iam::{ACCT_A}:user/${{aws:username}}"),
            (6, _) => format!("arn:aws:iam::{}:role/{}", rng.pick(&[ACCT_A, ACCT_B]), rng.pick(ROLES)),
            _ => {
                let acct = ctx.caller.account.clone().unwrap_or_else(|| ACCT_A.into());
                format!("arn:aws:*:*:{acct}:*")
            }
        };
        out.push(v);
    }
    vals(rng, out)
}

fn num_values(rng: &mut Rng, cur: Option<&Value>) -> Value {
    let c: i64 = cur_str(cur).and_then(|x| x.parse().ok()).unwrap_or(300);
    let n = rng.weighted(&[0, 75, 25]);
    let mut out = Vec::new();
    let mut json_num = None;
    for _ in 0..n {
        let v = match rng.below(8) {
            0 | 1 => c.to_string(),
            2 => (c - 1).to_string(),
            3 => (c + 1).to_string(),
            4 => format!("{c}.0"),
            // Not exponents: the oracle reads `3e2` as something other than 300 (O4; avoided shape).
            5 => rng.pick(&["3600", "0300", "-1", "+300", "300.00"]).to_string(),
            6 => {
                json_num = Some(c);
                c.to_string()
            }
            _ => (c / 2).to_string(),
        };
        out.push(v);
    }
    if let (Some(x), 1) = (json_num, out.len()) {
        return json!(x);
    }
    vals(rng, out)
}

fn date_values(rng: &mut Rng, cur: Option<&Value>) -> Value {
    let n = rng.weighted(&[0, 75, 25]);
    let c = cur_str(cur);
    let mut out = Vec::new();
    for _ in 0..n {
        let v = match rng.below(9) {
            0 => c.clone().unwrap_or_else(|| "2024-06-01T12:00:00Z".into()),
            1 => "2024-06-01T12:00:00Z".into(),
            2 => "2024-01-01T00:00:00Z".into(),
            3 => "2025-01-01".into(),
            4 => "2024-06-01T14:00:00+02:00".into(),
            5 => "1717243200".into(),
            6 => "2024-06-01T12:00Z".into(),
            7 => "2024-06-01T12:00:00.5Z".into(),
            _ => "2023-12-31T23:59:59Z".into(),
        };
        out.push(v);
    }
    vals(rng, out)
}

fn bool_values(rng: &mut Rng, _cur: Option<&Value>) -> Value {
    match rng.below(6) {
        0 => Value::Bool(true),
        1 => Value::Bool(false),
        2 => s("True"),
        3 => s("false"),
        _ => s("true"),
    }
}

fn ip_values(rng: &mut Rng, _cur: Option<&Value>) -> Value {
    let pool = [
        "10.0.0.0/8",
        "10.0.0.5",
        "10.0.0.5/32",
        "192.168.0.0/16",
        "203.0.113.0/24",
        "10.0.0.7/24",
        "0.0.0.0/0",
        "2001:db8::/32",
        "2001:db8::1/128",
        "::/0",
    ];
    let n = rng.weighted(&[0, 60, 40]);
    let out: Vec<String> = (0..n).map(|_| rng.pick(&pool).to_string()).collect();
    vals(rng, out)
}

fn bin_values(rng: &mut Rng) -> Value {
    let out: Vec<String> = (0..rng.range(1, 2)).map(|_| rng.pick(&["QUJD", "QUJE", "AAEC"]).to_string()).collect();
    vals(rng, out)
}

/// All policy documents of a case, mutable, with the kind of each.
pub fn policies_mut(case: &mut Map<String, Value>) -> Vec<&mut Value> {
    let mut out: Vec<&mut Value> = Vec::new();
    for (k, v) in case.iter_mut() {
        match k.as_str() {
            "identityPolicies" => {
                if let Value::Array(a) = v {
                    out.extend(a.iter_mut());
                }
            }
            "resourcePolicy" | "permissionsBoundary" => out.push(v),
            "sessionPolicy" => match v {
                Value::Array(a) => out.extend(a.iter_mut()),
                other => out.push(other),
            },
            "scps" | "rcps" => {
                if let Value::Array(levels) = v {
                    for l in levels.iter_mut() {
                        if let Value::Array(a) = l {
                            out.extend(a.iter_mut());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// D1: a non-2012 policy that uses a variable. Only inline identity policies and RBPs (V3 accepts
/// either Version there; managed kinds would fail validation row 5).
fn inject_d1(rng: &mut Rng, case: &mut Map<String, Value>, ctx: &Ctx) -> Option<&'static str> {
    if ctx.caller.kind == PKind::Root {
        return None;
    }
    let var_entry = match arn_parts(&ctx.resource) {
        Some(mut p) if p[2] != "s3" => {
            let rp = p[5].clone();
            let ty = rp.find(['/', ':']).map(|i| rp[..=i].to_string()).unwrap_or_default();
            p[5] = format!("{ty}${{aws:username}}*");
            join_arn(&p)
        }
        Some(mut p) => {
            let bucket = p[5].split('/').next().unwrap_or("data-bucket").to_string();
            p[5] = format!("{bucket}/*${{aws:username}}*");
            join_arn(&p)
        }
        None => "*".into(),
    };
    let deny = rng.chance(30);
    let mut st = Map::new();
    st.insert("Effect".into(), s(if deny { "Deny" } else { "Allow" }));
    st.insert("Action".into(), s("*"));
    if rng.chance(60) || var_entry == "*" {
        st.insert("Resource".into(), s(if var_entry == "*" { "*" } else { &var_entry }));
        st.insert("Condition".into(), json!({"StringEquals": {"aws:PrincipalArn": "${aws:PrincipalArn}"}}));
    } else {
        st.insert("Resource".into(), s(&var_entry));
    }
    let mut doc = Map::new();
    if rng.chance(50) {
        doc.insert("Version".into(), s("2008-10-17"));
    }
    doc.insert("Statement".into(), Value::Array(vec![Value::Object(st)]));
    let doc = Value::Object(doc);
    let principal_side = !matches!(ctx.caller.kind, PKind::Service | PKind::Anonymous);
    if principal_side {
        let list = case.entry("identityPolicies").or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(a) = list {
            a.push(doc);
        }
        Some("D1")
    } else {
        None
    }
}

/// D5 (service wildcard) or D6 (non-ARN) `Resource` entry in an identity policy.
fn inject_resource_entry(rng: &mut Rng, case: &mut Map<String, Value>, ctx: &Ctx, d5: bool) -> Option<&'static str> {
    if matches!(ctx.caller.kind, PKind::Service | PKind::Anonymous | PKind::Root) {
        return None;
    }
    let svc = ctx.spec.action.split(':').next().unwrap_or("s3");
    let entry = if d5 {
        let star: String = svc.chars().take(3).collect::<String>() + "*";
        match rng.below(3) {
            0 => format!("arn:aws:{star}:*:*:*"),
            1 => "arn:aws:*:*:*:*".to_string(),
            _ => format!("arn:aws:{}?{}:*:*:*", &svc[..1.min(svc.len())], &svc[2.min(svc.len())..]),
        }
    } else {
        rng.pick(&["notanarn", "data-bucket", "sagemaker"]).to_string()
    };
    let deny = rng.chance(30);
    let doc = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": if deny { "Deny" } else { "Allow" }, "Action": "*",
        if rng.chance(80) { "Resource" } else { "NotResource" }: entry
    }]});
    let list = case.entry("identityPolicies").or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(a) = list {
        a.push(doc);
    }
    Some(if d5 { "D5" } else { "D6" })
}

/// Documents that our validator must reject (V14 rows 3–21): compared by validation outcome only.
fn inject_invalid(rng: &mut Rng, case: &mut Map<String, Value>) -> Option<&'static str> {
    let mut pols = policies_mut(case);
    if pols.is_empty() {
        return None;
    }
    let i = rng.below(pols.len());
    let doc = pols.get_mut(i)?;
    let doc = doc.as_object_mut()?;
    let choice = rng.below(12);
    if choice == 11 {
        doc.insert("Version".into(), s("2013-01-01"));
        return Some("version");
    }
    let st = match doc.get_mut("Statement")? {
        Value::Array(a) => a.first_mut().and_then(|x| x.as_object_mut())?,
        Value::Object(m) => m,
        _ => return None,
    };
    let what = match choice {
        0 => {
            st.insert("Condition".into(), json!({"stringequals": {"aws:username": "alice"}}));
            "operator-case"
        }
        1 => {
            st.insert("Condition".into(), json!({"StringEqualz": {"aws:username": "alice"}}));
            "unknown-operator"
        }
        2 => {
            st.insert("Condition".into(), json!({"ForAnyValue:Null": {"aws:TagKeys": "true"}}));
            "set-null"
        }
        3 => {
            st.insert("Condition".into(), json!({"NullIfExists": {"aws:username": "true"}}));
            "null-ifexists"
        }
        4 => {
            st.insert("Sid".into(), s("bad-sid!"));
            "sid-chars"
        }
        5 => {
            st.insert("Effect".into(), s("allow"));
            "effect-case"
        }
        6 => {
            st.insert("Action".into(), s(if rng.chance(50) { "s3GetObject" } else { "s3:*:GetObject" }));
            st.remove("NotAction");
            "action-no-colon"
        }
        7 => {
            st.insert("Condition".into(), json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "10abc"}}));
            "numeric-lenient"
        }
        8 => {
            st.insert("Condition".into(), json!({"DateLessThan": {"aws:CurrentTime": "yesterday"}}));
            "date-not-date"
        }
        9 => {
            st.insert("Bogus".into(), s("x"));
            "unknown-key"
        }
        _ => {
            st.insert("Condition".into(), json!({"Null": {"aws:username": "maybe"}}));
            "null-value"
        }
    };
    Some(what)
}

fn wrap_some(rng: &mut Rng, case: &mut Map<String, Value>) {
    if let Some(Value::Array(a)) = case.get_mut("identityPolicies") {
        for (i, p) in a.iter_mut().enumerate() {
            match rng.below(10) {
                0 => {
                    let doc = p.take();
                    *p = json!({"name": format!("inline-{i}"), "document": doc});
                }
                1 => {
                    let text = serde_json::to_string(p).unwrap_or_default();
                    *p = Value::String(text);
                }
                _ => {}
            }
        }
    }
}
