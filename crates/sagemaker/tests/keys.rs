//! Condition-key coverage (issue 3 item 3): every SageMaker condition key of the catalog is either
//! mapped (a `KEY_RULES` row, a deprecated alias, a file-system key, or a key the planner populates
//! itself) or listed in `keys::UNMAPPED` with its reason; every rule populates its key from each of
//! its request paths; the keys that need stored state or special handling behave as the spec says;
//! and the key table of `docs/sagemaker-mapping.md` is generated from this data
//! (`SAGEGATE_BLESS=1 cargo test -p sagegate-sagemaker --test keys` rewrites it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use sagegate_catalog::{Catalog, KeyType};
use sagegate_policy::{Context, ContextValue, Principal};
use sagegate_sagemaker::keys::{
    Transform, FILE_SYSTEM_CHANNELS, FILE_SYSTEM_KEYS, KEY_RULES, KMS_ALIASES, SPECIAL_KEYS, UNMAPPED,
};
use sagegate_sagemaker::{plan, Caller, CatalogSar, Check, CheckKind, JsonState, Sar, Scope, State, StudioSession};
use serde_json::{json, Value};
use support::{request, Empty};

const ACCT: &str = "111122223333";

fn arn(res: &str) -> String {
    format!("arn:aws:sagemaker:us-east-1:{ACCT}:{res}")
}

fn caller(studio: Option<StudioSession>) -> Caller {
    Caller {
        principal: Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap(),
        context: Context::new(),
        studio,
    }
}

fn checks(op: &str, body: &Value, state: &dyn State, studio: Option<StudioSession>) -> Vec<Check> {
    plan(op, body, &Scope::new("us-east-1", ACCT), &caller(studio), state, &CatalogSar::default())
        .unwrap_or_else(|e| panic!("{op}: {e}"))
}

/// A key's values in a check: its context value, or its values over the R6 combinations.
fn values(c: &Check, key: &str) -> Vec<String> {
    match c.context.get(key) {
        Some(ContextValue::Single(s)) => vec![s.clone()],
        Some(ContextValue::Multi(v)) => v.clone(),
        None => c.expansions.iter().flatten().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect(),
    }
}

fn key_type(name: &str) -> KeyType {
    Catalog::get()
        .service("sagemaker")
        .and_then(|s| s.condition_key(name))
        .map(|k| k.key_type)
        .unwrap_or_else(|| panic!("{name} is not a SageMaker key of the catalog"))
}

/// Sets `path` (the `keys` path notation) in `body` to `value`, creating what is missing. A `*` in
/// a member name becomes `X` (`*AppSettings` → `XAppSettings`, which the glob matches).
fn set_path(body: &mut Value, path: &str, value: Value) {
    let segs: Vec<&str> = path.split('.').collect();
    let mut cur = body;
    for (i, seg) in segs.iter().enumerate() {
        let (name, iterate) = match seg.strip_suffix("[]") {
            Some(n) => (n.replace('*', "X"), true),
            None => (seg.replace('*', "X"), false),
        };
        let last = i + 1 == segs.len();
        if !cur.is_object() {
            *cur = json!({});
        }
        let obj = cur.as_object_mut().unwrap();
        if last {
            obj.insert(name, if iterate { json!([value]) } else { value });
            return;
        }
        if iterate {
            let arr = obj.entry(name).or_insert_with(|| json!([]));
            if !arr.is_array() || arr.as_array().unwrap().is_empty() {
                *arr = json!([{}]);
            }
            cur = arr.as_array_mut().unwrap().first_mut().unwrap();
        } else {
            cur = obj.entry(name).or_insert_with(|| json!({}));
        }
    }
}

/// A sample request value for a rule's key.
fn sample(key: &str, transform: Transform) -> Value {
    match transform {
        Transform::WorkteamType => json!(arn("workteam/private-crowd/team-a")),
        Transform::KmsKeyArn => json!("k-1"),
        Transform::LifecycleConfigArn => json!("lc-1"),
        Transform::ModelArn => json!("m-1"),
        Transform::Present => json!({}),
        Transform::None => match key_type(key) {
            KeyType::Bool => json!(true),
            KeyType::Numeric => json!(60),
            KeyType::Arn | KeyType::ArrayOfArn => json!(arn("image/i-1")),
            _ => json!("v-1"),
        },
    }
}

#[test]
fn every_catalog_key_is_mapped_or_unmapped_with_a_reason() {
    let service = Catalog::get().service("sagemaker").unwrap();
    assert_eq!(service.condition_keys.len(), 68, "spec §1.2: 68 SageMaker keys");
    let mut failures = Vec::new();
    let (mut mapped, mut unmapped) = (0, 0);
    for k in &service.condition_keys {
        let name = k.name;
        let is_mapped = KEY_RULES.iter().any(|r| r.key == name)
            || KMS_ALIASES.iter().any(|(_, a)| *a == name)
            || FILE_SYSTEM_KEYS.iter().any(|(f, _)| *f == name)
            || SPECIAL_KEYS.iter().any(|(s, _)| *s == name);
        let is_unmapped = UNMAPPED.iter().any(|(u, _)| *u == name);
        match (is_mapped, is_unmapped) {
            (true, false) => mapped += 1,
            (false, true) => unmapped += 1,
            (true, true) => failures.push(format!("{name}: both mapped and listed as unmapped")),
            (false, false) => failures.push(format!("{name}: neither mapped nor listed in UNMAPPED")),
        }
    }
    // No stale names: everything the tables mention is a key of the catalog.
    let named = KEY_RULES
        .iter()
        .map(|r| r.key)
        .chain(KMS_ALIASES.iter().flat_map(|(a, b)| [*a, *b]))
        .chain(FILE_SYSTEM_KEYS.iter().map(|(k, _)| *k))
        .chain(SPECIAL_KEYS.iter().map(|(k, _)| *k))
        .chain(UNMAPPED.iter().map(|(k, _)| *k));
    for n in named {
        if service.condition_key(n).is_none() {
            failures.push(format!("{n}: listed, but not a SageMaker key of the catalog"));
        }
    }
    println!("{mapped} keys mapped, {unmapped} unmapped");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // docs/sagemaker-mapping.md states these counts.
    assert_eq!((mapped, unmapped), (62, 6));
}

/// Every (rule, operation, path) populates its key on the operation's C1 check, and only where the
/// SAR lists the key for the operation (R1): a row the SAR does not support would be dead.
#[test]
fn every_rule_path_populates_its_key() {
    let catalog = Catalog::get();
    let api = catalog.api("sagemaker").unwrap();
    let sar = CatalogSar(catalog);
    let mut failures = Vec::new();
    let mut tried = 0;
    for rule in KEY_RULES {
        let alias = KMS_ALIASES.iter().find(|(k, _)| *k == rule.key).map(|(_, a)| *a);
        for (ops, paths) in rule.sources {
            for op in *ops {
                if !sar.action_lists_key(op, rule.key) {
                    failures.push(format!("{}: the SAR does not list it on {op} (dead rule)", rule.key));
                    continue;
                }
                for path in *paths {
                    tried += 1;
                    let mut body = request(api, op);
                    set_path(&mut body, path, sample(rule.key, rule.transform));
                    let planned = checks(op, &body, &Empty, None);
                    let Some(c1) = planned.iter().find(|c| c.kind == CheckKind::Action) else {
                        failures.push(format!("{}: {op}: no C1 check", rule.key));
                        continue;
                    };
                    for k in std::iter::once(rule.key).chain(alias) {
                        if values(c1, k).is_empty() {
                            failures.push(format!("{k}: {op} `{path}` does not populate it"));
                        }
                    }
                }
            }
        }
    }
    for (op, channels) in FILE_SYSTEM_CHANNELS {
        for path in *channels {
            tried += 1;
            let mut body = request(api, op);
            set_path(
                &mut body,
                path,
                json!({"FileSystemId": "fs-1", "FileSystemAccessMode": "ro", "FileSystemType": "EFS", "DirectoryPath": "/d"}),
            );
            let planned = checks(op, &body, &Empty, None);
            for (k, _) in FILE_SYSTEM_KEYS {
                if !sar.action_lists_key(op, k) || values(&planned[0], k).is_empty() {
                    failures.push(format!("{k}: {op} `{path}` does not populate it"));
                }
            }
        }
    }
    println!("{tried} (key, operation, path) rows checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// (operation, key) pairs of `KEY_RULES` keys that `plan.rs` populates itself (R8 stored spaces;
/// CreateDomain's volume key with its `HomeEfsFileSystemKmsKey` mirror).
const PLANNER_POPULATED: &[(&str, &str)] = &[
    ("CreateDomain", "sagemaker:VolumeKmsKeyArn"),
    ("UpdateSpace", "sagemaker:SpaceSharingType"),
    ("DeleteSpace", "sagemaker:SpaceSharingType"),
    ("CreateApp", "sagemaker:SpaceSharingType"),
    ("DeleteApp", "sagemaker:SpaceSharingType"),
];

/// Operations the SAR lists a rule key on, but which have no request path for it. Each is a known,
/// documented gap (docs/sagemaker-mapping.md).
const KNOWN_GAPS: &[(&str, &str)] = &[
    // CreateJob is outside the first scope (spec §2.4: two PassedToService values); its request
    // shape has no documented path for these keys.
    ("CreateJob", "sagemaker:OutputKmsKeyArn"),
    ("CreateJob", "sagemaker:VpcSecurityGroupIds"),
    ("CreateJob", "sagemaker:VpcSubnets"),
    // Spec §2.8 maps ModelArn for CreateEndpointConfig and CreateTransformJob only.
    ("CreateInferenceComponent", "sagemaker:ModelArn"),
];

#[test]
fn sar_keys_without_a_request_path_are_known_gaps() {
    let service = Catalog::get().service("sagemaker").unwrap();
    let mut gaps = Vec::new();
    for a in &service.actions {
        for k in &a.condition_keys {
            let Some(rule) = KEY_RULES.iter().find(|r| r.key == *k) else {
                continue;
            };
            if PLANNER_POPULATED.contains(&(a.name, *k)) {
                continue;
            }
            if !rule.sources.iter().any(|(ops, _)| ops.contains(&a.name)) {
                gaps.push((a.name, *k));
            }
        }
    }
    gaps.sort();
    gaps.dedup();
    let mut known = KNOWN_GAPS.to_vec();
    known.sort();
    assert_eq!(gaps, known);
}

#[test]
fn feature_group_keys_and_their_aliases() {
    let body = json!({
        "FeatureGroupName": "fg-1", "RecordIdentifierFeatureName": "id", "EventTimeFeatureName": "ts",
        "FeatureDefinitions": [{"FeatureName": "id", "FeatureType": "String"}, {"FeatureName": "ts", "FeatureType": "String"}],
        "OnlineStoreConfig": {"EnableOnlineStore": true, "SecurityConfig": {"KmsKeyId": "online-key"}},
        "OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": "s3://bucket/fs/", "KmsKeyId": "alias/offline"},
                               "DisableGlueTableCreation": false},
        "RoleArn": "arn:aws:iam::111122223333:role/SageMakerExec"
    });
    let planned = checks("CreateFeatureGroup", &body, &Empty, None);
    let c1 = &planned[0];
    let key = |k: &str| values(c1, k);
    assert_eq!(key("sagemaker:FeatureGroupEnableOnlineStore"), ["true"]);
    assert_eq!(key("sagemaker:FeatureGroupDisableGlueTableCreation"), ["false"]);
    assert_eq!(key("sagemaker:FeatureGroupOfflineStoreConfig"), ["true"]);
    assert_eq!(key("sagemaker:FeatureGroupOfflineStoreS3Uri"), ["s3://bucket/fs/"]);
    let online = "arn:aws:kms:us-east-1:111122223333:key/online-key";
    let offline = "arn:aws:kms:us-east-1:111122223333:alias/offline";
    assert_eq!(key("sagemaker:FeatureGroupOnlineStoreKmsKeyArn"), [online]);
    assert_eq!(key("sagemaker:FeatureGroupOnlineStoreKmsKey"), [online]);
    assert_eq!(key("sagemaker:FeatureGroupOfflineStoreKmsKeyArn"), [offline]);
    assert_eq!(key("sagemaker:FeatureGroupOfflineStoreKmsKey"), [offline]);
    // Without an offline store the presence key is absent (Null only), as are the others (R2).
    let planned = checks(
        "CreateFeatureGroup",
        &json!({"FeatureGroupName": "fg-1", "RecordIdentifierFeatureName": "id", "EventTimeFeatureName": "ts",
                "FeatureDefinitions": [], "OnlineStoreConfig": {"EnableOnlineStore": true}}),
        &Empty,
        None,
    );
    assert!(values(&planned[0], "sagemaker:FeatureGroupOfflineStoreConfig").is_empty());
    assert!(values(&planned[0], "sagemaker:FeatureGroupOnlineStoreKmsKeyArn").is_empty());
}

#[test]
fn model_package_current_keys_come_from_the_stored_package() {
    let pkg = arn("model-package/churn/3");
    let state = JsonState::from_value(&json!({"resources": {pkg.clone(): {
        "tags": {"team": "a"},
        "modelLifeCycle": {"Stage": "Staging", "StageStatus": "Approved"},
        "customerMetadataProperties": {"owner": "alice"}}}}))
    .unwrap();
    for op in ["DescribeModelPackage", "UpdateModelPackage", "DeleteModelPackage"] {
        let planned = checks(op, &json!({"ModelPackageName": pkg}), &state, None);
        let c1 = &planned[0];
        assert_eq!(c1.resource, pkg, "{op}");
        assert_eq!(values(c1, "sagemaker:CurrentModelLifeCycleStage"), ["Staging"], "{op}");
        assert_eq!(values(c1, "sagemaker:CurrentModelLifeCycleStageStatus"), ["Approved"], "{op}");
        assert_eq!(values(c1, "sagemaker:CurrentCustomerMetadataProperties/owner"), ["alice"], "{op}");
        assert_eq!(values(c1, "sagemaker:ResourceTag/team"), ["a"], "{op}");
    }
    // ListTags is tag-immune (§3.2) but still sees the package's other resource keys.
    let planned = checks("ListTags", &json!({"ResourceArn": pkg}), &state, None);
    assert_eq!(values(&planned[0], "sagemaker:CurrentModelLifeCycleStage"), ["Staging"]);
    assert!(values(&planned[0], "sagemaker:ResourceTag/team").is_empty());
    // AddTags on the package carries them too (the SAR lists them on its model-package row).
    let planned = checks("AddTags", &json!({"ResourceArn": pkg, "Tags": [{"Key": "k", "Value": "v"}]}), &state, None);
    assert_eq!(values(&planned[0], "sagemaker:CurrentModelLifeCycleStage"), ["Staging"]);
    // A versioned create is the next version, which has no stored state; the request keys apply.
    let state = JsonState::from_value(&json!({"modelPackageGroups": {arn("model-package-group/churn"): 3}})).unwrap();
    let body = json!({"ModelPackageGroupName": "churn", "ModelApprovalStatus": "PendingManualApproval",
                      "ModelLifeCycle": {"Stage": "Development", "StageStatus": "InProgress"},
                      "CustomerMetadataProperties": {"owner": "bob"}});
    let planned = checks("CreateModelPackage", &body, &state, None);
    let c1 = &planned[0];
    assert_eq!(c1.resource, arn("model-package/churn/4"));
    assert!(values(c1, "sagemaker:CurrentModelLifeCycleStage").is_empty());
    assert_eq!(values(c1, "sagemaker:ModelLifeCycle:Stage"), ["Development"]);
    assert_eq!(values(c1, "sagemaker:ModelApprovalStatus"), ["PendingManualApproval"]);
    assert_eq!(values(c1, "sagemaker:CustomerMetadataProperties/owner"), ["bob"]);
}

#[test]
fn create_domain_home_efs_key_mirrors_the_volume_key() {
    let body = json!({"DomainName": "d", "AuthMode": "IAM", "DefaultUserSettings": {}, "SubnetIds": ["s"],
                      "VpcId": "v", "KmsKeyId": "k-1"});
    let planned = checks("CreateDomain", &body, &Empty, None);
    let key = "arn:aws:kms:us-east-1:111122223333:key/k-1";
    for k in ["sagemaker:VolumeKmsKeyArn", "sagemaker:VolumeKmsKey", "sagemaker:HomeEfsFileSystemKmsKey"] {
        assert_eq!(values(&planned[0], k), [key], "{k}");
    }
}

/// §2.2: C2 covers all 63 mapped operations with a top-level `Tags` member, on the new resource.
#[test]
fn tag_on_create_scope_and_resource() {
    let catalog = Catalog::get();
    let api = catalog.api("sagemaker").unwrap();
    let sar = CatalogSar(catalog);
    let tags = json!([{"Key": "team", "Value": "a"}]);
    let mut with_c2 = Vec::new();
    for op in &api.operations {
        if !sar.has_action(op.name) || !sar.has_tags_member(op.name) {
            continue;
        }
        let mut body = request(api, op.name);
        body["Tags"] = tags.clone();
        let planned = checks(op.name, &body, &Empty, None);
        if let Some(c2) = planned.iter().find(|c| c.kind == CheckKind::TagOnCreate) {
            assert_eq!(values(c2, "sagemaker:TaggingAction"), [op.name]);
            assert_eq!(values(c2, "aws:TagKeys"), ["team"]);
            with_c2.push(op.name);
        }
    }
    assert_eq!(with_c2.len(), 63, "{with_c2:?}");
    for op in ["ImportHubContent", "UpdateProject", "UpdatePartnerApp"] {
        assert!(with_c2.contains(&op), "{op}");
    }
    for op in ["AddTags", "CreateDeviceFleet", "CreateEdgeDeploymentPlan", "CreateEdgePackagingJob", "RegisterDevices"]
    {
        assert!(!with_c2.contains(&op), "{op}");
    }

    // The created resource is the one whose type names the operation, not the first C1 resource.
    let state = JsonState::from_value(&json!({"resources": {
        arn("endpoint/ep1"): {"tags": {"env": "prod"}},
        arn("experiment/e1"): {"tags": {"env": "dev"}},
        arn("project/p1"): {"tags": {"env": "test"}}}}))
    .unwrap();
    let cases = [
        (
            "CreateInferenceComponent",
            json!({"InferenceComponentName": "ic1", "EndpointName": "ep1", "VariantName": "v", "Tags": tags,
                   "Specification": {"ModelName": "m1"}}),
            arn("inference-component/ic1"),
            arn("endpoint/ep1"),
            "prod",
        ),
        (
            "CreateTrial",
            json!({"TrialName": "t1", "ExperimentName": "e1", "Tags": tags}),
            arn("experiment-trial/t1"),
            arn("experiment/e1"),
            "dev",
        ),
    ];
    for (op, body, created, parent, env) in cases {
        let planned = checks(op, &body, &state, None);
        let c1: Vec<&Check> = planned.iter().filter(|c| c.kind == CheckKind::Action).collect();
        let c2 = planned.iter().find(|c| c.kind == CheckKind::TagOnCreate).unwrap();
        assert_eq!(c2.resource, created, "{op}");
        assert_eq!(values(c2, "aws:ResourceTag/team"), ["a"], "{op}");
        let on_parent = c1.iter().find(|c| c.resource == parent).unwrap();
        assert_eq!(values(on_parent, "aws:ResourceTag/env"), [env], "{op}: the parent's stored tags");
        assert!(values(on_parent, "aws:ResourceTag/team").is_empty(), "{op}");
        let on_new = c1.iter().find(|c| c.resource == created).unwrap();
        assert_eq!(values(on_new, "aws:ResourceTag/team"), ["a"], "{op}: creation tags (R9)");
    }
    // An update's C2 is on the existing resource, whose stored tags are its resource tags (R8).
    let planned = checks("UpdateProject", &json!({"ProjectName": "p1", "Tags": tags}), &state, None);
    let c2 = planned.iter().find(|c| c.kind == CheckKind::TagOnCreate).unwrap();
    assert_eq!(c2.resource, arn("project/p1"));
    assert_eq!(values(c2, "sagemaker:TaggingAction"), ["UpdateProject"]);
    assert_eq!(values(c2, "aws:ResourceTag/env"), ["test"]);
    assert!(values(c2, "aws:ResourceTag/team").is_empty());
}

/// §4.6: domain and profile tags are copied to apps created later, so they trigger C2 (§2.2).
#[test]
fn create_app_carries_the_domain_and_profile_tags() {
    let state = JsonState::from_value(&json!({"resources": {
        arn("domain/d-1"): {"tags": {"cost-center": "42"}},
        arn("user-profile/d-1/alice"): {"tags": {"team": "a", "cost-center": "7"}}}}))
    .unwrap();
    let body = json!({"DomainId": "d-1", "UserProfileName": "alice", "AppType": "Canvas", "AppName": "default",
                      "Tags": [{"Key": "purpose", "Value": "demo"}]});
    let planned = checks("CreateApp", &body, &state, None);
    let c2 = planned.iter().find(|c| c.kind == CheckKind::TagOnCreate).unwrap();
    assert_eq!(c2.resource, arn("app/d-1/alice/canvas/default"));
    assert_eq!(values(c2, "aws:TagKeys"), ["purpose", "cost-center", "team"]);
    assert_eq!(values(c2, "aws:RequestTag/cost-center"), ["42"], "the domain's value comes first");
    assert_eq!(values(&planned[0], "aws:ResourceTag/team"), ["a"], "R9");
    // A space app gets the domain's tags; with none stored and no request tags there is no C2.
    let body = json!({"DomainId": "d-2", "SpaceName": "sp", "AppType": "JupyterLab", "AppName": "default"});
    assert!(checks("CreateApp", &body, &state, None).iter().all(|c| c.kind != CheckKind::TagOnCreate));
}

/// "Create…" operations that create nothing taggable act on an existing resource: its stored tags.
#[test]
fn create_operations_without_tags_use_stored_tags() {
    let state = JsonState::from_value(&json!({"resources": {
        arn("notebook-instance/nb-b1"): {"tags": {"Project": "B"}},
        arn("user-profile/d-1/alice"): {"tags": {"team": "a"}},
        arn("image/img"): {"tags": {"team": "b"}}}}))
    .unwrap();
    for (op, body, tag, value) in [
        ("CreatePresignedNotebookInstanceUrl", json!({"NotebookInstanceName": "nb-b1"}), "Project", "B"),
        ("CreatePresignedDomainUrl", json!({"DomainId": "d-1", "UserProfileName": "alice"}), "team", "a"),
        ("CreateImageVersion", json!({"ImageName": "img", "BaseImage": "x", "ClientToken": "t"}), "team", "b"),
    ] {
        let planned = checks(op, &body, &state, None);
        assert_eq!(values(&planned[0], &format!("sagemaker:ResourceTag/{tag}")), [value], "{op}");
        assert!(planned.iter().all(|c| c.kind != CheckKind::TagOnCreate), "{op}");
    }
}

/// §2.2 C2′: CreateModel from a hub needs DeployHubModel on each hub content, and only then.
#[test]
fn create_model_from_a_hub_checks_deploy_hub_model() {
    let hub = |name: &str| arn(&format!("hub-content/SageMakerPublicHub/Model/{name}/1.0.0"));
    let container = |name: &str| {
        json!({"Image": "i", "ModelDataSource": {"S3DataSource": {"S3Uri": "s3://b/m/", "S3DataType": "S3Prefix",
               "CompressionType": "None", "HubAccessConfig": {"HubContentArn": hub(name)}}}})
    };
    let body = json!({"ModelName": "m1", "Containers": [container("llama"), container("mistral"), container("llama")],
                      "ExecutionRoleArn": "arn:aws:iam::111122223333:role/SageMakerExec"});
    let planned = checks("CreateModel", &body, &Empty, None);
    let kinds: Vec<(CheckKind, &str)> = planned.iter().map(|c| (c.kind, c.resource.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (CheckKind::Action, arn("model/m1").as_str()),
            (CheckKind::Extra, hub("llama").as_str()),
            (CheckKind::Extra, hub("mistral").as_str()),
            (CheckKind::PassRole, "arn:aws:iam::111122223333:role/SageMakerExec"),
        ]
    );
    assert!(planned.iter().filter(|c| c.kind == CheckKind::Extra).all(|c| c.action == "sagemaker:DeployHubModel"));
    let body = json!({"ModelName": "m1", "PrimaryContainer": {"Image": "i"}});
    assert!(checks("CreateModel", &body, &Empty, None).iter().all(|c| c.kind != CheckKind::Extra));
}

/// §4.5: the Studio session keys are in every check of a Studio session, C2 and C3 included.
#[test]
fn studio_session_keys_are_in_every_check() {
    let studio = StudioSession {
        domain_id: "d-1".into(),
        user_profile_name: Some("alice".into()),
        space_name: Some("sp".into()),
    };
    let body = json!({"ModelName": "m1", "PrimaryContainer": {"Image": "i"},
                      "ExecutionRoleArn": "arn:aws:iam::111122223333:role/SageMakerExec"});
    let planned = checks("CreateModel", &body, &Empty, Some(studio.clone()));
    assert_eq!(planned.len(), 3);
    for c in &planned {
        assert_eq!(values(c, "sagemaker:DomainId"), ["d-1"], "{}", c.action);
        assert_eq!(values(c, "sagemaker:UserProfileName"), ["alice"], "{}", c.action);
    }
    let shared = StudioSession { user_profile_name: None, ..studio };
    let planned = checks("CreateModel", &body, &Empty, Some(shared));
    assert!(values(&planned[0], "sagemaker:UserProfileName").is_empty());
    assert_eq!(values(&planned[1], "aws:TagKeys"), ["sagemaker:domain-arn", "sagemaker:space-arn"]);
}

// ----- the generated key table of docs/sagemaker-mapping.md -------------------------------------

const BEGIN: &str = "<!-- BEGIN GENERATED KEY TABLE (crates/sagemaker/tests/keys.rs) -->";
const END: &str = "<!-- END GENERATED KEY TABLE -->";

fn code(paths: &[&str]) -> String {
    paths.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
}

fn key_table() -> String {
    let service = Catalog::get().service("sagemaker").unwrap();
    let mut out = String::from("| key | type | operations → request paths (or source) |\n|---|---|---|\n");
    for k in &service.condition_keys {
        let name = k.name;
        let mut cells: Vec<String> = Vec::new();
        if let Some(rule) = KEY_RULES.iter().find(|r| r.key == name) {
            for (ops, paths) in rule.sources {
                cells.push(format!("{}: {}", ops.join(", "), code(paths)));
            }
            let how = match rule.transform {
                Transform::None => None,
                Transform::KmsKeyArn => Some("as a KMS key ARN (R4)"),
                Transform::LifecycleConfigArn => Some("the name as a lifecycle-config ARN (R4)"),
                Transform::ModelArn => Some("the name as a model ARN (R4)"),
                Transform::WorkteamType => Some("the segment after `workteam/` of the ARN (R5)"),
                Transform::Present => Some("`true` when the structure is present (`Null` only)"),
            };
            if let Some(how) = how {
                cells.push(how.to_string());
            }
            if let Some((_, alias)) = KMS_ALIASES.iter().find(|(s, _)| *s == name) {
                cells.push(format!("also populates `{alias}` (R7)"));
            }
        }
        if let Some((succ, _)) = KMS_ALIASES.iter().find(|(_, a)| *a == name) {
            cells.push(format!("deprecated name, populated with `{succ}` (R7, §1.3 item 4)"));
        }
        if let Some((_, field)) = FILE_SYSTEM_KEYS.iter().find(|(f, _)| *f == name) {
            for (op, channels) in FILE_SYSTEM_CHANNELS {
                let paths: Vec<String> = channels.iter().map(|c| format!("{c}.{field}")).collect();
                let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
                cells.push(format!("{op}: {}", code(&refs)));
            }
            cells.push("one evaluation per channel (R6)".into());
        }
        if let Some((_, how)) = SPECIAL_KEYS.iter().find(|(s, _)| *s == name) {
            cells.push(how.to_string());
        }
        if let Some((_, why)) = UNMAPPED.iter().find(|(u, _)| *u == name) {
            cells.push(format!("**unmapped**: {why}"));
        }
        out.push_str(&format!("| `{name}` | {} | {} |\n", k.key_type.as_str(), cells.join("<br>")));
    }
    out
}

#[test]
fn mapping_doc_key_table_is_current() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/sagemaker-mapping.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_default();
    let table = key_table();
    let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("{} has no generated key table markers", path.display());
    };
    let current = &doc[b + BEGIN.len()..e];
    let wanted = format!("\n{table}");
    if current != wanted {
        if std::env::var_os("SAGEGATE_BLESS").is_some() {
            let new = format!("{}{BEGIN}{wanted}{}", &doc[..b], &doc[e..]);
            std::fs::write(&path, new).unwrap();
        } else {
            panic!("the key table of docs/sagemaker-mapping.md is stale; rerun with SAGEGATE_BLESS=1");
        }
    }
}
