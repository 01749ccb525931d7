//! Every SageMaker operation of the botocore model is planned: a minimal request (its required
//! members) yields the operation's own check on real ARNs, or on `*` for wildcard-only actions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sagegate_catalog::{ApiModel, Catalog, ShapeKind};
use sagegate_policy::{Context, Principal};
use sagegate_sagemaker::{
    arns::ResourceFacts, plan, Caller, CatalogSar, CheckKind, PlanError, Sar, Scope, State,
};
use serde_json::{json, Map, Value};

/// The 21 operations without a SAR action (spec §1.2).
const WITHOUT_ACTION: [&str; 21] = [
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
];

/// Operations whose resource only stored state can name (documented in docs/sagemaker-mapping.md).
const STATE_DEPENDENT: [&str; 2] = [
    "SendPipelineExecutionStepFailure",
    "SendPipelineExecutionStepSuccess",
];

struct Empty;
impl ResourceFacts for Empty {
    fn next_model_package_version(&self, _: &str) -> u64 {
        1
    }
    fn generated_domain_id(&self) -> Option<String> {
        Some("d-abcdefghijkl".into())
    }
}
impl State for Empty {
    fn tags(&self, _: &str) -> Option<Vec<(String, String)>> {
        None
    }
    fn space(&self, _: &str, _: &str) -> Option<(Option<String>, String)> {
        None
    }
}

/// A value for a required member: enums take their first value, names a valid name, ARNs an ARN.
fn minimal(api: &ApiModel, member: &str, shape: &str, depth: usize) -> Value {
    let Some(s) = api.shape(shape) else {
        return json!("x");
    };
    match s.kind {
        ShapeKind::Structure => {
            let mut m = Map::new();
            if depth < 6 {
                for mem in s.members.iter().filter(|m| m.required) {
                    m.insert(
                        mem.name.to_string(),
                        minimal(api, mem.name, mem.shape, depth + 1),
                    );
                }
            }
            Value::Object(m)
        }
        ShapeKind::List => json!([minimal(
            api,
            member,
            s.list_member.unwrap_or("x"),
            depth + 1
        )]),
        ShapeKind::Map => json!({}),
        ShapeKind::Integer | ShapeKind::Long => json!(1),
        ShapeKind::Float | ShapeKind::Double => json!(1.0),
        ShapeKind::Boolean => json!(true),
        ShapeKind::Timestamp => json!(0),
        ShapeKind::Blob => json!("eA=="),
        ShapeKind::String => match s.enum_values.first() {
            Some(e) => json!(e),
            None if member.contains("Role") => json!("arn:aws:iam::111122223333:role/Exec"),
            None if member.ends_with("Arn") || member.ends_with("ARN") => {
                json!("arn:aws:sagemaker:us-east-1:111122223333:thing/t1")
            }
            None => json!("name-1"),
        },
    }
}

#[test]
fn every_operation_with_an_action_is_planned() {
    let catalog = Catalog::get();
    let sar = CatalogSar(catalog);
    let api = catalog.api("sagemaker").unwrap();
    let scope = Scope::new("us-east-1", "111122223333");
    let caller = Caller {
        principal: Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap(),
        context: Context::new(),
        studio: None,
    };
    let (mut planned, mut wildcard_only, mut failures) = (0, 0, Vec::new());
    assert_eq!(api.operations.len(), 425);
    for op in &api.operations {
        let mut body = minimal(api, "", op.input.unwrap_or(""), 0);
        // Identifiers that are optional members but one of which every real request carries.
        for (ops, member, value) in [
            (
                &["CreateApp", "DeleteApp", "DescribeApp"][..],
                "UserProfileName",
                "alice",
            ),
            (
                &["CreateModelPackage"][..],
                "ModelPackageGroupName",
                "group-1",
            ),
            (
                &["ListPipelineExecutionSteps"][..],
                "PipelineExecutionArn",
                "arn:aws:sagemaker:us-east-1:111122223333:pipeline/p1/execution/e1",
            ),
            (
                &["DeregisterDevices", "RegisterDevices"][..],
                "DeviceNames",
                "[\"dev-1\"]",
            ),
            (
                &[
                    "DeleteImageVersion",
                    "DescribeImageVersion",
                    "UpdateImageVersion",
                ][..],
                "Version",
                "1",
            ),
            (
                &["DeleteArtifact"][..],
                "ArtifactArn",
                "arn:aws:sagemaker:us-east-1:111122223333:artifact/abc",
            ),
        ] {
            if ops.contains(&op.name) && body.get(member).is_none() {
                body[member] = serde_json::from_str(value).unwrap_or(json!(value));
            }
        }
        let result = plan(op.name, &body, &scope, &caller, &Empty, &sar);
        if STATE_DEPENDENT.contains(&op.name) {
            // The resource is named only by stored state (a callback token): the planner says so.
            assert!(
                matches!(result, Err(PlanError::MissingField(_))),
                "{}",
                op.name
            );
            planned += 1;
            continue;
        }
        if WITHOUT_ACTION.contains(&op.name) {
            assert!(
                matches!(result, Err(PlanError::UnknownOperation(_))),
                "{}",
                op.name
            );
            continue;
        }
        match result {
            Ok(checks) => {
                let own: Vec<&str> = checks
                    .iter()
                    .filter(|c| c.kind == CheckKind::Action)
                    .map(|c| c.resource.as_str())
                    .collect();
                let action = catalog.action(&format!("sagemaker:{}", op.name)).unwrap();
                if own == ["*"] {
                    wildcard_only += 1;
                    if !action.is_wildcard_only() && op.name != "ListModelPackages" {
                        failures.push(format!(
                            "{}: checked on * but the SAR gives it resource types",
                            op.name
                        ));
                    }
                } else if own.is_empty()
                    || own
                        .iter()
                        .any(|r| !r.starts_with("arn:") || r.contains("${"))
                {
                    failures.push(format!("{}: bad resources {own:?}", op.name));
                }
                assert!(sar.has_action(op.name));
                planned += 1;
            }
            Err(e) => failures.push(format!("{}: {e}", op.name)),
        }
    }
    println!(
        "planned {planned} operations ({wildcard_only} wildcard-only), {} failures",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} operations not mapped:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(planned, 404);
}
