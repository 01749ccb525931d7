//! `sagegate roles`: plan output (text, JSON), CloudFormation and Terraform export, the dependency
//! and quota errors, and `roles create` against a real `sagegate serve` started here, read back
//! through GetRole, ListAttachedRolePolicies and GetPolicyVersion (spec `role-manager.md` §12).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use serde_json::Value;
use support::{p, remote, sagegate, sagegate_env, temp_dir, Server, ACCOUNT};

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

const KMS_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1111aaaa-11aa-11aa-11aa-111111aaaaaa";

/// Every template with a correctable flaw: F4 (the KMS variants), F5, F7, F8, F10, and F12 listed.
fn flawed() -> Vec<&'static str> {
    with(
        &[
            "roles",
            "plan",
            "--activity",
            "run-studio-apps@1,manage-ml-jobs,manage-models,manage-endpoints,manage-pipelines",
            "--activity",
            "manage-model-monitoring,manage-glue-tables,canvas-mlops",
            "--fix-dependencies",
            "--kms",
            KMS_KEY,
            "--param",
            "GlueDbNames=analytics",
            "--max-managed-policies",
            "20",
        ],
        &DS[4..],
    )
}

#[test]
fn strict_plan_lists_each_change_with_its_flaw_id() {
    let (code, faithful, err) = sagegate(&with(&["roles", "plan"], DS));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = sagegate(&with(&["roles", "plan", "--strict"], DS));
    assert_eq!(code, 0, "{err}");
    assert!(!faithful.contains("strict"), "without --strict nothing changes");
    assert!(out.contains("\nstrict changes (3):\n"), "{out}");
    assert!(out.contains("\n  F5: added sagemaker:StopTransformJob to SM_CommonJobManagement\n"), "{out}");
    assert!(out.contains("\n  F10: added sagemaker:AddTags on arn:aws:sagemaker:*:*:*/* for tag-on-create only (StringEquals sagemaker:TaggingAction: CreateModel, CreateModelPackage, CreateModelPackageGroup) to SM_ModelManagement\n"), "{out}");
    assert!(!out.contains("  F5: SM_CommonJobManagement:"), "the corrected flaw is no longer a note: {out}");
    assert!(faithful.contains("  F5: SM_CommonJobManagement:"));
    assert!(out.contains("\"sagemaker:StopTransformJob\""));
    assert!(!faithful.contains("\"sagemaker:StopTransformJob\""));

    let (code, out, err) = sagegate(&with(&flawed(), &["--strict", "--output", "json"]));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["strict"], true);
    let ids: Vec<&str> = v["changes"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    for id in ["F4", "F7", "F8", "F10", "F12"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let f12 = v["changes"].as_array().unwrap().iter().find(|c| c["id"] == "F12").unwrap();
    assert_eq!(f12["corrected"], false);
    assert_eq!(f12["policy"], "AmazonSageMakerCanvasDirectDeployAccess");
    assert!(f12["message"].as_str().unwrap().starts_with("not corrected: "));
    let (_, out, _) = sagegate(&with(&flawed(), &["--output", "json"]));
    let faithful: Value = serde_json::from_str(&out).unwrap();
    assert!(faithful.get("changes").is_none() && faithful.get("strict").is_none());
}

#[test]
fn the_readme_example_is_the_real_output() {
    // README.md, "Example: Role Manager's Data Scientist": every line it shows, in order.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let args = [
        "roles",
        "plan",
        "--persona",
        "data-scientist",
        "--catalog",
        "2022-12",
        "--param",
        "S3Buckets=amzn-s3-demo-bucket",
        "--param",
        "PassRoles=arn:aws:iam::111122223333:role/SageMakerExec",
        "--region",
        "us-east-1",
        "--account",
        "111122223333",
        "--timestamp",
        "1700000000000",
    ];
    let (code, faithful, err) = sagegate(&args);
    assert_eq!(code, 0, "{err}");
    let (code, strict, err) = sagegate(&with(&args, &["--strict"]));
    assert_eq!(code, 0, "{err}");
    let section = readme.split("### Example: Role Manager's Data Scientist").nth(1).unwrap();
    let section = section.split("\n### ").next().unwrap();
    let mut blocks = section.split("```console\n").skip(1).map(|b| b.split("```").next().unwrap());
    for (block, out) in [(blocks.next().unwrap(), &faithful), (blocks.next().unwrap(), &strict)] {
        let mut from = 0;
        for line in block.lines().filter(|l| !l.starts_with('$') && !l.starts_with("    --") && *l != "...") {
            let line = line.strip_suffix(", ...").unwrap_or(line);
            let at = out[from..].find(line).unwrap_or_else(|| panic!("README line not in the output: {line}"));
            from += at + line.len();
        }
    }
}

/// The lint codes of each generated policy, by template.
fn lint_codes(plan: &Value, tag: &str) -> Vec<(String, Vec<String>)> {
    let dir = temp_dir(tag);
    let mut out = Vec::new();
    for policy in plan["policies"].as_array().unwrap() {
        let template = policy["template"].as_str().unwrap().to_string();
        let path = dir.join(format!("{template}.json"));
        std::fs::write(&path, policy["document"].to_string()).unwrap();
        let path = path.display().to_string();
        let (code, text, err) =
            sagegate(&["policy", "lint", "--kind", "managed", "--fail-on", "none", "--output", "json", &path]);
        assert_eq!(code, 0, "{err}");
        let report: Value = serde_json::from_str(&text).unwrap();
        let mut codes: Vec<String> = report["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect();
        codes.sort();
        codes.dedup();
        out.push((template, codes));
    }
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn strict_policies_no_longer_trip_the_lint_checks_of_their_flaws() {
    // F4: SG106 deprecated-kms-key and SG304 string-operator-on-arn-key; F8: SG202
    // action-matches-no-resource and SG203 statement-matches-no-resource.
    let flaw_checks = ["SG106", "SG304", "SG202", "SG203"];
    let (_, out, _) = sagegate(&with(&flawed(), &["--output", "json"]));
    let faithful = lint_codes(&serde_json::from_str(&out).unwrap(), "lint-faithful");
    let (_, out, _) = sagegate(&with(&flawed(), &["--strict", "--output", "json"]));
    let strict = lint_codes(&serde_json::from_str(&out).unwrap(), "lint-strict");
    let fired = |codes: &[(String, Vec<String>)], template: &str| -> Vec<String> {
        let (_, c) = codes.iter().find(|(t, _)| t == template).unwrap();
        c.iter().filter(|c| flaw_checks.contains(&c.as_str())).cloned().collect()
    };
    for (template, expected) in [
        ("SM_CommonJobManagement_KMS", vec!["SG106", "SG304"]),
        ("SM_EndpointDeployment_KMS", vec!["SG106", "SG304"]),
        ("SM_ModelMonitoring_KMS", vec!["SG106", "SG304"]),
        ("SM_GlueTableManagement_KMS", vec!["SG202", "SG203"]),
    ] {
        assert_eq!(fired(&faithful, template), expected, "{template} as published");
        assert!(fired(&strict, template).is_empty(), "{template} with --strict: {strict:?}");
    }
    for (template, codes) in &strict {
        assert!(!codes.iter().any(|c| flaw_checks.contains(&c.as_str())), "{template}: {codes:?}");
    }
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
fn create_strict_makes_the_corrected_policies_and_says_what_changed() {
    let server = Server::start("strict");
    let creds = server.credentials();
    let pass = format!("PassRoles={COMPUTE_ROLE}");
    let mut args = vec![
        "roles",
        "create",
        "--endpoint",
        &server.url,
        "--credentials-file",
        &creds,
        "--strict",
        "--role-name",
        "jobs",
    ];
    args.extend(["--activity", "manage-ml-jobs", "--param", &pass]);
    args.extend(["--timestamp", "1700000000000"]);
    let (code, out, err) = sagegate(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\nstrict F5: added sagemaker:StopTransformJob to SM_CommonJobManagement\n"), "{out}");
    assert!(out.contains("\nstrict F10: added sagemaker:AddTags on "), "{out}");
    assert!(!out.contains("note F5"), "{out}");
    let arn = format!("arn:aws:iam::{ACCOUNT}:policy/service-role/SM_CommonJobManagement_1700000000000");
    let version =
        server.client().call("iam", "GetPolicyVersion", &[p("PolicyArn", &arn), p("VersionId", "v1")]).unwrap();
    let doc = version.find(&["GetPolicyVersionResult", "PolicyVersion", "Document"]).unwrap();
    let doc = remote::decode_document(&doc.text);
    assert!(doc.contains("sagemaker:StopTransformJob") && doc.contains("sagemaker:TaggingAction"), "{doc}");
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
fn with_quota_20_configured_the_eleven_policy_role_is_created() {
    // §12: "an 11-policy role fails the pre-check with zero IAM writes; with quota 20 configured,
    // the same role is created". The server's AttachRolePolicy quota is the `iam.policies_per_role`
    // setting (§9), here raised to 20 like the pre-check's.
    let server = Server::start_with("quota20", &["--iam-policies-per-role", "20"]);
    let creds = server.credentials();
    let mut args = eleven();
    args[1] = "create";
    args.extend(["--endpoint", &server.url, "--credentials-file", &creds]);

    // At the default quota of the pre-check: refused before any IAM call.
    let before = server.store_state();
    let (code, _, err) = sagegate(&args);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no IAM call was made."), "{err}");
    assert!(err.contains("quota PoliciesPerRole is 10"), "{err}");
    assert_eq!(server.store_state(), before, "zero IAM writes");

    // With quota 20 on both sides: created, all eleven attached.
    args.extend(["--max-managed-policies", "20", "--output", "json"]);
    let (code, out, err) = sagegate(&args);
    assert_eq!(code, 0, "{err}");
    let created: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(created["attachedPolicyArns"].as_array().unwrap().len(), 11, "{out}");
    let client = server.client();
    let attached = |client: &remote::Client| -> Vec<String> {
        let listed = client.call("iam", "ListAttachedRolePolicies", &[p("RoleName", "sagemaker-eleven")]).unwrap();
        listed
            .members(&["ListAttachedRolePoliciesResult", "AttachedPolicies"])
            .iter()
            .map(|m| m.child_text("PolicyArn").unwrap().to_string())
            .collect()
    };
    let arns = attached(&client);
    assert_eq!(arns.len(), 11, "{arns:?}");
    assert!(arns.contains(&"arn:aws:iam::aws:policy/AmazonSageMakerFullAccess".to_string()), "{arns:?}");
    for stem in ["SM_ComputeExecutionRole", "SM_ModelMonitoring", "SageMakerS3BucketPolicyTemplate"] {
        assert!(arns.iter().any(|a| a.contains(&format!(":policy/service-role/{stem}_"))), "{stem}: {arns:?}");
    }

    // The server's own check now stops at 20, and says so.
    for i in 0..10 {
        let name = format!("extra-{i}");
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#;
        client.call("iam", "CreatePolicy", &[p("PolicyName", &name), p("PolicyDocument", doc)]).unwrap();
        let arn = format!("arn:aws:iam::{ACCOUNT}:policy/{name}");
        let answer = client.call("iam", "AttachRolePolicy", &[p("RoleName", "sagemaker-eleven"), p("PolicyArn", &arn)]);
        if i < 9 {
            answer.unwrap();
        } else {
            let e = answer.unwrap_err().to_string();
            assert!(e.contains("LimitExceeded") && e.contains("Cannot exceed quota for PoliciesPerRole: 20"), "{e}");
        }
    }
    assert_eq!(attached(&client).len(), 20);
}

#[test]
fn serve_accepts_policies_per_role_from_1_to_20() {
    for bad in ["0", "21", "ten"] {
        let (code, _, err) = sagegate(&["serve", "--iam-policies-per-role", bad, "--data-dir", "/nonexistent/x"]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("--iam-policies-per-role"), "{err}");
    }
    let (code, _, err) =
        sagegate_env(&["serve", "--data-dir", "/nonexistent/x"], &[("SAGEGATE_IAM_POLICIES_PER_ROLE", "25")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("25 is not in 1..=20"), "{err}");
    let (_, help, _) = sagegate(&["serve", "--help"]);
    assert!(help.contains("--iam-policies-per-role <N>") && help.contains("SAGEGATE_IAM_POLICIES_PER_ROLE"), "{help}");
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
