//! `sagegate simulate` explanations on the seed examples: each deciding or considered statement with its
//! source lines and why it matched or not (the element, the condition with operator, key, values and the
//! value the request had, or that it had none), in text and as JSON fields.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Runs `sagegate simulate --input - [--output json]` on `case`: (exit code, stdout).
fn simulate(case: &Value, json_output: bool) -> (i32, String) {
    let mut args = vec!["simulate", "--input", "-"];
    if json_output {
        args.extend(["--output", "json"]);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_sagegate"))
        .args(&args)
        .current_dir(ROOT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sagegate");
    child.stdin.take().unwrap().write_all(case.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into())
}

fn example(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{ROOT}/examples/{name}")).unwrap()).unwrap()
}

/// The example with another request context (and no expectation, since the decision may change).
fn with_context(name: &str, context: Value) -> Value {
    let mut c = example(name);
    c["request"]["context"] = context;
    c.as_object_mut().unwrap().remove("expect");
    c
}

struct TextCase {
    name: &'static str,
    case: Value,
    /// Lines (or parts of lines) the text output must contain, in this order.
    expect: Vec<&'static str>,
}

fn text_cases() -> Vec<TextCase> {
    vec![
        TextCase {
            name: "S7: a failed ForAllValues condition, with the values the request had",
            case: example("s7-vpc-only-training.json"),
            expect: vec![
                "decision: ImplicitDeny",
                "no identity-based policy statement allows the request; the statements considered:",
                "Allow statement AllowFromVpc of identity-based policy AllowFromVpc does not apply: a condition does not hold",
                "  --> AllowFromVpc:4:5",
                " 4 |     {",
                r#"14 |           "sagemaker:VpcSubnets": ["#,
                r#"   |           ^^^^^^^^^^^^^^^^^^^^^^^^^ failed: the request has ["subnet-a1234", "subnet-b5678"]"#,
                r#"   |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ held: the request has ["sg-67890"]"#,
                r#"   = condition 1 failed: ForAllValues:StringEquals on `sagemaker:VpcSubnets` with ["subnet-a1234"]: the request has ["subnet-a1234", "subnet-b5678"]"#,
                r#"   = condition 2 held: ForAllValues:StringEquals on `sagemaker:VpcSecurityGroupIds` with ["sg12345", "sg-67890"]: the request has ["sg-67890"]"#,
            ],
        },
        TextCase {
            name: "S7 without VPC keys: the Null condition fails on a missing key",
            case: with_context("s7-vpc-only-training.json", json!({})),
            expect: vec![
                "decision: ImplicitDeny",
                r#"   |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ failed: the request has no `sagemaker:VpcSubnets`"#,
                r#"   = condition 1 held: ForAllValues:StringEquals on `sagemaker:VpcSubnets` with ["subnet-a1234"]: the request has no `sagemaker:VpcSubnets`"#,
                r#"   = condition 3 failed: Null on `sagemaker:VpcSubnets` with ["false"]: the request has no `sagemaker:VpcSubnets`"#,
            ],
        },
        TextCase {
            name: "S18: the deciding Deny with the tag value it saw, then the Allow that also applied",
            case: example("s18-devteam-tags.json"),
            expect: vec![
                "decision: ExplicitDeny",
                "Deny statement DenyProjectB of identity-based policy DevTeam1 applies",
                "  --> DevTeam1:10:5",
                r#"17 |           "sagemaker:ResourceTag/Project": "B""#,
                r#"   |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ held: the request has "B""#,
                r#"   = condition 1 held: StringEquals on `sagemaker:ResourceTag/Project` with ["B"]: the request has "B""#,
                "other statements that applied:",
                "  - Allow statement AllowAllSageMaker of identity-based policy DevTeam1 (DevTeam1:4:5): applies",
            ],
        },
        TextCase {
            name: "S18 untagged: allowed, and the Deny did not apply because the tag key is missing",
            case: with_context("s18-devteam-tags.json", json!({"aws:SourceIp": "192.0.2.10"})),
            expect: vec![
                "decision: Allow",
                "Allow statement AllowAllSageMaker of identity-based policy DevTeam1 applies",
                "Deny statements that cover the request but whose conditions do not hold:",
                "Deny statement DenyProjectB of identity-based policy DevTeam1 does not apply: a condition does not hold",
                r#"   = condition 1 failed: StringEquals on `sagemaker:ResourceTag/Project` with ["B"]: the request has no `sagemaker:ResourceTag/Project`"#,
            ],
        },
        TextCase {
            name: "S18 on another action: statements whose action does not match are listed one per line",
            case: {
                let mut c = example("s18-devteam-tags.json");
                c["request"]["action"] = json!("s3:GetObject");
                c["request"]["resource"] = json!("arn:aws:s3:::bucket/key");
                c.as_object_mut().unwrap().remove("expect");
                c
            },
            expect: vec![
                "decision: ImplicitDeny",
                "statements whose action does not cover s3:GetObject:",
                r#"  - Allow statement AllowAllSageMaker of identity-based policy DevTeam1 (DevTeam1:4:5): does not apply: the action does not match (`"Action": "sagemaker:*"`)"#,
                r#"  - Deny statement DenyTagChanges of identity-based policy DevTeam1 (DevTeam1:21:5): does not apply: the action does not match (`"Action": [ "sagemaker:AddTags", "sagemaker:DeleteTags" ]`)"#,
            ],
        },
        TextCase {
            name: "a resource that does not match is underlined and quoted",
            case: {
                let mut c = example("s18-devteam-tags.json");
                c["identityPolicies"][0]["document"]["Statement"][0]["Resource"] =
                    json!("arn:aws:sagemaker:*:*:notebook-instance/nb-a*");
                c["request"]["context"] = json!({});
                c.as_object_mut().unwrap().remove("expect");
                c
            },
            expect: vec![
                "decision: ImplicitDeny",
                "Allow statement AllowAllSageMaker of identity-based policy DevTeam1 does not apply: the resource does not match",
                r#"8 |       "Resource": "arn:aws:sagemaker:*:*:notebook-instance/nb-a*""#,
                "  |       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ does not cover arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-b1",
                r#"  = resource: arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-b1 is not covered by `"Resource": "arn:aws:sagemaker:*:*:notebook-instance/nb-a*"`"#,
            ],
        },
    ]
}

#[test]
fn text_output_shows_statements_with_sources_and_reasons() {
    let mut failures = Vec::new();
    for c in text_cases() {
        let (code, out) = simulate(&c.case, false);
        if code != 0 {
            failures.push(format!("{}: exit {code}\n{out}", c.name));
            continue;
        }
        // Each expected line in order.
        let mut rest = out.as_str();
        for want in &c.expect {
            match rest.find(want) {
                Some(i) => rest = &rest[i + want.len()..],
                None => {
                    failures.push(format!("{}: missing (in order) {want:?}\n--- output ---\n{out}", c.name));
                    break;
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn json_output_carries_the_statement_details() {
    let (code, out) = simulate(&example("s7-vpc-only-training.json"), true);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["decision"], "ImplicitDeny");
    let st = &v["statements"][0];
    assert_eq!(st["policyType"], "Identity");
    assert_eq!(st["policy"], "AllowFromVpc");
    assert_eq!(st["statement"], "AllowFromVpc");
    assert_eq!(st["applies"], false);
    assert_eq!(st["failed"], "condition");
    assert_eq!(st["position"], json!({"line": 4, "column": 5}));
    let c = &st["conditions"];
    assert_eq!(c[0]["operator"], "ForAllValues:StringEquals");
    assert_eq!(c[0]["key"], "sagemaker:VpcSubnets");
    assert_eq!(c[0]["values"], json!(["subnet-a1234"]));
    assert_eq!(c[0]["holds"], false);
    assert_eq!(c[0]["seen"], json!(["subnet-a1234", "subnet-b5678"]));
    assert_eq!(c[0]["position"], json!({"line": 14, "column": 11}));

    let (_, out) = simulate(&with_context("s7-vpc-only-training.json", json!({})), true);
    let v: Value = serde_json::from_str(&out).unwrap();
    let null = &v["statements"][0]["conditions"][2];
    assert_eq!(null["operator"], "Null");
    assert_eq!(null["holds"], false);
    assert_eq!(null["seen"], Value::Null);
}
