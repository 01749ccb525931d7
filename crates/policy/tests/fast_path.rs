//! The fast path of `evaluate` (`src/fast.rs`) must reach the same decision as the reference algorithm
//! (`evaluate_reference`, which `explain` also runs) on every input: the whole corpus, the corpus reduced
//! to the fast path's shape, the differential test's generated cases, and cases generated here to
//! exercise that shape (denies, boundaries, session policies, conditions, cross-account and E7 actions).
// Test helpers outside `#[test]` functions: a malformed corpus file should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::fs;
use std::path::Path;

use sagegate_difftest::gen::Generator;
use sagegate_policy::case::{Case, CaseBody};
use sagegate_policy::{evaluate, evaluate_fast, evaluate_reference, explain};
use serde_json::{json, Map, Value};

const CORPUS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus");

#[derive(Default)]
struct Tally {
    cases: usize,
    fast: usize,
    failures: Vec<String>,
}

impl Tally {
    /// Decides `case` every way and records any disagreement.
    fn check(&mut self, label: &str, case: &Value) {
        let Ok(parsed) = Case::from_value(case) else {
            return;
        };
        let CaseBody::Decision(d) = &parsed.body else {
            return;
        };
        let Ok(set) = d.policy_set() else {
            return;
        };
        self.cases += 1;
        let reference = evaluate_reference(&set, &d.request);
        let fast = evaluate_fast(&set, &d.request);
        let hot = evaluate(&set, &d.request);
        let explained = explain(&set, &d.request).decision;
        if fast.is_some() {
            self.fast += 1;
        }
        if fast.is_some_and(|f| f != reference) || hot != reference || explained != reference {
            self.failures.push(format!(
                "{label}: reference {reference:?}, fast {fast:?}, evaluate {hot:?}, explain {explained:?}\n  {case}"
            ));
        }
    }

    fn assert_ok(&self, what: &str) {
        eprintln!(
            "{what}: {} cases, {} on the fast path, {} disagreements",
            self.cases,
            self.fast,
            self.failures.len()
        );
        let shown: Vec<&str> = self.failures.iter().take(10).map(String::as_str).collect();
        assert!(
            self.failures.is_empty(),
            "{what}: {} disagreements, first ones:\n{}",
            self.failures.len(),
            shown.join("\n")
        );
    }
}

fn corpus_cases() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut files: Vec<_> = fs::read_dir(Path::new(CORPUS_DIR)).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for path in files.iter().filter(|p| p.extension().is_some_and(|x| x == "json")) {
        let doc: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
        for (i, case) in doc.as_array().unwrap().iter().enumerate() {
            let id = case.get("id").and_then(Value::as_str).unwrap_or("?");
            out.push((format!("{} #{i} {id}", path.file_name().unwrap().to_string_lossy()), case.clone()));
        }
    }
    out
}

/// The case without the kinds the fast path does not handle, so that its shape is the fast path's.
fn fast_shape(case: &Value) -> Value {
    let mut c = case.clone();
    if let Some(o) = c.as_object_mut() {
        for k in ["scps", "rcps", "resourcePolicy"] {
            o.remove(k);
        }
    }
    c
}

#[test]
fn fast_path_agrees_with_the_reference_on_the_corpus() {
    let mut t = Tally::default();
    for (label, case) in corpus_cases() {
        t.check(&label, &case);
        t.check(&format!("{label} (no SCP, RCP or resource policy)"), &fast_shape(&case));
    }
    t.assert_ok("corpus");
    assert!(t.cases > 2_000, "expected both forms of the corpus's decision cases");
    assert!(t.fast > 1_000);
}

#[test]
fn fast_path_agrees_with_the_reference_on_differential_cases() {
    let g = Generator::new(0x5A6E_6A7E);
    let mut t = Tally::default();
    for i in 0..3_000 {
        let case = g.case(i).case;
        t.check(&format!("difftest case {i}"), &case);
        t.check(&format!("difftest case {i} (no SCP, RCP or resource policy)"), &fast_shape(&case));
    }
    t.assert_ok("differential generator");
    assert!(t.fast > 2_000);
}

#[test]
fn fast_path_agrees_with_the_reference_on_its_own_shape() {
    let mut t = Tally::default();
    for i in 0..5_000u64 {
        let case = FastCase::new(i).case();
        t.check(&format!("fast-shape case {i}"), &case);
    }
    t.assert_ok("fast-shape generator");
    assert!(t.fast > 4_000);
}

/// SplitMix64: a reproducible stream per case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// One item, or an array of one to three.
    fn one_or_more(&mut self, items: &[&str]) -> Value {
        if self.chance(60) {
            json!(self.pick(items))
        } else {
            let n = 1 + self.below(3);
            Value::Array((0..n).map(|_| json!(self.pick(items))).collect())
        }
    }
}

const ACTIONS: [&str; 8] = [
    "sagemaker:CreateTrainingJob",
    "sagemaker:DescribeNotebookInstance",
    "s3:GetObject",
    "iam:PassRole",
    "sts:AssumeRole",
    "kms:Decrypt",
    "ec2:RunInstances",
    "sagemaker:ListModels",
];

const ACTION_ENTRIES: [&str; 16] = [
    "sagemaker:CreateTrainingJob",
    "SageMaker:createtrainingjob",
    "sagemaker:DescribeNotebookInstance",
    "sagemaker:*",
    "sagemaker:Create*",
    "sagemaker:Describe????????????????",
    "s3:GetObject",
    "s3:Get*",
    "iam:PassRole",
    "iam:*",
    "sts:AssumeRole",
    "kms:*",
    "ec2:RunInstances",
    "*",
    "sage*:Create*",
    "sagemaker:List*",
];

const RESOURCES: [&str; 10] = [
    "arn:aws:sagemaker:us-east-1:111111111111:training-job/tj1",
    "arn:aws:sagemaker:us-east-1:111111111111:notebook-instance/nb-alice",
    "arn:aws:sagemaker:us-east-1:222222222222:notebook-instance/nb1",
    "arn:aws:s3:::bucket/alice/data.csv",
    "arn:aws:s3:::other-bucket/x",
    "arn:aws:iam::111111111111:role/Exec",
    "arn:aws:iam::222222222222:role/Exec",
    "arn:aws:kms:us-east-1:111111111111:key/k1",
    "arn:aws-cn:sagemaker:cn-north-1:111111111111:training-job/tj1",
    "*",
];

const RESOURCE_ENTRIES: [&str; 14] = [
    "*",
    "arn:aws:sagemaker:us-east-1:111111111111:training-job/tj1",
    "arn:aws:sagemaker:US-EAST-1:111111111111:training-job/tj1",
    "arn:aws:sagemaker:us-east-1:111111111111:training-job/*",
    "arn:aws:sagemaker:*:*:notebook-instance/nb-${aws:username}",
    "arn:aws:sagemaker:*:*:*",
    "arn:aws:sagemaker:*",
    "arn:aws:s3:::bucket/${aws:username}/*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:iam::*:role/Exec",
    "arn:aws:iam::111111111111:role/Exec",
    "arn:aws:kms:us-east-1:111111111111:key/k1",
    "arn:aws:sagemaker:us-east-1:222222222222:notebook-instance/nb1",
    "arn:*:sagemaker:*:111111111111:training-job/tj?",
];

/// (operator, key, candidate values)
const CONDITIONS: [(&str, &str, &[&str]); 16] = [
    ("StringEquals", "sagemaker:ResourceTag/Project", &["A", "B"]),
    ("StringNotEquals", "sagemaker:ResourceTag/Project", &["B"]),
    ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", &["ML", "data"]),
    ("StringLike", "s3:prefix", &["alice/*", "${aws:username}/*"]),
    ("StringEquals", "aws:username", &["alice", "${aws:PrincipalTag/team}"]),
    ("ForAllValues:StringLike", "sagemaker:InstanceTypes", &["ml.c5.*", "ml.m5.large"]),
    ("ForAnyValue:StringEquals", "sagemaker:InstanceTypes", &["ml.p3.2xlarge"]),
    ("ForAllValues:StringEquals", "aws:TagKeys", &["Project", "Team"]),
    ("Bool", "aws:MultiFactorAuthPresent", &["true"]),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", &["true"]),
    ("IpAddress", "aws:SourceIp", &["10.0.0.0/8"]),
    ("NotIpAddress", "aws:SourceIp", &["192.0.2.0/24"]),
    ("NumericLessThan", "sagemaker:MaxRuntimeInSeconds", &["3600", "x"]),
    ("DateGreaterThan", "aws:CurrentTime", &["2020-01-01T00:00:00Z"]),
    ("Null", "sagemaker:VolumeKmsKey", &["true", "false"]),
    ("ArnLike", "aws:SourceArn", &["arn:aws:sagemaker:*:111111111111:*"]),
];

/// A case of the fast path's shape: an IAM user or role session with identity policies, maybe a
/// boundary and session policies, and sometimes something that sends it to the reference path.
struct FastCase {
    rng: Rng,
}

impl FastCase {
    fn new(index: u64) -> FastCase {
        let mut rng = Rng(index.wrapping_mul(0xA076_1D64_78BD_642F) ^ 0x1234_5678);
        rng.next();
        FastCase { rng }
    }

    fn statement(&mut self) -> Value {
        let r = &mut self.rng;
        let mut st = Map::new();
        if r.chance(30) {
            st.insert("Sid".into(), json!(format!("S{}", r.below(100))));
        }
        st.insert("Effect".into(), json!(if r.chance(65) { "Allow" } else { "Deny" }));
        let action_key = if r.chance(85) { "Action" } else { "NotAction" };
        st.insert(action_key.into(), r.one_or_more(&ACTION_ENTRIES));
        if !r.chance(5) {
            let resource_key = if r.chance(88) { "Resource" } else { "NotResource" };
            st.insert(resource_key.into(), r.one_or_more(&RESOURCE_ENTRIES));
        }
        if r.chance(5) {
            st.insert("Principal".into(), json!({"AWS": "*"}));
        }
        let n = [0, 0, 1, 1, 2][r.below(5)];
        if n > 0 {
            let mut block = Map::new();
            for _ in 0..n {
                let (op, key, values) = *r.pick(&CONDITIONS);
                let op = if r.chance(10) && !op.contains("IfExists") && op != "Null" {
                    format!("{op}IfExists")
                } else {
                    op.to_string()
                };
                let key = if r.chance(15) { key.to_ascii_uppercase() } else { key.to_string() };
                let entry = block.entry(op).or_insert_with(|| json!({}));
                entry.as_object_mut().unwrap().insert(key, r.one_or_more(values));
            }
            st.insert("Condition".into(), Value::Object(block));
        }
        Value::Object(st)
    }

    fn policy(&mut self) -> Value {
        let version = if self.rng.chance(90) { "2012-10-17" } else { "2008-10-17" };
        let n = 1 + self.rng.below(4);
        let statements: Vec<Value> = (0..n).map(|_| self.statement()).collect();
        json!({"Version": version, "Statement": statements})
    }

    fn context(&mut self) -> Value {
        let choices: [(&str, Value, Value); 12] = [
            ("sagemaker:ResourceTag/Project", json!("A"), json!("B")),
            ("aws:PrincipalTag/team", json!("ml"), json!("data")),
            ("aws:username", json!("alice"), json!("bob")),
            ("s3:prefix", json!("alice/x"), json!("bob/y")),
            ("sagemaker:InstanceTypes", json!(["ml.c5.xlarge"]), json!(["ml.c5.xlarge", "ml.p3.2xlarge"])),
            ("aws:TagKeys", json!(["Project"]), json!(["Project", "Cost"])),
            ("aws:MultiFactorAuthPresent", json!("true"), json!("false")),
            ("aws:SourceIp", json!("10.1.2.3"), json!("192.0.2.7")),
            ("sagemaker:MaxRuntimeInSeconds", json!("600"), json!("86400")),
            ("aws:CurrentTime", json!("2026-11-22T12:00:00Z"), json!("2019-01-01T00:00:00Z")),
            ("sagemaker:VolumeKmsKey", json!("arn:aws:kms:us-east-1:111111111111:key/k1"), json!("")),
            ("aws:SourceArn", json!("arn:aws:sagemaker:us-east-1:111111111111:training-job/tj1"), json!("x")),
        ];
        let r = &mut self.rng;
        let mut c = Map::new();
        for (key, a, b) in choices {
            if r.chance(60) {
                let key = if r.chance(15) { key.to_ascii_lowercase() } else { key.to_string() };
                c.insert(key, if r.chance(50) { a } else { b });
            }
        }
        Value::Object(c)
    }

    fn case(mut self) -> Value {
        let session = self.rng.chance(50);
        let principal = if session {
            "arn:aws:sts::111111111111:assumed-role/Exec/alice"
        } else {
            "arn:aws:iam::111111111111:user/alice"
        };
        let action = *self.rng.pick(&ACTIONS);
        let resource = *self.rng.pick(&RESOURCES);
        let mut request =
            json!({"principal": principal, "action": action, "resource": resource, "context": self.context()});
        if self.rng.chance(5) {
            request["resourceAccount"] = json!("222222222222");
        }
        let mut case = json!({"request": request});
        let identity: Vec<Value> = (0..self.rng.below(4)).map(|_| self.policy()).collect();
        case["identityPolicies"] = json!(identity);
        if self.rng.chance(35) {
            case["permissionsBoundary"] = self.policy();
        }
        if session && self.rng.chance(40) {
            let n = self.rng.below(3);
            case["sessionPolicy"] =
                if n == 1 { self.policy() } else { json!((0..n).map(|_| self.policy()).collect::<Vec<_>>()) };
        }
        // Now and then a shape the fast path leaves to the reference path.
        if self.rng.chance(3) {
            case["scps"] = json!([[self.policy()]]);
        }
        if self.rng.chance(3) {
            case["rcps"] = json!([[self.policy()]]);
        }
        case
    }
}
