//! From a selection (persona and/or activities), parameters and options to one planned role: name,
//! trust policy, policy documents and managed policy ARNs (spec `role-manager.md` §4, §7–§9). Pure:
//! no I/O, no clock (the timestamp is an input), every violation reported at once.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::{json, Value};

use sagegate_catalog::Catalog;

use super::catalogue::{self, Activity, Catalogue, Source, TemplateVersion, CANVAS_CORE, RUN_STUDIO};
use super::error::{PlanErrors, RoleError};
use super::expand::{self, Values};
use super::flaws;
use super::params::Param;
use super::strict::{self, Change};
use super::templates::{self, Provenance, Template};

/// How the role is laid out (§4 "Output").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Layout {
    /// Role `sagemaker-<suffix>` at `/service-role/`; one customer managed policy per activity.
    #[default]
    Console,
    /// Role `SageMaker-<suffix>`; one inline policy per activity.
    Cdk,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::Console => "console",
            Layout::Cdk => "cdk",
        }
    }

    pub fn parse(s: &str) -> Option<Layout> {
        [Layout::Console, Layout::Cdk].into_iter().find(|l| l.name() == s)
    }
}

/// Which trust policy the role gets (§8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustForm {
    /// `sagemaker.amazonaws.com` with `ArnLike aws:SourceArn arn:aws:sagemaker:<region>:<account>:*`
    /// (the console's output; the default of the console layout).
    Conditioned,
    /// `sagemaker.amazonaws.com`, no condition.
    Plain,
    /// The trust template of the first activity, as the CDK does (the default of the CDK layout).
    FirstActivity,
}

impl TrustForm {
    pub fn name(self) -> &'static str {
        match self {
            TrustForm::Conditioned => "conditioned",
            TrustForm::Plain => "plain",
            TrustForm::FirstActivity => "first-activity",
        }
    }

    pub fn parse(s: &str) -> Option<TrustForm> {
        [TrustForm::Conditioned, TrustForm::Plain, TrustForm::FirstActivity].into_iter().find(|t| t.name() == s)
    }
}

/// The default of the managed-policies-per-role quota, and how far it can be raised (§9).
pub const DEFAULT_POLICIES_PER_ROLE: usize = 10;
pub const MAX_POLICIES_PER_ROLE: usize = 20;
/// The most ML activities the domain wizard accepts (§9).
pub const DOMAIN_ACTIVITY_LIMIT: usize = 8;

const SERVICE_ROLE_PATH: &str = "/service-role/";
const MANAGED_POLICY_MAX: usize = 6_144;
const INLINE_TOTAL_MAX: usize = 10_240;
const TRUST_MAX: usize = 2_048;

/// What the administrator asked for.
#[derive(Clone, Debug)]
pub struct RoleRequest {
    /// A persona id (`data-scientist`, …); None is "Custom role settings".
    pub persona: Option<String>,
    pub catalogue: Catalogue,
    /// Extra activities, `ID[@VERSION]` (an id, row number, display name or policy stem).
    pub activities: Vec<String>,
    /// Activities to untick.
    pub without: Vec<String>,
    /// Parameter values by parameter name or alias (`S3Buckets`, `rolesToPass`, …).
    pub params: Vec<(String, Vec<String>)>,
    /// The suffix the administrator chose; the layout adds its prefix.
    pub role_suffix: Option<String>,
    pub description: Option<String>,
    pub layout: Layout,
    pub trust: Option<TrustForm>,
    /// `{{Region}}` and `{{AccountId}}`; `*` when unknown, as in the CDK.
    pub region: Option<String>,
    pub account: Option<String>,
    /// Milliseconds since the epoch, for the policy names.
    pub timestamp_ms: u64,
    pub max_managed_policies: usize,
    /// AWS managed (name or ARN) or customer managed (ARN) policies added in the console's step 3.
    pub extra_managed_policies: Vec<String>,
    /// Enforce the domain wizard's limit of 8 activities.
    pub for_domain: bool,
    /// Add missing prerequisites instead of failing (§7).
    pub fix_dependencies: bool,
    /// Generate the corrected variant of each flawed template and list the changes (§11).
    pub strict: bool,
}

impl Default for RoleRequest {
    fn default() -> Self {
        RoleRequest {
            persona: None,
            catalogue: Catalogue::Current,
            activities: Vec::new(),
            without: Vec::new(),
            params: Vec::new(),
            role_suffix: None,
            description: None,
            layout: Layout::Console,
            trust: None,
            region: None,
            account: None,
            timestamp_ms: 0,
            max_managed_policies: DEFAULT_POLICIES_PER_ROLE,
            extra_managed_policies: Vec::new(),
            for_domain: false,
            fix_dependencies: false,
            strict: false,
        }
    }
}

/// A policy document generated from a template: customer managed (console) or inline (CDK).
#[derive(Clone, Debug)]
pub struct PlannedPolicy {
    /// The activity id.
    pub activity: &'static str,
    /// The template name, e.g. `SM_CommonJobManagement_VPC`.
    pub template: String,
    pub version: TemplateVersion,
    pub provenance: Provenance,
    pub name: String,
    /// `/service-role/` for customer managed policies; empty for inline ones.
    pub path: String,
    pub document: Value,
}

/// A managed policy attached by ARN.
#[derive(Clone, Debug)]
pub struct ManagedAttachment {
    pub arn: String,
    pub name: String,
    /// The default version in the catalog (None for customer managed extras).
    pub version_id: Option<String>,
    /// The version spec §1 pins, for activity policies.
    pub pinned_version: Option<&'static str>,
    /// The activity id; None for an additional policy.
    pub activity: Option<&'static str>,
    /// The document, when the catalog has it (AWS managed policies).
    pub document: Option<&'static str>,
}

/// A selected activity and how it was resolved.
#[derive(Clone, Debug)]
pub struct PlannedActivity {
    pub activity: &'static Activity,
    /// The template version (None for managed activities).
    pub version: Option<TemplateVersion>,
    /// The template name used (None for managed activities).
    pub template: Option<String>,
}

/// A remark on the plan: a known flaw (`F1`…`F13`) or what the planner did (`fix`, `info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub id: String,
    pub message: String,
}

/// The planned role.
#[derive(Clone, Debug)]
pub struct RolePlan {
    pub role_name: String,
    pub path: String,
    pub description: Option<String>,
    pub layout: Layout,
    pub catalogue: Catalogue,
    pub persona: Option<&'static str>,
    pub region: String,
    pub account: String,
    pub partition: String,
    pub trust_form: TrustForm,
    pub trust_policy: Value,
    pub activities: Vec<PlannedActivity>,
    /// Customer managed (console layout) or inline (CDK layout) policies, in activity order.
    pub policies: Vec<PlannedPolicy>,
    /// Activity managed policies, then the additional ones.
    pub managed: Vec<ManagedAttachment>,
    /// How many managed policies the role attaches, and the quota it was checked against.
    pub managed_policy_count: usize,
    pub quota: usize,
    /// Notes on flaws, fixes and scope; with `strict`, none for a flaw listed in `changes`.
    pub notes: Vec<Note>,
    /// Whether the plan was made with `--strict`.
    pub strict: bool,
    /// What `--strict` corrected, and the flaws it could not correct (§11); empty without it.
    pub changes: Vec<Change>,
}

/// The partition of a region (F9).
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

fn with_partition(v: &mut Value, partition: &str) {
    match v {
        Value::String(s) => {
            if let Some(rest) = s.strip_prefix("arn:aws:") {
                *s = format!("arn:{partition}:{rest}");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| with_partition(i, partition)),
        Value::Object(map) => map.values_mut().for_each(|i| with_partition(i, partition)),
        _ => {}
    }
}

/// IAM's length of a document: the compact JSON without whitespace (§9).
pub fn policy_size(doc: &Value) -> usize {
    serde_json::to_string(doc).map_or(0, |s| s.chars().filter(|c| !c.is_whitespace()).count())
}

fn valid_name(s: &str, max: usize) -> bool {
    !s.is_empty() && s.chars().count() <= max && s.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// `ID[@VERSION]` → the activity and the explicit version.
fn parse_spec(spec: &str) -> Result<(&'static Activity, Option<TemplateVersion>), RoleError> {
    let (name, version) = match spec.rsplit_once('@') {
        Some((n, v)) => (n, Some(v)),
        None => (spec, None),
    };
    let activity = catalogue::activity(name).ok_or_else(|| RoleError::UnknownActivity(spec.to_string()))?;
    let version = match version {
        None => None,
        Some(v) => {
            let parsed = TemplateVersion::parse(v).filter(|p| activity.versions.contains(p));
            Some(parsed.ok_or_else(|| RoleError::UnknownVersion {
                activity: activity.id.to_string(),
                version: v.to_string(),
                available: if activity.versions.is_empty() {
                    "none (it attaches a managed policy)".to_string()
                } else {
                    activity.versions.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                },
            })?)
        }
    };
    Ok((activity, version))
}

/// Plans a role. Returns every violation at once when it cannot be planned.
pub fn plan_role(req: &RoleRequest) -> Result<RolePlan, PlanErrors> {
    let mut errors: Vec<RoleError> = Vec::new();
    let mut notes: Vec<Note> = Vec::new();
    let all_templates = match templates::all() {
        Ok(t) => t,
        Err(e) => return Err(PlanErrors(vec![RoleError::Data(e.to_string())])),
    };
    let find = |name: &str, v: TemplateVersion| all_templates.iter().find(|t| t.name == name && t.version == v);

    // 1. The selection: persona presets, then the explicit activities, then the unticked ones.
    let persona = match &req.persona {
        None => None,
        Some(p) => match catalogue::persona(p) {
            Some(p) => Some(p),
            None => {
                errors.push(RoleError::UnknownPersona(p.clone()));
                None
            }
        },
    };
    let mut selected: Vec<(&'static Activity, TemplateVersion)> = Vec::new();
    if let Some(p) = persona {
        for id in p.preset(req.catalogue) {
            if let Some(a) = catalogue::activity(id) {
                selected.push((a, a.default_version(req.catalogue)));
            }
        }
    }
    let mut explicit: Vec<&'static str> = Vec::new();
    for spec in &req.activities {
        match parse_spec(spec) {
            Err(e) => errors.push(e),
            Ok((a, version)) => {
                if explicit.contains(&a.id) {
                    errors.push(RoleError::Duplicate(format!("{} ({})", a.id, a.name)));
                    continue;
                }
                explicit.push(a.id);
                let version = version.unwrap_or_else(|| a.default_version(req.catalogue));
                // An explicit version replaces the one the persona pre-ticked.
                match selected.iter_mut().find(|(s, _)| s.id == a.id) {
                    Some(slot) => slot.1 = version,
                    None => selected.push((a, version)),
                }
            }
        }
    }
    for spec in &req.without {
        match catalogue::activity(spec) {
            None => errors.push(RoleError::UnknownActivity(spec.clone())),
            Some(a) => {
                let before = selected.len();
                selected.retain(|(s, _)| s.id != a.id);
                if selected.len() == before {
                    errors.push(RoleError::NotSelected(a.id.to_string()));
                }
            }
        }
    }

    // 2. Dependencies (§7), fixed on request.
    if req.fix_dependencies {
        loop {
            let ids: Vec<&str> = selected.iter().map(|(a, _)| a.id).collect();
            let missing = selected.iter().find_map(|(a, _)| {
                a.requires.iter().find(|group| !group.iter().any(|g| ids.contains(g))).map(|group| (a.id, group))
            });
            let Some((dependent, group)) = missing else { break };
            let add =
                if group.contains(&RUN_STUDIO) { RUN_STUDIO } else { group.first().copied().unwrap_or(CANVAS_CORE) };
            let Some(a) = catalogue::activity(add) else { break };
            selected.push((a, a.default_version(req.catalogue)));
            notes.push(Note {
                id: "fix".into(),
                message: format!("added {} ({}), which {dependent} needs", a.id, a.name),
            });
        }
    }
    selected.sort_by_key(|(a, _)| a.number);
    let ids: Vec<&str> = selected.iter().map(|(a, _)| a.id).collect();
    for (a, _) in &selected {
        for group in a.requires {
            if !group.iter().any(|g| ids.contains(g)) {
                let names: Vec<String> = group
                    .iter()
                    .filter_map(|g| catalogue::activity(g))
                    .map(|g| format!("{} ({})", g.id, g.name))
                    .collect();
                errors.push(RoleError::MissingDependency {
                    activity: format!("{} ({})", a.id, a.name),
                    needs: names.join(" or "),
                });
            }
        }
        if let Source::Unavailable { reason } = a.source {
            errors.push(RoleError::Unavailable(format!("{} ({})", a.id, a.name), reason));
        }
    }
    // An unknown persona has been reported already; an empty selection is only news otherwise.
    let persona_known = req.persona.is_none() || persona.is_some();
    if selected.is_empty() && persona_known {
        errors.push(RoleError::NothingSelected);
    }
    if req.for_domain && selected.len() > DOMAIN_ACTIVITY_LIMIT {
        errors.push(RoleError::DomainLimit(selected.len()));
    }

    // 3. Parameters and customisations (§3, §4).
    let mut values: BTreeMap<Param, Vec<String>> = BTreeMap::new();
    for (name, list) in &req.params {
        match Param::parse(name) {
            None => errors.push(RoleError::UnknownParameter(name.clone())),
            Some(p) => {
                let entry = values.entry(p).or_default();
                for v in list.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                    if let Err(e) = p.check(v) {
                        errors.push(RoleError::InvalidValue(e));
                    }
                    if !entry.iter().any(|e| e == v) {
                        entry.push(v.to_string());
                    }
                }
            }
        }
    }
    let has = |p: Param| values.get(&p).is_some_and(|v| !v.is_empty());
    let vpc = has(Param::VpcSubnets) || has(Param::VpcSecurityGroups);
    let kms = has(Param::DataKmsKeys) || has(Param::VolumeKmsKeys);
    if vpc && !(has(Param::VpcSubnets) && has(Param::VpcSecurityGroups)) {
        errors.push(RoleError::IncompleteVpc);
    }
    if kms && !(has(Param::DataKmsKeys) && has(Param::VolumeKmsKeys)) {
        errors.push(RoleError::IncompleteKms);
    }
    if kms {
        notes.push(Note { id: "F3".into(), message: flaws::describe("F3").into() });
    }

    let region = req.region.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| "*".into());
    let account = req.account.clone().filter(|a| !a.is_empty()).unwrap_or_else(|| "*".into());
    let partition = if region == "*" { "aws" } else { partition_of(&region) };
    if req.account.is_none() || req.region.is_none() {
        notes.push(Note {
            id: "info".into(),
            message: format!(
                "{{{{Region}}}} became `{region}` and {{{{AccountId}}}} `{account}`; pass --region and --account to scope the policies"
            ),
        });
    }
    if partition != "aws" {
        notes.push(Note { id: "F9".into(), message: format!("{} ({partition})", flaws::describe("F9")) });
    }
    let mut expansion = Values::default();
    expansion.single.insert("Region".into(), region.clone());
    expansion.single.insert("AccountId".into(), account.clone());
    for (p, list) in &values {
        expansion.multi.insert(p.name().to_string(), list.clone());
    }

    // 4. One policy (or attachment) per activity.
    let catalog = Catalog::get();
    let mut planned: Vec<PlannedActivity> = Vec::new();
    let mut policies: Vec<PlannedPolicy> = Vec::new();
    let mut managed: Vec<ManagedAttachment> = Vec::new();
    let mut used_params: Vec<String> = Vec::new();
    let mut changes: Vec<Change> = Vec::new();
    let mut first_template: Option<&Template> = None;
    for (a, version) in &selected {
        match a.source {
            Source::Unavailable { .. } => {}
            Source::Managed { name, pinned_version } => {
                planned.push(PlannedActivity { activity: a, version: None, template: None });
                match catalog.managed_policy_by_name(name) {
                    None => errors.push(RoleError::UnknownManagedPolicy(name.to_string())),
                    Some(m) => {
                        if m.version_id != pinned_version {
                            notes.push(Note {
                                id: "info".into(),
                                message: format!(
                                    "{name}: the catalog holds {} (its default version); spec §1 pins {pinned_version}",
                                    m.version_id
                                ),
                            });
                        }
                        let mut arn = Value::String(m.arn.to_string());
                        with_partition(&mut arn, partition);
                        managed.push(ManagedAttachment {
                            arn: arn.as_str().unwrap_or(m.arn).to_string(),
                            name: name.to_string(),
                            version_id: Some(m.version_id.to_string()),
                            pinned_version: Some(pinned_version),
                            activity: Some(a.id),
                            document: Some(m.document),
                        });
                        let listed = if req.strict { strict::uncorrectable_managed(name) } else { Vec::new() };
                        for f in flaws::of_template(name) {
                            if !listed.iter().any(|c| c.flaw == f) {
                                notes.push(Note { id: f.into(), message: format!("{name}: {}", flaws::describe(f)) });
                            }
                        }
                        changes.extend(listed);
                    }
                }
            }
            Source::Template { stem } => {
                let supports = |suffix: &str| find(&format!("{stem}{suffix}"), *version).is_some();
                let mut name = stem.to_string();
                if vpc && supports("_VPC") {
                    name.push_str("_VPC");
                }
                if kms && supports("_KMS") {
                    name.push_str("_KMS");
                }
                let Some(template) = find(&name, *version) else {
                    errors.push(RoleError::Data(format!("no template {name} version {version}")));
                    continue;
                };
                if first_template.is_none() {
                    first_template = Some(template);
                }
                planned.push(PlannedActivity { activity: a, version: Some(*version), template: Some(name.clone()) });
                // --strict corrects the template before expansion (§11).
                let (source, corrected) = if req.strict {
                    let given = |p: &str| expansion.multi.get(p).is_some_and(|v| !v.is_empty());
                    let (doc, corrected) = strict::correct(&name, *version, &template.document, &given);
                    (Cow::Owned(doc), corrected)
                } else {
                    (Cow::Borrowed(&template.document), Vec::new())
                };
                let (_, multi) = expand::placeholders(&source);
                let mut missing_param = false;
                for p in &multi {
                    used_params.push(p.clone());
                    if expansion.multi.get(p).is_none_or(Vec::is_empty) {
                        missing_param = true;
                        errors.push(RoleError::MissingParameter {
                            activity: format!("{} ({})", a.id, a.name),
                            param: p.clone(),
                        });
                    }
                }
                if missing_param {
                    continue;
                }
                let mut document = match expand::expand(&source, &expansion) {
                    Ok(d) => d,
                    Err(missing) => {
                        for placeholder in missing {
                            errors.push(RoleError::UnresolvedPlaceholder { template: name.clone(), placeholder });
                        }
                        continue;
                    }
                };
                with_partition(&mut document, partition);
                let policy_name = match req.layout {
                    Layout::Console => format!("{name}_{}", req.timestamp_ms),
                    Layout::Cdk => format!("{name}_V{version}_{}", req.timestamp_ms),
                };
                if !valid_name(&policy_name, 128) {
                    errors.push(RoleError::PolicyName(policy_name.clone()));
                }
                let listed = |f: &str| corrected.iter().any(|c| c.flaw == f);
                for f in flaws::of_template(&name) {
                    if !listed(f) {
                        notes.push(Note { id: f.into(), message: format!("{name}: {}", flaws::describe(f)) });
                    }
                }
                if name == "SM_StudioAppPermissions_KMS" && has(Param::PassRoles) && !listed("F7") {
                    notes.push(Note { id: "F7".into(), message: flaws::describe("F7").into() });
                }
                changes.extend(corrected);
                if stem == "SM_AthenaQueryAccess" {
                    notes.push(Note { id: "F2".into(), message: flaws::describe("F2").into() });
                }
                policies.push(PlannedPolicy {
                    activity: a.id,
                    template: name,
                    version: *version,
                    provenance: template.provenance,
                    name: policy_name,
                    path: match req.layout {
                        Layout::Console => SERVICE_ROLE_PATH.into(),
                        Layout::Cdk => String::new(),
                    },
                    document,
                });
            }
        }
    }
    if persona.is_some_and(|p| p.id == "data-scientist") && req.catalogue == Catalogue::Current {
        notes.push(Note { id: "F13".into(), message: flaws::describe("F13").into() });
    }
    for (p, list) in &values {
        if !list.is_empty() && !used_params.iter().any(|u| u == p.name()) {
            notes.push(Note { id: "info".into(), message: format!("{p} was given but no selected template uses it") });
        }
    }

    // 5. Additional managed policies (the console's step 3).
    for extra in &req.extra_managed_policies {
        let by_catalog = catalog.managed_policy_by_arn(extra).or_else(|| catalog.managed_policy_by_name(extra));
        match by_catalog {
            Some(m) => managed.push(ManagedAttachment {
                arn: m.arn.to_string(),
                name: m.name.to_string(),
                version_id: Some(m.version_id.to_string()),
                pinned_version: None,
                activity: None,
                document: Some(m.document),
            }),
            None if extra.starts_with("arn:") && extra.contains(":policy/") => managed.push(ManagedAttachment {
                arn: extra.clone(),
                name: extra.rsplit('/').next().unwrap_or(extra).to_string(),
                version_id: None,
                pinned_version: None,
                activity: None,
                document: None,
            }),
            None => errors.push(RoleError::UnknownManagedPolicy(extra.clone())),
        }
    }

    // 6. Quotas and limits (§9), before anything is printed or created.
    if req.max_managed_policies == 0 || req.max_managed_policies > MAX_POLICIES_PER_ROLE {
        errors.push(RoleError::QuotaOutOfRange(req.max_managed_policies));
    }
    // An activity without a public template (row 22) is still one attached policy in the console.
    let unavailable = selected.iter().filter(|(a, _)| matches!(a.source, Source::Unavailable { .. })).count();
    let activity_policies = match req.layout {
        Layout::Console => policies.len() + managed.iter().filter(|m| m.activity.is_some()).count() + unavailable,
        Layout::Cdk => managed.iter().filter(|m| m.activity.is_some()).count(),
    };
    let extra = managed.iter().filter(|m| m.activity.is_none()).count();
    let managed_policy_count = activity_policies + extra;
    if managed_policy_count > req.max_managed_policies && req.max_managed_policies <= MAX_POLICIES_PER_ROLE {
        let mut names: Vec<String> = Vec::new();
        if req.layout == Layout::Console {
            names.extend(policies.iter().map(|p| p.template.clone()));
        }
        names.extend(managed.iter().map(|m| m.name.clone()));
        if req.layout == Layout::Console {
            names.extend(
                selected
                    .iter()
                    .filter(|(a, _)| matches!(a.source, Source::Unavailable { .. }))
                    .map(|(a, _)| a.name.to_string()),
            );
        }
        errors.push(RoleError::Quota {
            total: managed_policy_count,
            activities: activity_policies,
            extra,
            quota: req.max_managed_policies,
            names,
        });
    }
    match req.layout {
        Layout::Console => {
            for p in &policies {
                let size = policy_size(&p.document);
                if size > MANAGED_POLICY_MAX {
                    errors.push(RoleError::PolicyTooLarge { name: p.name.clone(), size });
                }
            }
        }
        Layout::Cdk => {
            let total: usize = policies.iter().map(|p| policy_size(&p.document)).sum();
            if total > INLINE_TOTAL_MAX {
                errors.push(RoleError::InlineTooLarge(total));
            }
        }
    }

    // 7. The role: name and trust policy (§4, §8).
    let suffix = req.role_suffix.clone().unwrap_or_else(|| persona.map_or("custom-role", |p| p.id).to_string());
    let role_name = match req.layout {
        Layout::Console => format!("sagemaker-{suffix}"),
        Layout::Cdk => format!("SageMaker-{suffix}"),
    };
    if !valid_name(&role_name, 64) {
        errors.push(RoleError::RoleName(role_name.clone()));
    }
    let trust_form = req.trust.unwrap_or(match req.layout {
        Layout::Console => TrustForm::Conditioned,
        Layout::Cdk => TrustForm::FirstActivity,
    });
    let mut statement = json!({
        "Effect": "Allow",
        "Principal": {"Service": "sagemaker.amazonaws.com"},
        "Action": "sts:AssumeRole",
    });
    let mut trust_policy = match (trust_form, first_template) {
        (TrustForm::FirstActivity, Some(t)) => expand::expand(&t.trust, &expansion).unwrap_or_else(|_| t.trust.clone()),
        (TrustForm::Conditioned, _) => {
            if let Some(s) = statement.as_object_mut() {
                s.insert(
                    "Condition".into(),
                    json!({"ArnLike": {"aws:SourceArn": format!("arn:aws:sagemaker:{region}:{account}:*")}}),
                );
            }
            json!({"Version": "2012-10-17", "Statement": [statement]})
        }
        _ => json!({"Version": "2012-10-17", "Statement": [statement]}),
    };
    with_partition(&mut trust_policy, partition);
    let trust_size = policy_size(&trust_policy);
    if trust_size > TRUST_MAX {
        errors.push(RoleError::TrustTooLarge(trust_size));
    }

    if !errors.is_empty() {
        return Err(PlanErrors(errors));
    }
    notes.dedup();
    Ok(RolePlan {
        role_name,
        path: SERVICE_ROLE_PATH.into(),
        description: req.description.clone(),
        layout: req.layout,
        catalogue: req.catalogue,
        persona: persona.map(|p| p.id),
        region,
        account,
        partition: partition.to_string(),
        trust_form,
        trust_policy,
        activities: planned,
        policies,
        managed,
        managed_policy_count,
        quota: req.max_managed_policies,
        notes,
        strict: req.strict,
        changes,
    })
}

impl RolePlan {
    /// The plan as JSON (`sagegate roles plan --output json`, and the golden files).
    pub fn to_json(&self) -> Value {
        let mut out = json!({
            "roleName": self.role_name,
            "path": self.path,
            "description": self.description,
            "layout": self.layout.name(),
            "catalogue": self.catalogue.name(),
            "persona": self.persona,
            "region": self.region,
            "account": self.account,
            "partition": self.partition,
            "activities": self.activities.iter().map(|a| json!({
                "id": a.activity.id,
                "number": a.activity.number,
                "name": a.activity.name,
                "template": a.template,
                "version": a.version.map(|v| v.to_string()),
            })).collect::<Vec<_>>(),
            "trust": self.trust_form.name(),
            "trustPolicy": self.trust_policy,
            "policies": self.policies.iter().map(|p| json!({
                "name": p.name,
                "path": p.path,
                "kind": match self.layout { Layout::Console => "customer-managed", Layout::Cdk => "inline" },
                "activity": p.activity,
                "template": p.template,
                "version": p.version.to_string(),
                "provenance": p.provenance.name(),
                "document": p.document,
            })).collect::<Vec<_>>(),
            "managedPolicies": self.managed.iter().map(|m| json!({
                "arn": m.arn,
                "name": m.name,
                "versionId": m.version_id,
                "pinnedVersion": m.pinned_version,
                "activity": m.activity,
            })).collect::<Vec<_>>(),
            "managedPolicyCount": self.managed_policy_count,
            "quota": self.quota,
            "notes": self.notes.iter().map(|n| json!({"id": n.id, "message": n.message})).collect::<Vec<_>>(),
        });
        // Only with --strict, so that the output without it stays as it was.
        if self.strict {
            if let Some(obj) = out.as_object_mut() {
                obj.insert("strict".into(), Value::Bool(true));
                obj.insert("changes".into(), Value::Array(self.changes.iter().map(Change::to_json).collect()));
            }
        }
        out
    }
}
