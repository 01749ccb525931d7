//! From one SageMaker API call to the ordered list of authorization checks (spec §2.1–§2.6), and the
//! decision SageMaker would return for them.

use serde_json::Value;

use sagegate_policy::{
    evaluate, explain::access_denied_message, Context, ContextValue, Decision, PolicySet, Principal, Request,
};

use crate::arns::{first_scope_resources, normalize_arn, ResourceFacts, Scope};
use crate::keys::{Transform, FILE_SYSTEM_CHANNELS, FILE_SYSTEM_KEYS, KEY_RULES, KMS_ALIASES, TAG_IMMUNE};
use crate::passrole::passed_roles;
use crate::path::{scalar_text, select, select_text};

/// What the planner needs from the Service Authorization Reference and the API model.
pub trait Sar {
    /// Whether `sagemaker:<op>` is a known action.
    fn has_action(&self, op: &str) -> bool;
    /// Whether the SAR lists `key` (exact name, or a pattern such as `aws:RequestTag/${TagKey}`) on
    /// `sagemaker:<op>` (R1).
    fn action_lists_key(&self, op: &str, key: &str) -> bool;
    /// The action's resource types: (type, required).
    fn resource_types(&self, op: &str) -> Vec<(String, bool)>;
    /// The ARN format of a SageMaker resource type, with `${…}` placeholders.
    fn arn_format(&self, ty: &str) -> Option<String>;
    /// Whether a SageMaker resource type declares `aws:ResourceTag/${TagKey}` (§1.3 item 2).
    fn type_has_tag_keys(&self, ty: &str) -> bool;
    /// Whether the operation's input has a top-level `Tags` member.
    fn has_tags_member(&self, op: &str) -> bool;
}

/// Stored state the checks depend on (R8).
pub trait State: ResourceFacts {
    /// The stored tags of a resource; None when it does not exist.
    fn tags(&self, arn: &str) -> Option<Vec<(String, String)>>;
    /// A stored space: (owner profile name, sharing type).
    fn space(&self, domain_id: &str, space_name: &str) -> Option<(Option<String>, String)>;
    /// A stored model package, for the `sagemaker:Current*` keys of its resource type (R8).
    fn model_package(&self, _arn: &str) -> Option<StoredModelPackage> {
        None
    }
}

/// What a stored model package contributes to checks on it (§1.3 item 2, R8).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredModelPackage {
    /// `ModelLifeCycle.Stage`.
    pub stage: Option<String>,
    /// `ModelLifeCycle.StageStatus`.
    pub stage_status: Option<String>,
    /// `CustomerMetadataProperties`.
    pub customer_metadata: Vec<(String, String)>,
}

/// The Studio session context of the caller's credentials (§4.5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StudioSession {
    pub domain_id: String,
    /// Absent in shared-space sessions.
    pub user_profile_name: Option<String>,
    pub space_name: Option<String>,
}

/// Who calls, from where.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    /// The global, principal and network keys of §2.6, already filled by the caller of `plan`.
    pub context: Context,
    pub studio: Option<StudioSession>,
}

/// The kind of check (§2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CheckKind {
    /// C1: the operation's own action.
    Action,
    /// C2: tag-on-create.
    TagOnCreate,
    /// C2′: another action the operation implies.
    Extra,
    /// C3: `iam:PassRole`.
    PassRole,
}

/// One authorization check: an action on a resource with its context.
#[derive(Debug, Clone)]
pub struct Check {
    pub kind: CheckKind,
    pub action: String,
    pub resource: String,
    pub resource_account: Option<String>,
    pub context: Context,
    /// R6: alternative single-valued key sets; the check is evaluated once per set (none: once).
    pub expansions: Vec<Vec<(String, String)>>,
}

/// Why a call cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("`{0}` is not a SageMaker operation sagegate knows")]
    UnknownOperation(String),
    #[error("1 validation error detected: Value null at '{0}' failed to satisfy constraint: Member must not be null")]
    MissingField(String),
}

const PASSED_TO_SERVICE: &str = "sagemaker.amazonaws.com";

fn tags_of(body: &Value, field: &str) -> Vec<(String, String)> {
    select(body, &format!("{field}[]"))
        .into_iter()
        .filter_map(|t| {
            Some((
                t.get("Key")?.as_str()?.to_string(),
                t.get("Value").and_then(Value::as_str).unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

fn resource_type_of(arn: &str) -> Option<&str> {
    let rest = arn.splitn(6, ':').nth(5)?;
    Some(rest.split('/').next().unwrap_or(rest))
}

fn set_tag_context(ctx: &mut Context, family: &str, tags: &[(String, String)]) {
    for (k, v) in tags {
        ctx.insert_single(format!("{family}/{k}"), v.clone());
    }
}

/// Plans the checks of one call (§2.2), in order.
pub fn plan(
    op: &str,
    body: &Value,
    scope: &Scope,
    caller: &Caller,
    state: &dyn State,
    sar: &dyn Sar,
) -> Result<Vec<Check>, PlanError> {
    if !sar.has_action(op) {
        return Err(PlanError::UnknownOperation(op.to_string()));
    }
    let action = format!("sagemaker:{op}");
    let resources = match first_scope_resources(op, body, scope, state) {
        Some(r) => r.map_err(PlanError::MissingField)?,
        None => sar_resources(op, body, scope, sar).map_err(PlanError::MissingField)?,
    };
    // C2 applies to every operation with a top-level `Tags` member except AddTags itself and the
    // unmapped Edge family (§2.2: 63 operations, including ImportHubContent, UpdatePartnerApp and
    // UpdateProject).
    let tagging_op = sar.has_tags_member(op) && op != "AddTags" && !is_edge(op);
    // Whether the call creates a resource, and which of the C1 resources it is. Only operations
    // with `Tags` create a taggable resource: CreatePresigned*Url, CreateImageVersion and the like
    // act on an existing resource, whose stored tags apply (R8, R9).
    let creating = tagging_op && !op.starts_with("Update");
    let created = created_index(op, &resources);

    // Tags the new resource will carry (§2.2 C2, R9): the request's, the propagated ones, and
    // Studio's automatic tags (§4.6). A key given twice keeps its first value.
    let mut new_tags = tags_of(body, "Tags");
    if creating && op == "CreateApp" {
        // §4.6: "Domain and profile tags are copied to apps created later."
        if let Some(d) = body.get("DomainId").and_then(Value::as_str) {
            let mut sources = vec![scope.arn(&format!("domain/{d}"))];
            if let Some(p) = body.get("UserProfileName").and_then(Value::as_str) {
                sources.push(scope.arn(&format!("user-profile/{d}/{p}")));
            }
            for (k, v) in sources.iter().flat_map(|s| state.tags(s).unwrap_or_default()) {
                if !new_tags.iter().any(|(nk, _)| *nk == k) {
                    new_tags.push((k, v));
                }
            }
        }
    }
    if let (true, Some(studio)) = (creating, &caller.studio) {
        // The automatic values win over a caller's (which validation rejects after authorization).
        new_tags.retain(|(k, _)| {
            !matches!(k.as_str(), "sagemaker:domain-arn" | "sagemaker:user-profile-arn" | "sagemaker:space-arn")
        });
        new_tags.push(("sagemaker:domain-arn".into(), scope.arn(&format!("domain/{}", studio.domain_id))));
        if let Some(p) = &studio.user_profile_name {
            new_tags.push((
                "sagemaker:user-profile-arn".into(),
                scope.arn(&format!("user-profile/{}/{p}", studio.domain_id)),
            ));
        }
        if let Some(s) = &studio.space_name {
            new_tags.push(("sagemaker:space-arn".into(), scope.arn(&format!("space/{}/{s}", studio.domain_id))));
        }
    }

    // Action-level keys from the request (R1–R7), and R6 expansions.
    let mut action_ctx = Context::new();
    let mut expansions: Vec<Vec<(String, String)>> = Vec::new();
    for rule in KEY_RULES {
        let values = rule_values(rule, op, body, scope);
        if values.is_empty() || !sar.action_lists_key(op, rule.key) {
            continue;
        }
        let alias = KMS_ALIASES.iter().find(|(k, _)| *k == rule.key).map(|(_, a)| *a);
        if rule.multivalued {
            action_ctx.insert(rule.key, ContextValue::Multi(values));
        } else if values.len() == 1 {
            for k in std::iter::once(rule.key).chain(alias) {
                action_ctx.insert_single(k, values.first().cloned().unwrap_or_default());
            }
        } else {
            // Several values for a single-valued key: evaluate once per value (R6, generalised).
            expansions = cross(
                expansions,
                values
                    .iter()
                    .map(|v| std::iter::once(rule.key).chain(alias).map(|k| (k.to_string(), v.clone())).collect())
                    .collect(),
            );
        }
    }
    if op == "CreateDomain" {
        // HomeEfsFileSystemKmsKey mirrors CreateDomain's volume key (§1.3 item 4).
        if let Some(k) = body.get("KmsKeyId").or_else(|| body.get("HomeEfsFileSystemKmsKeyId")).and_then(Value::as_str)
        {
            let arn = scope.kms_key_arn(k);
            for key in ["sagemaker:VolumeKmsKeyArn", "sagemaker:VolumeKmsKey", "sagemaker:HomeEfsFileSystemKmsKey"] {
                action_ctx.insert_single(key, arn.clone());
            }
        }
    }
    if let Some((_, channels)) = FILE_SYSTEM_CHANNELS.iter().find(|(o, _)| *o == op) {
        let tuples: Vec<Vec<(String, String)>> = channels
            .iter()
            .flat_map(|c| select(body, c))
            .map(|fs| {
                FILE_SYSTEM_KEYS.iter().filter_map(|(k, f)| Some((k.to_string(), scalar_text(fs.get(*f)?)?))).collect()
            })
            .collect();
        if !tuples.is_empty() {
            expansions = cross(expansions, tuples);
        }
    }
    if op == "CreateSpace" {
        if let (Some(d), Some(owner)) = (
            body.get("DomainId").and_then(Value::as_str),
            body.pointer("/OwnershipSettings/OwnerUserProfileName").and_then(Value::as_str),
        ) {
            action_ctx.insert_single("sagemaker:OwnerUserProfileArn", scope.arn(&format!("user-profile/{d}/{owner}")));
        }
    }
    if matches!(op, "UpdateSpace" | "DeleteSpace" | "CreateApp" | "DeleteApp") {
        if let (Some(d), Some(sp)) =
            (body.get("DomainId").and_then(Value::as_str), body.get("SpaceName").and_then(Value::as_str))
        {
            if let Some((owner, sharing)) = state.space(d, sp) {
                if let Some(o) = owner {
                    action_ctx
                        .insert_single("sagemaker:OwnerUserProfileArn", scope.arn(&format!("user-profile/{d}/{o}")));
                }
                action_ctx.insert_single("sagemaker:SpaceSharingType", sharing);
            }
        }
    }
    if op == "Search" {
        expansions = cross(expansions, search_visibility(body));
    }
    if let Some(props) = body.get("CustomerMetadataProperties").and_then(Value::as_object) {
        if matches!(op, "CreateModelPackage" | "UpdateModelPackage") {
            for (k, v) in props {
                if let Some(v) = scalar_text(v) {
                    action_ctx.insert_single(format!("sagemaker:CustomerMetadataProperties/{k}"), v);
                }
            }
        }
    }

    // Request tags (C1 of tagging operations, direct AddTags/DeleteTags).
    let request_tags = match op {
        "AddTags" => tags_of(body, "Tags"),
        _ if tagging_op => new_tags.clone(),
        _ => Vec::new(),
    };
    let tag_keys: Vec<String> = match op {
        "DeleteTags" => select_text(body, "TagKeys[]"),
        _ => request_tags.iter().map(|(k, _)| k.clone()).collect(),
    };

    // The caller's keys, plus the Studio session context, present in every check of a Studio
    // session (§4.5; `UserProfileName` is absent in shared spaces).
    let mut session_ctx = caller.context.clone();
    if let Some(studio) = &caller.studio {
        session_ctx.insert_single("sagemaker:DomainId", studio.domain_id.clone());
        if let Some(p) = &studio.user_profile_name {
            session_ctx.insert_single("sagemaker:UserProfileName", p.clone());
        }
    }
    let base = |extra: &Context| {
        let mut c = session_ctx.clone();
        for (k, v) in extra.iter() {
            c.insert(k, v.clone());
        }
        c
    };
    let mut checks = Vec::new();
    // C1.
    for (i, resource) in resources.iter().enumerate() {
        let mut ctx = base(&action_ctx);
        if sar.action_lists_key(op, "aws:RequestTag/${TagKey}") {
            set_tag_context(&mut ctx, "aws:RequestTag", &request_tags);
        }
        if !tag_keys.is_empty() && sar.action_lists_key(op, "aws:TagKeys") {
            ctx.insert("aws:TagKeys", ContextValue::Multi(tag_keys.clone()));
        }
        add_resource_keys(&mut ctx, op, resource, creating && i == created, &new_tags, state, sar);
        checks.push(Check {
            kind: CheckKind::Action,
            action: action.clone(),
            resource: resource.clone(),
            resource_account: account_of(resource),
            context: ctx,
            expansions: expansions.clone(),
        });
    }
    // C2: tag-on-create.
    if tagging_op && !new_tags.is_empty() {
        // The new resource (§2.2); for UpdateProject and UpdatePartnerApp the updated one.
        if let Some(resource) = resources.get(created) {
            let mut ctx = base(&Context::new());
            set_tag_context(&mut ctx, "aws:RequestTag", &new_tags);
            ctx.insert("aws:TagKeys", ContextValue::Multi(new_tags.iter().map(|(k, _)| k.clone()).collect()));
            ctx.insert_single("sagemaker:TaggingAction", op);
            add_resource_keys(&mut ctx, "AddTags", resource, creating, &new_tags, state, sar);
            checks.push(Check {
                kind: CheckKind::TagOnCreate,
                action: "sagemaker:AddTags".into(),
                resource: resource.clone(),
                resource_account: account_of(resource),
                context: ctx,
                expansions: Vec::new(),
            });
        }
    }
    // C2′: CreateModel from a hub also needs DeployHubModel (§2.2), on each distinct hub content
    // a container names (a multi-resource action is checked per resource).
    if op == "CreateModel" {
        let mut hub_contents: Vec<String> = Vec::new();
        for p in ["PrimaryContainer", "Containers[]"] {
            let path = format!("{p}.ModelDataSource.S3DataSource.HubAccessConfig.HubContentArn");
            for arn in select_text(body, &path) {
                if !hub_contents.contains(&arn) {
                    hub_contents.push(arn);
                }
            }
        }
        for hub_content in hub_contents {
            checks.push(Check {
                kind: CheckKind::Extra,
                action: "sagemaker:DeployHubModel".into(),
                resource_account: account_of(&hub_content),
                resource: hub_content,
                context: base(&Context::new()),
                expansions: Vec::new(),
            });
        }
    }
    // C3: iam:PassRole, one per distinct role.
    for role in passed_roles(op, body) {
        let mut ctx = base(&Context::new());
        ctx.insert_single("iam:PassedToService", PASSED_TO_SERVICE);
        checks.push(Check {
            kind: CheckKind::PassRole,
            action: "iam:PassRole".into(),
            resource_account: account_of(&role),
            resource: role,
            context: ctx,
            expansions: Vec::new(),
        });
    }
    Ok(checks)
}

fn is_edge(op: &str) -> bool {
    matches!(op, "CreateDeviceFleet" | "CreateEdgeDeploymentPlan" | "CreateEdgePackagingJob" | "RegisterDevices")
}

fn account_of(arn: &str) -> Option<String> {
    arn.split(':').nth(4).filter(|a| !a.is_empty()).map(str::to_string)
}

/// Which of the C1 resources a creating call creates: the one whose type names the operation's noun
/// (`CreateTrial` → experiment-trial, `CreateInferenceComponent` → inference-component,
/// `CreateEndpoint` → endpoint, not endpoint-config); the first when none does.
fn created_index(op: &str, resources: &[String]) -> usize {
    let noun = op.strip_prefix("Create").or_else(|| op.strip_prefix("Import")).unwrap_or(op).to_ascii_lowercase();
    resources
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let ty = resource_type_of(r)?.replace('-', "");
            (noun.starts_with(&ty) || ty.ends_with(&noun)).then_some((ty.len(), i))
        })
        .max_by_key(|(len, _)| *len)
        .map_or(0, |(_, i)| i)
}

/// The resource-type keys of a check: `aws:ResourceTag/*` and `sagemaker:ResourceTag/*` (R8, R9,
/// §3.2), and a stored model package's `sagemaker:Current*` keys (R8).
fn add_resource_keys(
    ctx: &mut Context,
    op: &str,
    resource: &str,
    being_created: bool,
    new_tags: &[(String, String)],
    state: &dyn State,
    sar: &dyn Sar,
) {
    if resource == "*" || !resource.contains(":sagemaker:") {
        return;
    }
    let Some(ty) = resource_type_of(resource) else {
        return;
    };
    // §3.2: the 24 tag-immune operations never see tags (their other resource keys still apply).
    if !TAG_IMMUNE.contains(&op) && sar.type_has_tag_keys(ty) {
        let tags = if being_created { new_tags.to_vec() } else { state.tags(resource).unwrap_or_default() };
        set_tag_context(ctx, "aws:ResourceTag", &tags);
        set_tag_context(ctx, "sagemaker:ResourceTag", &tags);
    }
    if ty == "model-package" && !being_created {
        if let Some(pkg) = state.model_package(resource) {
            let keyed = [
                ("sagemaker:CurrentModelLifeCycleStage", &pkg.stage),
                ("sagemaker:CurrentModelLifeCycleStageStatus", &pkg.stage_status),
            ];
            for (k, v) in keyed {
                if let (Some(v), true) = (v, sar.action_lists_key(op, k)) {
                    ctx.insert_single(k, v.clone());
                }
            }
            if sar.action_lists_key(op, "sagemaker:CurrentCustomerMetadataProperties/${MetadataKey}") {
                for (k, v) in &pkg.customer_metadata {
                    ctx.insert_single(format!("sagemaker:CurrentCustomerMetadataProperties/{k}"), v.clone());
                }
            }
        }
    }
}

/// The values of one key rule for `op` (R3 set semantics, R4 normalisation, R5 derivation).
fn rule_values(rule: &crate::keys::KeyRule, op: &str, body: &Value, scope: &Scope) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (ops, paths) in rule.sources {
        if !ops.contains(&op) {
            continue;
        }
        for p in *paths {
            if rule.transform == Transform::Present {
                if !select(body, p).is_empty() && out.is_empty() {
                    out.push("true".into());
                }
                continue;
            }
            for v in select_text(body, p) {
                let v = match rule.transform {
                    Transform::None | Transform::Present => Some(v),
                    Transform::KmsKeyArn => Some(scope.kms_key_arn(&v)),
                    Transform::LifecycleConfigArn => {
                        Some(scope.arn(&format!("notebook-instance-lifecycle-config/{v}")))
                    }
                    Transform::ModelArn => {
                        Some(if v.starts_with("arn:") { normalize_arn(&v) } else { scope.named("model", &v) })
                    }
                    Transform::WorkteamType => v
                        .split("workteam/")
                        .nth(1)
                        .and_then(|r| r.split('/').next())
                        .filter(|t| matches!(*t, "public-crowd" | "private-crowd" | "vendor-crowd"))
                        .map(str::to_string),
                };
                if let Some(v) = v {
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
            }
        }
    }
    out
}

/// The Search visibility keys (§3.3): both spellings of each key, one combination per repeated Key.
fn search_visibility(body: &Value) -> Vec<Vec<(String, String)>> {
    let mut by_key: Vec<(String, Vec<String>)> = Vec::new();
    for c in select(body, "VisibilityConditions[]") {
        let (Some(k), Some(v)) = (c.get("Key").and_then(Value::as_str), c.get("Value").and_then(Value::as_str)) else {
            continue;
        };
        match by_key.iter_mut().find(|(key, _)| key == k) {
            Some((_, vs)) => vs.push(v.to_string()),
            None => by_key.push((k.to_string(), vec![v.to_string()])),
        }
    }
    let mut combos: Vec<Vec<(String, String)>> = Vec::new();
    for (k, values) in by_key {
        let alternatives = values
            .into_iter()
            .map(|v| {
                vec![
                    (format!("sagemaker:SearchVisibilityCondition/{k}"), v.clone()),
                    (format!("sagemaker:SearchVisibilityCondition/{k}/EqualsIfExists"), v),
                ]
            })
            .collect();
        combos = cross(combos, alternatives);
    }
    combos
}

/// The cross product of two lists of alternatives; an empty side is neutral.
fn cross(a: Vec<Vec<(String, String)>>, b: Vec<Vec<(String, String)>>) -> Vec<Vec<(String, String)>> {
    if a.is_empty() {
        return b;
    }
    if b.is_empty() {
        return a;
    }
    a.iter().flat_map(|x| b.iter().map(move |y| x.iter().chain(y).cloned().collect())).collect()
}

/// Resources for an operation outside the first scope: the SAR's required resource types with
/// their ARN formats filled from the request; wildcard-only actions use `*` (§3.1). Required types
/// whose identifiers the request does not carry are skipped when another one is built (the SAR lists
/// alternatives as required, e.g. the processing job of DisassociateTrialComponent).
fn sar_resources(op: &str, body: &Value, scope: &Scope, sar: &dyn Sar) -> Result<Vec<String>, String> {
    if let Some(listed) = listed_resources(op, body, scope) {
        return listed;
    }
    let required: Vec<String> = sar.resource_types(op).into_iter().filter(|(_, req)| *req).map(|(t, _)| t).collect();
    if required.is_empty() {
        return Ok(vec!["*".into()]);
    }
    let mut out = Vec::new();
    let mut missing = None;
    for ty in &required {
        let Some(format) = sar.arn_format(ty) else {
            continue;
        };
        match fill_arn_format(&format, ty, op, body, scope) {
            Some(arn) if !out.contains(&arn) => out.push(arn),
            Some(_) => {}
            None => missing = missing.or(Some(format!("{ty} identifier"))),
        }
    }
    match (out.is_empty(), missing) {
        (true, Some(m)) => Err(m),
        (true, None) => Ok(vec!["*".into()]),
        (false, _) => Ok(out),
    }
}

/// Operations whose resources are listed in the request rather than named by one identifier.
fn listed_resources(op: &str, body: &Value, scope: &Scope) -> Option<Result<Vec<String>, String>> {
    let arns = |paths: &[&str]| -> Vec<String> {
        paths.iter().flat_map(|p| select_text(body, p)).map(|a| normalize_arn(&a)).collect()
    };
    let need = |v: Vec<String>, field: &str| {
        if v.is_empty() {
            Err(field.to_string())
        } else {
            Ok(v)
        }
    };
    Some(match op {
        // §2.3: the source and destination, whatever their types.
        "AddAssociation" | "DeleteAssociation" => need(arns(&["SourceArn", "DestinationArn"]), "SourceArn"),
        "BatchDescribeModelPackage" => need(
            select_text(body, "ModelPackageArnList[]")
                .iter()
                .map(|v| if v.starts_with("arn:") { normalize_arn(v) } else { scope.named("model-package", v) })
                .collect(),
            "ModelPackageArnList",
        ),
        "RegisterDevices" | "DeregisterDevices" | "UpdateDevices" => {
            let fleet = body.get("DeviceFleetName").and_then(Value::as_str).unwrap_or_default().to_string();
            let names: Vec<String> = select_text(body, "Devices[].DeviceName")
                .into_iter()
                .chain(select_text(body, "DeviceNames[]"))
                .collect();
            need(names.iter().map(|n| scope.arn(&format!("device-fleet/{fleet}/device/{n}"))).collect(), "DeviceNames")
        }
        _ => return None,
    })
}

/// `training-job` → `TrainingJob`.
fn camel(ty: &str) -> String {
    ty.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// Fills `arn:${Partition}:sagemaker:${Region}:${Account}:cluster/${ClusterId}` from the request.
/// A placeholder is filled by the first request member found among: its own name; its name without
/// `Name`/`Id`; its base with `Name`, `Arn` or `Id`; the type's name with those suffixes; `Name`,
/// `Arn`. A member holding an ARN of the same type stands for the whole ARN. Identifiers the
/// service generates (a Create's new id) get a placeholder id.
fn fill_arn_format(format: &str, ty: &str, op: &str, body: &Value, scope: &Scope) -> Option<String> {
    let obj = body.as_object()?;
    let type_camel = camel(ty);
    let type_prefix = format.splitn(6, ':').nth(5).and_then(|r| r.split('/').next()).unwrap_or(ty).to_string();
    let lookup = |name: &str| -> Option<String> {
        let base = name.strip_suffix("Name").or_else(|| name.strip_suffix("Id")).unwrap_or(name);
        let candidates = [
            name.to_string(),
            base.to_string(),
            format!("{base}Name"),
            format!("{base}Arn"),
            format!("{base}Id"),
            format!("{type_camel}Name"),
            format!("{type_camel}Arn"),
            format!("{type_camel}Id"),
            "Name".to_string(),
            "Arn".to_string(),
        ];
        candidates
            .iter()
            .find_map(|c| obj.get(c.as_str()).and_then(scalar_text))
            // A member the placeholder ends with: `${DataQualityJobDefinitionName}` ← `JobDefinitionName`.
            .or_else(|| {
                obj.iter()
                    .filter(|(k, _)| (k.ends_with("Name") || k.ends_with("Arn")) && name.ends_with(k.as_str()))
                    .find_map(|(_, v)| scalar_text(v))
            })
            .or_else(|| obj.get("ResourceIdentifier").and_then(scalar_text))
    };
    let mut out = String::new();
    let mut rest = format;
    while let Some(i) = rest.find("${") {
        out.push_str(rest.get(..i)?);
        let after = rest.get(i + 2..)?;
        let end = after.find('}')?;
        let name = after.get(..end)?;
        let value = match name {
            "Partition" => scope.partition.clone(),
            "Region" => scope.region.clone(),
            "Account" => scope.account.clone(),
            _ => match lookup(name) {
                Some(v) if v.starts_with("arn:") => {
                    let same_type =
                        v.splitn(6, ':').nth(5).is_some_and(|r| r.split('/').next() == Some(type_prefix.as_str()));
                    if same_type {
                        return Some(normalize_arn(&v));
                    }
                    // An ARN of another type (a parent named by ARN): use its last segment.
                    v.rsplit('/').next().unwrap_or_default().to_string()
                }
                Some(v) => v,
                None if op.starts_with("Create") => "new".to_string(),
                None => return None,
            },
        };
        out.push_str(&value);
        rest = after.get(end + 1..)?;
    }
    out.push_str(rest);
    let ty = out.splitn(6, ':').nth(5).and_then(|r| r.split('/').next()).unwrap_or_default().to_string();
    Some(if crate::arns::lowercases_name(&ty) { normalize_arn(&out) } else { out })
}

/// The decision for one check, after R6 expansion: Allow only if every evaluation allows; any
/// explicit deny wins; otherwise the first implicit deny.
pub fn decide_check(check: &Check, principal: &Principal, policies: &PolicySet) -> Decision {
    let request = |extra: &[(String, String)]| {
        let mut ctx = check.context.clone();
        for (k, v) in extra {
            ctx.insert_single(k.clone(), v.clone());
        }
        Request::new(principal.clone(), &check.action, &check.resource, check.resource_account.clone(), ctx)
    };
    let runs: Vec<Decision> = if check.expansions.is_empty() {
        vec![request(&[])
            .map_or(Decision::ImplicitDeny(sagegate_policy::PolicyType::Identity), |r| evaluate(policies, &r))]
    } else {
        check
            .expansions
            .iter()
            .map(|e| {
                request(e)
                    .map_or(Decision::ImplicitDeny(sagegate_policy::PolicyType::Identity), |r| evaluate(policies, &r))
            })
            .collect()
    };
    runs.iter()
        .find(|d| matches!(d, Decision::ExplicitDeny(_)))
        .or_else(|| runs.iter().find(|d| !d.is_allowed()))
        .copied()
        .unwrap_or(Decision::Allow)
}

/// The outcome of a whole call: every check's decision, and the first failing check (§2.1 step 5).
#[derive(Debug, Clone)]
pub struct CallOutcome {
    pub decisions: Vec<(Check, Decision)>,
    /// The index of the first check that did not allow.
    pub failed: Option<usize>,
    /// AWS's AccessDenied text for that check.
    pub message: Option<String>,
}

impl CallOutcome {
    pub fn allowed(&self) -> bool {
        self.failed.is_none()
    }
}

/// Decides every check of a plan.
pub fn decide(checks: Vec<Check>, principal: &Principal, policies: &PolicySet) -> CallOutcome {
    let decisions: Vec<(Check, Decision)> = checks
        .into_iter()
        .map(|c| {
            let d = decide_check(&c, principal, policies);
            (c, d)
        })
        .collect();
    let failed = decisions.iter().position(|(_, d)| !d.is_allowed());
    let message = failed.and_then(|i| decisions.get(i)).and_then(|(c, d)| {
        let req =
            Request::new(principal.clone(), &c.action, &c.resource, c.resource_account.clone(), Context::new()).ok()?;
        access_denied_message(&req, d)
    });
    CallOutcome { decisions, failed, message }
}
