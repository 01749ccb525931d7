//! The benchmark workloads, written once for both engines: IAM policy documents plus request for
//! sagegate, and the closest faithful Cedar policy set, entities and request for `cedar-policy` (when
//! there is one; W4 has none).
//!
//! Every scenario states its expected decision; both engines are checked against it before anything is
//! timed, so a benchmark can never silently measure a wrong answer.

use sagegate_catalog::Catalog;
use sagegate_policy::{Context, ContextValue, Principal};
use sagegate_sagemaker::role_manager::{plan_role, Catalogue, RoleRequest};
use sagegate_sagemaker::{plan, Caller, CatalogSar, Check, CheckKind, JsonState, Scope};
use serde_json::{json, Value};

pub const ACCOUNT: &str = "111122223333";
pub const PRINCIPAL: &str = "arn:aws:iam::111122223333:user/alice";
/// Cedar entity type of the caller.
pub const CEDAR_PRINCIPAL_TYPE: &str = "User";

/// Statement counts of W3.
pub const W3_SIZES: [usize; 3] = [100, 1_000, 10_000];
/// How many of W3's statements are "decoys": wildcard actions (`sagemaker:Op*`) that match the request's
/// action but not its resource, so an action index alone cannot settle the request.
pub const W3_DECOYS: usize = 3;

/// A request context value, as IAM sees it.
#[derive(Debug, Clone)]
pub enum Ctx {
    Single(String),
    Multi(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Allow,
    Deny,
}

/// One workload case, for both engines.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Criterion group name, also the row label of the results table.
    pub name: String,
    pub expect: Expect,
    /// Number of statements (IAM, over every policy) / policies (Cedar).
    pub statements: usize,

    // --- sagegate (IAM) ---
    /// The caller (`PRINCIPAL` but in W4, a role session).
    pub principal: String,
    /// The caller's identity policies, in attachment order.
    pub iam_policies: Vec<String>,
    pub action: String,
    pub resource: String,
    pub context: Vec<(String, Ctx)>,

    // --- Cedar ---
    /// None when the IAM policies have no faithful Cedar translation (W4).
    pub cedar: Option<CedarSide>,
}

/// The closest faithful Cedar form of a scenario.
#[derive(Debug, Clone)]
pub struct CedarSide {
    pub policies: String,
    /// Entities in Cedar's JSON entity format (principal, resource with tags, action with its groups).
    pub entities: Value,
    pub action: String,
    pub resource_type: String,
    pub context: Value,
}

fn notebook_arn(name: &str) -> String {
    format!("arn:aws:sagemaker:us-east-1:{ACCOUNT}:notebook-instance/{name}")
}

fn training_job_arn(name: &str) -> String {
    format!("arn:aws:sagemaker:us-east-1:{ACCOUNT}:training-job/{name}")
}

fn entities(resource_type: &str, resource: &str, tags: Value, action: &str, action_groups: &[&str]) -> Value {
    let parents: Vec<Value> = action_groups.iter().map(|g| json!({"type": "Action", "id": g})).collect();
    json!([
        {"uid": {"type": CEDAR_PRINCIPAL_TYPE, "id": PRINCIPAL}, "attrs": {}, "parents": []},
        {"uid": {"type": resource_type, "id": resource}, "attrs": {}, "parents": [], "tags": tags},
        {"uid": {"type": "Action", "id": action}, "attrs": {}, "parents": parents},
    ])
}

/// W1: allow `sagemaker:*` on `*`, deny `sagemaker:*` when the resource is tagged `Project=B`.
///
/// IAM sees the resource tag as the condition key `sagemaker:ResourceTag/Project` in the request context;
/// Cedar sees it as an entity tag on the resource (`hasTag`/`getTag`, Cedar 4). `sagemaker:*` becomes the
/// action group `Action::"sagemaker:*"`, of which the request's action is a member.
pub fn w1(project: &str) -> Scenario {
    let iam_policy = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowSageMaker", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"},
    {"Sid": "DenyProjectB", "Effect": "Deny", "Action": "sagemaker:*", "Resource": "*",
     "Condition": {"StringEquals": {"sagemaker:ResourceTag/Project": "B"}}}
  ]
}"#
    .to_string();
    let cedar_policies = r#"
@id("AllowSageMaker")
permit(principal, action in Action::"sagemaker:*", resource);
@id("DenyProjectB")
forbid(principal, action in Action::"sagemaker:*", resource)
when { resource.hasTag("Project") && resource.getTag("Project") == "B" };
"#
    .to_string();
    let action = "sagemaker:DescribeNotebookInstance".to_string();
    let resource = notebook_arn(&format!("nb-{}", project.to_ascii_lowercase()));
    let expect = if project == "B" { Expect::Deny } else { Expect::Allow };
    Scenario {
        name: format!("W1 tag={project} {}", if expect == Expect::Allow { "allow" } else { "deny" }),
        expect,
        statements: 2,
        principal: PRINCIPAL.into(),
        iam_policies: vec![iam_policy],
        context: vec![("sagemaker:ResourceTag/Project".into(), Ctx::Single(project.into()))],
        cedar: Some(CedarSide {
            entities: entities("NotebookInstance", &resource, json!({"Project": project}), &action, &["sagemaker:*"]),
            policies: cedar_policies,
            action: action.clone(),
            resource_type: "NotebookInstance".into(),
            context: json!({}),
        }),
        action,
        resource,
    }
}

/// The `ml.c5` instance types SageMaker training offers; Cedar has no way to apply `like` to each member
/// of a set, so W2's Cedar policy enumerates what `ml.c5.*` matches and uses `containsAll`.
pub const C5_TYPES: [&str; 6] =
    ["ml.c5.large", "ml.c5.xlarge", "ml.c5.2xlarge", "ml.c5.4xlarge", "ml.c5.9xlarge", "ml.c5.18xlarge"];

/// W2: allow `sagemaker:CreateTrainingJob` when every requested instance type is `StringLike` `ml.c5.*`.
///
/// Cedar has no quantifier over sets and `like` only applies to a single string, so `ForAllValues:StringLike`
/// is expressed as "the set of allowed c5 types `containsAll` the requested set" — the same answer for every
/// real instance type, but an enumeration instead of a pattern. Also, IAM's `ForAllValues` is true when the
/// key is absent; the Cedar policy requires `context has InstanceTypes` (an absent key would otherwise be an
/// evaluation error, which Cedar treats as "policy does not apply"), so the two differ on a missing key.
pub fn w2(types: &[&str]) -> Scenario {
    let iam_policy = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "C5Training", "Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*",
     "Condition": {"ForAllValues:StringLike": {"sagemaker:InstanceTypes": ["ml.c5.*"]}}}
  ]
}"#
    .to_string();
    let allowed: Vec<String> = C5_TYPES.iter().map(|t| format!("{t:?}")).collect();
    let cedar_policies = format!(
        r#"
@id("C5Training")
permit(principal, action == Action::"sagemaker:CreateTrainingJob", resource)
when {{ context has InstanceTypes && [{}].containsAll(context.InstanceTypes) }};
"#,
        allowed.join(", ")
    );
    let action = "sagemaker:CreateTrainingJob".to_string();
    let resource = training_job_arn("job-1");
    let expect = if types.iter().all(|t| t.starts_with("ml.c5.")) { Expect::Allow } else { Expect::Deny };
    let list: Vec<String> = types.iter().map(|t| t.to_string()).collect();
    Scenario {
        name: format!("W2 {} {}", types.join("+"), if expect == Expect::Allow { "allow" } else { "deny" }),
        expect,
        statements: 1,
        principal: PRINCIPAL.into(),
        iam_policies: vec![iam_policy],
        context: vec![("sagemaker:InstanceTypes".into(), Ctx::Multi(list.clone()))],
        cedar: Some(CedarSide {
            entities: entities("TrainingJob", &resource, json!({}), &action, &["sagemaker:*"]),
            policies: cedar_policies,
            action: action.clone(),
            resource_type: "TrainingJob".into(),
            context: json!({ "InstanceTypes": list }),
        }),
        action,
        resource,
    }
}

/// W3: `n` Allow statements on distinct actions and resources. Statement `i` (for `i < n - 3`) allows
/// `sagemaker:Op{i}` on notebook `nb-{i}`; the last three are decoys allowing `sagemaker:Op*` on notebooks
/// `other-{j}`. The request (`sagemaker:Op{n/2}` on `nb-{n/2}`) matches exactly one statement; the decoys
/// match its action but not its resource; every other statement matches neither.
///
/// Cedar: one `permit` per statement with `action ==` / `resource ==`; the decoys use the action group
/// `Action::"sagemaker:Op*"`, of which the request's action is a member.
pub fn w3(n: usize) -> Scenario {
    let exact = n.saturating_sub(W3_DECOYS);
    let k = n / 2;
    let mut iam = String::with_capacity(n * 160);
    iam.push_str("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n");
    let mut cedar = String::with_capacity(n * 200);
    for i in 0..n {
        let (action, resource) = if i < exact {
            (format!("sagemaker:Op{i:05}"), notebook_arn(&format!("nb-{i:05}")))
        } else {
            ("sagemaker:Op*".to_string(), notebook_arn(&format!("other-{}", i - exact)))
        };
        if i > 0 {
            iam.push_str(",\n");
        }
        iam.push_str(&format!(
            r#"    {{"Sid": "S{i}", "Effect": "Allow", "Action": "{action}", "Resource": "{resource}"}}"#
        ));
        let op = if i < exact { "==" } else { "in" };
        cedar.push_str(&format!(
            "@id(\"S{i}\")\npermit(principal, action {op} Action::\"{action}\", resource == NotebookInstance::\"{resource}\");\n"
        ));
    }
    iam.push_str("\n  ]\n}\n");
    let action = format!("sagemaker:Op{k:05}");
    let resource = notebook_arn(&format!("nb-{k:05}"));
    Scenario {
        name: format!("W3 n={n}"),
        expect: Expect::Allow,
        statements: n,
        principal: PRINCIPAL.into(),
        iam_policies: vec![iam],
        context: vec![],
        cedar: Some(CedarSide {
            entities: entities("NotebookInstance", &resource, json!({}), &action, &["sagemaker:*", "sagemaker:Op*"]),
            policies: cedar,
            action: action.clone(),
            resource_type: "NotebookInstance".into(),
            context: json!({}),
        }),
        action,
        resource,
    }
}

/// W4's caller: a session of the Data Scientist role that Role Manager makes.
pub const W4_PRINCIPAL: &str = "arn:aws:sts::111122223333:assumed-role/sagemaker-data-scientist/alice";
/// W4's Role Manager parameters: fixed examples of what an administrator types.
pub const W4_BUCKET: &str = "example-ml-data";
pub const W4_PASS_ROLE: &str = "arn:aws:iam::111122223333:role/service-role/SageMakerComputeRole";
pub const W4_SUBNET: &str = "subnet-0a1b2c3d";
pub const W4_SECURITY_GROUP: &str = "sg-0a1b2c3d";
pub const W4_KMS_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// W4's identity policies, in attachment order: AWS's `AmazonSageMakerFullAccess` (the catalog's default
/// version), then every policy Role Manager plans for the Data Scientist persona (2022-12 catalogue: the
/// published persona whose every activity has a template), with the VPC and KMS variants. Each is
/// (name, document).
pub fn w4_policies() -> Result<Vec<(String, String)>, String> {
    let full = Catalog::get()
        .managed_policy_by_name("AmazonSageMakerFullAccess")
        .ok_or("the catalog has no AmazonSageMakerFullAccess")?;
    let mut out = vec![(full.name.to_string(), full.document.to_string())];
    let param = |name: &str, value: &str| (name.to_string(), vec![value.to_string()]);
    let req = RoleRequest {
        persona: Some("data-scientist".into()),
        catalogue: Catalogue::V2022_12,
        params: vec![
            param("S3Buckets", W4_BUCKET),
            param("PassRoles", W4_PASS_ROLE),
            param("VpcSubnets", W4_SUBNET),
            param("VpcSecurityGroups", W4_SECURITY_GROUP),
            param("DataKmsKeys", W4_KMS_KEY),
            param("VolumeKmsKeys", W4_KMS_KEY),
        ],
        region: Some("us-east-1".into()),
        account: Some(ACCOUNT.into()),
        timestamp_ms: 1_700_000_000_000,
        ..RoleRequest::default()
    };
    let plan = plan_role(&req).map_err(|e| format!("W4: Role Manager plan: {:?}", e.0))?;
    for p in &plan.policies {
        out.push((p.name.clone(), p.document.to_string()));
    }
    for m in &plan.managed {
        let doc = m.document.ok_or_else(|| format!("W4: no document for managed policy {}", m.arn))?;
        out.push((m.name.clone(), doc.to_string()));
    }
    Ok(out)
}

/// The keys every call of W4's caller carries (what `sagegate serve` adds: time, transport, region, source
/// address and the role session's principal keys).
fn w4_base_context() -> Context {
    let mut ctx = Context::new();
    for (k, v) in [
        ("aws:CurrentTime", "2026-11-22T10:23:33Z"),
        ("aws:EpochTime", "1795343013"),
        ("aws:SecureTransport", "true"),
        ("aws:RequestedRegion", "us-east-1"),
        ("aws:PrincipalIsAWSService", "false"),
        ("aws:ViaAWSService", "false"),
        ("aws:SourceIp", "10.0.12.34"),
        ("aws:PrincipalAccount", ACCOUNT),
        ("aws:PrincipalType", "AssumedRole"),
        ("aws:userid", "AROAEXAMPLEDATASCI0001:alice"),
        ("aws:PrincipalArn", "arn:aws:iam::111122223333:role/service-role/sagemaker-data-scientist"),
    ] {
        ctx.insert_single(k, v);
    }
    ctx
}

/// The checks SageMaker makes for one API call of W4's caller (`sagegate_sagemaker::plan`).
fn w4_checks(op: &str, body: &Value) -> Result<Vec<Check>, String> {
    let principal = Principal::parse(W4_PRINCIPAL).map_err(|e| e.to_string())?;
    let caller = Caller { principal, context: w4_base_context(), studio: None };
    plan(op, body, &Scope::new("us-east-1", ACCOUNT), &caller, &JsonState::default(), &CatalogSar::default())
        .map_err(|e| format!("W4: plan {op}: {e}"))
}

fn w4_context(ctx: &Context) -> Vec<(String, Ctx)> {
    ctx.iter()
        .map(|(k, v)| {
            let v = match v {
                ContextValue::Single(s) => Ctx::Single(s.clone()),
                ContextValue::Multi(m) => Ctx::Multi(m.clone()),
            };
            (k.to_string(), v)
        })
        .collect()
}

/// W4: `AmazonSageMakerFullAccess` plus Role Manager's Data Scientist policies (`w4_policies`, 7 policies),
/// compiled ahead, and five requests of a Data Scientist role session, with the context the server would
/// build (`sagegate_sagemaker::plan` for the SageMaker calls):
/// - `sagemaker:CreateTrainingJob` with instance type, VPC, KMS and runtime keys (Allow);
/// - the `iam:PassRole` of that call's execution role, `iam:PassedToService` set (Allow);
/// - `sagemaker:DescribeNotebookInstance` on a notebook ARN (Allow);
/// - `s3:GetObject` on an object of the Role Manager bucket (Allow; only the Data Scientist's S3 policy
///   grants it, as the bucket name has no `sagemaker` in it);
/// - `sagemaker:CreateDomain` (implicit deny: Full Access excludes domains, the persona grants none).
///
/// No Cedar form: IAM policy variables inside resource patterns and conditions (`${sagemaker:DomainId}`,
/// `${aws:PrincipalAccount}`), `NotResource` patterns over ARNs and `StringEqualsIgnoreCase` have no
/// Cedar equivalent (a Cedar `like` pattern is a literal, and entity ids cannot be matched by pattern).
pub fn w4() -> Result<Vec<Scenario>, String> {
    let policies: Vec<String> = w4_policies()?.into_iter().map(|(_, doc)| doc).collect();
    let statements = policies
        .iter()
        .map(|doc| {
            let v: Value = serde_json::from_str(doc).map_err(|e| format!("W4: policy JSON: {e}"))?;
            Ok(match v.get("Statement") {
                Some(Value::Array(a)) => a.len(),
                _ => 1,
            })
        })
        .sum::<Result<usize, String>>()?;

    let training = w4_checks(
        "CreateTrainingJob",
        &json!({
            "TrainingJobName": "churn-xgb-1",
            "RoleArn": W4_PASS_ROLE,
            "AlgorithmSpecification": {
                "TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                "TrainingInputMode": "File"
            },
            "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": format!("s3://{W4_BUCKET}/train/")}}}],
            "OutputDataConfig": {"S3OutputPath": format!("s3://{W4_BUCKET}/output/"), "KmsKeyId": W4_KMS_KEY},
            "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30,
                               "VolumeKmsKeyId": W4_KMS_KEY},
            "VpcConfig": {"Subnets": [W4_SUBNET], "SecurityGroupIds": [W4_SECURITY_GROUP]},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600}
        }),
    )?;
    let describe = w4_checks("DescribeNotebookInstance", &json!({"NotebookInstanceName": "ds-notebook"}))?;
    let domain = w4_checks(
        "CreateDomain",
        &json!({"DomainName": "ds-domain", "AuthMode": "IAM", "VpcId": "vpc-0a1b2c3d", "SubnetIds": [W4_SUBNET],
                "DefaultUserSettings": {"ExecutionRole": W4_PASS_ROLE}}),
    )?;
    let first = |checks: &[Check], kind: CheckKind| -> Result<Check, String> {
        checks.iter().find(|c| c.kind == kind).cloned().ok_or_else(|| format!("W4: no {kind:?} check"))
    };
    let mut object = w4_base_context();
    object.insert_single("s3:ExistingObjectTag/project", "churn");
    let cases = [
        ("CreateTrainingJob allow", first(&training, CheckKind::Action)?, Expect::Allow),
        ("iam:PassRole allow", first(&training, CheckKind::PassRole)?, Expect::Allow),
        ("DescribeNotebookInstance allow", first(&describe, CheckKind::Action)?, Expect::Allow),
        (
            "s3:GetObject allow",
            Check {
                kind: CheckKind::Action,
                action: "s3:GetObject".into(),
                resource: format!("arn:aws:s3:::{W4_BUCKET}/train/part-0001.csv"),
                resource_account: None,
                context: object,
                expansions: Vec::new(),
            },
            Expect::Allow,
        ),
        ("CreateDomain deny", first(&domain, CheckKind::Action)?, Expect::Deny),
    ];
    cases
        .into_iter()
        .map(|(label, check, expect)| {
            if !check.expansions.is_empty() {
                return Err(format!("W4 {label}: a check with R6 expansions is not one decision"));
            }
            Ok(Scenario {
                name: format!("W4 {label}"),
                expect,
                statements,
                principal: W4_PRINCIPAL.into(),
                iam_policies: policies.clone(),
                action: check.action,
                resource: check.resource,
                context: w4_context(&check.context),
                cedar: None,
            })
        })
        .collect()
}

/// Every scenario, in table order.
pub fn all() -> Result<Vec<Scenario>, String> {
    let mut v = vec![w1("A"), w1("B"), w2(&["ml.c5.xlarge"]), w2(&["ml.c5.xlarge", "ml.p3.2xlarge"])];
    v.extend(W3_SIZES.iter().map(|&n| w3(n)));
    v.extend(w4()?);
    Ok(v)
}
