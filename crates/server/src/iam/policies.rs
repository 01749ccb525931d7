//! Managed policies: customer managed ones (stored, with up to 5 versions) and AWS managed ones (from
//! the catalog, read-only: `UnmodifiableEntity`). Both are read through one shape, `PolicyRec`.
//! ListEntitiesForPolicy says who uses one.

use sagegate_catalog::{Catalog, ManagedPolicy};
use sagegate_policy::PolicyKind;

use super::entity::{authorized, Record};
use super::*;
use crate::call::iso8601;
use crate::xml::url_encode;

/// The most versions one managed policy may have (V15).
const MAX_VERSIONS: usize = 5;

fn is_aws_managed(arn: &str) -> bool {
    arn.starts_with("arn:aws:iam::aws:policy/")
}

/// Policies under `/aws-service-role/` belong to service-linked roles and attach to nothing else.
fn is_attachable(p: &PolicyRec) -> bool {
    !p.path.starts_with("/aws-service-role/")
}

/// `Ok` for a customer managed policy; AWS managed policies cannot be changed.
pub(super) fn customer_managed(arn: &str) -> Result<(), ApiError> {
    if is_aws_managed(arn) {
        return Err(err(400, "UnmodifiableEntity", format!("Cannot modify a policy managed by AWS: {arn}")));
    }
    Ok(())
}

/// A stable `ANPA…` id for an AWS managed policy (the catalog has none): derived from its ARN.
fn aws_policy_id(arn: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in arn.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let tail: String = (0..16)
        .map(|i| ALPHABET.get(((h >> ((i * 4) % 64)) as usize + i) % ALPHABET.len()).copied().unwrap_or(b'A') as char)
        .collect();
    format!("ANPA{tail}")
}

/// An AWS managed policy in the stored shape; its one version carries the document when asked.
fn aws_policy(m: &ManagedPolicy, with_document: bool) -> PolicyRec {
    let when = sagegate_policy::condition::Instant::parse(m.updated).map_or(0, |i| i.seconds);
    PolicyRec {
        name: m.name.to_string(),
        path: m.path.to_string(),
        id: aws_policy_id(m.arn),
        arn: m.arn.to_string(),
        created: when,
        description: None,
        default_version: m.version_id.to_string(),
        versions: vec![PolicyVersion {
            id: m.version_id.to_string(),
            document: if with_document { m.document.to_string() } else { String::new() },
            created: when,
        }],
        next_version: 0,
        tags: Vec::new(),
    }
}

/// A managed policy by ARN: customer managed from the directory, AWS managed from the catalog.
pub(super) fn lookup(dir: &Directory, arn: &str, with_document: bool) -> Option<PolicyRec> {
    match dir.policies.get(arn) {
        Some(p) => Some(p.clone()),
        None => Catalog::get().managed_policy_by_arn(arn).map(|m| aws_policy(m, with_document)),
    }
}

/// The policy exists and may be attached (or used as a boundary); `missing` words the NoSuchEntity.
pub(super) fn attachable(dir: &Directory, arn: &str, missing: fn(&str) -> ApiError) -> Result<(), ApiError> {
    let p = lookup(dir, arn, false).ok_or_else(|| missing(arn))?;
    if !is_attachable(&p) {
        return Err(err(400, "PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role."));
    }
    Ok(())
}

/// A permissions boundary must be an existing, attachable managed policy.
pub(super) fn check_boundary(dir: &Directory, arn: &str) -> Result<(), ApiError> {
    attachable(dir, arn, |a| err(404, "NoSuchEntity", format!("Scope ARN: {a} does not exist or is not attachable.")))
}

/// The `Policy` shape; `detail` adds the description, which ListPolicies leaves out.
pub(super) fn policy_xml(x: &mut Xml, p: &PolicyRec, usage: (usize, usize), detail: bool) {
    x.leaf("PolicyName", &p.name)
        .leaf("PolicyId", &p.id)
        .leaf("Arn", &p.arn)
        .leaf("Path", &p.path)
        .leaf("DefaultVersionId", &p.default_version)
        .leaf("AttachmentCount", &usage.0.to_string())
        .leaf("PermissionsBoundaryUsageCount", &usage.1.to_string())
        .leaf("IsAttachable", &is_attachable(p).to_string());
    if detail {
        x.opt("Description", p.description.as_deref());
    }
    x.leaf("CreateDate", &iso8601(p.created))
        .leaf("UpdateDate", &iso8601(p.versions.iter().map(|v| v.created).max().unwrap_or(p.created)));
}

/// One `PolicyVersion`; the document only where IAM shows it (GetPolicyVersion, GetAccountAuthorizationDetails).
pub(super) fn version_xml(x: &mut Xml, p: &PolicyRec, v: &PolicyVersion, document: bool) {
    if document {
        x.leaf("Document", &url_encode(&v.document));
    }
    x.leaf("VersionId", &v.id)
        .leaf("IsDefaultVersion", &(v.id == p.default_version).to_string())
        .leaf("CreateDate", &iso8601(v.created));
}

fn no_such_version(arn: &str, vid: &str) -> ApiError {
    err(404, "NoSuchEntity", format!("Policy {arn} version {vid} does not exist or is not attachable."))
}

/// The policy the call names, authorized, with its documents.
fn authorized_policy(call: &Call) -> Result<PolicyRec, ApiError> {
    let p: PolicyRec = authorized(call, &action(call), |_| Vec::new())?;
    Ok(lookup(&call.dir, &p.arn, true).unwrap_or(p))
}

pub(super) async fn create(call: &Call) -> Res {
    let name = check_name(call, "PolicyName", 128)?;
    let path = path_param(call)?;
    let arn = iam_arn(call, "policy", &path, &name);
    let tags = tags_param(call)?;
    call.authorize("iam:CreatePolicy", &arn, request_tags_ctx(&tags))?;
    let doc = call.required("PolicyDocument")?.to_string();
    check_policy(&doc, PolicyKind::Managed)?;
    let exists = err(
        409,
        "EntityAlreadyExists",
        format!("A policy called {name} already exists. Duplicate names are not allowed."),
    );
    // Names are unique in the account, whatever the path.
    if call.dir.policies.values().any(|p| p.name.eq_ignore_ascii_case(&name)) {
        return Err(exists);
    }
    let rec = PolicyRec {
        name,
        path,
        id: crate::ids::id("ANPA"),
        arn,
        created: call.now,
        description: description_param(call)?,
        default_version: "v1".into(),
        versions: vec![PolicyVersion { id: "v1".into(), document: doc, created: call.now }],
        next_version: 2,
        tags,
    };
    insert(call, rec.clone(), exists).await?;
    result(|x| {
        x.node("Policy", |x| policy_xml(x, &rec, (0, 0), true));
    })
}

pub(super) fn get(call: &Call) -> Res {
    let p: PolicyRec = authorized(call, "iam:GetPolicy", |_| Vec::new())?;
    let usage = Usage::of(&call.dir).get(&p.arn);
    result(|x| {
        x.node("Policy", |x| {
            policy_xml(x, &p, usage, true);
            if !p.tags.is_empty() {
                tags_xml(x, "Tags", &p.tags);
            }
        });
    })
}

/// ListPolicies: `Scope` (All, AWS, Local), `OnlyAttached`, `PathPrefix`, `PolicyUsageFilter`.
pub(super) fn list(call: &Call) -> Res {
    let prefix = call.params.get("PathPrefix").unwrap_or("/");
    call.authorize("iam:ListPolicies", &iam_arn(call, "policy", prefix, ""), Vec::new())?;
    let scope = call.params.get("Scope").unwrap_or("All");
    let (local, aws) = match scope {
        "All" => (true, true),
        "AWS" => (false, true),
        "Local" => (true, false),
        _ => return Err(constraint("Scope", scope, "Member must satisfy enum value set: [All, AWS, Local]")),
    };
    let only_attached = bool_param(call, "OnlyAttached");
    let usage_filter = call.params.get("PolicyUsageFilter");
    let usage = Usage::of(&call.dir);
    let wanted = |p: &PolicyRec| {
        let (attached, boundary) = usage.get(&p.arn);
        let used = match usage_filter {
            Some("PermissionsPolicy") => attached > 0,
            Some("PermissionsBoundary") => boundary > 0,
            _ => !only_attached || attached + boundary > 0,
        };
        used && p.path.starts_with(prefix) && (!only_attached || attached + boundary > 0)
    };
    let mut found: Vec<PolicyRec> =
        if local { call.dir.policies.values().filter(|p| wanted(p)).cloned().collect() } else { Vec::new() };
    found.sort_by(|a, b| a.name.to_ascii_lowercase().cmp(&b.name.to_ascii_lowercase()).then(a.arn.cmp(&b.arn)));
    if aws {
        found.extend(Catalog::get().managed_policies().iter().map(|m| aws_policy(m, false)).filter(|p| wanted(p)));
    }
    paginate(call, &found, "Policies", |x, p| policy_xml(x, p, usage.get(&p.arn), false))
}

pub(super) async fn delete(call: &Call) -> Res {
    let p: PolicyRec = authorized(call, "iam:DeletePolicy", |_| Vec::new())?;
    customer_managed(&p.arn)?;
    let (attached, boundary) = Usage::of(&call.dir).get(&p.arn);
    if attached + boundary > 0 {
        return Err(delete_conflict("Cannot delete a policy attached to entities."));
    }
    if p.versions.len() > 1 {
        return Err(delete_conflict(
            "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        ));
    }
    remove(call, &p).await?;
    done()
}

pub(super) async fn create_version(call: &Call) -> Res {
    let p: PolicyRec = authorized(call, "iam:CreatePolicyVersion", |_| Vec::new())?;
    customer_managed(&p.arn)?;
    let doc = call.required("PolicyDocument")?.to_string();
    check_policy(&doc, PolicyKind::Managed)?;
    let set_default = bool_param(call, "SetAsDefault");
    let now = call.now;
    let p = update::<PolicyRec>(call, p.store_key(), p.missing(), move |p| {
        if p.versions.len() >= MAX_VERSIONS {
            return Err(err(409, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version."));
        }
        let v = PolicyVersion { id: format!("v{}", p.next_version), document: doc.clone(), created: now };
        p.next_version += 1;
        if set_default {
            p.default_version = v.id.clone();
        }
        p.versions.push(v);
        Ok(())
    })
    .await?;
    let v = p.versions.last().cloned().ok_or_else(|| ApiError::internal(Service::Iam, "the new version is missing"))?;
    result(|x| {
        x.node("PolicyVersion", |x| version_xml(x, &p, &v, false));
    })
}

pub(super) fn get_version(call: &Call) -> Res {
    let p = authorized_policy(call)?;
    let vid = call.required("VersionId")?;
    let v = p.versions.iter().find(|v| v.id == vid).ok_or_else(|| no_such_version(&p.arn, vid))?;
    result(|x| {
        x.node("PolicyVersion", |x| version_xml(x, &p, v, true));
    })
}

/// ListPolicyVersions, newest first.
pub(super) fn list_versions(call: &Call) -> Res {
    let p = authorized_policy(call)?;
    let mut versions: Vec<&PolicyVersion> = p.versions.iter().collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.id.trim_start_matches('v').parse::<u32>().unwrap_or(0)));
    paginate(call, &versions, "Versions", |x, v| version_xml(x, &p, v, false))
}

/// SetDefaultPolicyVersion and DeletePolicyVersion (the default version cannot be deleted).
pub(super) async fn change_version(call: &Call) -> Res {
    let p: PolicyRec = authorized(call, &action(call), |_| Vec::new())?;
    customer_managed(&p.arn)?;
    let vid = call.required("VersionId")?.to_string();
    let delete = call.operation == "DeletePolicyVersion";
    update::<PolicyRec>(call, p.store_key(), p.missing(), move |p| {
        if !p.versions.iter().any(|v| v.id == vid) {
            return Err(no_such_version(&p.arn, &vid));
        }
        if !delete {
            p.default_version = vid.clone();
        } else if p.default_version == vid {
            return Err(delete_conflict("Cannot delete the default version of a policy."));
        } else {
            p.versions.retain(|v| v.id != vid);
        }
        Ok(())
    })
    .await?;
    done()
}

/// ListEntitiesForPolicy: the groups, users and roles a managed policy is attached to, or (with
/// `PolicyUsageFilter=PermissionsBoundary`) bounds, under `PathPrefix`, paginated as one sequence.
pub(super) fn list_entities(call: &Call) -> Res {
    let p: PolicyRec = authorized(call, "iam:ListEntitiesForPolicy", |_| Vec::new())?;
    const KINDS: [&str; 5] = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"];
    let filter = call.params.get("EntityFilter");
    if let Some(f) = filter.filter(|f| !KINDS.contains(f)) {
        return Err(constraint(
            "EntityFilter",
            f,
            "Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]",
        ));
    }
    let usage = call.params.get("PolicyUsageFilter");
    if let Some(u) = usage.filter(|u| !matches!(*u, "PermissionsPolicy" | "PermissionsBoundary")) {
        return Err(constraint(
            "PolicyUsageFilter",
            u,
            "Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]",
        ));
    }
    let prefix = call.params.get("PathPrefix").unwrap_or("/");
    let wants = |kind: &str| filter.is_none_or(|f| f == kind);
    let (attachments, boundaries) = (usage != Some("PermissionsBoundary"), usage != Some("PermissionsPolicy"));
    let uses = |attached: &[String], boundary: Option<&String>| {
        (attachments && attached.contains(&p.arn)) || (boundaries && boundary == Some(&p.arn))
    };
    let dir = &call.dir;
    let by_name = |a: &str, b: &str| a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase());
    // (kind, name, id), groups first, then users, then roles, each in name order.
    let mut groups: Vec<(&str, &str, &str)> = if wants("Group") {
        dir.groups
            .values()
            .filter(|g| g.path.starts_with(prefix) && uses(&g.attached, None))
            .map(|g| ("Group", g.name.as_str(), g.id.as_str()))
            .collect()
    } else {
        Vec::new()
    };
    groups.sort_by(|a, b| by_name(a.1, b.1));
    let mut users: Vec<(&str, &str, &str)> = if wants("User") {
        dir.users
            .values()
            .filter(|u| u.path.starts_with(prefix) && uses(&u.attached, u.boundary.as_ref()))
            .map(|u| ("User", u.name.as_str(), u.id.as_str()))
            .collect()
    } else {
        Vec::new()
    };
    users.sort_by(|a, b| by_name(a.1, b.1));
    let mut roles: Vec<(&str, &str, &str)> = if wants("Role") {
        dir.roles
            .values()
            .filter(|r| r.path.starts_with(prefix) && uses(&r.attached, r.boundary.as_ref()))
            .map(|r| ("Role", r.name.as_str(), r.id.as_str()))
            .collect()
    } else {
        Vec::new()
    };
    roles.sort_by(|a, b| by_name(a.1, b.1));
    let all: Vec<(&str, &str, &str)> = groups.into_iter().chain(users).chain(roles).collect();
    let (items, next) = page(call, &all);
    result(|x| {
        for (list, kind) in [("PolicyGroups", "Group"), ("PolicyUsers", "User"), ("PolicyRoles", "Role")] {
            x.node(list, |x| {
                for (_, name, id) in items.iter().filter(|(k, ..)| *k == kind) {
                    x.node("member", |x| {
                        x.leaf(&format!("{kind}Name"), name).leaf(&format!("{kind}Id"), id);
                    });
                }
            });
        }
        page_end(x, next.as_deref());
    })
}
