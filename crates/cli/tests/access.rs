//! `sagegate access`: the access matrix from a CASE.json and from a running server (users with groups,
//! AWS managed policies and a boundary; a Role Manager role), table and JSON output, `--resource`
//! and `--only`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::collections::BTreeMap;

use serde_json::{json, Value};
use support::{p, sagegate, temp_dir, Server, ACCOUNT};

fn write_case(tag: &str, case: &Value) -> String {
    let path = temp_dir(tag).join("case.json");
    std::fs::write(&path, serde_json::to_string_pretty(case).unwrap()).unwrap();
    path.display().to_string()
}

fn sagemaker_actions() -> usize {
    sagegate_catalog::Catalog::get().service("sagemaker").unwrap().actions.len()
}

fn mixed_case() -> Value {
    json!({
        "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "sagemaker:ListDomains"},
        "identityPolicies": [{"name": "Mixed", "document": {"Version": "2012-10-17", "Statement": [
            {"Sid": "Describe", "Effect": "Allow", "Action": "sagemaker:Describe*", "Resource": "*"},
            {"Sid": "Lists", "Effect": "Allow", "Action": "sagemaker:List*", "Resource": "*"},
            {"Sid": "NoDomainDelete", "Effect": "Deny", "Action": "sagemaker:DeleteDomain", "Resource": "*"},
            {"Sid": "TrainInVpc", "Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*",
             "Condition": {"ForAllValues:StringEquals": {"sagemaker:VpcSubnets": ["subnet-a"]},
                           "Null": {"sagemaker:VpcSubnets": "false"}}},
            {"Sid": "AnyModel", "Effect": "Allow", "Action": "sagemaker:DeleteModel", "Resource": "*"}
        ]}}],
        "scps": [[{"name": "NoModelDeletes", "document": {"Version": "2012-10-17", "Statement": [
            {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "DenyDeleteModel", "Effect": "Deny", "Action": "sagemaker:DeleteModel", "Resource": "*"}
        ]}}]]
    })
}

fn rows(v: &Value) -> BTreeMap<String, Value> {
    v["actions"].as_array().unwrap().iter().map(|r| (r["action"].as_str().unwrap().to_string(), r.clone())).collect()
}

#[test]
fn matrix_from_a_case_file() {
    let case = write_case("file", &mixed_case());
    let (code, out, err) = sagegate(&["access", "--input", &case, "--output", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "no progress bar when stderr is not a terminal: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["principal"], "arn:aws:iam::111122223333:user/alice");
    let total = sagemaker_actions();
    let s = &v["summary"];
    assert_eq!(s["actions"], total);
    assert_eq!(s["decided"], total);
    assert_eq!(
        s["allowed"].as_u64().unwrap() + s["explicitDeny"].as_u64().unwrap() + s["implicitDeny"].as_u64().unwrap(),
        total as u64
    );
    let r = rows(&v);
    let describe = &r["sagemaker:DescribeDomain"];
    assert_eq!(describe["decision"], "Allow");
    assert_eq!(describe["resource"], "arn:aws:sagemaker:us-east-1:111122223333:domain/example");
    assert_eq!(describe["decidedBy"], "Mixed/Describe");
    assert_eq!(r["sagemaker:ListDomains"]["resource"], "*", "wildcard-only actions are decided on *");
    assert_eq!(r["sagemaker:ListDomains"]["decision"], "Allow");
    assert_eq!(r["sagemaker:DeleteDomain"]["decision"], "ExplicitDeny");
    assert_eq!(r["sagemaker:DeleteDomain"]["statements"][0]["statement"], "NoDomainDelete");
    assert_eq!(r["sagemaker:DeleteModel"]["decision"], "ExplicitDeny");
    assert_eq!(r["sagemaker:DeleteModel"]["statements"][0]["policyType"], "service control policy");
    assert_eq!(r["sagemaker:DeleteModel"]["decidedBy"], "NoModelDeletes/DenyDeleteModel");
    let train = &r["sagemaker:CreateTrainingJob"];
    assert_eq!(train["decision"], "ImplicitDeny");
    assert_eq!(train["conditionalAllow"], true, "allowed only when the VPC condition holds");
    assert_eq!(train["decidedBy"], "no identity-based policy allows");
    assert_eq!(r["sagemaker:CreateModel"]["conditionalAllow"], false);
    assert_eq!(s["allowedOnlyUnderConditions"], 1);
}

#[test]
fn table_output_resource_filter_and_only() {
    let case = write_case("table", &mixed_case());
    let (code, out, _) = sagegate(&["access", "--input", &case]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("principal: arn:aws:iam::111122223333:user/alice\npolicies: Mixed (identity), 1 SCPs\n"),
        "{out}"
    );
    let header = out.lines().find(|l| l.starts_with("ACTION")).unwrap();
    for col in ["ACCESS", "RESOURCE", "DECISION", "DECIDED BY"] {
        assert!(header.contains(col), "{header}");
    }
    assert!(out.lines().any(|l| l.starts_with("sagemaker:CreateTrainingJob ") && l.contains("ImplicitDeny*")), "{out}");
    assert!(out.contains(&format!("of {} sagemaker actions)", sagemaker_actions())), "{out}");
    assert!(out.contains("* 1 denied here would be allowed when their conditions hold"), "{out}");

    let arn = "arn:aws:sagemaker:us-east-1:111122223333:training-job/tj1";
    let (code, out, err) = sagegate(&["access", "--input", &case, "--resource", arn, "--output", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let r = rows(&v);
    assert!(r.contains_key("sagemaker:CreateTrainingJob") && r.contains_key("sagemaker:DescribeTrainingJob"));
    assert!(!r.contains_key("sagemaker:DescribeDomain") && !r.contains_key("sagemaker:ListDomains"));
    assert!(r.values().all(|row| row["resource"] == arn));
    assert_eq!(r["sagemaker:DescribeTrainingJob"]["decision"], "Allow");
    let s = &v["summary"];
    assert_eq!(s["decided"].as_u64().unwrap() + s["notApplicable"].as_u64().unwrap(), sagemaker_actions() as u64);

    let (_, out, _) = sagegate(&["access", "--input", &case, "--only", "allowed", "--output", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["actions"].as_array().unwrap().iter().all(|r| r["decision"] == "Allow"));
    assert!(!v["actions"].as_array().unwrap().is_empty());

    // --principal overrides the case's.
    let (_, out, _) = sagegate(&[
        "access",
        "--input",
        &case,
        "--principal",
        "arn:aws:iam::111122223333:user/bob",
        "--output",
        "json",
    ]);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["principal"], "arn:aws:iam::111122223333:user/bob");
}

#[test]
fn usage_errors() {
    let (code, _, err) = sagegate(&["access", "--principal", "arn:aws:iam::111122223333:user/alice"]);
    assert_eq!(code, 2);
    assert!(err.contains("--input CASE.json or --endpoint URL"), "{err}");
    let case = write_case("noprincipal", &json!({"identityPolicies": []}));
    let (code, _, err) = sagegate(&["access", "--input", &case]);
    assert_eq!(code, 2);
    assert!(err.contains("pass --principal"), "{err}");
    let case = write_case("service", &mixed_case());
    let (code, _, err) = sagegate(&["access", "--input", &case, "--service", "nosuchservice"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown service prefix"), "{err}");
    let (code, _, _) = sagegate(&["access", "--input", "/nonexistent/case.json"]);
    assert_eq!(code, 2);
}

// ----- from a running server ---------------------------------------------------------------------

#[test]
fn matrix_from_a_server_matches_the_matrix_from_files() {
    let server = Server::start("access");
    let creds = server.credentials();
    let client = server.client();

    // A user with an inline policy, a group policy, an AWS managed policy and a boundary.
    let call = |action: &str, params: &[(String, String)]| client.call("iam", action, params).unwrap();
    call("CreateUser", &[p("UserName", "bob")]);
    call("CreateGroup", &[p("GroupName", "team")]);
    call("AddUserToGroup", &[p("GroupName", "team"), p("UserName", "bob")]);
    let lists =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:List*","Resource":"*"}]}"#;
    call("PutGroupPolicy", &[p("GroupName", "team"), p("PolicyName", "TeamLists"), p("PolicyDocument", lists)]);
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoNotebooks","Effect":"Deny","Action":"sagemaker:*NotebookInstance","Resource":"*"}]}"#;
    call("PutUserPolicy", &[p("UserName", "bob"), p("PolicyName", "NoNotebooks"), p("PolicyDocument", deny)]);
    call(
        "AttachUserPolicy",
        &[p("UserName", "bob"), p("PolicyArn", "arn:aws:iam::aws:policy/AmazonSageMakerReadOnly")],
    );
    let boundary = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sagemaker:List*","sagemaker:DescribeDomain"],"Resource":"*"}]}"#;
    call("CreatePolicy", &[p("PolicyName", "Boundary"), p("PolicyDocument", boundary)]);
    call(
        "PutUserPermissionsBoundary",
        &[p("UserName", "bob"), p("PermissionsBoundary", &format!("arn:aws:iam::{ACCOUNT}:policy/Boundary"))],
    );
    let (code, out, err) = sagegate(&[
        "access",
        "--endpoint",
        &server.url,
        "--credentials-file",
        &creds,
        "--principal",
        "arn:aws:iam::111122223333:user/bob",
        "--output",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let policies: Vec<&str> = v["policies"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert_eq!(
        policies,
        ["NoNotebooks (identity)", "AmazonSageMakerReadOnly (identity)", "TeamLists (identity)", "Boundary (boundary)"]
    );
    let r = rows(&v);
    assert_eq!(r["sagemaker:ListDomains"]["decision"], "Allow");
    assert_eq!(r["sagemaker:DescribeDomain"]["decision"], "Allow");
    assert!(r["sagemaker:DescribeDomain"]["decidedBy"].as_str().unwrap().contains("AmazonSageMakerReadOnly/"));
    assert_eq!(
        r["sagemaker:DescribeEndpoint"]["decision"], "ImplicitDeny",
        "read-only allows it, the boundary does not"
    );
    assert_eq!(r["sagemaker:DescribeEndpoint"]["decidedBy"], "no permissions boundary allows");
    assert_eq!(r["sagemaker:DeleteNotebookInstance"]["decision"], "ExplicitDeny");
    assert_eq!(r["sagemaker:DeleteNotebookInstance"]["decidedBy"], "NoNotebooks/NoNotebooks");

    // A Role Manager role: the matrix from the server equals the matrix from its planned documents.
    let ds = [
        "--persona",
        "data-scientist",
        "--catalog",
        "2022-12",
        "--param",
        "S3Buckets=amzn-s3-demo-bucket",
        "--param",
        "PassRoles=arn:aws:iam::111122223333:role/service-role/sagemaker-compute-role",
        "--vpc",
        "subnet-0a1b2c3d/sg-0123abcd",
        "--timestamp",
        "1700000000000",
        "--region",
        "us-east-1",
    ];
    let mut create = vec!["roles", "create", "--endpoint", &server.url, "--credentials-file", &creds];
    create.extend(ds);
    let (code, _, err) = sagegate(&create);
    assert_eq!(code, 0, "{err}");
    let role = "arn:aws:iam::111122223333:role/service-role/sagemaker-data-scientist";
    let (code, out, err) = sagegate(&[
        "access",
        "--endpoint",
        &server.url,
        "--credentials-file",
        &creds,
        "--principal",
        role,
        "--output",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let from_server: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        from_server["principal"],
        "arn:aws:sts::111122223333:assumed-role/sagemaker-data-scientist/sagegate-access"
    );

    let mut plan_args = vec!["roles", "plan", "--output", "json", "--account", ACCOUNT];
    plan_args.extend(ds);
    let (_, plan, _) = sagegate(&plan_args);
    let plan: Value = serde_json::from_str(&plan).unwrap();
    let docs: Vec<Value> = plan["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| json!({"name": p["name"], "document": p["document"]}))
        .collect();
    let case = write_case(
        "plan",
        &json!({"request": {"principal": {"arn": "arn:aws:sts::111122223333:assumed-role/sagemaker-data-scientist/sagegate-access",
            "roleArn": role}}, "identityPolicies": docs}),
    );
    let (code, out, err) = sagegate(&["access", "--input", &case, "--output", "json"]);
    assert_eq!(code, 0, "{err}");
    let from_file: Value = serde_json::from_str(&out).unwrap();
    let (a, b) = (rows(&from_server), rows(&from_file));
    assert_eq!(a.len(), b.len());
    for (action, row) in &a {
        assert_eq!(row["decision"], b[action]["decision"], "{action}");
        assert_eq!(row["decidedBy"], b[action]["decidedBy"], "{action}");
        assert_eq!(row["conditionalAllow"], b[action]["conditionalAllow"], "{action}");
    }
    assert_eq!(a["sagemaker:DescribeTrainingJob"]["decision"], "Allow");
    assert_eq!(a["sagemaker:CreateTrainingJob"]["conditionalAllow"], true, "the VPC variant's condition");

    let (code, _, err) = sagegate(&[
        "access",
        "--endpoint",
        &server.url,
        "--credentials-file",
        &creds,
        "--principal",
        "arn:aws:iam::111122223333:role/NoSuchRole",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("neither a user nor a role"), "{err}");
}
