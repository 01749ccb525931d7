//! Shared helpers of the integration tests: an empty stored state, and a minimal request body for an
//! operation built from its botocore input shape.
#![allow(dead_code)]

use sagegate_catalog::{ApiModel, ShapeKind};
use sagegate_sagemaker::{arns::ResourceFacts, State};
use serde_json::{json, Map, Value};

pub struct Empty;
impl ResourceFacts for Empty {
    fn next_model_package_version(&self, _: &str) -> u64 {
        1
    }
    fn generated_domain_id(&self) -> Option<String> {
        Some("d-abcdefghijkl".into())
    }
}
impl State for Empty {
    fn tags(&self, _: &str) -> Option<Vec<(String, String)>> {
        None
    }
    fn space(&self, _: &str, _: &str) -> Option<(Option<String>, String)> {
        None
    }
}

/// A value for a required member: enums take their first value, names a valid name, ARNs an ARN.
pub fn minimal(api: &ApiModel, member: &str, shape: &str, depth: usize) -> Value {
    let Some(s) = api.shape(shape) else {
        return json!("x");
    };
    match s.kind {
        ShapeKind::Structure => {
            let mut m = Map::new();
            if depth < 6 {
                for mem in s.members.iter().filter(|m| m.required) {
                    m.insert(mem.name.to_string(), minimal(api, mem.name, mem.shape, depth + 1));
                }
            }
            Value::Object(m)
        }
        ShapeKind::List => json!([minimal(api, member, s.list_member.unwrap_or("x"), depth + 1)]),
        ShapeKind::Map => json!({}),
        ShapeKind::Integer | ShapeKind::Long => json!(1),
        ShapeKind::Float | ShapeKind::Double => json!(1.0),
        ShapeKind::Boolean => json!(true),
        ShapeKind::Timestamp => json!(0),
        ShapeKind::Blob => json!("eA=="),
        ShapeKind::String => match s.enum_values.first() {
            Some(e) => json!(e),
            None if member.contains("Role") => json!("arn:aws:iam::111122223333:role/Exec"),
            None if member.ends_with("Arn") || member.ends_with("ARN") => {
                json!("arn:aws:sagemaker:us-east-1:111122223333:thing/t1")
            }
            None => json!("name-1"),
        },
    }
}

/// A minimal request for `op`: its required members, plus the identifiers that are optional members
/// but one of which every real request carries.
pub fn request(api: &ApiModel, op: &str) -> Value {
    let input = api.operation(op).and_then(|o| o.input).unwrap_or("");
    let mut body = minimal(api, "", input, 0);
    // Identifiers that are optional members but one of which every real request carries.
    for (ops, member, value) in [
        (&["CreateApp", "DeleteApp", "DescribeApp"][..], "UserProfileName", "alice"),
        (&["CreateModelPackage"][..], "ModelPackageGroupName", "group-1"),
        (
            &["ListPipelineExecutionSteps"][..],
            "PipelineExecutionArn",
            "arn:aws:sagemaker:us-east-1:111122223333:pipeline/p1/execution/e1",
        ),
        (&["DeregisterDevices", "RegisterDevices"][..], "DeviceNames", "[\"dev-1\"]"),
        (&["DeleteImageVersion", "DescribeImageVersion", "UpdateImageVersion"][..], "Version", "1"),
        (&["DeleteArtifact"][..], "ArtifactArn", "arn:aws:sagemaker:us-east-1:111122223333:artifact/abc"),
    ] {
        if ops.contains(&op) && body.get(member).is_none() {
            if let Some(o) = body.as_object_mut() {
                o.insert(member.to_string(), serde_json::from_str(value).unwrap_or(json!(value)));
            }
        }
    }
    body
}
