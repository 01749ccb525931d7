//! Tests of the embedded catalog: the counts of spec §1.2, the modelling facts of §1.3 the data
//! must show, and the lookups (actions, keys, expansion, suggestions, managed policies,
//! operations and their input shapes).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sagegate_catalog::{AccessLevel, Catalog, KeyType, NameKind, ShapeKind};
use std::collections::{BTreeMap, BTreeSet};

fn catalog() -> &'static Catalog {
    Catalog::get()
}

fn sagemaker() -> &'static sagegate_catalog::Service {
    catalog().service("sagemaker").expect("sagemaker service")
}

#[test]
fn all_embedded_data_parses() {
    if let Err(errors) = catalog().verify() {
        panic!("catalog data does not parse:\n{}", errors.join("\n"));
    }
    assert_eq!(catalog().services().count(), 456);
    let manifest: serde_json::Value = serde_json::from_str(sagegate_catalog::DATA_MANIFEST).unwrap();
    assert_eq!(manifest["sar"]["actions"], 22091);
}

// ----- spec §1.2 ---------------------------------------------------------------------------

#[test]
fn sagemaker_action_counts() {
    let s = sagemaker();
    assert_eq!(s.actions.len(), 449);
    let mut levels: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &s.actions {
        *levels.entry(a.access_level.as_str()).or_default() += 1;
    }
    assert_eq!(levels, BTreeMap::from([("List", 96), ("Read", 101), ("Tagging", 2), ("Write", 250)]));
    // The data spells the two tagging actions "Tagging, Write".
    let tagging: Vec<&str> =
        s.actions.iter().filter(|a| a.access_level == AccessLevel::Tagging).map(|a| a.name).collect();
    assert_eq!(tagging, ["AddTags", "DeleteTags"]);
    assert!(s
        .actions
        .iter()
        .filter(|a| a.access_level == AccessLevel::Tagging)
        .all(|a| a.access_level_text == "Tagging, Write"));
    assert_eq!(
        catalog().action("sagemaker:AddTags").unwrap().access_levels().collect::<Vec<_>>(),
        [AccessLevel::Tagging, AccessLevel::Write]
    );
}

#[test]
fn sagemaker_resource_type_and_key_counts() {
    let s = sagemaker();
    assert_eq!(s.resource_types.len(), 73);
    assert_eq!(s.condition_keys.len(), 68);
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    for k in &s.condition_keys {
        *types.entry(k.key_type.as_str()).or_default() += 1;
    }
    assert_eq!(
        types,
        BTreeMap::from([
            ("ARN", 14),
            ("ArrayOfARN", 4),
            ("ArrayOfString", 7),
            ("Bool", 7),
            ("Numeric", 4),
            ("String", 32)
        ])
    );
}

#[test]
fn sagemaker_tag_keys_on_actions() {
    let s = sagemaker();
    let with = |key: &str| s.actions.iter().filter(|a| a.condition_keys.contains(&key)).count();
    assert_eq!(with("aws:RequestTag/${TagKey}"), 70);
    assert_eq!(with("aws:TagKeys"), 71);
    let delete_tags = s.action("DeleteTags").unwrap();
    assert!(delete_tags.condition_keys.contains(&"aws:TagKeys"));
    assert!(!delete_tags.condition_keys.contains(&"aws:RequestTag/${TagKey}"));
}

#[test]
fn iam_and_sts_counts() {
    let iam = catalog().service("iam").unwrap();
    assert_eq!((iam.actions.len(), iam.resource_types.len(), iam.condition_keys.len()), (190, 15, 22));
    let sts = catalog().service("sts").unwrap();
    assert_eq!((sts.actions.len(), sts.resource_types.len(), sts.condition_keys.len()), (16, 5, 131));
}

#[test]
fn sagemaker_wire_model() {
    let api = catalog().api("sagemaker").unwrap();
    assert_eq!(api.operations.len(), 425);
    assert_eq!(api.metadata.protocol, "json");
    assert_eq!(api.metadata.json_version, Some("1.1"));
    assert_eq!(api.metadata.target_prefix, Some("SageMaker"));
    assert_eq!(api.metadata.signing_name, Some("sagemaker"));
    assert!(api.operations.iter().all(|o| o.http_method == "POST" && o.request_uri == "/"));
    assert_eq!(catalog().api("iam").unwrap().operations.len(), 180);
    assert_eq!(catalog().api("sts").unwrap().operations.len(), 11);
    assert_eq!(catalog().api("iam").unwrap().metadata.protocol, "query");
}

#[test]
fn operations_versus_sar_actions() {
    let api = catalog().api("sagemaker").unwrap();
    let s = sagemaker();
    let with_action: Vec<&str> = api.operations.iter().map(|o| o.name).filter(|n| s.action(n).is_some()).collect();
    assert_eq!(with_action.len(), 404, "operations whose action sagemaker:<Operation> exists");
    // Canonical spelling of the action equals the operation name for all of them.
    assert!(with_action.iter().all(|n| s.action(n).unwrap().name == *n));

    let without: BTreeSet<&str> = api.operations.iter().map(|o| o.name).filter(|n| s.action(n).is_none()).collect();
    let expected: BTreeSet<&str> = [
        "CreateClusterExtension",
        "DeleteClusterExtension",
        "DescribeClusterExtension",
        "UpdateClusterExtension",
        "ListClusterExtensions",
        "ListClusterExtensionVersions",
        "CreateInferenceRouter",
        "DeleteInferenceRouter",
        "DescribeInferenceRouter",
        "UpdateInferenceRouter",
        "ListInferenceRouters",
        "CreateTrainingSession",
        "DeleteTrainingSession",
        "DescribeTrainingSession",
        "StopTrainingSession",
        "ListTrainingSessions",
        "GetEndpointPolicy",
        "PutEndpointPolicy",
        "DeleteEndpointPolicy",
        "DescribeClusterOperation",
        "ListClusterOperations",
    ]
    .into_iter()
    .collect();
    assert_eq!(without, expected, "the 21 operations without a SAR action (spec §1.2)");

    // Actions with no operation in this model: 45. Of those, 23 are operations of the sibling
    // SageMaker APIs (botocore models sagemaker-runtime, sagemaker-featurestore-runtime,
    // sagemaker-a2i-runtime, sagemaker-edge, sagemaker-metrics, sagemakerjobruntime, which the
    // catalog does not embed); the other 22 are the spec's permission-only actions.
    let sibling_api: BTreeSet<&str> = [
        "InvokeEndpoint",
        "InvokeEndpointAsync",
        "InvokeEndpointWithResponseStream",
        "BatchGetRecord",
        "BatchWriteRecord",
        "DeleteRecord",
        "GetRecord",
        "ListRecords",
        "PutRecord",
        "DeleteHumanLoop",
        "DescribeHumanLoop",
        "ListHumanLoops",
        "StartHumanLoop",
        "StopHumanLoop",
        "GetDeployments",
        "GetDeviceRegistration",
        "SendHeartbeat",
        "BatchGetMetrics",
        "BatchPutMetrics",
        "CompleteRollout",
        "Sample",
        "SampleWithResponseStream",
        "UpdateReward",
    ]
    .into_iter()
    .collect();
    let no_op: BTreeSet<&str> = s.actions.iter().map(|a| a.name).filter(|n| api.operation(n).is_none()).collect();
    assert_eq!(no_op.len(), 45);
    assert!(sibling_api.is_subset(&no_op));
    let permission_only: Vec<&str> = no_op.difference(&sibling_api).copied().collect();
    assert_eq!(permission_only.len(), 22, "{permission_only:?}");
    for name in
        ["CreateSharedModel", "PutResourcePolicy", "CallWithBearerToken", "DeployHubModel", "CreateReservedCapacity"]
    {
        assert!(permission_only.contains(&name), "{name} is permission-only");
    }
}

// ----- spec §1.3 ---------------------------------------------------------------------------

#[test]
fn resource_type_keys_are_not_on_action_rows() {
    let s = sagemaker();
    let tagged: Vec<&str> = s
        .resource_types
        .iter()
        .filter(|r| {
            r.condition_keys.contains(&"aws:ResourceTag/${TagKey}")
                && r.condition_keys.contains(&"sagemaker:ResourceTag/${TagKey}")
        })
        .map(|r| r.name)
        .collect();
    assert_eq!(tagged.len(), 67);
    assert!(!s.actions.iter().any(|a| a.condition_keys.contains(&"aws:ResourceTag/${TagKey}")));
    let untagged: BTreeSet<&str> = s
        .resource_types
        .iter()
        .filter(|r| !r.condition_keys.iter().any(|k| k.contains("ResourceTag")))
        .map(|r| r.name)
        .collect();
    assert_eq!(
        untagged,
        BTreeSet::from([
            "human-loop",
            "mlflow-tracking-server",
            "monitoring-schedule-alert",
            "sagemaker-catalog",
            "shared-model",
            "shared-model-event"
        ])
    );
    let mp = s.resource_type("model-package").unwrap();
    for k in [
        "sagemaker:CurrentModelLifeCycleStage",
        "sagemaker:CurrentModelLifeCycleStageStatus",
        "sagemaker:CurrentCustomerMetadataProperties/${MetadataKey}",
    ] {
        assert!(mp.condition_keys.contains(&k), "model-package declares {k}");
    }
}

#[test]
fn keys_attached_to_no_action() {
    let s = sagemaker();
    let used: BTreeSet<&str> = s
        .actions
        .iter()
        .flat_map(|a| a.condition_keys.iter().chain(a.resource_types.iter().flat_map(|r| r.condition_keys.iter())))
        .chain(s.resource_types.iter().flat_map(|r| r.condition_keys.iter()))
        .copied()
        .collect();
    for k in [
        "sagemaker:VolumeKmsKey",
        "sagemaker:OutputKmsKey",
        "sagemaker:DomainSharingOutputKmsKey",
        "sagemaker:FeatureGroupOfflineStoreKmsKey",
        "sagemaker:FeatureGroupOnlineStoreKmsKey",
        "sagemaker:HomeEfsFileSystemKmsKey",
        "sagemaker:DomainId",
        "sagemaker:UserProfileName",
    ] {
        assert!(s.condition_key(k).is_some(), "{k} is declared");
        assert!(!used.contains(k), "{k} is attached to no action");
    }
    for k in ["sagemaker:AuthMode", "sagemaker:IsUpdateRecord", "sagemaker:UpdatableFeatures"] {
        assert!(s.condition_key(k).is_some(), "{k} is declared");
    }
    assert!(s.actions.iter().all(|a| a.dependent_actions.is_empty()), "dependentActions is empty for SageMaker");
}

#[test]
fn sagemaker_pattern_keys() {
    let mut regexes: Vec<&str> =
        catalog().pattern_keys().iter().filter(|p| p.services.contains(&"sagemaker")).map(|p| p.regex).collect();
    regexes.sort_unstable();
    assert_eq!(
        regexes,
        [
            "sagemaker:CurrentCustomerMetadataProperties/.+?",
            "sagemaker:CustomerMetadataProperties/.+?",
            "sagemaker:ResourceTag/.+?",
            "sagemaker:SearchVisibilityCondition/.+?"
        ]
    );
    // The bare "preface string" entry exists but is not a family.
    let bare = catalog().condition_key("sagemaker:ResourceTag/").unwrap();
    assert!(!bare.pattern);
    assert_eq!(bare.declared, "sagemaker:ResourceTag/");
}

// ----- lookups -----------------------------------------------------------------------------

#[test]
fn action_lookup_is_case_insensitive_and_canonical() {
    let a = catalog().action("sagemaker:createTRAININGjob").unwrap();
    assert_eq!(a.name, "CreateTrainingJob");
    assert_eq!(a.qualified, "sagemaker:CreateTrainingJob");
    assert_eq!(a.access_level, AccessLevel::Write);
    let required: Vec<&str> = a.required_resource_types().map(|r| r.name).collect();
    assert_eq!(required, ["training-job"]);
    assert!(a.resource_types.iter().any(|r| r.name == "training-plan" && !r.required));
    assert!(a.condition_keys.contains(&"sagemaker:VpcSubnets"));
    assert!(a.condition_keys.contains(&"aws:RequestTag/${TagKey}"));
    assert!(catalog().action("SageMaker:CreateTrainingJob").is_some());
    assert!(catalog().action("sagemaker:NoSuchAction").is_none());
    assert!(catalog().action("nosuchservice:CreateTrainingJob").is_none());
    assert!(catalog().action("CreateTrainingJob").is_none());
    assert!(catalog().action("sagemaker:ListModels").unwrap().is_wildcard_only());
    assert_eq!(catalog().action("iam:PassRole").unwrap().access_level, AccessLevel::Write);
    assert_eq!(catalog().action("iam:PutRolePolicy").unwrap().access_level, AccessLevel::PermissionsManagement);
}

#[test]
fn resource_type_lookup() {
    let r = catalog().resource_type("sagemaker", "training-job").unwrap();
    assert_eq!(r.arn_format, "arn:${Partition}:sagemaker:${Region}:${Account}:training-job/${TrainingJobName}");
    assert!(r.condition_keys.contains(&"sagemaker:ResourceTag/${TagKey}"));
    assert!(catalog().resource_type("SAGEMAKER", "Training-Job").is_some());
    assert!(catalog().resource_type("sagemaker", "nope").is_none());
    assert_eq!(catalog().resource_type("iam", "role").unwrap().name, "role");
}

#[test]
fn condition_key_types() {
    let c = catalog();
    let ty = |k: &str| c.condition_key(k).map(|i| i.key_type);
    assert_eq!(ty("aws:SourceIp"), Some(KeyType::IpAddress));
    assert_eq!(ty("aws:sourcevpce"), Some(KeyType::String));
    assert_eq!(ty("aws:CurrentTime"), Some(KeyType::Date));
    assert_eq!(ty("aws:MultiFactorAuthPresent"), Some(KeyType::Bool));
    assert_eq!(ty("aws:TagKeys"), Some(KeyType::ArrayOfString));
    assert_eq!(ty("aws:PrincipalArn"), Some(KeyType::Arn));
    assert_eq!(ty("sagemaker:VolumeKmsKey"), Some(KeyType::Arn));
    assert_eq!(ty("sagemaker:InstanceTypes"), Some(KeyType::ArrayOfString));
    assert_eq!(ty("sagemaker:VpcSubnets"), Some(KeyType::ArrayOfString));
    assert_eq!(ty("sagemaker:MaxRuntimeInSeconds"), Some(KeyType::Numeric));
    assert_eq!(ty("sagemaker:NetworkIsolation"), Some(KeyType::Bool));
    assert_eq!(ty("iam:PassedToService"), Some(KeyType::String));
    assert_eq!(ty("saml:aud"), Some(KeyType::String), "keys filed under another service (sts)");
    assert_eq!(ty("sagemaker:NoSuchKey"), None);
    assert_eq!(ty("nosuch:Key"), None);
    assert_eq!(ty("no-colon"), None);

    let exact = c.condition_key("SAGEMAKER:volumekmskey").unwrap();
    assert_eq!(exact.name, "sagemaker:VolumeKmsKey");
    assert!(!exact.pattern && !exact.global);

    let tag = c.condition_key("sagemaker:resourcetag/Project").unwrap();
    assert_eq!(tag.name, "sagemaker:ResourceTag/Project");
    assert_eq!(tag.declared, "sagemaker:ResourceTag/${TagKey}");
    assert_eq!(tag.key_type, KeyType::String);
    assert!(tag.pattern && !tag.global);

    let req = c.condition_key("aws:requesttag/CostCenter").unwrap();
    assert_eq!(req.name, "aws:RequestTag/CostCenter");
    assert_eq!(req.declared, "aws:RequestTag/tag-key");
    assert!(req.pattern && req.global);
    assert!(c.condition_key("aws:PrincipalTag/Dept").unwrap().pattern);
    // The SAR's own spelling of the family is found too.
    assert!(c.condition_key("aws:RequestTag/${TagKey}").unwrap().pattern);
    assert!(c.condition_key("sagemaker:ResourceTag/${TagKey}").unwrap().pattern);
    // A family needs something after the slash.
    assert!(c.condition_key("aws:RequestTag/").is_none());

    let vis = c.condition_key("sagemaker:SearchVisibilityCondition/Tags.Team").unwrap();
    assert_eq!(vis.declared, "sagemaker:SearchVisibilityCondition/${FilterKey}");
    let gh = c.condition_key("token.actions.githubusercontent.com/acme:sub");
    assert!(gh.is_none_or(|g| g.key_type == KeyType::String));
}

#[test]
fn every_declared_key_resolves() {
    // Every key any service declares is found by the global lookup (the type may differ for
    // the one key services disagree on, identitystore:UserId).
    let c = catalog();
    let mut missing = Vec::new();
    for service in c.services().filter_map(|p| c.service(p)) {
        for k in &service.condition_keys {
            if c.condition_key(k.name).is_none() {
                missing.push(k.name);
            }
        }
    }
    assert!(missing.is_empty(), "not found: {missing:?}");
}

#[test]
fn action_pattern_expansion() {
    let c = catalog();
    let describes = c.expand_action_pattern("sagemaker:Describe*");
    let expected: Vec<&str> =
        sagemaker().actions.iter().filter(|a| a.name.starts_with("Describe")).map(|a| a.qualified.as_str()).collect();
    assert!(!describes.is_empty());
    assert_eq!(describes, expected);
    assert!(describes.contains(&"sagemaker:DescribeTrainingJob"));
    assert_eq!(c.expand_action_pattern("SageMaker:describe*"), describes);
    assert_eq!(c.expand_action_pattern("sagemaker:*").len(), 449);
    assert_eq!(c.expand_action_pattern("sagemaker:CreateTrainingJob"), ["sagemaker:CreateTrainingJob"]);
    assert_eq!(c.expand_action_pattern("sagemaker:createtrainingjob"), ["sagemaker:CreateTrainingJob"]);
    assert_eq!(c.expand_action_pattern("sagemaker:Create?rainingJob"), ["sagemaker:CreateTrainingJob"]);
    assert!(c.expand_action_pattern("sagemaker:Nope*").is_empty());
    assert!(c.expand_action_pattern("nosuch:*").is_empty());
    assert_eq!(c.expand_action_pattern("*").len(), 22091);
    let sage = c.expand_action_pattern("sage*:*");
    assert!(sage.contains(&"sagemaker:AddTags") && sage.iter().any(|a| a.starts_with("sagemaker-geospatial:")));
    let add_tags = c.expand_action_pattern("*:AddTags");
    assert!(add_tags.contains(&"sagemaker:AddTags"));
    assert!(add_tags.iter().all(|a| a.ends_with(":AddTags")));
}

#[test]
fn did_you_mean() {
    let c = catalog();
    let dym = |k, n| c.did_you_mean(k, n);
    assert_eq!(dym(NameKind::Service, "sagemakr").as_deref(), Some("sagemaker"));
    assert_eq!(dym(NameKind::Service, "zzzzzzzzzzzz"), None);
    assert_eq!(dym(NameKind::Action, "sagemaker:CreateTraningJob").as_deref(), Some("sagemaker:CreateTrainingJob"));
    assert_eq!(dym(NameKind::Action, "sagemaker:createtrainingjob").as_deref(), Some("sagemaker:CreateTrainingJob"));
    assert_eq!(dym(NameKind::Action, "sagemkaer:CreateTrainingJob").as_deref(), Some("sagemaker:CreateTrainingJob"));
    assert_eq!(dym(NameKind::Action, "sagemkaer:Describe*").as_deref(), Some("sagemaker:Describe*"));
    assert_eq!(dym(NameKind::Action, "sagemaker:TotallyUnrelatedThing"), None);
    assert_eq!(dym(NameKind::ConditionKey, "sagemaker:VolumeKmsKeyArm").as_deref(), Some("sagemaker:VolumeKmsKeyArn"));
    assert_eq!(dym(NameKind::ConditionKey, "sagemaker:VolumKmsKey").as_deref(), Some("sagemaker:VolumeKmsKey"));
    assert_eq!(dym(NameKind::ConditionKey, "sagemaker:InstanceType").as_deref(), Some("sagemaker:InstanceTypes"));
    assert_eq!(dym(NameKind::ConditionKey, "aws:SourceIpp").as_deref(), Some("aws:SourceIp"));
    assert_eq!(dym(NameKind::ConditionKey, "aws:RequestTags/Project").as_deref(), Some("aws:RequestTag/Project"));
    assert_eq!(dym(NameKind::ConditionKey, "sagemakr:VpcSubnets").as_deref(), Some("sagemaker:VpcSubnets"));
    assert_eq!(
        dym(NameKind::ConditionKey, "sagemaker:resourcetag/Team").as_deref(),
        Some("sagemaker:ResourceTag/Team")
    );
    assert_eq!(dym(NameKind::ManagedPolicy, "AmazonSageMakerFulAccess").as_deref(), Some("AmazonSageMakerFullAccess"));
    assert_eq!(
        dym(NameKind::ManagedPolicy, "arn:aws:iam::aws:policy/AmazonSageMakerFulAccess").as_deref(),
        Some("arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")
    );
}

#[test]
fn managed_policies() {
    let c = catalog();
    assert_eq!(c.managed_policies().len(), 1594);
    let full = c.managed_policy_by_arn("arn:aws:iam::aws:policy/AmazonSageMakerFullAccess").unwrap();
    assert_eq!(full.name, "AmazonSageMakerFullAccess");
    assert_eq!(full.path, "/");
    assert_eq!(full.version_id, "v29");
    assert!(full.updated.starts_with("2026-02-12"));
    let doc: serde_json::Value = serde_json::from_str(full.document).unwrap();
    assert_eq!(doc["Version"], "2012-10-17");
    assert!(doc["Statement"].as_array().is_some_and(|s| !s.is_empty()));
    assert!(full.document.contains("sagemaker:*"));
    assert_eq!(c.managed_policy_by_name("AmazonSageMakerFullAccess"), Some(full));
    assert_eq!(c.managed_policy_by_name("amazonsagemakerfullaccess"), Some(full));
    assert_eq!(c.managed_policy_by_name("AmazonSageMakerReadOnly").unwrap().version_id, "v11");
    assert!(c.managed_policy_by_arn("arn:aws:iam::aws:policy/NoSuchPolicy").is_none());
    assert!(c.managed_policy_by_arn("arn:aws:iam::aws:policy/service-role/AmazonSageMakerFullAccess").is_none());
    let admin = c.managed_policy_by_name("AdministratorAccess").unwrap();
    assert_eq!(
        admin.document,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
    );
    let service_role = c.managed_policies().iter().find(|p| p.path == "/service-role/").unwrap();
    assert_eq!(c.managed_policy_by_arn(service_role.arn), Some(service_role));
    let sagemaker_named = c.managed_policies().iter().filter(|p| p.name.contains("SageMaker")).count();
    assert!(sagemaker_named >= 80, "{sagemaker_named} SageMaker-named policies");
    for p in c.managed_policies() {
        assert!(serde_json::from_str::<serde_json::Value>(p.document).is_ok(), "{} document parses", p.name);
        assert_eq!(p.arn, format!("arn:aws:iam::aws:policy{}{}", p.path, p.name));
    }
}

#[test]
fn operation_input_shapes() {
    let c = catalog();
    let api = c.api("sagemaker").unwrap();
    let op = c.operation("sagemaker", "CreateTrainingJob").unwrap();
    assert_eq!(op.input, Some("CreateTrainingJobRequest"));
    let input = api.input(op).unwrap();
    assert_eq!(input.kind, ShapeKind::Structure);
    // botocore 1.44.5 requires only these three (ResourceConfig and StoppingCondition became
    // optional when training plans and clusters arrived).
    let required: Vec<&str> = input.required_members().collect();
    assert_eq!(required, ["TrainingJobName", "RoleArn", "OutputDataConfig"]);
    assert!(!input.member("VpcConfig").unwrap().required);

    let subnets = api.shape_at("CreateTrainingJob", "VpcConfig.Subnets").unwrap();
    assert_eq!(subnets.kind, ShapeKind::List);
    let subnet = api.shape_at("CreateTrainingJob", "VpcConfig.Subnets[]").unwrap();
    assert_eq!(subnet.kind, ShapeKind::String);
    assert!(subnet.pattern.is_some());
    let instance_type = api.shape_at("CreateTrainingJob", "ResourceConfig.InstanceType").unwrap();
    assert!(instance_type.enum_values.iter().any(|v| v == "ml.m5.large"));
    let role = api.shape_at("CreateHyperParameterTuningJob", "TrainingJobDefinitions[].RoleArn").unwrap();
    assert_eq!(role.kind, ShapeKind::String);
    assert_eq!(role.min, Some(20.0));
    let tag_key = api.shape_at("CreateTrainingJob", "Tags[].Key").unwrap();
    assert_eq!(tag_key.kind, ShapeKind::String);
    let env_value = api.shape_at("CreateTrainingJob", "Environment{}").unwrap();
    assert_eq!(env_value.kind, ShapeKind::String);
    assert!(api.shape_at("CreateTrainingJob", "NoSuchMember").is_none());
    assert!(api.shape_at("CreateTrainingJob", "VpcConfig[]").is_none());
    assert!(api.shape_at("NoSuchOperation", "").is_none());
    assert_eq!(api.shape_at("CreateTrainingJob", "").unwrap().name, "CreateTrainingJobRequest");
    assert!(c.operation("sagemaker", "createtrainingjob").is_some());

    // Every member of every shape refers to a shape that exists.
    for model in c.api_services().filter_map(|s| c.api(s)) {
        for shape in &model.shapes {
            for m in &shape.members {
                assert!(model.shape(m.shape).is_some(), "{}.{} -> {}", shape.name, m.name, m.shape);
            }
            for t in [shape.list_member, shape.map_key, shape.map_value].into_iter().flatten() {
                assert!(model.shape(t).is_some(), "{} -> {t}", shape.name);
            }
        }
        for op in &model.operations {
            assert!(op.input.is_none_or(|i| model.shape(i).is_some()));
        }
    }

    let assume = c.api("sts").unwrap();
    let input = assume.input(assume.operation("AssumeRole").unwrap()).unwrap();
    assert!(input.member("RoleArn").unwrap().required);
    assert!(c.operation("iam", "PassRole").is_none(), "PassRole is permission-only");
    assert!(c.operation("iam", "CreateRole").is_some());
}
