//! `sagegate roles`: plan output (text, JSON), CloudFormation and Terraform export, the dependency
//! and quota errors, and `roles create` against a real `sagegate serve` started here, read back
//! through GetRole, ListAttachedRolePolicies and GetPolicyVersion (spec `role-manager.md` §12).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use serde_json::Value;
use support::{p, remote, sagegate, sagegate_env, Server, ACCOUNT};

const COMPUTE_ROLE: &str = "arn:aws:iam::111122223333:role/service-role/sagemaker-compute-role";

/// The 2022-12 Data Scientist with its parameters, at a fixed time and scope.
const DS: &[&str] = &[
    "--persona",
    "data-scientist",
    "--catalog",
    "2022-12",
    "--param",
    "S3Buckets=amzn-s3-demo-bucket,amzn-s3-demo-bucket-2",
    "--param",
    "PassRoles=arn:aws:iam::111122223333:role/service-role/sagemaker-compute-role",
    "--region",
    "us-east-1",
    "--account",
    "111122223333",
    "--timestamp",
    "1700000000000",
];

fn with(base: &[&'static str], extra: &[&'static str]) -> Vec<&'static str> {
    base.iter().chain(extra).copied().collect()
}

#[test]
fn plan_prints_the_trust_policy_and_each_policy() {
    let (code, out, err) = sagegate(&with(&["roles", "plan"], DS));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("role sagemaker-data-scientist (path /service-role/, console layout)\n"), "{out}");
    assert!(out.contains("managed policies: 6 of quota 10"), "{out}");
    assert!(out.contains("trust policy (conditioned):"), "{out}");
    assert!(out.contains("\"aws:SourceArn\": \"arn:aws:sagemaker:us-east-1:111122223333:*\""), "{out}");
    let order: Vec<usize> = [
        "customer managed policy SM_StudioAppPermissions_1700000000000",
        "customer managed policy SM_CommonJobManagement_1700000000000",
        "customer managed policy SM_ModelManagement_1700000000000",
        "customer managed policy SM_ExperimentsManagement_1700000000000",
        "customer managed policy SM_ExperimentsVisualization_1700000000000",
        "customer managed policy SageMakerS3BucketPolicyTemplate_1700000000000",
    ]
    .iter()
    .map(|s| out.find(s).unwrap_or_else(|| panic!("missing {s} in {out}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]));
    assert!(out.contains("\"arn:aws:s3:::amzn-s3-demo-bucket-2/*\""));
    assert!(out.contains("  F5: SM_CommonJobManagement:"), "{out}");
}

#[test]
fn plan_json_has_the_role_policies_and_notes() {
    let (code, out, err) = sagegate(&with(
        &["roles", "plan", "--output", "json", "--vpc", "subnet-0a1b2c3d,subnet-4e5f6a7b/sg-0123abcd"],
        DS,
    ));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["roleName"], "sagemaker-data-scientist");
    assert_eq!(v["catalogue"], "2022-12");
    assert_eq!(v["policies"].as_array().unwrap().len(), 6);
    assert_eq!(v["policies"][1]["template"], "SM_CommonJobManagement_VPC");
    assert_eq!(
        v["policies"][1]["document"]["Statement"][0]["Condition"]["ForAllValues:StringEquals"]["sagemaker:VpcSubnets"],
        serde_json::json!(["subnet-0a1b2c3d", "subnet-4e5f6a7b"])
    );
    assert_eq!(v["managedPolicyCount"], 6);
    assert!(v["notes"].as_array().unwrap().iter().any(|n| n["id"] == "F10"));
}

#[test]
fn plan_exports_cloudformation_and_terraform() {
    let (code, out, err) = sagegate(&with(&["roles", "plan", "--format", "cloudformation"], DS));
    assert_eq!(code, 0, "{err}");
    let cfn: Value = serde_json::from_str(&out).expect("CloudFormation is JSON");
    assert_eq!(cfn["AWSTemplateFormatVersion"], "2010-09-09");
    let resources = cfn["Resources"].as_object().unwrap();
    assert_eq!(resources.len(), 7);
    assert_eq!(resources["SMCommonJobManagementPolicy"]["Type"], "AWS::IAM::ManagedPolicy");
    assert_eq!(resources["Role"]["Properties"]["ManagedPolicyArns"][0]["Ref"], "SMStudioAppPermissionsPolicy");
    assert_eq!(cfn["Outputs"]["RoleArn"]["Value"]["Fn::GetAtt"][0], "Role");

    let (code, out, err) = sagegate(&with(&["roles", "plan", "--format", "terraform"], DS));
    assert_eq!(code, 0, "{err}");
    assert_hcl_shape(&out);
    assert_eq!(out.matches("resource \"aws_iam_policy\"").count(), 6);
    assert_eq!(out.matches("resource \"aws_iam_role_policy_attachment\"").count(), 6);

    // CDK layout: inline policies, SageMaker-<suffix>.
    let (code, out, err) =
        sagegate(&with(&["roles", "plan", "--format", "terraform", "--layout", "cdk", "--role-name", "ds"], DS));
    assert_eq!(code, 0, "{err}");
    assert_hcl_shape(&out);
    assert!(out.contains("name = \"SageMaker-ds\""));
    assert_eq!(out.matches("resource \"aws_iam_role_policy\"").count(), 6);
    let (_, out, _) = sagegate(&with(&["roles", "plan", "--format", "cloudformation", "--layout", "cdk"], DS));
    let cfn: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(cfn["Resources"]["Role"]["Properties"]["Policies"].as_array().unwrap().len(), 6);

    // Policy variables survive Terraform: `${` is escaped as `$${`.
    let (code, out, _) = sagegate(&["roles", "plan", "--activity", "run-studio-apps@console", "--format", "terraform"]);
    assert_eq!(code, 0);
    assert_hcl_shape(&out);
    assert!(out.contains("space/$${sagemaker:DomainId}/*"));
}

/// Balanced blocks, closed heredocs, quoted strings closed on their line, no unescaped `${`.
fn assert_hcl_shape(hcl: &str) {
    let mut depth = 0i32;
    let mut in_heredoc = false;
    for line in hcl.lines() {
        if in_heredoc {
            if line == "EOT" {
                in_heredoc = false;
            }
            continue;
        }
        if line.trim_start().starts_with('#') {
            continue;
        }
        if line.ends_with("<<EOT") {
            in_heredoc = true;
        }
        assert_eq!(line.matches('"').count() % 2, 0, "unbalanced quotes: {line}");
        depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
        assert!(depth >= 0, "closing brace without block: {line}");
    }
    assert!(!in_heredoc, "unterminated heredoc");
    assert_eq!(depth, 0, "unbalanced blocks");
    assert!(!hcl.replace("$${", "").contains("${"), "unescaped interpolation");
    assert!(hcl.contains("resource \"aws_iam_role\" \"role\" {"));
}

#[test]
fn dependency_and_quota_errors_exit_1_and_print_nothing() {
    let (code, out, err) = sagegate(&["roles", "plan", "--activity", "run-studio-apps,canvas-ai-services"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains(
            "canvas-ai-services (Canvas AI Services) needs canvas-core-access (Canvas Core Access) or canvas-data-prep"
        ),
        "{err}"
    );
    assert!(err.contains("help: tick the prerequisite"), "{err}");
    let (code, out, err) =
        sagegate(&["roles", "plan", "--activity", "run-studio-apps,canvas-ai-services", "--fix-dependencies"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("fix: added canvas-core-access (Canvas Core Access), which canvas-ai-services needs"),
        "{out}"
    );

    let (code, out, err) = sagegate(&eleven());
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("role would need 11 managed policies (10 activities + 1 additional); quota PoliciesPerRole is 10"),
        "{err}"
    );
    let mut raised = eleven();
    raised.extend(["--max-managed-policies", "20"]);
    let (code, out, err) = sagegate(&raised);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("managed policies: 11 of quota 20"));
    let (code, _, err) =
        sagegate(&["roles", "plan", "--persona", "compute-role", "--param", "S3Buckets=b-1,ECRRepoArns=x"]);
    assert_eq!(code, 1, "a bad value is an error, not a crash: {err}");
    let (code, _, err) = sagegate(&["roles", "plan", "--catalog", "2023"]);
    assert_eq!(code, 2, "{err}");
}

/// Ten customer managed policies and one additional AWS managed policy: one over the default quota.
fn eleven() -> Vec<&'static str> {
    vec![
        "roles",
        "plan",
        "--activity",
        "access-aws-services,run-studio-apps,manage-ml-jobs,manage-models,manage-endpoints,manage-pipelines",
        "--activity",
        "manage-experiments,search-experiments,manage-model-monitoring,s3-bucket-access",
        "--param",
        "S3Buckets=amzn-s3-demo-bucket",
        "--param",
        "ECRRepoArns=arn:aws:ecr:us-east-1:111122223333:repository/training",
        "--param",
        "PassRoles=arn:aws:iam::111122223333:role/service-role/sagemaker-compute-role",
        "--attach",
        "AmazonSageMakerFullAccess",
        "--role-name",
        "eleven",
    ]
}

#[test]
fn activities_lists_every_row_and_both_preset_versions() {
    let (code, out, _) = sagegate(&["roles", "activities", "--output", "json", "--catalog", "2022-12"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["activities"].as_array().unwrap().len(), 22);
    assert_eq!(v["activities"][2]["parameters"], serde_json::json!(["PassRoles"]));
    assert_eq!(v["activities"][2]["variants"], serde_json::json!(["vpc", "kms"]));
    assert_eq!(v["personas"][0]["activities"].as_array().unwrap().len(), 6);
    let (_, out, _) = sagegate(&["roles", "activities"]);
    assert!(out.contains("run-studio-emr-serverless"));
}

// ----- against a real server ---------------------------------------------------------------------

#[test]
fn create_makes_the_role_readable_through_the_iam_api() {
    let server = Server::start("create");
    let creds = server.credentials();
    let mut args = vec!["roles", "create", "--endpoint", &server.url, "--credentials-file", &creds, "--output", "json"];
    args.extend(DS);
    let (code, out, err) = sagegate(&args);
    assert_eq!(code, 0, "{err}");
    let created: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(created["roleArn"], "arn:aws:iam::111122223333:role/service-role/sagemaker-data-scientist");
    assert!(err.contains("warning: the role to pass arn:aws:iam::111122223333:role/service-role/sagemaker-compute-role does not exist on this server"), "{err}");

    // The plan the role was made from.
    let (_, plan, _) = sagegate(&with(&["roles", "plan", "--output", "json"], DS));
    let plan: Value = serde_json::from_str(&plan).unwrap();

    let client = server.client();
    let role = client.call("iam", "GetRole", &[p("RoleName", "sagemaker-data-scientist")]).unwrap();
    let role = role.find(&["GetRoleResult", "Role"]).unwrap();
    assert_eq!(role.child_text("Path"), Some("/service-role/"));
    let trust_raw = role.child_text("AssumeRolePolicyDocument").unwrap();
    assert!(trust_raw.starts_with("%7B"), "documents come URL-encoded, as on AWS: {trust_raw}");
    let trust: Value = serde_json::from_str(&remote::decode_document(trust_raw)).unwrap();
    assert_eq!(trust, plan["trustPolicy"]);

    let attached =
        client.call("iam", "ListAttachedRolePolicies", &[p("RoleName", "sagemaker-data-scientist")]).unwrap();
    let arns: Vec<String> = attached
        .members(&["ListAttachedRolePoliciesResult", "AttachedPolicies"])
        .iter()
        .map(|m| m.child_text("PolicyArn").unwrap().to_string())
        .collect();
    assert_eq!(arns.len(), 6, "{arns:?}");
    for policy in plan["policies"].as_array().unwrap() {
        let name = policy["name"].as_str().unwrap();
        let arn = format!("arn:aws:iam::{ACCOUNT}:policy/service-role/{name}");
        assert!(arns.contains(&arn), "{arn} not attached: {arns:?}");
        let version = client.call("iam", "GetPolicyVersion", &[p("PolicyArn", &arn), p("VersionId", "v1")]).unwrap();
        let doc = version.find(&["GetPolicyVersionResult", "PolicyVersion", "Document"]).unwrap();
        let doc: Value = serde_json::from_str(&remote::decode_document(&doc.text)).unwrap();
        assert_eq!(doc, policy["document"], "{name}");
    }

    // A second create of the same role fails on CreateRole and leaves the first untouched.
    let before = server.store_state();
    let (code, _, err) = sagegate(&args);
    assert_eq!(code, 1);
    assert!(err.contains("EntityAlreadyExists"), "{err}");
    assert_eq!(server.store_state().1, before.1);
}

#[test]
fn a_failed_quota_check_makes_no_iam_call() {
    let server = Server::start("quota");
    let creds = server.credentials();
    let before = server.store_state();
    let mut args = eleven();
    args[1] = "create";
    args.extend(["--endpoint", &server.url, "--credentials-file", &creds]);
    let (code, out, err) = sagegate(&args);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("no IAM call was made."), "{err}");
    assert!(err.contains("quota PoliciesPerRole is 10"), "{err}");
    assert_eq!(server.store_state(), before, "zero IAM writes: same change counter, same roles and policies");
}

#[test]
fn a_quota_raised_past_the_servers_is_rolled_back_completely() {
    // The pre-check passes with --max-managed-policies 20, but this server enforces its own quota of
    // 10 on AttachRolePolicy (LimitExceeded, 409): the eleventh attachment fails, and everything
    // made before it is undone.
    let server = Server::start("rollback");
    let creds = server.credentials();
    let before = server.store_state();
    let mut args = eleven();
    args[1] = "create";
    args.extend(["--endpoint", &server.url, "--credentials-file", &creds, "--max-managed-policies", "20"]);
    let (code, _, err) = sagegate(&args);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("LimitExceeded (HTTP 409): Cannot exceed quota for PoliciesPerRole: 10"), "{err}");
    assert!(err.contains("rolled back: the role sagemaker-eleven and its 10 policies were deleted"), "{err}");
    assert_eq!(server.store_state().1, before.1, "no partial role is left");
}

#[test]
fn create_in_the_cdk_layout_puts_inline_policies_with_env_credentials() {
    let server = Server::start("cdk");
    let text = std::fs::read_to_string(server.dir.join("credentials")).unwrap();
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k).map(|v| v.trim_start_matches([' ', '=']).trim().to_string()))
            .unwrap()
    };
    let (akid, secret) = (field("aws_access_key_id"), field("aws_secret_access_key"));
    let (code, out, err) = sagegate_env(
        &[
            "roles",
            "create",
            "--endpoint",
            &server.url,
            "--layout",
            "cdk",
            "--role-name",
            "jobs",
            "--activity",
            "manage-ml-jobs",
            "--param",
            &format!("PassRoles={COMPUTE_ROLE}"),
        ],
        &[("AWS_ACCESS_KEY_ID", &akid), ("AWS_SECRET_ACCESS_KEY", &secret)],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created role arn:aws:iam::111122223333:role/service-role/SageMaker-jobs"), "{out}");
    let client = server.client();
    let listed = client.call("iam", "ListRolePolicies", &[p("RoleName", "SageMaker-jobs")]).unwrap();
    let names: Vec<String> =
        listed.members(&["ListRolePoliciesResult", "PolicyNames"]).iter().map(|m| m.text.clone()).collect();
    assert_eq!(names.len(), 1);
    assert!(names[0].starts_with("SM_CommonJobManagement_V1_"), "{names:?}");
    // The CDK layout takes the first activity's trust template, which for this one is plain.
    let role = client.call("iam", "GetRole", &[p("RoleName", "SageMaker-jobs")]).unwrap();
    let trust = remote::decode_document(
        role.find(&["GetRoleResult", "Role", "AssumeRolePolicyDocument"]).unwrap().text.as_str(),
    );
    assert!(!trust.contains("Condition"), "{trust}");

    // Wrong credentials: a clear error, nothing written.
    let (code, _, err) = sagegate(&[
        "roles",
        "create",
        "--endpoint",
        &server.url,
        "--access-key",
        "AKIAWRONG0000000000",
        "--secret-key",
        "x",
        "--activity",
        "search-experiments",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("InvalidClientTokenId"), "{err}");
    // No server: a clear error.
    let (code, _, err) = sagegate(&[
        "roles",
        "create",
        "--endpoint",
        "http://127.0.0.1:9",
        "--access-key",
        "A",
        "--secret-key",
        "x",
        "--account",
        ACCOUNT,
        "--activity",
        "search-experiments",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot reach http://127.0.0.1:9"), "{err}");
}
