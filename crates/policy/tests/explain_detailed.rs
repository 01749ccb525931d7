//! What `explain_detailed` records for each statement: whether it applied, which element did not match,
//! and each condition with the operator, key, values and the value the request had (or that it had none).
//!
//! Each case is data: a CASE document and the expected traces, one compact line per statement
//! (`policy/statement: applies` or `policy/statement: <element>`), each condition indented under it
//! (`✓`/`✗ Operator key [values] seen <value|absent>`).
// Test helpers outside `#[test]` functions fail the test on malformed case data.
#![allow(clippy::unwrap_used, clippy::panic)]

use sagegate_policy::case::{Case, CaseBody};
use sagegate_policy::{explain, explain_detailed, ContextValue, Explanation, StatementTrace};
use serde_json::{json, Value};

fn seen(v: &Option<ContextValue>) -> String {
    match v {
        None => "absent".into(),
        Some(ContextValue::Single(s)) => format!("{s:?}"),
        Some(ContextValue::Multi(vs)) => format!("{vs:?}"),
    }
}

fn lines(traces: &[StatementTrace]) -> Vec<String> {
    let mut out = Vec::new();
    for t in traces {
        let what = match t.failed {
            None => "applies".to_string(),
            Some(e) => e.as_str().to_string(),
        };
        out.push(format!("{}/{}: {what}", t.policy, t.statement));
        for c in &t.conditions {
            let mark = if c.holds { "✓" } else { "✗" };
            out.push(format!("  {mark} {} {} {:?} seen {}", c.operator, c.key, c.values, seen(&c.seen)));
        }
    }
    out
}

fn run(case: &Value) -> Explanation {
    let parsed = Case::from_value(case).unwrap();
    let CaseBody::Decision(d) = &parsed.body else { panic!("not a decision case") };
    let set = d.policy_set().unwrap();
    explain_detailed(&set, &d.request)
}

fn policy(name: &str, statements: Value) -> Value {
    json!({"name": name, "document": {"Version": "2012-10-17", "Statement": statements}})
}

fn request(action: &str, resource: &str, context: Value) -> Value {
    json!({"principal": "arn:aws:iam::111122223333:user/alice", "action": action, "resource": resource, "context": context})
}

const NB: &str = "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-b1";
const TJ: &str = "arn:aws:sagemaker:us-east-1:111122223333:training-job/tj1";

struct Expect {
    name: &'static str,
    case: Value,
    decision: &'static str,
    traces: &'static [&'static str],
}

fn cases() -> Vec<Expect> {
    vec![
        Expect {
            name: "S7: a failed set condition shows the values seen; the others still evaluated",
            case: json!({
                "request": request("sagemaker:CreateTrainingJob", TJ, json!({
                    "sagemaker:VpcSubnets": ["subnet-a1234", "subnet-b5678"],
                    "sagemaker:VpcSecurityGroupIds": ["sg-67890"]})),
                "identityPolicies": [policy("AllowFromVpc", json!([{
                    "Sid": "AllowFromVpc", "Effect": "Allow",
                    "Action": ["sagemaker:CreateTrainingJob"], "Resource": "*",
                    "Condition": {
                        "ForAllValues:StringEquals": {
                            "sagemaker:VpcSubnets": ["subnet-a1234"],
                            "sagemaker:VpcSecurityGroupIds": ["sg12345", "sg-67890"]},
                        "Null": {"sagemaker:VpcSubnets": "false"}}}]))]
            }),
            decision: "ImplicitDeny",
            traces: &[
                "AllowFromVpc/AllowFromVpc: condition",
                r#"  ✗ ForAllValues:StringEquals sagemaker:VpcSubnets ["subnet-a1234"] seen ["subnet-a1234", "subnet-b5678"]"#,
                r#"  ✓ ForAllValues:StringEquals sagemaker:VpcSecurityGroupIds ["sg12345", "sg-67890"] seen ["sg-67890"]"#,
                r#"  ✓ Null sagemaker:VpcSubnets ["false"] seen ["subnet-a1234", "subnet-b5678"]"#,
            ],
        },
        Expect {
            name: "a missing key is reported as absent",
            case: json!({
                "request": request("sagemaker:StopNotebookInstance", NB, json!({})),
                "identityPolicies": [policy("Tagged", json!([{
                    "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*",
                    "Condition": {"StringEquals": {"sagemaker:ResourceTag/Project": "A"}}}]))]
            }),
            decision: "ImplicitDeny",
            traces: &["Tagged/#0: condition", r#"  ✗ StringEquals sagemaker:ResourceTag/Project ["A"] seen absent"#],
        },
        Expect {
            name: "S18: the deciding Deny applies with the value it saw (keys compare ignoring case)",
            case: json!({
                "request": request("sagemaker:StopNotebookInstance", NB, json!({"sagemaker:resourcetag/project": "B"})),
                "identityPolicies": [policy("DevTeam1", json!([
                    {"Sid": "AllowAllSageMaker", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"},
                    {"Sid": "DenyProjectB", "Effect": "Deny", "Action": "sagemaker:*", "Resource": "*",
                     "Condition": {"StringEquals": {"sagemaker:ResourceTag/Project": "B"}}},
                    {"Sid": "DenyTagChanges", "Effect": "Deny", "Action": ["sagemaker:AddTags", "sagemaker:DeleteTags"],
                     "Resource": "*"}]))]
            }),
            decision: "ExplicitDeny",
            traces: &[
                "DevTeam1/AllowAllSageMaker: applies",
                "DevTeam1/DenyProjectB: applies",
                r#"  ✓ StringEquals sagemaker:ResourceTag/Project ["B"] seen "B""#,
                "DevTeam1/DenyTagChanges: action",
            ],
        },
        Expect {
            name: "action, resource and NotResource failures; conditions not evaluated then",
            case: json!({
                "request": request("sagemaker:CreateTrainingJob", TJ, json!({"aws:SourceIp": "10.0.0.1"})),
                "identityPolicies": [policy("p", json!([
                    {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                     "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
                    {"Effect": "Allow", "Action": "sagemaker:Create*",
                     "Resource": "arn:aws:sagemaker:*:*:training-job/other"},
                    {"Effect": "Allow", "Action": "sagemaker:*", "NotResource": "arn:aws:sagemaker:*:*:training-job/*"},
                    {"Effect": "Allow", "NotAction": "sagemaker:CreateTrainingJob", "Resource": "*"}]))]
            }),
            decision: "ImplicitDeny",
            traces: &["p/#0: action", "p/#1: resource", "p/#2: resource", "p/#3: action"],
        },
        Expect {
            name:
                "every kind that takes part is traced; a resource-based statement for someone else fails on principal",
            case: json!({
                "request": request("s3:GetObject", "arn:aws:s3:::bucket/key", json!({"aws:SourceIp": "192.0.2.1"})),
                "identityPolicies": [policy("id", json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                    "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}, "Bool": {"aws:SecureTransport": "true"}}}]))],
                "resourcePolicy": policy("bucket", json!([{"Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:user/bob"}, "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::bucket/*"}])),
                "permissionsBoundary": policy("pb", json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]))
            }),
            decision: "ImplicitDeny",
            traces: &[
                "bucket/#0: principal",
                "id/#0: condition",
                r#"  ✗ NotIpAddress aws:SourceIp ["192.0.2.0/24"] seen "192.0.2.1""#,
                r#"  ✗ Bool aws:SecureTransport ["true"] seen absent"#,
                "pb/#0: applies",
            ],
        },
    ]
}

#[test]
fn explain_detailed_records_why_each_statement_did_or_did_not_apply() {
    let mut failures = Vec::new();
    for c in cases() {
        let e = run(&c.case);
        let got = lines(&e.statements);
        if e.kind().as_str() != c.decision || got != c.traces {
            failures.push(format!(
                "{}:\n  decision {} (expected {})\n  got:\n    {}\n  expected:\n    {}",
                c.name,
                e.kind().as_str(),
                c.decision,
                got.join("\n    "),
                c.traces.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn traces_carry_positions_and_the_failed_element_span() {
    let case = json!({
        "request": request("sagemaker:CreateTrainingJob", TJ, json!({})),
        "identityPolicies": [json!({"name": "p", "document":
            "{\"Version\": \"2012-10-17\",\n \"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n  {\"Effect\": \"Allow\", \"Action\": \"sagemaker:*\", \"Resource\": \"*\",\n   \"Condition\": {\"StringEquals\": {\"aws:username\": \"bob\"}}}]}"})]
    });
    let parsed = Case::from_value(&case).unwrap();
    let CaseBody::Decision(d) = &parsed.body else { panic!() };
    let text = d.identity[0].text.clone();
    let e = run(&case);
    let [first, second] = &e.statements[..] else { panic!("{:?}", e.statements) };
    assert_eq!((first.position.line, first.position.column), (3, 3));
    let span = first.failed_span.unwrap();
    assert_eq!(&text[span.start..span.end], r#""Action": "s3:*""#);
    assert_eq!((second.position.line, second.position.column), (4, 3));
    let cond = &second.conditions[0];
    assert_eq!(&text[cond.span.start..cond.span.end], r#""aws:username": "bob""#);
    assert_eq!((cond.position.line, cond.position.column), (5, 35));
}

#[test]
fn plain_explain_records_no_traces_and_the_json_carries_them() {
    let case = cases().remove(0).case;
    let parsed = Case::from_value(&case).unwrap();
    let CaseBody::Decision(d) = &parsed.body else { panic!() };
    let set = d.policy_set().unwrap();
    assert!(explain(&set, &d.request).statements.is_empty());
    let j = explain_detailed(&set, &d.request).to_json(&d.request);
    assert_eq!(j["decision"], "ImplicitDeny");
    let st = &j["statements"][0];
    assert_eq!(st["statement"], "AllowFromVpc");
    assert_eq!(st["applies"], false);
    assert_eq!(st["failed"], "condition");
    let c = &st["conditions"][0];
    assert_eq!(c["operator"], "ForAllValues:StringEquals");
    assert_eq!(c["key"], "sagemaker:VpcSubnets");
    assert_eq!(c["values"], json!(["subnet-a1234"]));
    assert_eq!(c["holds"], false);
    assert_eq!(c["seen"], json!(["subnet-a1234", "subnet-b5678"]));
    assert!(c["position"]["line"].as_u64().unwrap() > 1);
}
