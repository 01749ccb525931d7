//! Every SageMaker operation of the botocore model is planned: a minimal request (its required
//! members) yields the operation's own check on real ARNs, or on `*` for wildcard-only actions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use sagegate_catalog::Catalog;
use sagegate_policy::{Context, Principal};
use sagegate_sagemaker::{plan, Caller, CatalogSar, CheckKind, PlanError, Sar, Scope};
use support::{request, Empty};

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
const STATE_DEPENDENT: [&str; 2] = ["SendPipelineExecutionStepFailure", "SendPipelineExecutionStepSuccess"];

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
        let body = request(api, op.name);
        let result = plan(op.name, &body, &scope, &caller, &Empty, &sar);
        if STATE_DEPENDENT.contains(&op.name) {
            // The resource is named only by stored state (a callback token): the planner says so.
            assert!(matches!(result, Err(PlanError::MissingField(_))), "{}", op.name);
            planned += 1;
            continue;
        }
        if WITHOUT_ACTION.contains(&op.name) {
            assert!(matches!(result, Err(PlanError::UnknownOperation(_))), "{}", op.name);
            continue;
        }
        match result {
            Ok(checks) => {
                let own: Vec<&str> =
                    checks.iter().filter(|c| c.kind == CheckKind::Action).map(|c| c.resource.as_str()).collect();
                let action = catalog.action(&format!("sagemaker:{}", op.name)).unwrap();
                if own == ["*"] {
                    wildcard_only += 1;
                    if !action.is_wildcard_only() && op.name != "ListModelPackages" {
                        failures.push(format!("{}: checked on * but the SAR gives it resource types", op.name));
                    }
                } else if own.is_empty() || own.iter().any(|r| !r.starts_with("arn:") || r.contains("${")) {
                    failures.push(format!("{}: bad resources {own:?}", op.name));
                }
                assert!(sar.has_action(op.name));
                planned += 1;
            }
            Err(e) => failures.push(format!("{}: {e}", op.name)),
        }
    }
    println!("planned {planned} operations ({wildcard_only} wildcard-only), {} failures", failures.len());
    assert!(failures.is_empty(), "{} operations not mapped:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(planned, 404);
}
