//! Lints every AWS managed policy in the catalog: nothing panics, and the role-manager flaw F12 is found
//! where the spec says it is.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sagegate_catalog::Catalog;
use sagegate_lint::lint;
use sagegate_policy::PolicyKind;

#[test]
fn every_managed_policy_lints() {
    let policies = Catalog::get().managed_policies();
    assert!(policies.len() > 1000);
    let findings: usize = policies.iter().map(|p| lint(p.document, PolicyKind::Identity).len()).sum();
    assert!(findings > 0);
}

#[test]
fn canvas_direct_deploy_endpoints_are_dead() {
    // F12: `arn:aws:sagemaker:*:*:Canvas*` has no `endpoint/` type prefix, so the statement matches nothing.
    let p = Catalog::get().managed_policy_by_name("AmazonSageMakerCanvasDirectDeployAccess").unwrap();
    let findings = lint(p.document, PolicyKind::Identity);
    let dead: Vec<&str> = findings.iter().filter(|f| f.code == "SG203").map(|f| f.message.as_str()).collect();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(dead[0].starts_with("statement `SageMakerEndpointPerms` matches no resource of its actions"), "{dead:?}");
}
