//! Input validation against the botocore model of each operation: required members, enum values,
//! lengths and numeric bounds, reported as SageMaker's `ValidationException` ("N validation errors
//! detected: …"). Patterns are not checked here (names are, in `ops::check_name`).

use serde_json::Value;

use sagegate_catalog::Catalog;
use sagegate_catalog::{ApiModel, Shape, ShapeKind};

use super::ops::{camel, validation};
use super::Fail;

/// At most this many messages are joined, as AWS does.
const MAX_REPORTED: usize = 10;

pub fn check_input(op: &str, body: &Value) -> Result<(), Fail> {
    let Some(model) = Catalog::get().api("sagemaker") else { return Ok(()) };
    let Some(shape) = model.operation(op).and_then(|o| model.input(o)) else { return Ok(()) };
    let mut errors = Vec::new();
    walk(model, shape, body, "", &mut errors);
    if errors.is_empty() {
        return Ok(());
    }
    let n = errors.len();
    errors.truncate(MAX_REPORTED);
    let noun = if n == 1 { "validation error" } else { "validation errors" };
    Err(validation(format!("{n} {noun} detected: {}", errors.join("; "))))
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn walk(model: &ApiModel, shape: &Shape, v: &Value, path: &str, errors: &mut Vec<String>) {
    let at = |p: &str| if p.is_empty() { String::new() } else { p.to_string() };
    match shape.kind {
        ShapeKind::Structure => {
            let Some(obj) = v.as_object() else { return };
            for m in &shape.members {
                let member_path = if path.is_empty() { camel(m.name) } else { format!("{path}.{}", camel(m.name)) };
                match obj.get(m.name) {
                    None | Some(Value::Null) => {
                        if m.required {
                            errors.push(format!(
                                "Value null at '{member_path}' failed to satisfy constraint: Member must not be null"
                            ));
                        }
                    }
                    Some(x) => {
                        if let Some(s) = model.shape(m.shape) {
                            walk(model, s, x, &member_path, errors);
                        }
                    }
                }
            }
        }
        ShapeKind::List => {
            let Some(items) = v.as_array() else { return };
            bounds_len(shape, items.len(), v, &at(path), errors);
            if let Some(elem) = shape.list_member.and_then(|m| model.shape(m)) {
                for (i, x) in items.iter().enumerate() {
                    walk(model, elem, x, &format!("{path}.{}.member", i + 1), errors);
                }
            }
        }
        ShapeKind::Map => {
            let Some(obj) = v.as_object() else { return };
            bounds_len(shape, obj.len(), v, &at(path), errors);
        }
        ShapeKind::String => {
            let Some(s) = v.as_str() else { return };
            if !shape.enum_values.is_empty() && !shape.enum_values.iter().any(|e| e == s) {
                errors.push(format!(
                    "Value '{s}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                    shape.enum_values.join(", ")
                ));
                return;
            }
            bounds_len(shape, s.chars().count(), v, &at(path), errors);
        }
        ShapeKind::Integer | ShapeKind::Long | ShapeKind::Float | ShapeKind::Double => {
            let Some(n) = v.as_f64() else { return };
            if let Some(min) = shape.min.filter(|m| n < *m) {
                errors.push(format!(
                    "Value '{}' at '{path}' failed to satisfy constraint: Member must have value greater than or equal to {}",
                    shown(v),
                    min as i64
                ));
            } else if let Some(max) = shape.max.filter(|m| n > *m) {
                errors.push(format!(
                    "Value '{}' at '{path}' failed to satisfy constraint: Member must have value less than or equal to {}",
                    shown(v),
                    max as i64
                ));
            }
        }
        _ => {}
    }
}

fn bounds_len(shape: &Shape, len: usize, v: &Value, path: &str, errors: &mut Vec<String>) {
    let len = len as f64;
    if let Some(min) = shape.min.filter(|m| len < *m) {
        errors.push(format!(
            "Value '{}' at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {}",
            shown(v),
            min as i64
        ));
    } else if let Some(max) = shape.max.filter(|m| len > *m) {
        errors.push(format!(
            "Value '{}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to {}",
            shown(v),
            max as i64
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(op: &str, body: Value) -> Option<String> {
        match check_input(op, &body) {
            Err(Fail::Api(e)) => Some(e.message),
            _ => None,
        }
    }

    #[test]
    fn reports_enum_and_required_members_as_sagemaker_does() {
        let m = message(
            "CreateNotebookInstance",
            json!({"NotebookInstanceName": "nb", "InstanceType": "ml.bogus", "RoleArn": "arn:aws:iam::111122223333:role/r"}),
        )
        .unwrap_or_default();
        assert!(m.starts_with("1 validation error detected: Value 'ml.bogus' at 'instanceType'"), "{m}");
        let m = message("CreateNotebookInstance", json!({"NotebookInstanceName": "nb"})).unwrap_or_default();
        assert!(m.starts_with("2 validation errors detected: Value null at 'instanceType'"), "{m}");
        assert!(message(
            "CreateNotebookInstance",
            json!({"NotebookInstanceName": "nb", "InstanceType": "ml.t3.medium", "RoleArn": "arn:aws:iam::111122223333:role/r"})
        )
        .is_none());
    }
}
