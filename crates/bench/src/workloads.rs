//! The benchmark workloads, written once for both engines: an IAM policy document plus request for
//! sagegate, and the closest faithful Cedar policy set, entities and request for `cedar-policy`.
//!
//! Every scenario states its expected decision; both engines are checked against it before anything is
//! timed, so a benchmark can never silently measure a wrong answer.

use serde_json::{json, Value};

pub const ACCOUNT: &str = "111122223333";
pub const PRINCIPAL: &str = "arn:aws:iam::111122223333:user/alice";
/// Cedar entity type of the caller.
pub const CEDAR_PRINCIPAL_TYPE: &str = "User";

/// Statement counts of W3.
pub const W3_SIZES: [usize; 3] = [100, 1_000, 10_000];
/// How many of W3's statements are "decoys": wildcard actions (`sagemaker:Op*`) that match the request's
/// action but not its resource, so an action index alone cannot settle the request.
pub const W3_DECOYS: usize = 3;

/// A request context value, as IAM sees it.
#[derive(Debug, Clone)]
pub enum Ctx {
    Single(String),
    Multi(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Allow,
    Deny,
}

/// One workload case, for both engines.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Criterion group name, also the row label of the results table.
    pub name: String,
    pub expect: Expect,
    /// Number of statements (IAM) / policies (Cedar).
    pub statements: usize,

    // --- sagegate (IAM) ---
    pub iam_policy: String,
    pub action: String,
    pub resource: String,
    pub context: Vec<(String, Ctx)>,

    // --- Cedar ---
    pub cedar_policies: String,
    /// Entities in Cedar's JSON entity format (principal, resource with tags, action with its groups).
    pub cedar_entities: Value,
    pub cedar_action: String,
    pub cedar_resource_type: String,
    pub cedar_context: Value,
}

fn notebook_arn(name: &str) -> String {
    format!("arn:aws:sagemaker:us-east-1:{ACCOUNT}:notebook-instance/{name}")
}

fn training_job_arn(name: &str) -> String {
    format!("arn:aws:sagemaker:us-east-1:{ACCOUNT}:training-job/{name}")
}

fn entities(resource_type: &str, resource: &str, tags: Value, action: &str, action_groups: &[&str]) -> Value {
    let parents: Vec<Value> = action_groups.iter().map(|g| json!({"type": "Action", "id": g})).collect();
    json!([
        {"uid": {"type": CEDAR_PRINCIPAL_TYPE, "id": PRINCIPAL}, "attrs": {}, "parents": []},
        {"uid": {"type": resource_type, "id": resource}, "attrs": {}, "parents": [], "tags": tags},
        {"uid": {"type": "Action", "id": action}, "attrs": {}, "parents": parents},
    ])
}

/// W1: allow `sagemaker:*` on `*`, deny `sagemaker:*` when the resource is tagged `Project=B`.
///
/// IAM sees the resource tag as the condition key `sagemaker:ResourceTag/Project` in the request context;
/// Cedar sees it as an entity tag on the resource (`hasTag`/`getTag`, Cedar 4). `sagemaker:*` becomes the
/// action group `Action::"sagemaker:*"`, of which the request's action is a member.
pub fn w1(project: &str) -> Scenario {
    let iam_policy = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowSageMaker", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"},
    {"Sid": "DenyProjectB", "Effect": "Deny", "Action": "sagemaker:*", "Resource": "*",
     "Condition": {"StringEquals": {"sagemaker:ResourceTag/Project": "B"}}}
  ]
}"#
    .to_string();
    let cedar_policies = r#"
@id("AllowSageMaker")
permit(principal, action in Action::"sagemaker:*", resource);
@id("DenyProjectB")
forbid(principal, action in Action::"sagemaker:*", resource)
when { resource.hasTag("Project") && resource.getTag("Project") == "B" };
"#
    .to_string();
    let action = "sagemaker:DescribeNotebookInstance".to_string();
    let resource = notebook_arn(&format!("nb-{}", project.to_ascii_lowercase()));
    let expect = if project == "B" { Expect::Deny } else { Expect::Allow };
    Scenario {
        name: format!("W1 tag={project} {}", if expect == Expect::Allow { "allow" } else { "deny" }),
        expect,
        statements: 2,
        iam_policy,
        context: vec![("sagemaker:ResourceTag/Project".into(), Ctx::Single(project.into()))],
        cedar_entities: entities("NotebookInstance", &resource, json!({"Project": project}), &action, &["sagemaker:*"]),
        cedar_policies,
        cedar_action: action.clone(),
        cedar_resource_type: "NotebookInstance".into(),
        cedar_context: json!({}),
        action,
        resource,
    }
}

/// The `ml.c5` instance types SageMaker training offers; Cedar has no way to apply `like` to each member
/// of a set, so W2's Cedar policy enumerates what `ml.c5.*` matches and uses `containsAll`.
pub const C5_TYPES: [&str; 6] =
    ["ml.c5.large", "ml.c5.xlarge", "ml.c5.2xlarge", "ml.c5.4xlarge", "ml.c5.9xlarge", "ml.c5.18xlarge"];

/// W2: allow `sagemaker:CreateTrainingJob` when every requested instance type is `StringLike` `ml.c5.*`.
///
/// Cedar has no quantifier over sets and `like` only applies to a single string, so `ForAllValues:StringLike`
/// is expressed as "the set of allowed c5 types `containsAll` the requested set" — the same answer for every
/// real instance type, but an enumeration instead of a pattern. Also, IAM's `ForAllValues` is true when the
/// key is absent; the Cedar policy requires `context has InstanceTypes` (an absent key would otherwise be an
/// evaluation error, which Cedar treats as "policy does not apply"), so the two differ on a missing key.
pub fn w2(types: &[&str]) -> Scenario {
    let iam_policy = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "C5Training", "Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*",
     "Condition": {"ForAllValues:StringLike": {"sagemaker:InstanceTypes": ["ml.c5.*"]}}}
  ]
}"#
    .to_string();
    let allowed: Vec<String> = C5_TYPES.iter().map(|t| format!("{t:?}")).collect();
    let cedar_policies = format!(
        r#"
@id("C5Training")
permit(principal, action == Action::"sagemaker:CreateTrainingJob", resource)
when {{ context has InstanceTypes && [{}].containsAll(context.InstanceTypes) }};
"#,
        allowed.join(", ")
    );
    let action = "sagemaker:CreateTrainingJob".to_string();
    let resource = training_job_arn("job-1");
    let expect = if types.iter().all(|t| t.starts_with("ml.c5.")) { Expect::Allow } else { Expect::Deny };
    let list: Vec<String> = types.iter().map(|t| t.to_string()).collect();
    Scenario {
        name: format!("W2 {} {}", types.join("+"), if expect == Expect::Allow { "allow" } else { "deny" }),
        expect,
        statements: 1,
        iam_policy,
        context: vec![("sagemaker:InstanceTypes".into(), Ctx::Multi(list.clone()))],
        cedar_entities: entities("TrainingJob", &resource, json!({}), &action, &["sagemaker:*"]),
        cedar_policies,
        cedar_action: action.clone(),
        cedar_resource_type: "TrainingJob".into(),
        cedar_context: json!({ "InstanceTypes": list }),
        action,
        resource,
    }
}

/// W3: `n` Allow statements on distinct actions and resources. Statement `i` (for `i < n - 3`) allows
/// `sagemaker:Op{i}` on notebook `nb-{i}`; the last three are decoys allowing `sagemaker:Op*` on notebooks
/// `other-{j}`. The request (`sagemaker:Op{n/2}` on `nb-{n/2}`) matches exactly one statement; the decoys
/// match its action but not its resource; every other statement matches neither.
///
/// Cedar: one `permit` per statement with `action ==` / `resource ==`; the decoys use the action group
/// `Action::"sagemaker:Op*"`, of which the request's action is a member.
pub fn w3(n: usize) -> Scenario {
    let exact = n.saturating_sub(W3_DECOYS);
    let k = n / 2;
    let mut iam = String::with_capacity(n * 160);
    iam.push_str("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n");
    let mut cedar = String::with_capacity(n * 200);
    for i in 0..n {
        let (action, resource) = if i < exact {
            (format!("sagemaker:Op{i:05}"), notebook_arn(&format!("nb-{i:05}")))
        } else {
            ("sagemaker:Op*".to_string(), notebook_arn(&format!("other-{}", i - exact)))
        };
        if i > 0 {
            iam.push_str(",\n");
        }
        iam.push_str(&format!(
            r#"    {{"Sid": "S{i}", "Effect": "Allow", "Action": "{action}", "Resource": "{resource}"}}"#
        ));
        let op = if i < exact { "==" } else { "in" };
        cedar.push_str(&format!(
            "@id(\"S{i}\")\npermit(principal, action {op} Action::\"{action}\", resource == NotebookInstance::\"{resource}\");\n"
        ));
    }
    iam.push_str("\n  ]\n}\n");
    let action = format!("sagemaker:Op{k:05}");
    let resource = notebook_arn(&format!("nb-{k:05}"));
    Scenario {
        name: format!("W3 n={n}"),
        expect: Expect::Allow,
        statements: n,
        iam_policy: iam,
        context: vec![],
        cedar_entities: entities("NotebookInstance", &resource, json!({}), &action, &["sagemaker:*", "sagemaker:Op*"]),
        cedar_policies: cedar,
        cedar_action: action.clone(),
        cedar_resource_type: "NotebookInstance".into(),
        cedar_context: json!({}),
        action,
        resource,
    }
}

/// Every scenario, in table order.
pub fn all() -> Vec<Scenario> {
    let mut v = vec![w1("A"), w1("B"), w2(&["ml.c5.xlarge"]), w2(&["ml.c5.xlarge", "ml.p3.2xlarge"])];
    v.extend(W3_SIZES.iter().map(|&n| w3(n)));
    v
}
