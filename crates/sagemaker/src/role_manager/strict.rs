//! `--strict` (spec `role-manager.md` §11): a corrected variant of each flawed template, with the list
//! of changes. Templates are generated faithfully by default; with `strict`, the planner passes each
//! template document through `correct` **before** expansion, so whatever a correction adds (a
//! `[[PassRoles]]` statement, a `[[GlueDbNames]]` resource) is expanded, partitioned and required like
//! the template's own text.
//!
//! | flaw | correction |
//! |---|---|
//! | F4 | the deprecated `sagemaker:*KmsKey` keys under `String*` become their `…Arn` successors under `Arn*` |
//! | F5 | `sagemaker:StopTransformJob` is added next to `StopTrainingJob` |
//! | F6 | the Describe/Delete/Start/Stop statement of `SM_ModelMonitoring_VPC_KMS` is restored |
//! | F7 | the PassRole statement of `SM_StudioAppPermissions` v1 is restored (when PassRoles is given) |
//! | F8 | bucket-level ACL actions move to bucket ARNs; GetTable/UpdateTable follow GlueDbNames |
//! | F10 | `sagemaker:AddTags` for tag-on-create only (`sagemaker:TaggingAction`); `UpdatePipeline` |
//!
//! F12 (an AWS managed policy, attached by ARN) cannot be corrected; the planner lists it as such.
//! F1–F3 and F9 are prevented by the planner itself; F11 and F13 are not defects of a document.

use serde_json::{json, Map, Value};

use super::catalogue::TemplateVersion;
use super::flaws;
use super::templates;
use crate::keys::KMS_ALIASES;
use crate::plan::Sar;
use crate::CatalogSar;

/// One correction `--strict` made, or a flaw it could not correct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The flaw id, `F4`…`F12`.
    pub flaw: &'static str,
    /// The template name (e.g. `SM_CommonJobManagement_KMS`) or the managed policy's name.
    pub policy: String,
    /// False when the flaw is listed but could not be corrected (F12).
    pub corrected: bool,
    /// What changed, e.g. `added sagemaker:StopTransformJob to SM_CommonJobManagement`, or why
    /// nothing could.
    pub message: String,
}

impl Change {
    /// `{"id", "policy", "corrected", "message"}`.
    pub fn to_json(&self) -> Value {
        json!({"id": self.flaw, "policy": self.policy, "corrected": self.corrected, "message": self.message})
    }
}

/// The bucket-level S3 actions F8 is about (they act on `arn:aws:s3:::bucket`, not on objects).
const BUCKET_LEVEL_ACTIONS: &[&str] = &["s3:GetBucketAcl", "s3:PutBucketAcl"];
/// The database F8 says GetTable/UpdateTable are pinned to.
const FEATURE_STORE_DB: &str = "sagemaker_featurestore";
/// A SageMaker resource of any type, as the templates write it.
const ANY_SAGEMAKER_RESOURCE: &str = "arn:aws:sagemaker:*:*:*/*";

/// The corrected template document and what was changed. `has_param` says whether a parameter
/// (by its placeholder name, `PassRoles`) was given values: F7 only matters when it was.
pub fn correct(
    name: &str,
    version: TemplateVersion,
    document: &Value,
    has_param: &dyn Fn(&str) -> bool,
) -> (Value, Vec<Change>) {
    let mut doc = document.clone();
    let mut changes = Vec::new();
    let mut wanted: Vec<&'static str> = flaws::of_template(name);
    if name == "SM_StudioAppPermissions_KMS" && has_param("PassRoles") {
        wanted.push("F7");
    }
    for flaw in wanted {
        let outcome: Result<Vec<String>, String> = match flaw {
            "F4" => Ok(deprecated_kms_keys(&mut doc, name)),
            "F5" => Ok(add_action_after(&mut doc, "sagemaker:StopTrainingJob", "sagemaker:StopTransformJob")
                .then(|| format!("added sagemaker:StopTransformJob to {name}"))
                .into_iter()
                .collect()),
            "F6" => restore_statement(
                &mut doc,
                name,
                ("SM_ModelMonitoring_VPC_KMS", version),
                "sagemaker:DescribeMonitoringSchedule",
                "sagemaker:CreateMonitoringSchedule",
                "these actions take no VPC keys, so the statement has no VPC condition",
            ),
            "F7" => restore_statement(
                &mut doc,
                name,
                ("SM_StudioAppPermissions", version),
                "iam:PassRole",
                "",
                "on the PassRoles, only to sagemaker.amazonaws.com",
            ),
            "F8" => Ok(glue_table_management(&mut doc, name)),
            "F10" => Ok(tag_on_create(&mut doc, name)),
            _ => continue,
        };
        match outcome {
            Ok(messages) => changes.extend(messages.into_iter().map(|message| Change {
                flaw,
                policy: name.to_string(),
                corrected: true,
                message,
            })),
            Err(message) => changes.push(Change { flaw, policy: name.to_string(), corrected: false, message }),
        }
    }
    (doc, changes)
}

/// The entry for an AWS managed policy with a flaw that cannot be corrected in a document sagegate
/// generates (F12); empty when the policy has no such flaw.
pub fn uncorrectable_managed(name: &str) -> Vec<Change> {
    flaws::of_template(name)
        .into_iter()
        .filter(|f| *f == "F12")
        .map(|flaw| Change {
            flaw,
            policy: name.to_string(),
            corrected: false,
            message: format!(
                "not corrected: {name} is an AWS managed policy, attached by ARN, which sagegate cannot edit; its endpoint statement still matches no endpoint. To grant what it means to, attach (--attach) a policy of your own with its endpoint actions on arn:aws:sagemaker:*:*:endpoint/Canvas*, endpoint/canvas*, endpoint-config/Canvas* and endpoint-config/canvas*"
            ),
        })
        .collect()
}

// ----- statement helpers -------------------------------------------------------------------------

fn statements(doc: &mut Value) -> Option<&mut Vec<Value>> {
    doc.get_mut("Statement").and_then(Value::as_array_mut)
}

/// A statement's actions, whether `Action` is a string or an array.
fn actions(st: &Value) -> Vec<String> {
    match st.get("Action") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

fn has_action(st: &Value, action: &str) -> bool {
    actions(st).iter().any(|a| a.eq_ignore_ascii_case(action))
}

/// Writes `Action` back in the form it had: a string stays a string while there is one action;
/// otherwise (and in a new statement) an array.
fn set_actions(st: &mut Value, list: Vec<String>) {
    let was_string = matches!(st.get("Action"), Some(Value::String(_)));
    if let Some(obj) = st.as_object_mut() {
        let value = match <[String; 1]>::try_from(list) {
            Ok([one]) if was_string => Value::String(one),
            Ok(one) => Value::Array(one.into_iter().map(Value::String).collect()),
            Err(list) => Value::Array(list.into_iter().map(Value::String).collect()),
        };
        obj.insert("Action".into(), value);
    }
}

fn resources(st: &Value) -> Vec<String> {
    match st.get("Resource") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

fn set_resources(st: &mut Value, list: Vec<String>) {
    if let Some(obj) = st.as_object_mut() {
        obj.insert("Resource".into(), Value::Array(list.into_iter().map(Value::String).collect()));
    }
}

fn short(action: &str) -> &str {
    action.strip_prefix("sagemaker:").unwrap_or(action)
}

// ----- F4 ----------------------------------------------------------------------------------------

/// `StringEquals` → `ArnEquals` and so on, keeping a set-operator prefix and an `IfExists` suffix.
fn arn_operator(op: &str) -> Option<String> {
    let (prefix, rest) = match op.split_once(':') {
        Some((p, r)) => (format!("{p}:"), r),
        None => (String::new(), op),
    };
    let (core, suffix) = match rest.strip_suffix("IfExists") {
        Some(c) => (c, "IfExists"),
        None => (rest, ""),
    };
    let arn = match core {
        "StringEquals" => "ArnEquals",
        "StringLike" => "ArnLike",
        "StringNotEquals" => "ArnNotEquals",
        "StringNotLike" => "ArnNotLike",
        _ => return None,
    };
    Some(format!("{prefix}{arn}{suffix}"))
}

/// The deprecated `*KmsKey` keys under String operators become their `…Arn` successors under the
/// matching ARN operators (the values, key ARNs, are kept).
fn deprecated_kms_keys(doc: &mut Value, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(sts) = statements(doc) else { return out };
    for st in sts.iter_mut() {
        let Some(cond) = st.get_mut("Condition").and_then(Value::as_object_mut) else { continue };
        let mut rebuilt = Map::new();
        for (op, block) in std::mem::take(cond) {
            let (Some(arn_op), Some(keys)) = (arn_operator(&op), block.as_object()) else {
                merge_block(&mut rebuilt, op, block);
                continue;
            };
            let mut kept = Map::new();
            let mut moved = Map::new();
            let (mut old_names, mut new_names) = (Vec::new(), Vec::new());
            for (key, values) in keys {
                match KMS_ALIASES.iter().find(|(_, old)| old.eq_ignore_ascii_case(key)) {
                    Some((successor, old)) => {
                        old_names.push(*old);
                        new_names.push(*successor);
                        moved.insert((*successor).to_string(), values.clone());
                    }
                    None => {
                        kept.insert(key.clone(), values.clone());
                    }
                }
            }
            if moved.is_empty() {
                merge_block(&mut rebuilt, op, block);
                continue;
            }
            out.push(format!(
                "replaced {op} {} with {arn_op} {} in {name}",
                old_names.join(" and "),
                new_names.join(" and ")
            ));
            if !kept.is_empty() {
                merge_block(&mut rebuilt, op, Value::Object(kept));
            }
            merge_block(&mut rebuilt, arn_op, Value::Object(moved));
        }
        *cond = rebuilt;
    }
    out
}

/// Adds a condition block, merging its keys into an existing block of the same operator.
fn merge_block(cond: &mut Map<String, Value>, op: String, block: Value) {
    match (cond.get_mut(&op).and_then(Value::as_object_mut), block) {
        (Some(existing), Value::Object(keys)) => existing.extend(keys),
        (_, block) => {
            cond.insert(op, block);
        }
    }
}

// ----- F5, F10 (UpdatePipeline) ------------------------------------------------------------------

/// Adds `action` right after `after` in the statement that holds `after`; false if there is no
/// such statement or the action is there already.
fn add_action_after(doc: &mut Value, after: &str, action: &str) -> bool {
    let Some(sts) = statements(doc) else { return false };
    if sts.iter().any(|st| has_action(st, action)) {
        return false;
    }
    let Some(st) = sts.iter_mut().find(|st| has_action(st, after)) else { return false };
    let mut list = actions(st);
    let at = list.iter().position(|a| a.eq_ignore_ascii_case(after)).map_or(list.len(), |i| i + 1);
    list.insert(at, action.to_string());
    set_actions(st, list);
    true
}

// ----- F6, F7 ------------------------------------------------------------------------------------

/// Restores the statement of `sibling` that allows `marker` (F6: from `_VPC_KMS`; F7: from v1),
/// after the statement holding `after` (or at the end). Nothing changes if the document already
/// allows `marker`.
fn restore_statement(
    doc: &mut Value,
    name: &str,
    (sibling, version): (&str, TemplateVersion),
    marker: &str,
    after: &str,
    why: &str,
) -> Result<Vec<String>, String> {
    let source = templates::find(sibling, version)
        .ok()
        .flatten()
        .and_then(|t| t.document.get("Statement")?.as_array()?.iter().find(|st| has_action(st, marker)).cloned())
        .ok_or_else(|| format!("not corrected: the template {sibling} v{version} has no statement of {marker}"))?;
    let Some(sts) = statements(doc) else { return Ok(Vec::new()) };
    if sts.iter().any(|st| has_action(st, marker)) {
        return Ok(Vec::new());
    }
    let at = sts.iter().position(|st| !after.is_empty() && has_action(st, after)).map_or(sts.len(), |i| i + 1);
    let list: Vec<String> = actions(&source).iter().map(|a| short(a).to_string()).collect();
    sts.insert(at, source);
    let what =
        if marker.starts_with("sagemaker:") { format!("sagemaker:{}", list.join(", ")) } else { list.join(", ") };
    Ok(vec![format!("restored the statement that allows {what} to {name}, as in {sibling} v{version} ({why})")])
}

// ----- F8 ----------------------------------------------------------------------------------------

fn glue_table_management(doc: &mut Value, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(sts) = statements(doc) else { return out };
    // Bucket-level ACL actions on object ARNs: move them to the bucket ARNs.
    let mut moved: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(st) = sts.get_mut(i) {
        i += 1;
        let objects = resources(st);
        let buckets: Vec<String> =
            objects.iter().filter_map(|r| r.strip_suffix("/*")).map(str::to_string).collect::<Vec<_>>();
        let list = actions(st);
        let (bucket_level, object_level): (Vec<String>, Vec<String>) =
            list.into_iter().partition(|a| BUCKET_LEVEL_ACTIONS.iter().any(|b| b.eq_ignore_ascii_case(a)));
        if bucket_level.is_empty() || buckets.len() != objects.len() || objects.is_empty() {
            continue;
        }
        moved.extend(bucket_level.iter().cloned());
        if object_level.is_empty() {
            // Only bucket-level actions: the statement (with its condition) moves to the buckets.
            set_resources(st, buckets);
        } else {
            set_actions(st, object_level);
            let mut split = json!({"Effect": "Allow"});
            set_actions(&mut split, bucket_level);
            set_resources(&mut split, buckets);
            sts.insert(i, split);
            i += 1;
        }
    }
    if !moved.is_empty() {
        out.push(format!(
            "moved {} from the object ARNs arn:aws:s3:::BUCKET/* to the bucket ARNs arn:aws:s3:::BUCKET in {name}",
            moved.join(" and ")
        ));
    }
    // GetTable/UpdateTable pinned to sagemaker_featurestore: scope them by GlueDbNames.
    let mut scoped = false;
    for st in sts.iter_mut().filter(|st| has_action(st, "glue:GetTable") || has_action(st, "glue:UpdateTable")) {
        let list: Vec<String> = resources(st)
            .into_iter()
            .map(|r| {
                let fixed = r
                    .replace(&format!(":database/{FEATURE_STORE_DB}"), ":database/[[GlueDbNames]]")
                    .replace(&format!(":table/{FEATURE_STORE_DB}/"), ":table/[[GlueDbNames]]/");
                scoped |= fixed != r;
                fixed
            })
            .collect();
        set_resources(st, list);
    }
    if scoped {
        out.push(format!(
            "scoped glue:GetTable and glue:UpdateTable in {name} to the GlueDbNames databases and their tables instead of {FEATURE_STORE_DB} (list {FEATURE_STORE_DB} in GlueDbNames to keep Feature Store's default database)"
        ));
    }
    out
}

// ----- F10 ---------------------------------------------------------------------------------------

/// Allows `sagemaker:AddTags` for tag-on-create only: `StringEquals sagemaker:TaggingAction` is one
/// of the document's Create actions that take `Tags` (sagemaker-authorization §2.2 C2, seed S19),
/// on the resources those actions are allowed on. SM_PipelineManagement also gets UpdatePipeline.
fn tag_on_create(doc: &mut Value, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if name == "SM_PipelineManagement" && add_action_after(doc, "sagemaker:CreatePipeline", "sagemaker:UpdatePipeline")
    {
        out.push(format!("added sagemaker:UpdatePipeline to {name} (re-deploying an existing pipeline)"));
    }
    let sar = CatalogSar::default();
    let Some(sts) = statements(doc) else { return out };
    if sts.iter().any(|st| has_action(st, "sagemaker:AddTags")) {
        return out;
    }
    let mut creates: Vec<String> = Vec::new();
    let mut resource: Option<Vec<String>> = None;
    for st in sts.iter().filter(|st| st.get("Effect").and_then(Value::as_str) == Some("Allow")) {
        for a in actions(st) {
            let op = short(&a);
            if a.starts_with("sagemaker:Create") && sar.has_tags_member(op) && !creates.iter().any(|c| c == op) {
                creates.push(op.to_string());
                resource.get_or_insert_with(|| resources(st));
            }
        }
    }
    if creates.is_empty() {
        return out;
    }
    let resource = resource.filter(|r| !r.is_empty()).unwrap_or_else(|| vec![ANY_SAGEMAKER_RESOURCE.to_string()]);
    let r = match <[String; 1]>::try_from(resource.clone()) {
        Ok([one]) => Value::String(one),
        Err(list) => Value::Array(list.into_iter().map(Value::String).collect()),
    };
    sts.push(json!({
        "Effect": "Allow",
        "Action": "sagemaker:AddTags",
        "Resource": r,
        "Condition": {"StringEquals": {"sagemaker:TaggingAction": creates}},
    }));
    out.push(format!(
        "added sagemaker:AddTags on {} for tag-on-create only (StringEquals sagemaker:TaggingAction: {}) to {name}",
        resource.join(", "),
        creates.join(", ")
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_map_to_their_arn_forms() {
        assert_eq!(arn_operator("StringEquals").as_deref(), Some("ArnEquals"));
        assert_eq!(arn_operator("ForAnyValue:StringLikeIfExists").as_deref(), Some("ForAnyValue:ArnLikeIfExists"));
        assert_eq!(arn_operator("StringNotEquals").as_deref(), Some("ArnNotEquals"));
        assert_eq!(arn_operator("StringEqualsIgnoreCase"), None);
        assert_eq!(arn_operator("Null"), None);
    }

    #[test]
    fn f4_moves_only_the_deprecated_keys() {
        let mut doc = json!({"Statement": [{"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*",
            "Condition": {"Null": {"x": "false"}, "StringEquals": {"sagemaker:VolumeKmsKey": ["[[VolumeKmsKeys]]"], "aws:RequestedRegion": "us-east-1"}}}]});
        let out = deprecated_kms_keys(&mut doc, "T");
        assert_eq!(out, ["replaced StringEquals sagemaker:VolumeKmsKey with ArnEquals sagemaker:VolumeKmsKeyArn in T"]);
        assert_eq!(
            doc["Statement"][0]["Condition"],
            json!({"Null": {"x": "false"}, "StringEquals": {"aws:RequestedRegion": "us-east-1"},
                "ArnEquals": {"sagemaker:VolumeKmsKeyArn": ["[[VolumeKmsKeys]]"]}})
        );
        assert!(deprecated_kms_keys(&mut doc, "T").is_empty(), "idempotent");
    }

    #[test]
    fn f8_splits_mixed_statements_and_moves_bucket_only_ones() {
        let mut doc = json!({"Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetBucketAcl"], "Resource": ["arn:aws:s3:::[[S3Buckets]]/*"]},
            {"Effect": "Allow", "Action": ["s3:PutBucketAcl"], "Resource": ["arn:aws:s3:::[[S3Buckets]]/*"], "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
        ]});
        let out = glue_table_management(&mut doc, "G");
        assert_eq!(out.len(), 1);
        assert_eq!(
            doc["Statement"],
            json!([
                {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::[[S3Buckets]]/*"]},
                {"Effect": "Allow", "Action": ["s3:GetBucketAcl"], "Resource": ["arn:aws:s3:::[[S3Buckets]]"]},
                {"Effect": "Allow", "Action": ["s3:PutBucketAcl"], "Resource": ["arn:aws:s3:::[[S3Buckets]]"], "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
            ])
        );
    }
}
