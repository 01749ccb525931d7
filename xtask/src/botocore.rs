//! Generates `botocore/<service>.json` from botocore's wire models: the service metadata, every
//! operation, and the shapes reachable from operation inputs, without documentation.
//!
//! Layout (valid JSON, one operation or shape per line so diffs stay reviewable):
//! `{"service":…,"metadata":{…},"operations":[{"name","method","uri","input"}…],"shapes":[…]}`.
//! Shapes are sorted by name; a structure's members keep the model's declaration order, each with
//! its `required` flag folded in.

use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::sar::push_lines;

/// The botocore models the catalog embeds: (IAM service prefix, API version directory).
pub const SERVICES: &[(&str, &str)] = &[("iam", "2010-05-08"), ("sagemaker", "2017-07-24"), ("sts", "2011-06-15")];

/// Shape types the runtime crate knows (`ShapeKind`).
const KNOWN_SHAPE_TYPES: &[&str] =
    &["structure", "list", "map", "string", "integer", "long", "float", "double", "boolean", "timestamp", "blob"];

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Serialize)]
struct OutOperation<'a> {
    name: &'a str,
    method: &'a str,
    uri: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<&'a str>,
}

#[derive(Serialize)]
struct OutMember<'a> {
    name: &'a str,
    shape: &'a str,
    #[serde(skip_serializing_if = "is_false")]
    required: bool,
    #[serde(rename = "idempotencyToken", skip_serializing_if = "is_false")]
    idempotency_token: bool,
    #[serde(skip_serializing_if = "is_false")]
    deprecated: bool,
    #[serde(rename = "jsonvalue", skip_serializing_if = "is_false")]
    json_value: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    #[serde(rename = "locationName", skip_serializing_if = "Option::is_none")]
    location_name: Option<&'a str>,
}

#[derive(Serialize)]
struct OutShape<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    shape_type: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    members: Vec<OutMember<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    member: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
    #[serde(rename = "enum", skip_serializing_if = "Vec::is_empty")]
    enum_values: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pattern: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<&'a serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<&'a serde_json::Number>,
    #[serde(skip_serializing_if = "is_false")]
    union: bool,
    #[serde(skip_serializing_if = "is_false")]
    sensitive: bool,
    #[serde(skip_serializing_if = "is_false")]
    deprecated: bool,
    #[serde(rename = "timestampFormat", skip_serializing_if = "Option::is_none")]
    timestamp_format: Option<&'a str>,
}

/// Counts for the manifest.
#[derive(Serialize)]
pub struct ModelSummary {
    pub operations: usize,
    pub input_shapes: usize,
    pub protocol: String,
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn target<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(|r| r.get("shape")).and_then(Value::as_str)
}

/// Builds one service's file from its decompressed `service-2.json`.
pub fn generate(service: &str, model_text: &str) -> Result<(String, ModelSummary), String> {
    let ctx = |what: &str| format!("botocore {service}: {what}");
    let model: Value = serde_json::from_str(model_text).map_err(|e| ctx(&e.to_string()))?;
    let metadata = model.get("metadata").and_then(Value::as_object).ok_or_else(|| ctx("no metadata"))?;
    let operations = model.get("operations").and_then(Value::as_object).ok_or_else(|| ctx("no operations"))?;
    let shapes = model.get("shapes").and_then(Value::as_object).ok_or_else(|| ctx("no shapes"))?;

    // Metadata: every scalar or string-list fact, keys sorted, nothing else.
    let mut meta: BTreeMap<&str, &Value> = BTreeMap::new();
    for (k, v) in metadata {
        let keep = match v {
            Value::String(_) | Value::Bool(_) | Value::Number(_) => true,
            Value::Array(items) => items.iter().all(Value::is_string),
            _ => false,
        };
        if keep {
            meta.insert(k, v);
        }
    }

    let mut out_ops = Vec::new();
    let mut queue: VecDeque<&str> = VecDeque::new();
    let mut ops: Vec<(&String, &Value)> = operations.iter().collect();
    ops.sort_by(|a, b| a.0.cmp(b.0));
    for (name, op) in ops {
        let http = op.get("http").ok_or_else(|| ctx(&format!("operation {name} has no http")))?;
        let input = target(op, "input");
        if let Some(i) = input {
            queue.push_back(i);
        }
        out_ops.push(OutOperation {
            name,
            method: text(http, "method").unwrap_or("POST"),
            uri: text(http, "requestUri").unwrap_or("/"),
            input,
        });
    }

    // Shapes reachable from the inputs.
    let mut reachable: BTreeSet<&str> = BTreeSet::new();
    while let Some(name) = queue.pop_front() {
        if !reachable.insert(name) {
            continue;
        }
        let shape = shapes.get(name).ok_or_else(|| ctx(&format!("shape {name} is referenced but not defined")))?;
        for key in ["member", "key", "value"] {
            if let Some(t) = target(shape, key) {
                queue.push_back(t);
            }
        }
        if let Some(members) = shape.get("members").and_then(Value::as_object) {
            for m in members.values() {
                if let Some(t) = m.get("shape").and_then(Value::as_str) {
                    queue.push_back(t);
                }
            }
        }
    }

    let empty = Map::new();
    let mut out_shapes = Vec::new();
    for name in &reachable {
        let shape = shapes.get(*name).ok_or_else(|| ctx(&format!("shape {name} vanished")))?;
        let shape_type = text(shape, "type").ok_or_else(|| ctx(&format!("shape {name} has no type")))?;
        if !KNOWN_SHAPE_TYPES.contains(&shape_type) {
            return Err(ctx(&format!(
                "shape {name} has the new type `{shape_type}`; extend the generator and ShapeKind"
            )));
        }
        let required: BTreeSet<&str> = shape
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let members_in = shape.get("members").and_then(Value::as_object).unwrap_or(&empty);
        for r in &required {
            if !members_in.contains_key(*r) {
                return Err(ctx(&format!("shape {name} requires the unknown member {r}")));
            }
        }
        let members = members_in
            .iter()
            .map(|(m, v)| {
                Ok(OutMember {
                    name: m,
                    shape: v
                        .get("shape")
                        .and_then(Value::as_str)
                        .ok_or_else(|| ctx(&format!("{name}.{m} has no shape")))?,
                    required: required.contains(m.as_str()),
                    idempotency_token: flag(v, "idempotencyToken"),
                    deprecated: flag(v, "deprecated"),
                    json_value: flag(v, "jsonvalue"),
                    location: text(v, "location"),
                    location_name: text(v, "locationName"),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        out_shapes.push(OutShape {
            name,
            shape_type,
            members,
            member: target(shape, "member"),
            key: target(shape, "key"),
            value: target(shape, "value"),
            enum_values: shape
                .get("enum")
                .and_then(Value::as_array)
                .map(|e| e.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default(),
            pattern: text(shape, "pattern"),
            min: shape.get("min").and_then(Value::as_number),
            max: shape.get("max").and_then(Value::as_number),
            union: flag(shape, "union"),
            sensitive: flag(shape, "sensitive"),
            deprecated: flag(shape, "deprecated"),
            timestamp_format: text(shape, "timestampFormat"),
        });
    }

    let json = |v: &dyn Fn() -> serde_json::Result<String>| v().map_err(|e| ctx(&e.to_string()));
    let mut out = format!(
        "{{\"service\": {},\n\"metadata\": {},\n\"operations\": [\n",
        json(&|| serde_json::to_string(service))?,
        json(&|| serde_json::to_string(&meta))?
    );
    push_lines(&mut out, &out_ops)?;
    out.push_str("],\n\"shapes\": [\n");
    push_lines(&mut out, &out_shapes)?;
    out.push_str("]}\n");
    let summary = ModelSummary {
        operations: out_ops.len(),
        input_shapes: out_shapes.len(),
        protocol: metadata.get("protocol").and_then(Value::as_str).unwrap_or("").to_string(),
    };
    Ok((out, summary))
}
