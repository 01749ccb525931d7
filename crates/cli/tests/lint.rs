//! End-to-end tests of `sagegate policy lint` (text, JSON, SARIF, exit codes) and of `sagegate completions`
//! and `sagegate man`, run on the example policies in `examples/lint/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Runs the binary from the workspace root; (exit code, stdout, stderr).
fn sagegate(args: &[&str]) -> (i32, String, String) {
    sagegate_with_input(args, None)
}

fn sagegate_with_input(args: &[&str], input: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sagegate"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sagegate");
    let mut stdin = child.stdin.take().unwrap();
    if let Some(text) = input {
        stdin.write_all(text.as_bytes()).unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

const MISTAKES: &str = "examples/lint/sagemaker-mistakes.json";

#[test]
fn text_output_is_like_rustc() {
    let (code, out, err) = sagegate(&["policy", "lint", MISTAKES]);
    assert_eq!(code, 1, "{out}{err}");
    let expected = "error[SG102]: `sagemaker:CreateTraningJob` is not an action of Amazon SageMaker
  --> examples/lint/sagemaker-mistakes.json:7:18
  |
7 |       \"Action\": [\"sagemaker:CreateTraningJob\", \"sagemaker:CreateTrainingJob\", \"sagemaker:DescribeTrainingJob\"],
  |                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: did you mean `sagemaker:CreateTrainingJob`?
  = check: unknown-action (docs/lint.md)
";
    assert!(out.starts_with(expected), "{out}");
    for header in [
        "security-warning[SG307]:",
        "warning[SG503]: `sagemaker:CreateModel` is allowed only with request tags",
        "warning[SG502]: tags cannot restrict `sagemaker:ListModels`",
        "warning[SG201]: `sagemaker:ListDomains` takes no resource ARN",
        "security-warning[SG408]:",
        "security-warning[SG409]:",
        "warning[SG106]: `sagemaker:VolumeKmsKey` is deprecated",
    ] {
        assert!(out.contains(header), "missing {header}\n{out}");
    }
    assert!(
        out.ends_with(
            "examples/lint/sagemaker-mistakes.json: 1 error, 3 security warnings, 5 warnings, 1 suggestion\n"
        ),
        "{out}"
    );
}

#[test]
fn clean_policy_and_fail_on_thresholds() {
    let (code, out, _) = sagegate(&["policy", "lint", "examples/lint/least-privilege.json"]);
    assert_eq!((code, out.as_str()), (0, "examples/lint/least-privilege.json: no findings\n"));
    // Warnings only: they pass the default threshold (security) and fail `--fail-on warning`.
    let dead = "examples/lint/canvas-direct-deploy.json";
    assert_eq!(sagegate(&["policy", "lint", dead]).0, 0);
    assert_eq!(sagegate(&["policy", "lint", "--fail-on", "warning", dead]).0, 1);
    assert_eq!(sagegate(&["policy", "lint", "--fail-on", "error", MISTAKES]).0, 1);
    assert_eq!(sagegate(&["policy", "lint", "--fail-on", "none", MISTAKES]).0, 0);
    let trust = "examples/lint/execution-role-trust.json";
    assert_eq!(sagegate(&["policy", "lint", "--kind", "trust", trust]).0, 0);
    let (code, out, _) = sagegate(&["policy", "lint", "--kind", "trust", "--fail-on", "suggestion", trust]);
    assert_eq!(code, 1);
    assert!(out.contains("suggestion[SG504]"), "{out}");
    let (code, out, _) = sagegate(&["policy", "lint", "examples/lint/malformed.json"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("error[SG001]: MalformedPolicyDocument: Statement IDs (SID) must be alpha-numeric."),
        "{out}"
    );
}

#[test]
fn usage_errors_and_unreadable_files_exit_2() {
    let (code, _, err) = sagegate(&["policy", "lint", "examples/lint/does-not-exist.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read examples/lint/does-not-exist.json"), "{err}");
    assert_eq!(sagegate(&["policy", "lint", "--kind", "nope", MISTAKES]).0, 2);
    assert_eq!(sagegate(&["policy", "lint", "--output", "xml", MISTAKES]).0, 2);
    assert_eq!(sagegate(&["policy", "lint"]).0, 2);
}

#[test]
fn standard_input() {
    let policy =
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}"#;
    let (code, out, _) = sagegate_with_input(&["policy", "lint", "-"], Some(policy));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("security-warning[SG401]") && out.contains("--> <stdin>:1:60"), "{out}");
}

#[test]
fn json_output() {
    let (code, out, _) =
        sagegate(&["policy", "lint", "--output", "json", MISTAKES, "examples/lint/least-privilege.json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["version"], 1);
    assert_eq!(v["failOn"], "SECURITY_WARNING");
    assert_eq!(v["summary"]["ERROR"], 1);
    assert_eq!(v["summary"]["SECURITY_WARNING"], 3);
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file"], MISTAKES);
    assert_eq!(files[0]["kind"], "identity");
    assert_eq!(files[1]["findings"].as_array().unwrap().len(), 0);
    let f = &files[0]["findings"][0];
    assert_eq!(f["code"], "SG102");
    assert_eq!(f["check"], "unknown-action");
    assert_eq!(f["severity"], "ERROR");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(7), Some(18)));
    assert_eq!((f["endLine"].as_u64(), f["endColumn"].as_u64()), (Some(7), Some(46)));
    assert_eq!(f["help"], "did you mean `sagemaker:CreateTrainingJob`?");
    assert_eq!(f["snippetColumn"], 1);
    assert!(f["snippet"].as_str().unwrap().contains("\"sagemaker:CreateTraningJob\""));
    let span = (f["span"]["start"].as_u64().unwrap() as usize, f["span"]["end"].as_u64().unwrap() as usize);
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/lint/sagemaker-mistakes.json"))
            .unwrap();
    assert_eq!(&text[span.0..span.1], "\"sagemaker:CreateTraningJob\"");
}

#[test]
fn sarif_output_is_structurally_valid() {
    let (code, out, _) =
        sagegate(&["policy", "lint", "--output", "sarif", MISTAKES, "examples/lint/canvas-direct-deploy.json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
    assert_eq!(v["version"], "2.1.0");
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "sagegate");
    let rules = driver["rules"].as_array().unwrap();
    assert!(rules.len() >= 30);
    let levels = ["error", "warning", "note"];
    for r in rules {
        let id = r["id"].as_str().unwrap();
        assert!(id.starts_with("SG") && id.len() == 5, "{r}");
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty(), "{r}");
        assert!(levels.contains(&r["defaultConfiguration"]["level"].as_str().unwrap()), "{r}");
    }
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 10 + 2);
    for res in results {
        let id = res["ruleId"].as_str().unwrap();
        let index = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "{res}");
        assert!(levels.contains(&res["level"].as_str().unwrap()), "{res}");
        assert!(!res["message"]["text"].as_str().unwrap().is_empty(), "{res}");
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("examples/lint/"), "{res}");
        let region = &loc["region"];
        for field in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[field].as_u64().unwrap() >= 1, "{field}: {res}");
        }
        assert!(
            (region["endLine"].as_u64(), region["endColumn"].as_u64())
                >= (region["startLine"].as_u64(), region["startColumn"].as_u64()),
            "{res}"
        );
    }
    let first = &results[0];
    assert_eq!(first["ruleId"], "SG102");
    assert_eq!(first["level"], "error");
    assert_eq!(first["locations"][0]["physicalLocation"]["region"]["startLine"], 7);
    assert_eq!(
        first["locations"][0]["physicalLocation"]["region"]["snippet"]["text"],
        "\"sagemaker:CreateTraningJob\""
    );
    let security = rules.iter().find(|r| r["id"] == "SG408").unwrap();
    assert_eq!(security["defaultConfiguration"]["level"], "warning");
    assert_eq!(security["properties"]["tags"][0], "security");
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = sagegate(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        for word in ["sagegate", "policy", "lint", "simulate", "serve", "completions", "--fail-on"] {
            assert!(out.contains(word), "{shell} completions lack `{word}`");
        }
    }
    assert_eq!(sagegate(&["completions", "tcsh"]).0, 2);
}

#[test]
fn man_pages() {
    let (code, out, _) = sagegate(&["man"]);
    assert_eq!(code, 0);
    assert!(out.contains(".TH sagegate 1"), "{out}");
    for sub in ["serve", "policy", "simulate", "completions", "man"] {
        assert!(out.contains(sub), "the man page lacks `{sub}`");
    }
    let (code, out, _) = sagegate(&["man", "policy", "lint"]);
    assert_eq!(code, 0);
    assert!(out.contains(".TH sagegate\\-policy\\-lint 1") || out.contains(".TH sagegate-policy-lint 1"), "{out}");
    assert!(out.contains("fail\\-on"), "{out}");
    let (code, _, err) = sagegate(&["man", "policy", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("`sagegate-policy` has no command `nope` (its commands: check, lint"), "{err}");
}
