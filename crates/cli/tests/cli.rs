//! End-to-end tests of the `sagegate` binary: the README's examples, output formats and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn sagegate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sagegate"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("run sagegate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn simulate_json_reports_the_decision_at_top_level() {
    let (code, out, err) = sagegate(&["simulate", "--input", "examples/s18-devteam-tags.json", "--output", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["decision"], "ExplicitDeny");
    assert_eq!(v["decidedBy"], "identity-based policy");
    assert_eq!(v["denyingStatement"]["statement"], "DenyProjectB");
    assert_eq!(
        v["message"],
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: sagemaker:StopNotebookInstance on resource: arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-b1 with an explicit deny in an identity-based policy"
    );
}

#[test]
fn simulate_text_shows_the_deciding_statement() {
    let (code, out, _) = sagegate(&["simulate", "--input", "examples/s7-vpc-only-training.json"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("decision: ImplicitDeny\n"), "{out}");
    assert!(out.contains("because no identity-based policy allows the sagemaker:CreateTrainingJob action"));
}

#[test]
fn policy_check_exit_codes_and_locations() {
    let dir = std::env::temp_dir().join(format!("sagegate-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.json");
    let bad = dir.join("bad.json");
    std::fs::write(
        &good,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sagemaker:*","Resource":"*"}}"#,
    )
    .unwrap();
    std::fs::write(&bad, "{\"Version\":\"2012-10-17\",\n\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sagemaker:*\",\"Resource\":\"arn:aws:sage*:*:*:*\"}}").unwrap();
    let (code, out, _) = sagegate(&["policy", "check", good.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = sagegate(&["policy", "check", "--kind", "managed", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "error[MalformedPolicyDocument]: Resource vendor must be fully qualified and cannot contain regexes."
        ),
        "{out}"
    );
    assert!(out.contains("bad.json:2:65"), "{out}");
    let (code, out, _) = sagegate(&["policy", "check", "--output", "json", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["error"]["code"], "MalformedPolicyDocument");
    let (code, _, _) = sagegate(&["policy", "check", dir.join("missing.json").to_str().unwrap()]);
    assert_eq!(code, 2);
}

#[test]
fn simulate_api_reports_each_check_and_the_outcome() {
    let run = |body: &str| {
        sagegate(&[
            "simulate",
            "--api",
            "sagemaker:CreateTrainingJob",
            "--request",
            body,
            "--input",
            "examples/api/s7-policies.json",
            "--output",
            "json",
        ])
    };
    let (code, out, err) = run("examples/api/s7-training-in-vpc.json");
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["decision"], "Allow");
    assert_eq!(v["checks"][0]["resource"], "arn:aws:sagemaker:us-east-1:111122223333:training-job/tj1");
    assert_eq!(v["checks"][0]["context"]["sagemaker:VpcSubnets"], serde_json::json!(["subnet-a1234"]));
    assert_eq!(v["checks"][1]["action"], "iam:PassRole");
    assert_eq!(v["checks"][1]["context"]["iam:PassedToService"], "sagemaker.amazonaws.com");

    let (_, out, _) = run("examples/api/s7-training-extra-subnet.json");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["decision"], "ImplicitDeny");
    assert_eq!(v["error"], "AccessDeniedException");
    assert_eq!(v["failedCheck"], 0);
    assert_eq!(
        v["message"],
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: sagemaker:CreateTrainingJob on resource: arn:aws:sagemaker:us-east-1:111122223333:training-job/tj1 because no identity-based policy allows the sagemaker:CreateTrainingJob action"
    );
}

#[test]
fn policy_check_warns_about_unknown_actions() {
    let dir = std::env::temp_dir().join(format!("sagegate-cli-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("typo.json");
    std::fs::write(&f, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sagemaker:CreateTraningJob","Resource":"*"}}"#).unwrap();
    let (code, out, _) = sagegate(&["policy", "check", f.to_str().unwrap()]);
    assert_eq!(code, 0, "warnings do not fail the check");
    assert!(
        out.contains("warning[unknown-action]: `sagemaker:CreateTraningJob` is not a known sagemaker action"),
        "{out}"
    );
    assert!(out.contains("did you mean `sagemaker:CreateTrainingJob`?"), "{out}");
}
