//! Role Manager acceptance tests (spec `role-manager.md` §12): golden expansions of every template,
//! variant and version in both layouts; every generated document through sagegate's validator; the
//! evaluation scenarios through the engine and through `plan`/`decide`; the checks of §7 and §9.
//!
//! Golden files live in `tests/role-manager-golden/`. After a reviewed change, regenerate them with
//! `UPDATE_GOLDEN=1 cargo test -p sagegate-sagemaker --test role_manager`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use sagegate_catalog::Catalog;
use sagegate_policy::case::{Case, CaseBody};
use sagegate_policy::{evaluate, validate_with, Decision, PolicyKind, Request};
use sagegate_sagemaker::role_manager::{
    self, export, plan_role, templates, Catalogue, Layout, Param, RoleError, RolePlan, RoleRequest, TemplateVersion,
};
use sagegate_sagemaker::{decide, plan, CallOutcome, Caller, CatalogSar, JsonState, Scope, StudioSession};
use serde_json::{json, Value};

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
const TIMESTAMP: u64 = 1_700_000_000_000;
const COMPUTE_ROLE: &str = "arn:aws:iam::111122223333:role/service-role/sagemaker-compute-role";
const OTHER_ROLE: &str = "arn:aws:iam::111122223333:role/OtherExecutionRole";
const SUBNETS: [&str; 2] = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"];
const SECURITY_GROUP: &str = "sg-0123abcd";
const DATA_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1111aaaa-11aa-11aa-11aa-111111aaaaaa";
const VOLUME_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/2222bbbb-22bb-22bb-22bb-222222bbbbbb";

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/role-manager-golden")
}

/// The fixed value(s) of every parameter.
fn fixed(p: Param) -> Vec<String> {
    let v: &[&str] = match p {
        Param::S3Buckets => &["amzn-s3-demo-bucket", "amzn-s3-demo-bucket-2"],
        Param::EcrRepoArns => &["arn:aws:ecr:us-east-1:111122223333:repository/training"],
        Param::PassRoles => &[COMPUTE_ROLE],
        Param::WorkGroupNames => &["primary"],
        Param::GlueDbNames => &["sagemaker_featurestore", "analytics"],
        Param::KendraIndexIds => &["0123abcd-0123-abcd-0123-0123456789ab"],
        Param::VpcSubnets => &SUBNETS,
        Param::VpcSecurityGroups => &[SECURITY_GROUP],
        Param::DataKmsKeys => &[DATA_KEY],
        Param::VolumeKmsKeys => &[VOLUME_KEY],
    };
    v.iter().map(|s| s.to_string()).collect()
}

fn base_request() -> RoleRequest {
    RoleRequest {
        region: Some(REGION.into()),
        account: Some(ACCOUNT.into()),
        timestamp_ms: TIMESTAMP,
        ..RoleRequest::default()
    }
}

fn with_params(mut req: RoleRequest, params: &[Param]) -> RoleRequest {
    for p in params {
        req.params.push((p.name().to_string(), fixed(*p)));
    }
    req
}

fn must_plan(req: &RoleRequest) -> RolePlan {
    plan_role(req).unwrap_or_else(|e| panic!("{e}"))
}

fn errors_of(req: &RoleRequest) -> Vec<RoleError> {
    match plan_role(req) {
        Ok(p) => panic!("expected errors, planned {}", p.role_name),
        Err(e) => e.0,
    }
}

/// The activity whose stem the template name starts with.
fn activity_of(template: &str) -> &'static role_manager::Activity {
    role_manager::ACTIVITIES
        .iter()
        .filter(|a| !a.stem().is_empty() && (template == a.stem() || template.starts_with(&format!("{}_", a.stem()))))
        .max_by_key(|a| a.stem().len())
        .unwrap_or_else(|| panic!("no activity for template {template}"))
}

/// The request that selects exactly this template: its activity and version, the customisations
/// its name asks for, and the fixed values of every parameter it uses.
fn request_for(t: &role_manager::Template, layout: Layout) -> RoleRequest {
    let a = activity_of(&t.name);
    let mut params: Vec<Param> = Vec::new();
    let (_, multi) = role_manager::expand::placeholders(&t.document);
    for m in multi {
        params.push(Param::parse(&m).unwrap());
    }
    let mut req = base_request();
    req.layout = layout;
    req.role_suffix = Some(format!("golden-{}", a.id));
    req.activities.push(format!("{}@{}", a.id, t.version));
    // Canvas Kendra Access cannot be selected alone (§7).
    req.fix_dependencies = true;
    if t.name.contains("_VPC") {
        params.extend([Param::VpcSubnets, Param::VpcSecurityGroups]);
    }
    if t.name.ends_with("_KMS") {
        params.extend([Param::DataKmsKeys, Param::VolumeKmsKeys]);
    }
    params.sort();
    params.dedup();
    with_params(req, &params)
}

fn golden_name(t: &role_manager::Template) -> String {
    let file = t.file.rsplit('/').next().unwrap().trim_end_matches(".json");
    let origin = if t.file.starts_with("console/") { "console" } else { "cdk" };
    format!("template-{origin}-{file}.json")
}

/// The persona plans kept as golden files (both catalogues; the `current` Data Scientist needs its
/// F13 repairs to be plannable at all).
fn persona_requests() -> Vec<(String, RoleRequest)> {
    let mut out = Vec::new();
    for (persona, catalogue) in [
        ("data-scientist", Catalogue::V2022_12),
        ("mlops-engineer", Catalogue::V2022_12),
        ("mlops-engineer", Catalogue::Current),
        ("compute-role", Catalogue::V2022_12),
        ("compute-role", Catalogue::Current),
        ("data-scientist", Catalogue::Current),
    ] {
        let mut req = with_params(
            base_request(),
            &[Param::S3Buckets, Param::EcrRepoArns, Param::PassRoles, Param::GlueDbNames, Param::KendraIndexIds],
        );
        req.persona = Some(persona.into());
        req.catalogue = catalogue;
        req.params.retain(|(name, _)| {
            let p = Param::parse(name).unwrap();
            match (persona, catalogue) {
                ("data-scientist", Catalogue::V2022_12) => matches!(p, Param::S3Buckets | Param::PassRoles),
                ("data-scientist", Catalogue::Current) => {
                    matches!(p, Param::S3Buckets | Param::PassRoles | Param::GlueDbNames | Param::KendraIndexIds)
                }
                ("mlops-engineer", _) => p == Param::PassRoles,
                _ => matches!(p, Param::S3Buckets | Param::EcrRepoArns),
            }
        });
        if persona == "data-scientist" && catalogue == Catalogue::Current {
            req.without.push("run-studio-emr-serverless".into());
            req.fix_dependencies = true;
        }
        out.push((format!("persona-{persona}-{catalogue}.json"), req));
    }
    out
}

#[test]
fn there_are_28_cdk_templates_and_5_console_ones() {
    let all = templates::all().unwrap();
    let cdk = all.iter().filter(|t| t.provenance == role_manager::Provenance::Cdk).count();
    assert_eq!(cdk, 28, "spec §1: 28 CDK templates");
    assert_eq!(all.len() - cdk, 5);
    // Every data file is embedded, and nothing else.
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/role-manager");
    let mut on_disk = Vec::new();
    for dir in ["cdk/templates", "console"] {
        for e in std::fs::read_dir(data.join(dir)).unwrap() {
            on_disk.push(format!("{dir}/{}", e.unwrap().file_name().to_string_lossy()));
        }
    }
    on_disk.sort();
    let mut embedded: Vec<String> = templates::FILES.iter().map(|(f, _)| f.to_string()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded);
}

#[test]
fn golden_expansions_of_every_template_variant_and_version_in_both_layouts() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let dir = golden_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    for t in templates::all().unwrap() {
        let mut both = serde_json::Map::new();
        for layout in [Layout::Console, Layout::Cdk] {
            let plan = must_plan(&request_for(t, layout));
            let own: Vec<_> = plan.policies.iter().filter(|p| p.activity == activity_of(&t.name).id).collect();
            assert_eq!(own.len(), 1, "{}", t.name);
            assert_eq!(own[0].template, t.name, "variant selection for {}", t.file);
            assert_eq!(own[0].version, t.version);
            both.insert(layout.name().into(), plan.to_json());
        }
        let mut text = serde_json::to_string_pretty(&Value::Object(both)).unwrap();
        text.push('\n');
        expected.insert(golden_name(t), text);
    }
    for (name, req) in persona_requests() {
        let mut console = req.clone();
        console.layout = Layout::Console;
        let mut cdk = req;
        cdk.layout = Layout::Cdk;
        let v = json!({"console": must_plan(&console).to_json(), "cdk": must_plan(&cdk).to_json()});
        let mut text = serde_json::to_string_pretty(&v).unwrap();
        text.push('\n');
        expected.insert(name, text);
    }
    // The exports of one persona plan, byte for byte.
    let (_, mut req) = persona_requests().remove(0);
    req.params.push(("VpcSubnets".into(), fixed(Param::VpcSubnets)));
    req.params.push(("VpcSecurityGroups".into(), fixed(Param::VpcSecurityGroups)));
    let plan = must_plan(&req);
    expected.insert("export-data-scientist-2022-12-vpc.cloudformation.json".into(), export::cloudformation(&plan));
    expected.insert("export-data-scientist-2022-12-vpc.tf".into(), export::terraform(&plan));
    req.layout = Layout::Cdk;
    let plan = must_plan(&req);
    expected.insert("export-data-scientist-2022-12-vpc-cdk.cloudformation.json".into(), export::cloudformation(&plan));
    expected.insert("export-data-scientist-2022-12-vpc-cdk.tf".into(), export::terraform(&plan));

    let mut failures = Vec::new();
    for (name, text) in &expected {
        let path = dir.join(name);
        if update {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                std::fs::write(&path, text).unwrap();
            }
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(have) if have == *text => {}
            Ok(_) => failures.push(format!("{name}: differs from the expansion")),
            Err(_) => failures.push(format!("{name}: missing")),
        }
    }
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if !expected.contains_key(&name) {
            if update {
                std::fs::remove_file(dir.join(&name)).unwrap();
            } else {
                failures.push(format!("{name}: stale golden file"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden files differ (rerun with UPDATE_GOLDEN=1 after review):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(expected.len() >= 33 + 6 + 4);
}

/// Validator findings that are expected on generated documents: (template, code, why). None comes
/// from F1–F13 (F1 and F3 are prevented by requiring parameters and key ARNs; the others are not
/// malformations); the entries are gaps of the validator or the catalog, reported as such.
const EXPECTED_FINDINGS: &[(&str, &str, &str)] = &[
    (
        "SM_MLflowTrackingExecutionRole",
        "wildcard-resource-type",
        "validator false positive: in arn:aws:s3:::sagemaker-*/* the first segment is a bucket name, not a resource type",
    ),
    (
        "AmazonSageMakerCanvasFullAccess",
        "LimitExceeded",
        "AWS managed policies are not bound by the 6,144-character quota of customer managed policies",
    ),
    (
        "AmazonSageMakerCanvasDataPrepFullAccess",
        "LimitExceeded",
        "AWS managed policies are not bound by the 6,144-character quota of customer managed policies",
    ),
    (
        "AmazonSageMakerCanvasFullAccess",
        "unknown-condition-key",
        "catalog gap: secretsmanager:ResourceTag/${TagKey} is missing from the catalog's pattern keys",
    ),
];

#[test]
fn every_generated_document_passes_the_validator_except_the_listed_flaws() {
    let catalog = Catalog::get();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut check = |label: &str, template: &str, text: &str, kind: PolicyKind| {
        checked += 1;
        let v = validate_with(text, kind, Some(catalog));
        for d in v.error.iter().chain(&v.warnings) {
            if !EXPECTED_FINDINGS.iter().any(|(t, code, _)| *t == template && *code == d.code) {
                failures.push(format!("{label}: unexpected {} {}", d.code, d.message));
            }
        }
    };
    for t in templates::all().unwrap() {
        for layout in [Layout::Console, Layout::Cdk] {
            let plan = must_plan(&request_for(t, layout));
            for p in &plan.policies {
                let kind = if layout == Layout::Console { PolicyKind::Managed } else { PolicyKind::Identity };
                check(&format!("{} ({})", p.name, layout.name()), &p.template, &p.document.to_string(), kind);
            }
            check(
                &format!("trust policy of {} ({})", t.name, layout.name()),
                "trust",
                &plan.trust_policy.to_string(),
                PolicyKind::Trust,
            );
        }
    }
    for a in role_manager::ACTIVITIES {
        if let role_manager::Source::Managed { name, .. } = a.source {
            let m = catalog.managed_policy_by_name(name).unwrap();
            check(name, name, m.document, PolicyKind::Managed);
        }
    }
    assert!(checked > 70);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ----- evaluation scenarios (§12) ---------------------------------------------------------------

/// A role session of the planned role.
fn session_principal(plan: &RolePlan) -> String {
    format!("arn:aws:sts::{ACCOUNT}:assumed-role/{}/SageMaker", plan.role_name)
}

/// Decides one SageMaker API call made by a session of the planned role.
fn call(role: &RolePlan, op: &str, body: Value, studio: Option<StudioSession>, state: Value) -> CallOutcome {
    let mut identity: Vec<Value> =
        role.policies.iter().map(|p| json!({"name": p.name, "document": p.document})).collect();
    for m in &role.managed {
        let doc: Value = serde_json::from_str(m.document.unwrap()).unwrap();
        identity.push(json!({"name": m.name, "document": doc}));
    }
    let case = json!({
        "request": {
            "principal": {"arn": session_principal(role), "roleArn": format!("arn:aws:iam::{ACCOUNT}:role/service-role/{}", role.role_name)},
            "action": format!("sagemaker:{op}"),
            "resource": "*",
            "context": {
                "aws:RequestedRegion": REGION,
                "aws:SecureTransport": "true",
                "aws:ViaAWSService": "false",
                "aws:CurrentTime": "2026-10-01T12:00:00Z",
                "aws:EpochTime": "1790856000",
                "aws:SourceIp": "192.0.2.10",
            },
        },
        "identityPolicies": identity,
    });
    let case = Case::from_value(&case).unwrap();
    let CaseBody::Decision(d) = &case.body else { panic!("not a decision case") };
    let policies = d.policy_set().unwrap();
    let principal = d.request.principal.clone();
    let mut context = d.request.context.clone();
    if let Some(st) = &studio {
        context.insert_single("sagemaker:DomainId", st.domain_id.clone());
        if let Some(p) = &st.user_profile_name {
            context.insert_single("sagemaker:UserProfileName", p.clone());
        }
    }
    let caller = Caller { principal: principal.clone(), context, studio };
    let state = JsonState::from_value(&state).unwrap();
    let checks = plan(op, &body, &Scope::new(REGION, ACCOUNT), &caller, &state, &CatalogSar::default()).unwrap();
    decide(checks, &principal, &policies)
}

fn outcome_summary(o: &CallOutcome) -> String {
    o.decisions
        .iter()
        .map(|(c, d)| format!("{} on {} -> {}", c.action, c.resource, d.kind().as_str()))
        .collect::<Vec<_>>()
        .join("; ")
}

fn assert_allowed(o: &CallOutcome) {
    assert!(o.allowed(), "expected Allow: {} ({:?})", outcome_summary(o), o.message);
}

/// Denied, with the first failing check on `action`.
fn assert_denied_on(o: &CallOutcome, action: &str) {
    let (c, d) = o
        .failed
        .and_then(|i| o.decisions.get(i))
        .unwrap_or_else(|| panic!("expected a denial: {}", outcome_summary(o)));
    assert_eq!(c.action, action, "{}", outcome_summary(o));
    assert!(!d.is_allowed());
    assert!(o.message.as_deref().is_some_and(|m| m.contains("is not authorized to perform")));
}

fn training_job(
    role: &str,
    vpc: Option<(&[&str], &[&str])>,
    volume_key: Option<&str>,
    output_key: Option<&str>,
) -> Value {
    let mut body = json!({
        "TrainingJobName": "tj1",
        "AlgorithmSpecification": {"TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", "TrainingInputMode": "File"},
        "RoleArn": role,
        "OutputDataConfig": {"S3OutputPath": "s3://amzn-s3-demo-bucket/output/"},
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    });
    if let Some((subnets, groups)) = vpc {
        body["VpcConfig"] = json!({"Subnets": subnets, "SecurityGroupIds": groups});
    }
    if let Some(k) = volume_key {
        body["ResourceConfig"]["VolumeKmsKeyId"] = json!(k);
    }
    if let Some(k) = output_key {
        body["OutputDataConfig"]["KmsKeyId"] = json!(k);
    }
    body
}

fn data_scientist(params: &[Param]) -> RolePlan {
    let mut req = with_params(base_request(), params);
    req.persona = Some("data-scientist".into());
    req.catalogue = Catalogue::V2022_12;
    must_plan(&req)
}

#[test]
fn data_scientist_may_pass_the_compute_role_and_no_other() {
    let plan = data_scientist(&[Param::S3Buckets, Param::PassRoles]);
    assert_allowed(&call(&plan, "CreateTrainingJob", training_job(COMPUTE_ROLE, None, None, None), None, json!({})));
    let o = call(&plan, "CreateTrainingJob", training_job(OTHER_ROLE, None, None, None), None, json!({}));
    assert_denied_on(&o, "iam:PassRole");
    assert_eq!(o.decisions[o.failed.unwrap()].0.resource, OTHER_ROLE);
    // The same role also passes to CreateModel (Manage Models).
    let model = json!({"ModelName": "m1", "ExecutionRoleArn": COMPUTE_ROLE,
        "PrimaryContainer": {"Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"}});
    assert_allowed(&call(&plan, "CreateModel", model, None, json!({})));
}

#[test]
fn vpc_variant_allows_training_only_inside_the_configured_vpc() {
    let plan = data_scientist(&[Param::S3Buckets, Param::PassRoles, Param::VpcSubnets, Param::VpcSecurityGroups]);
    assert!(plan.policies.iter().any(|p| p.template == "SM_CommonJobManagement_VPC"));
    let inside = training_job(COMPUTE_ROLE, Some((&SUBNETS, &[SECURITY_GROUP])), None, None);
    assert_allowed(&call(&plan, "CreateTrainingJob", inside, None, json!({})));
    let one_subnet = training_job(COMPUTE_ROLE, Some((&SUBNETS[..1], &[SECURITY_GROUP])), None, None);
    assert_allowed(&call(&plan, "CreateTrainingJob", one_subnet, None, json!({})));
    let none = training_job(COMPUTE_ROLE, None, None, None);
    assert_denied_on(&call(&plan, "CreateTrainingJob", none, None, json!({})), "sagemaker:CreateTrainingJob");
    let outside =
        training_job(COMPUTE_ROLE, Some((&["subnet-0a1b2c3d", "subnet-99999999"], &[SECURITY_GROUP])), None, None);
    assert_denied_on(&call(&plan, "CreateTrainingJob", outside, None, json!({})), "sagemaker:CreateTrainingJob");
    let other_group = training_job(COMPUTE_ROLE, Some((&SUBNETS, &["sg-ffffffff"])), None, None);
    assert_denied_on(&call(&plan, "CreateTrainingJob", other_group, None, json!({})), "sagemaker:CreateTrainingJob");
}

#[test]
fn kms_variant_denies_training_without_the_volume_key() {
    let plan = data_scientist(&[Param::S3Buckets, Param::PassRoles, Param::DataKmsKeys, Param::VolumeKmsKeys]);
    assert!(plan.policies.iter().any(|p| p.template == "SM_CommonJobManagement_KMS"));
    assert!(plan.notes.iter().any(|n| n.id == "F4"));
    let both = training_job(COMPUTE_ROLE, None, Some(VOLUME_KEY), Some(DATA_KEY));
    assert_allowed(&call(&plan, "CreateTrainingJob", both, None, json!({})));
    let no_volume = training_job(COMPUTE_ROLE, None, None, Some(DATA_KEY));
    assert_denied_on(&call(&plan, "CreateTrainingJob", no_volume, None, json!({})), "sagemaker:CreateTrainingJob");
    let wrong_volume = training_job(COMPUTE_ROLE, None, Some(DATA_KEY), Some(DATA_KEY));
    assert_denied_on(&call(&plan, "CreateTrainingJob", wrong_volume, None, json!({})), "sagemaker:CreateTrainingJob");
}

#[test]
fn vpc_and_kms_together_need_both_condition_sets() {
    let plan = data_scientist(&[
        Param::S3Buckets,
        Param::PassRoles,
        Param::VpcSubnets,
        Param::VpcSecurityGroups,
        Param::DataKmsKeys,
        Param::VolumeKmsKeys,
    ]);
    assert!(plan.policies.iter().any(|p| p.template == "SM_CommonJobManagement_VPC_KMS"));
    let good = training_job(COMPUTE_ROLE, Some((&SUBNETS, &[SECURITY_GROUP])), Some(VOLUME_KEY), Some(DATA_KEY));
    assert_allowed(&call(&plan, "CreateTrainingJob", good, None, json!({})));
    let no_vpc = training_job(COMPUTE_ROLE, None, Some(VOLUME_KEY), Some(DATA_KEY));
    assert_denied_on(&call(&plan, "CreateTrainingJob", no_vpc, None, json!({})), "sagemaker:CreateTrainingJob");
    let no_key = training_job(COMPUTE_ROLE, Some((&SUBNETS, &[SECURITY_GROUP])), None, Some(DATA_KEY));
    assert_denied_on(&call(&plan, "CreateTrainingJob", no_key, None, json!({})), "sagemaker:CreateTrainingJob");
}

#[test]
fn the_engine_decides_the_vpc_condition_directly() {
    // The same question without the planner: one request, the keys SageMaker would send.
    let plan = data_scientist(&[Param::S3Buckets, Param::PassRoles, Param::VpcSubnets, Param::VpcSecurityGroups]);
    let docs: Vec<Value> = plan.policies.iter().map(|p| json!({"name": p.name, "document": p.document})).collect();
    let case = |ctx: Value| {
        let c = json!({"request": {"principal": session_principal(&plan), "action": "sagemaker:CreateTrainingJob",
            "resource": "arn:aws:sagemaker:us-east-1:111122223333:training-job/tj1", "context": ctx},
            "identityPolicies": docs});
        let c = Case::from_value(&c).unwrap();
        let CaseBody::Decision(d) = &c.body else { panic!() };
        let r: &Request = &d.request;
        evaluate(&d.policy_set().unwrap(), r)
    };
    assert_eq!(
        case(json!({"sagemaker:VpcSubnets": SUBNETS, "sagemaker:VpcSecurityGroupIds": [SECURITY_GROUP]})),
        Decision::Allow
    );
    assert!(!case(json!({})).is_allowed(), "ForAllValues without the Null guard would hold vacuously");
    assert!(!case(
        json!({"sagemaker:VpcSubnets": ["subnet-99999999"], "sagemaker:VpcSecurityGroupIds": [SECURITY_GROUP]})
    )
    .is_allowed());
}

fn studio_plan() -> RolePlan {
    let mut req = base_request();
    req.activities.push("run-studio-apps@console".into());
    must_plan(&req)
}

fn spaces() -> Value {
    json!({"spaces": [
        {"domainId": "d-abc000000001", "spaceName": "sp1", "ownerUserProfileName": "alice", "sharingType": "Private"},
        {"domainId": "d-abc000000001", "spaceName": "sp-bob", "ownerUserProfileName": "bob", "sharingType": "Private"},
    ]})
}

fn alice() -> Option<StudioSession> {
    Some(StudioSession {
        domain_id: "d-abc000000001".into(),
        user_profile_name: Some("alice".into()),
        space_name: None,
    })
}

fn create_space(name: &str, owner: &str) -> Value {
    json!({"DomainId": "d-abc000000001", "SpaceName": name, "OwnershipSettings": {"OwnerUserProfileName": owner},
        "SpaceSharingSettings": {"SharingType": "Private"}, "SpaceSettings": {"AppType": "JupyterLab"}})
}

#[test]
fn console_studio_template_keeps_users_to_their_own_private_spaces() {
    let plan = studio_plan();
    assert_eq!(plan.policies[0].template, "SM_StudioAppPermissions");
    assert_eq!(plan.policies[0].version, TemplateVersion::Console);
    assert_allowed(&call(&plan, "CreateSpace", create_space("sp-alice-2", "alice"), alice(), spaces()));
    assert_denied_on(
        &call(&plan, "CreateSpace", create_space("sp-for-bob", "bob"), alice(), spaces()),
        "sagemaker:CreateSpace",
    );
    let delete_bob = json!({"DomainId": "d-abc000000001", "SpaceName": "sp-bob"});
    assert_denied_on(&call(&plan, "DeleteSpace", delete_bob, alice(), spaces()), "sagemaker:DeleteSpace");
}

#[test]
fn console_studio_template_allows_add_tags_only_on_create() {
    let plan = studio_plan();
    // Tags on CreateSpace: tag-on-create, allowed.
    let mut tagged = create_space("sp-alice-3", "alice");
    tagged["Tags"] = json!([{"Key": "team", "Value": "a"}]);
    let o = call(&plan, "CreateSpace", tagged, alice(), spaces());
    assert_allowed(&o);
    assert!(o.decisions.iter().any(|(c, _)| c.action == "sagemaker:AddTags"));
    // AddTags on an existing space: no sagemaker:TaggingAction, denied.
    let add = json!({"ResourceArn": "arn:aws:sagemaker:us-east-1:111122223333:space/d-abc000000001/sp1",
        "Tags": [{"Key": "team", "Value": "a"}]});
    assert_denied_on(&call(&plan, "AddTags", add, alice(), spaces()), "sagemaker:AddTags");
}

#[test]
fn canvas_ai_services_without_core_or_data_prep_is_a_dependency_error() {
    let mut req = base_request();
    req.activities = vec!["run-studio-apps".into(), "canvas-ai-services".into()];
    let errors = errors_of(&req);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let RoleError::MissingDependency { activity, needs } = &errors[0] else { panic!("{errors:?}") };
    assert!(activity.starts_with("canvas-ai-services"));
    assert_eq!(needs, "canvas-core-access (Canvas Core Access) or canvas-data-prep (Canvas Data Preparation (powered by Data Wrangler))");
    // Without Run Studio too: both dependencies are reported.
    req.activities = vec!["canvas-ai-services".into()];
    assert_eq!(errors_of(&req).len(), 2);
    // With Data Preparation it plans, and the managed policies come from the catalog.
    req.activities = vec!["run-studio-apps".into(), "canvas-data-prep".into(), "canvas-ai-services".into()];
    let plan = must_plan(&req);
    let arns: Vec<&str> = plan.managed.iter().map(|m| m.arn.as_str()).collect();
    assert_eq!(
        arns,
        [
            "arn:aws:iam::aws:policy/AmazonSageMakerCanvasDataPrepFullAccess",
            "arn:aws:iam::aws:policy/AmazonSageMakerCanvasAIServicesAccess"
        ]
    );
    assert_eq!(plan.managed[0].version_id.as_deref(), Some("v4"));
    // --fix-dependencies adds Canvas Core Access and says so.
    req.activities = vec!["canvas-mlops".into()];
    req.fix_dependencies = true;
    let plan = must_plan(&req);
    let ids: Vec<&str> = plan.activities.iter().map(|a| a.activity.id).collect();
    assert_eq!(ids, ["run-studio-apps", "canvas-core-access", "canvas-mlops"]);
    assert_eq!(plan.notes.iter().filter(|n| n.id == "fix").count(), 2);
    assert!(plan.notes.iter().any(|n| n.id == "F12"));
}

/// Ten customer managed policies plus one managed: eleven in all.
fn eleven_policy_request() -> RoleRequest {
    let mut req = with_params(
        base_request(),
        &[Param::S3Buckets, Param::EcrRepoArns, Param::PassRoles, Param::WorkGroupNames, Param::GlueDbNames],
    );
    req.activities = [
        "access-aws-services",
        "run-studio-apps",
        "manage-ml-jobs",
        "manage-models",
        "manage-endpoints",
        "manage-pipelines",
        "manage-experiments",
        "search-experiments",
        "manage-model-monitoring",
        "s3-bucket-access",
    ]
    .map(String::from)
    .to_vec();
    req.extra_managed_policies.push("AmazonSageMakerFullAccess".into());
    req
}

#[test]
fn quota_is_checked_before_anything_and_can_be_raised_to_20() {
    let req = eleven_policy_request();
    let errors = errors_of(&req);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].to_string(),
        "role would need 11 managed policies (10 activities + 1 additional); quota PoliciesPerRole is 10"
    );
    assert!(errors[0].help().unwrap().contains("SM_CommonJobManagement"));
    let mut raised = req.clone();
    raised.max_managed_policies = 20;
    let plan = must_plan(&raised);
    assert_eq!(plan.managed_policy_count, 11);
    let mut too_high = req.clone();
    too_high.max_managed_policies = 25;
    assert!(matches!(errors_of(&too_high)[..], [RoleError::QuotaOutOfRange(25)]));
    // The CDK layout uses inline policies, which do not count.
    let mut cdk = req;
    cdk.layout = Layout::Cdk;
    assert_eq!(must_plan(&cdk).managed_policy_count, 1);
}

#[test]
fn current_data_scientist_preset_breaks_the_rules_of_section_7_and_9() {
    let mut req =
        with_params(base_request(), &[Param::S3Buckets, Param::PassRoles, Param::GlueDbNames, Param::KendraIndexIds]);
    req.persona = Some("data-scientist".into());
    let errors = errors_of(&req);
    let deps = errors.iter().filter(|e| matches!(e, RoleError::MissingDependency { .. })).count();
    assert_eq!(deps, 3, "Canvas AI Services, MLOps and Kendra need Core or Data Prep: {errors:?}");
    assert!(errors.iter().any(|e| matches!(e, RoleError::Unavailable(..))), "row 22 has no template");
    // Fixed: 11 policies, one over the default quota, and 3 over the domain limit (F13).
    req.fix_dependencies = true;
    req.for_domain = true;
    let errors = errors_of(&req);
    assert!(
        matches!(
            errors[..],
            [RoleError::Unavailable(..), RoleError::DomainLimit(11), RoleError::Quota { total: 11, quota: 10, .. }]
        ),
        "{errors:?}"
    );
    // Without the activity that has no template, ten: within the quota, still over the domain limit.
    req.without.push("run-studio-emr-serverless".into());
    assert!(matches!(errors_of(&req)[..], [RoleError::DomainLimit(10)]));
    req.for_domain = false;
    let plan = must_plan(&req);
    assert_eq!(plan.managed_policy_count, 10);
    assert!(plan.notes.iter().any(|n| n.id == "F13"));
}

#[test]
fn every_violation_is_reported_at_once() {
    let mut req = base_request();
    req.activities = vec![
        "manage-ml-jobs".into(),
        "manage-ml-jobs@1".into(),
        "no-such-activity".into(),
        "s3-full-access@7".into(),
        "query-athena-workgroups".into(),
    ];
    req.params = vec![
        ("VpcSubnets".into(), vec!["subnet-0a1b".into()]),
        ("S3Buckets".into(), vec!["Not A Bucket".into()]),
        ("Colour".into(), vec!["red".into()]),
    ];
    req.role_suffix = Some("x".repeat(70));
    let errors = errors_of(&req);
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    for want in [
        "manage-ml-jobs (Manage ML Jobs) is selected twice",
        "unknown ML activity `no-such-activity`",
        "s3-full-access has no template version 7",
        "unknown parameter `Colour`",
        "`Not A Bucket` is not valid for S3Buckets",
        "VPC customisation needs at least one subnet and at least one security group",
        "manage-ml-jobs (Manage ML Jobs) needs the parameter PassRoles",
        "query-athena-workgroups (Query Athena Workgroups) needs the parameter WorkGroupNames",
        "role name `sagemaker-xxx",
    ] {
        assert!(text.iter().any(|t| t.contains(want)), "missing `{want}` in {text:#?}");
    }
    let all = role_manager::PlanErrors(errors).to_string();
    assert!(all.starts_with("the role cannot be planned ("), "{all}");
    assert!(all.contains("help: pass `--param PassRoles=VALUE[,VALUE…]`"), "{all}");
}

#[test]
fn kms_key_ids_are_rejected_and_customisations_apply_only_where_supported() {
    let mut req = with_params(base_request(), &[Param::S3Buckets]);
    req.activities = vec!["s3-bucket-access".into()];
    req.params.push(("dataKeys".into(), vec!["1234abcd-12ab-34cd-56ef-1234567890ab".into()]));
    req.params.push(("volumeKeys".into(), vec![VOLUME_KEY.into()]));
    let errors = errors_of(&req);
    assert!(matches!(&errors[..], [RoleError::InvalidValue(m)] if m.contains("F3")), "{errors:?}");
    // S3 Bucket Access has no KMS variant: the customisation is silently ignored (§4).
    req.params.retain(|(n, _)| n != "dataKeys");
    req.params.push(("DataKmsKeys".into(), vec![DATA_KEY.into()]));
    let plan = must_plan(&req);
    assert_eq!(plan.policies[0].template, "SageMakerS3BucketPolicyTemplate");
    // Run Studio v2 has no KMS variant either, v1 has.
    req.activities = vec!["run-studio-apps@2".into()];
    assert_eq!(must_plan(&req).policies[0].template, "SM_StudioAppPermissions");
    req.activities = vec!["run-studio-apps@1".into()];
    req.params.push(("PassRoles".into(), vec![COMPUTE_ROLE.into()]));
    let plan = must_plan(&req);
    assert_eq!(plan.policies[0].template, "SM_StudioAppPermissions_KMS");
    assert!(plan.notes.iter().any(|n| n.id == "F7"), "PassRoles is unused by the KMS variant");
}

#[test]
fn expansion_follows_section_4() {
    let plan = data_scientist(&[Param::S3Buckets, Param::PassRoles]);
    let s3 = plan.policies.iter().find(|p| p.template == "SageMakerS3BucketPolicyTemplate").unwrap();
    assert_eq!(s3.name, "SageMakerS3BucketPolicyTemplate_1700000000000");
    assert_eq!(s3.path, "/service-role/");
    assert_eq!(
        s3.document["Statement"][1]["Resource"],
        json!(["arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket-2/*"])
    );
    assert_eq!(plan.role_name, "sagemaker-data-scientist");
    assert_eq!(
        plan.trust_policy["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"],
        "arn:aws:sagemaker:us-east-1:111122223333:*"
    );
    let names: Vec<&str> = plan.policies.iter().map(|p| p.template.as_str()).collect();
    assert_eq!(
        names,
        [
            "SM_StudioAppPermissions",
            "SM_CommonJobManagement",
            "SM_ModelManagement",
            "SM_ExperimentsManagement",
            "SM_ExperimentsVisualization",
            "SageMakerS3BucketPolicyTemplate"
        ],
        "spec §2: the policies of the 2022-12 Data Scientist"
    );
    // CDK layout: SageMaker-<suffix>, inline <stem>_V<version>_<ms>, the first activity's trust.
    let mut req = with_params(base_request(), &[Param::GlueDbNames, Param::S3Buckets]);
    req.layout = Layout::Cdk;
    req.role_suffix = Some("glue".into());
    req.activities = vec!["manage-glue-tables".into()];
    let plan = must_plan(&req);
    assert_eq!(plan.role_name, "SageMaker-glue");
    assert_eq!(plan.policies[0].name, "SM_GlueTableManagement_V1_1700000000000");
    assert_eq!(plan.policies[0].path, "");
    assert_eq!(
        plan.trust_policy["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"],
        "arn:aws:sagemaker:us-east-1:111122223333:*",
        "the Glue template's own conditioned trust"
    );
    // A China region: the partition is substituted and flagged (F9).
    let mut req = with_params(base_request(), &[Param::S3Buckets]);
    req.region = Some("cn-north-1".into());
    req.activities = vec!["s3-bucket-access".into()];
    let plan = must_plan(&req);
    assert_eq!(plan.policies[0].document["Statement"][0]["Resource"][0], "arn:aws-cn:s3:::amzn-s3-demo-bucket");
    assert!(plan.notes.iter().any(|n| n.id == "F9"));
}

#[test]
fn personas_keep_both_preset_lists() {
    let ds = role_manager::catalogue::persona("data-scientist").unwrap();
    assert_eq!(ds.preset(Catalogue::V2022_12).len(), 6);
    assert_eq!(ds.preset(Catalogue::Current).len(), 10);
    let mlops = role_manager::catalogue::persona("MLOps Engineer").unwrap();
    assert!(mlops.preset(Catalogue::V2022_12).contains(&"manage-endpoints"));
    assert!(mlops.preset(Catalogue::Current).contains(&"s3-full-access"));
    for p in role_manager::PERSONAS {
        for c in Catalogue::ALL {
            for id in p.preset(c) {
                assert!(role_manager::catalogue::activity(id).is_some(), "{id}");
            }
        }
    }
    assert_eq!(role_manager::ACTIVITIES.len(), 22);
}

#[test]
fn exports_are_structurally_valid() {
    let plan = data_scientist(&[Param::S3Buckets, Param::PassRoles]);
    let cfn: Value = serde_json::from_str(&export::cloudformation(&plan)).unwrap();
    let resources = cfn["Resources"].as_object().unwrap();
    assert_eq!(resources.len(), 7, "six policies and the role");
    assert_eq!(cfn["Resources"]["Role"]["Properties"]["ManagedPolicyArns"].as_array().unwrap().len(), 6);
    let tf = export::terraform(&studio_plan());
    assert_eq!(tf.matches('{').count(), tf.matches('}').count());
    assert_eq!(tf.matches("<<EOT").count(), tf.lines().filter(|l| *l == "EOT").count());
    assert!(tf.contains("$${sagemaker:DomainId}"), "policy variables are escaped for Terraform");
    assert!(!tf.replace("$${", "").contains("${"));
}

#[test]
fn canvas_policies_in_the_catalog_are_the_versions_spec_1_pins() {
    // The catalog keeps only each AWS managed policy's default version; today those are exactly the
    // pinned ones. A catalog upgrade that moves one makes the plan say so (an `info` note) and fails
    // here, so the difference is reviewed.
    let catalog = Catalog::get();
    for a in role_manager::ACTIVITIES {
        if let role_manager::Source::Managed { name, pinned_version } = a.source {
            let m = catalog.managed_policy_by_name(name).unwrap_or_else(|| panic!("{name} is not in the catalog"));
            assert_eq!(m.version_id, pinned_version, "{name}");
        }
    }
    let direct = catalog.managed_policy_by_name("AmazonSageMakerCanvasDirectDeployAccess").unwrap();
    assert_eq!(direct.path, "/service-role/");
}

// ----- --strict (§11) ------------------------------------------------------------------------------

/// The flaws `--strict` corrects in a generated document.
const CORRECTABLE: [&str; 6] = ["F4", "F5", "F6", "F7", "F8", "F10"];

fn strict(mut req: RoleRequest) -> RoleRequest {
    req.strict = true;
    req
}

/// The engine's decision on one request against the plan's generated policies.
fn engine(plan: &RolePlan, action: &str, resource: &str, context: Value) -> Decision {
    let docs: Vec<Value> = plan.policies.iter().map(|p| json!({"name": p.name, "document": p.document})).collect();
    let c = json!({"request": {"principal": session_principal(plan), "action": action, "resource": resource,
        "context": context}, "identityPolicies": docs});
    let c = Case::from_value(&c).unwrap();
    let CaseBody::Decision(d) = &c.body else { panic!("not a decision case") };
    evaluate(&d.policy_set().unwrap(), &d.request)
}

#[test]
fn strict_corrects_every_correctable_flaw_and_lists_it_in_place_of_the_note() {
    let catalog = Catalog::get();
    let mut corrected: Vec<String> = Vec::new();
    let mut failures = Vec::new();
    for t in templates::all().unwrap() {
        for layout in [Layout::Console, Layout::Cdk] {
            let mut req = request_for(t, layout);
            // PassRoles everywhere, so that F7 (the KMS Studio template drops it) shows.
            if !req.params.iter().any(|(k, _)| k == "PassRoles") {
                req.params.push(("PassRoles".into(), fixed(Param::PassRoles)));
            }
            let faithful = must_plan(&req);
            assert!(!faithful.strict && faithful.changes.is_empty());
            assert!(faithful.to_json().get("changes").is_none(), "the output without --strict is unchanged");
            let plan = must_plan(&strict(req));
            let flawed: Vec<&str> =
                faithful.notes.iter().map(|n| n.id.as_str()).filter(|id| CORRECTABLE.contains(id)).collect();
            for id in &flawed {
                if !plan.changes.iter().any(|c| c.flaw == *id && c.corrected && c.policy == t.name) {
                    failures.push(format!("{} ({}): {id} is not corrected: {:?}", t.name, layout.name(), plan.changes));
                }
                if plan.notes.iter().any(|n| n.id == *id) {
                    failures.push(format!("{}: {id} is still a note", t.name));
                }
                corrected.push(id.to_string());
            }
            for c in &plan.changes {
                if !flawed.contains(&c.flaw) {
                    failures.push(format!("{}: a change for a flaw the template does not have: {c:?}", t.name));
                }
            }
            let json = plan.to_json();
            assert_eq!(json["strict"], true);
            assert_eq!(json["changes"].as_array().unwrap().len(), plan.changes.len());
            for (p, f) in plan.policies.iter().zip(&faithful.policies) {
                if flawed.is_empty() {
                    assert_eq!(p.document, f.document, "{}: no flaw, no change", t.name);
                }
                assert_eq!(p.name, f.name, "the corrected policy keeps its name");
                let kind = if layout == Layout::Console { PolicyKind::Managed } else { PolicyKind::Identity };
                let v = validate_with(&p.document.to_string(), kind, Some(catalog));
                for d in v.error.iter().chain(&v.warnings) {
                    if !EXPECTED_FINDINGS.iter().any(|(t, code, _)| *t == p.template && *code == d.code) {
                        failures.push(format!("strict {} ({}): {} {}", p.template, layout.name(), d.code, d.message));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    corrected.sort();
    corrected.dedup();
    let mut all: Vec<String> = CORRECTABLE.iter().map(|s| s.to_string()).collect();
    all.sort();
    assert_eq!(corrected, all, "every correctable flaw occurs in some template");
}

#[test]
fn strict_common_job_management_allows_stop_transform_job_and_tag_on_create_only() {
    let mut req = with_params(base_request(), &[Param::PassRoles]);
    req.activities.push("manage-ml-jobs".into());
    let faithful = must_plan(&req);
    let plan = must_plan(&strict(req));
    let change =
        |id: &str| plan.changes.iter().filter(|c| c.flaw == id).map(|c| c.message.as_str()).collect::<Vec<_>>();
    assert_eq!(change("F5"), ["added sagemaker:StopTransformJob to SM_CommonJobManagement"]);
    assert_eq!(change("F10").len(), 1);
    assert!(plan.notes.iter().all(|n| n.id != "F5" && n.id != "F10"), "{:?}", plan.notes);

    // F5: StopTransformJob.
    let stop = json!({"TransformJobName": "tf1"});
    assert_denied_on(&call(&faithful, "StopTransformJob", stop.clone(), None, json!({})), "sagemaker:StopTransformJob");
    assert_allowed(&call(&plan, "StopTransformJob", stop, None, json!({})));

    // F10: a create with Tags needs sagemaker:AddTags (tag-on-create); the strict policy allows it
    // for its own creates only, so a direct AddTags stays denied.
    let mut tagged = training_job(COMPUTE_ROLE, None, None, None);
    tagged["Tags"] = json!([{"Key": "team", "Value": "a"}]);
    assert_denied_on(&call(&faithful, "CreateTrainingJob", tagged.clone(), None, json!({})), "sagemaker:AddTags");
    let o = call(&plan, "CreateTrainingJob", tagged, None, json!({}));
    assert_allowed(&o);
    assert!(o.decisions.iter().any(|(c, _)| c.action == "sagemaker:AddTags"));
    let add = json!({"ResourceArn": "arn:aws:sagemaker:us-east-1:111122223333:training-job/tj0",
        "Tags": [{"Key": "team", "Value": "a"}]});
    assert_denied_on(&call(&plan, "AddTags", add, None, json!({})), "sagemaker:AddTags");
    // Untagged creates are as before.
    assert_allowed(&call(&plan, "CreateTrainingJob", training_job(COMPUTE_ROLE, None, None, None), None, json!({})));
}

#[test]
fn strict_kms_variant_denies_training_without_the_key_and_allows_the_right_key_arn() {
    let params = [Param::S3Buckets, Param::PassRoles, Param::DataKmsKeys, Param::VolumeKmsKeys];
    let mut req = with_params(base_request(), &params);
    req.persona = Some("data-scientist".into());
    req.catalogue = Catalogue::V2022_12;
    let plan = must_plan(&strict(req));
    let jobs = plan.policies.iter().find(|p| p.template == "SM_CommonJobManagement_KMS").unwrap();
    assert_eq!(
        jobs.document["Statement"][0]["Condition"],
        json!({"ArnEquals": {"sagemaker:VolumeKmsKeyArn": [VOLUME_KEY], "sagemaker:OutputKmsKeyArn": [DATA_KEY]}})
    );
    let text = jobs.document.to_string();
    assert!(!text.contains("KmsKey\"") && !text.contains("StringEquals\":{\"sagemaker:V"), "{text}");
    assert!(plan
        .changes
        .iter()
        .any(|c| c.flaw == "F4" && c.policy == "SM_CommonJobManagement_KMS" && c.message.contains("ArnEquals")));
    assert!(plan.notes.iter().all(|n| n.id != "F4"));

    let both = training_job(COMPUTE_ROLE, None, Some(VOLUME_KEY), Some(DATA_KEY));
    assert_allowed(&call(&plan, "CreateTrainingJob", both, None, json!({})));
    // A key id in the request: SageMaker's context holds the key ARN, which ArnEquals matches.
    let by_id = training_job(COMPUTE_ROLE, None, Some("2222bbbb-22bb-22bb-22bb-222222bbbbbb"), Some(DATA_KEY));
    assert_allowed(&call(&plan, "CreateTrainingJob", by_id, None, json!({})));
    let no_volume = training_job(COMPUTE_ROLE, None, None, Some(DATA_KEY));
    assert_denied_on(&call(&plan, "CreateTrainingJob", no_volume, None, json!({})), "sagemaker:CreateTrainingJob");
    let no_output = training_job(COMPUTE_ROLE, None, Some(VOLUME_KEY), None);
    assert_denied_on(&call(&plan, "CreateTrainingJob", no_output, None, json!({})), "sagemaker:CreateTrainingJob");
    let wrong_volume = training_job(COMPUTE_ROLE, None, Some(DATA_KEY), Some(DATA_KEY));
    assert_denied_on(&call(&plan, "CreateTrainingJob", wrong_volume, None, json!({})), "sagemaker:CreateTrainingJob");

    // The engine directly: only the …Arn keys, as SageMaker documents them today, are enough.
    let arn = "arn:aws:sagemaker:us-east-1:111122223333:training-job/tj1";
    let ctx = json!({"sagemaker:VolumeKmsKeyArn": VOLUME_KEY, "sagemaker:OutputKmsKeyArn": DATA_KEY});
    assert_eq!(engine(&plan, "sagemaker:CreateTrainingJob", arn, ctx.clone()), Decision::Allow);
    let faithful = data_scientist(&params);
    assert!(
        !engine(&faithful, "sagemaker:CreateTrainingJob", arn, ctx).is_allowed(),
        "F4: the faithful one needs the deprecated keys"
    );
}

#[test]
fn strict_restores_what_the_vpc_and_kms_variants_dropped() {
    // F6: SM_ModelMonitoring_VPC gets its Describe/Delete/Start/Stop statement back.
    let mut req = with_params(base_request(), &[Param::PassRoles, Param::VpcSubnets, Param::VpcSecurityGroups]);
    req.activities.push("manage-model-monitoring".into());
    let faithful = must_plan(&req);
    let plan = must_plan(&strict(req));
    assert_eq!(plan.policies[0].template, "SM_ModelMonitoring_VPC");
    let describe = json!({"MonitoringScheduleName": "ms1"});
    assert_denied_on(
        &call(&faithful, "DescribeMonitoringSchedule", describe.clone(), None, json!({})),
        "sagemaker:DescribeMonitoringSchedule",
    );
    assert_allowed(&call(&plan, "DescribeMonitoringSchedule", describe, None, json!({})));
    assert_allowed(&call(&plan, "StopMonitoringSchedule", json!({"MonitoringScheduleName": "ms1"}), None, json!({})));
    assert!(plan.changes.iter().any(|c| c.flaw == "F6" && c.message.contains("as in SM_ModelMonitoring_VPC_KMS")));

    // F7: SM_StudioAppPermissions_KMS (v1) passes the PassRoles again, to SageMaker only.
    let mut req = with_params(base_request(), &[Param::PassRoles, Param::DataKmsKeys, Param::VolumeKmsKeys]);
    req.activities.push("run-studio-apps@1".into());
    let faithful = must_plan(&req);
    let plan = must_plan(&strict(req));
    assert_eq!(plan.policies[0].template, "SM_StudioAppPermissions_KMS");
    let to_sagemaker = json!({"iam:PassedToService": "sagemaker.amazonaws.com"});
    assert!(!engine(&faithful, "iam:PassRole", COMPUTE_ROLE, to_sagemaker.clone()).is_allowed());
    assert_eq!(engine(&plan, "iam:PassRole", COMPUTE_ROLE, to_sagemaker.clone()), Decision::Allow);
    assert!(!engine(&plan, "iam:PassRole", OTHER_ROLE, to_sagemaker).is_allowed());
    assert!(
        !engine(&plan, "iam:PassRole", COMPUTE_ROLE, json!({"iam:PassedToService": "glue.amazonaws.com"})).is_allowed()
    );
    assert!(faithful.notes.iter().any(|n| n.id == "F7"));
    assert!(plan.notes.iter().all(|n| n.id != "F7"));
    // Without PassRoles there is nothing to restore (F7 is about the roles being silently unused).
    let mut req = with_params(base_request(), &[Param::DataKmsKeys, Param::VolumeKmsKeys]);
    req.activities.push("run-studio-apps@1".into());
    assert!(must_plan(&strict(req)).changes.is_empty());
}

#[test]
fn strict_glue_tables_put_bucket_acls_on_buckets_and_follow_glue_db_names() {
    let mut req = with_params(base_request(), &[Param::S3Buckets, Param::GlueDbNames]);
    req.activities.push("manage-glue-tables".into());
    let faithful = must_plan(&req);
    let plan = must_plan(&strict(req));
    let bucket = "arn:aws:s3:::amzn-s3-demo-bucket";
    assert!(!engine(&faithful, "s3:GetBucketAcl", bucket, json!({})).is_allowed(), "F8: object ARNs only");
    assert_eq!(engine(&plan, "s3:GetBucketAcl", bucket, json!({})), Decision::Allow);
    let acl = json!({"s3:x-amz-acl": "bucket-owner-full-control"});
    assert_eq!(engine(&plan, "s3:PutBucketAcl", bucket, acl), Decision::Allow);
    assert!(!engine(&plan, "s3:PutBucketAcl", bucket, json!({"s3:x-amz-acl": "public-read"})).is_allowed());
    assert_eq!(engine(&plan, "s3:GetObject", &format!("{bucket}/data.csv"), json!({})), Decision::Allow);
    // GetTable follows GlueDbNames (here sagemaker_featurestore and analytics).
    let table = "arn:aws:glue:us-east-1:111122223333:table/analytics/events";
    assert!(!engine(&faithful, "glue:GetTable", table, json!({})).is_allowed());
    assert_eq!(engine(&plan, "glue:GetTable", table, json!({})), Decision::Allow);
    let other = "arn:aws:glue:us-east-1:111122223333:table/finance/ledger";
    assert!(!engine(&plan, "glue:UpdateTable", other, json!({})).is_allowed());
    assert_eq!(plan.changes.iter().filter(|c| c.flaw == "F8").count(), 2);
}

#[test]
fn strict_pipelines_may_be_updated_and_direct_deploy_is_listed_as_not_corrected() {
    let mut req = with_params(base_request(), &[Param::PassRoles]);
    req.activities.push("manage-pipelines".into());
    let faithful = must_plan(&req);
    let plan = must_plan(&strict(req));
    let update = json!({"PipelineName": "p1", "RoleArn": COMPUTE_ROLE, "PipelineDefinition": "{}"});
    assert_denied_on(&call(&faithful, "UpdatePipeline", update.clone(), None, json!({})), "sagemaker:UpdatePipeline");
    assert_allowed(&call(&plan, "UpdatePipeline", update, None, json!({})));
    assert!(plan
        .changes
        .iter()
        .any(|c| c.message
            == "added sagemaker:UpdatePipeline to SM_PipelineManagement (re-deploying an existing pipeline)"));

    // F12 is in an AWS managed policy: listed, not corrected, and no longer a separate note.
    let mut req = base_request();
    req.activities.push("canvas-mlops".into());
    req.fix_dependencies = true;
    let plan = must_plan(&strict(req));
    let f12: Vec<_> = plan.changes.iter().filter(|c| c.flaw == "F12").collect();
    assert_eq!(f12.len(), 1, "{:?}", plan.changes);
    assert!(!f12[0].corrected);
    assert_eq!(f12[0].policy, "AmazonSageMakerCanvasDirectDeployAccess");
    assert!(f12[0]
        .message
        .starts_with("not corrected: AmazonSageMakerCanvasDirectDeployAccess is an AWS managed policy"));
    assert!(plan.notes.iter().all(|n| n.id != "F12"));
    assert_eq!(plan.to_json()["changes"][0]["corrected"], false);
}
