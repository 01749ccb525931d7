//! What users, groups and roles share, written once: inline policies (with the per-entity size quota),
//! attached managed policies (with the attachment quota), permissions boundaries, and tags (users,
//! roles and customer managed policies).

use sagegate_policy::json::count_non_whitespace;
use sagegate_policy::{ContextValue, PolicyKind};
use serde::{de::DeserializeOwned, Serialize};

use super::*;
use crate::call::iso8601;
use crate::xml::url_encode;

/// A stored IAM record: where it lives and how a call names it.
pub(super) trait Record: Serialize + DeserializeOwned + Clone + Send + 'static {
    /// The store kind.
    const STORE: &'static str;
    /// What messages call it: `user`, `group`, `role`, `policy`.
    const LABEL: &'static str;
    fn store_key(&self) -> String;
    fn arn(&self) -> &str;
    /// The record the call names (`UserName`, `GroupName`, `RoleName`, `PolicyArn`), from the directory.
    fn target(call: &Call) -> Result<Self, ApiError>;
    /// The ARN the call names when the record does not exist (path `/`), so that a caller without
    /// permission gets AccessDenied rather than learning that it does not exist.
    fn assumed_arn(call: &Call) -> Option<String>;
    /// The error when the record vanished while the call ran.
    fn missing(&self) -> ApiError;
    /// `Ok` unless AWS owns the record (service-linked roles, AWS managed policies): `UnmodifiableEntity`.
    fn modifiable(&self) -> Result<(), ApiError> {
        Ok(())
    }
    /// The resource keys of authorization: `aws:ResourceTag/<k>` (and `iam:ResourceTag/<k>`) (K3).
    fn resource_ctx(&self) -> Ctx {
        Vec::new()
    }
}

/// A record that carries tags.
pub(super) trait Tagged: Record {
    /// `TagsPerUser`, `TagsPerRole`, `TagsPerPolicy`.
    const TAG_QUOTA: &'static str;
    fn tags_mut(&mut self) -> &mut Vec<Tag>;
    fn tags(&self) -> &[Tag];
}

/// Which entity an operation names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    User,
    Group,
    Role,
}

impl Kind {
    /// `PutGroupPolicy` → Group, `AttachRolePolicy` → Role, `ListUserTags` → User.
    pub(super) fn of(operation: &str) -> Kind {
        if operation.contains("Group") {
            Kind::Group
        } else if operation.contains("Role") {
            Kind::Role
        } else {
            Kind::User
        }
    }
}

/// A principal entity (user, group, role): it has a name, inline and attached policies.
pub(super) trait Entity: Record {
    /// `UserName`, `GroupName`, `RoleName`: the parameter and the result element.
    const NAME_FIELD: &'static str;
    /// `UserId`, `GroupId`, `RoleId`.
    const ID_FIELD: &'static str;
    /// The summed size quota of inline policies (V15).
    const INLINE_LIMIT: usize;
    /// `PoliciesPerUser`, `PoliciesPerGroup`, `PoliciesPerRole`.
    const ATTACH_QUOTA: &'static str;
    /// The value of that quota on this server: 10, except for roles, whose quota is the
    /// `iam.policies_per_role` setting (role-manager spec §9).
    fn attach_max(_config: &crate::Config) -> usize {
        ATTACHED_MAX
    }
    fn name(&self) -> &str;
    fn path(&self) -> &str;
    fn id(&self) -> &str;
    fn created(&self) -> i64;
    fn inline(&self) -> &[InlinePolicy];
    fn inline_mut(&mut self) -> &mut Vec<InlinePolicy>;
    fn attached(&self) -> &[String];
    fn attached_mut(&mut self) -> &mut Vec<String>;
    /// The permissions boundary slot; None for groups, which have none.
    fn boundary_mut(&mut self) -> Option<&mut Option<String>>;
    fn boundary(&self) -> Option<&str>;
    fn all(dir: &Directory) -> &HashMap<String, Self>;
}

/// The maximum number of managed policies attached to one user or group (V15); roles follow the
/// server's `policies_per_role` setting.
const ATTACHED_MAX: usize = 10;

/// The tags as resource keys: `aws:ResourceTag/<k>`, and the `iam:` alias for users and roles.
fn resource_tags(tags: &[Tag], iam_alias: bool) -> Ctx {
    let mut ctx = Ctx::new();
    for t in tags {
        ctx.push(single(format!("aws:ResourceTag/{}", t.key), t.value.clone()));
        if iam_alias {
            ctx.push(single(format!("iam:ResourceTag/{}", t.key), t.value.clone()));
        }
    }
    ctx
}

/// The named entity, from the directory.
fn named<E: Entity>(call: &Call) -> Result<E, ApiError> {
    let name = call.required(E::NAME_FIELD)?;
    find(E::all(&call.dir), name).cloned().ok_or_else(|| no_such(E::LABEL, name))
}

fn named_arn<E: Entity>(call: &Call) -> Option<String> {
    call.params.get(E::NAME_FIELD).map(|n| iam_arn(call, E::LABEL, "/", n))
}

/// The record the call names, once `action` is authorized on it with its resource keys and `extra`
/// (given the record, when it exists). A missing record is reported only to an authorized caller.
pub(super) fn authorized<R: Record>(
    call: &Call,
    action: &str,
    extra: impl FnOnce(Option<&R>) -> Ctx,
) -> Result<R, ApiError> {
    match R::target(call) {
        Ok(r) => {
            let mut ctx = r.resource_ctx();
            ctx.extend(extra(Some(&r)));
            call.authorize(action, r.arn(), ctx)?;
            Ok(r)
        }
        Err(e) => {
            if let Some(arn) = R::assumed_arn(call) {
                call.authorize(action, &arn, extra(None))?;
            }
            Err(e)
        }
    }
}

impl Record for PolicyRec {
    const STORE: &'static str = POLICY;
    const LABEL: &'static str = "policy";
    fn store_key(&self) -> String {
        self.arn.clone()
    }
    fn arn(&self) -> &str {
        &self.arn
    }
    fn target(call: &Call) -> Result<Self, ApiError> {
        let arn = arn_param(call, "PolicyArn")?;
        policies::lookup(&call.dir, &arn, false).ok_or_else(|| no_such_policy(&arn))
    }
    fn assumed_arn(call: &Call) -> Option<String> {
        call.params.get("PolicyArn").map(str::to_string)
    }
    fn missing(&self) -> ApiError {
        no_such_policy(&self.arn)
    }
    fn modifiable(&self) -> Result<(), ApiError> {
        policies::customer_managed(&self.arn)
    }
    fn resource_ctx(&self) -> Ctx {
        resource_tags(&self.tags, false)
    }
}

macro_rules! tagged {
    ($t:ty, $quota:literal) => {
        impl Tagged for $t {
            const TAG_QUOTA: &'static str = $quota;
            fn tags_mut(&mut self) -> &mut Vec<Tag> {
                &mut self.tags
            }
            fn tags(&self) -> &[Tag] {
                &self.tags
            }
        }
    };
}
tagged!(UserRec, "TagsPerUser");
tagged!(RoleRec, "TagsPerRole");
tagged!(PolicyRec, "TagsPerPolicy");

macro_rules! entity {
    (@boundary_mut $s:ident, groups) => { None };
    (@boundary_mut $s:ident, $map:ident) => { Some(&mut $s.boundary) };
    (@boundary $s:ident, groups) => { None };
    (@boundary $s:ident, $map:ident) => { $s.boundary.as_deref() };
    ($t:ty, $store:ident, $label:literal, $name:literal, $id:literal, $limit:literal, $quota:literal, $map:ident, {$($extra:item)*} $({$($entity_extra:item)*})?) => {
        impl Record for $t {
            const STORE: &'static str = $store;
            const LABEL: &'static str = $label;
            fn store_key(&self) -> String {
                self.name.to_ascii_lowercase()
            }
            fn arn(&self) -> &str {
                &self.arn
            }
            fn target(call: &Call) -> Result<Self, ApiError> {
                named(call)
            }
            fn assumed_arn(call: &Call) -> Option<String> {
                named_arn::<Self>(call)
            }
            fn missing(&self) -> ApiError {
                no_such(Self::LABEL, &self.name)
            }
            $($extra)*
        }

        impl Entity for $t {
            const NAME_FIELD: &'static str = $name;
            const ID_FIELD: &'static str = $id;
            const INLINE_LIMIT: usize = $limit;
            const ATTACH_QUOTA: &'static str = $quota;
            fn name(&self) -> &str {
                &self.name
            }
            fn path(&self) -> &str {
                &self.path
            }
            fn id(&self) -> &str {
                &self.id
            }
            fn created(&self) -> i64 {
                self.created
            }
            fn inline(&self) -> &[InlinePolicy] {
                &self.inline
            }
            fn inline_mut(&mut self) -> &mut Vec<InlinePolicy> {
                &mut self.inline
            }
            fn attached(&self) -> &[String] {
                &self.attached
            }
            fn attached_mut(&mut self) -> &mut Vec<String> {
                &mut self.attached
            }
            fn boundary_mut(&mut self) -> Option<&mut Option<String>> {
                entity!(@boundary_mut self, $map)
            }
            fn boundary(&self) -> Option<&str> {
                entity!(@boundary self, $map)
            }
            fn all(dir: &Directory) -> &HashMap<String, Self> {
                &dir.$map
            }
            $($($entity_extra)*)?
        }
    };
}
entity!(UserRec, USER, "user", "UserName", "UserId", 2_048, "PoliciesPerUser", users, {
    fn resource_ctx(&self) -> Ctx {
        resource_tags(&self.tags, true)
    }
});
entity!(GroupRec, GROUP, "group", "GroupName", "GroupId", 5_120, "PoliciesPerGroup", groups, {});
entity!(RoleRec, ROLE, "role", "RoleName", "RoleId", 10_240, "PoliciesPerRole", roles, {
    /// Service-linked roles belong to their service.
    fn modifiable(&self) -> Result<(), ApiError> {
        if roles::is_service_linked(self) {
            return Err(err(
                400,
                "UnmodifiableEntity",
                format!(
                    "Cannot perform the operation on the protected role '{}' - this role is only modifiable by AWS",
                    self.name
                ),
            ));
        }
        Ok(())
    }
    fn resource_ctx(&self) -> Ctx {
        resource_tags(&self.tags, true)
    }
} {
    fn attach_max(config: &crate::Config) -> usize {
        config.policies_per_role
    }
});

// ----- creation ----------------------------------------------------------------------------------

/// What Create{User,Group,Role} share: a valid name and path, the new ARN, and the tags and
/// boundary asked for, read once the create action is authorized with `aws:RequestTag/<k>`,
/// `aws:TagKeys` and `iam:PermissionsBoundary` (a boundary must exist).
pub(super) struct Creation {
    pub name: String,
    pub path: String,
    pub arn: String,
    pub tags: Vec<Tag>,
    pub boundary: Option<String>,
}

pub(super) fn creation<E: Entity>(call: &Call, max_name: usize) -> Result<Creation, ApiError> {
    let name = check_name(call, E::NAME_FIELD, max_name)?;
    let path = path_param(call)?;
    let arn = iam_arn(call, E::LABEL, &path, &name);
    let tags = tags_param(call)?;
    let boundary = call.params.get("PermissionsBoundary").map(str::to_string);
    let mut ctx = request_tags_ctx(&tags);
    ctx.extend(boundary_ctx(boundary.as_deref()));
    call.authorize(&action(call), &arn, ctx)?;
    if let Some(b) = &boundary {
        policies::check_boundary(&call.dir, b)?;
    }
    Ok(Creation { name, path, arn, tags, boundary })
}

/// List{Users,Groups,Roles}: those under `PathPrefix`, in name order, authorized on
/// `arn:aws:iam::<account>:<kind><prefix>` (as AWS names the resource in its AccessDenied text).
pub(super) fn list<E: Entity>(call: &Call, element: &str, f: impl Fn(&mut Xml, &E)) -> Res {
    let prefix = call.params.get("PathPrefix").unwrap_or("/");
    call.authorize(&action(call), &iam_arn(call, E::LABEL, prefix, ""), Vec::new())?;
    let mut found: Vec<&E> = E::all(&call.dir).values().filter(|e| e.path().starts_with(prefix)).collect();
    found.sort_by_key(|e| e.name().to_ascii_lowercase());
    paginate(call, &found, element, |x, e| f(x, e))
}

// ----- XML shared by the entity shapes ----------------------------------------------------------

/// `Path`, `<Kind>Name`, `<Kind>Id`, `Arn`, `CreateDate`: the head of every user, group and role shape.
pub(super) fn head_xml<E: Entity>(x: &mut Xml, e: &E) {
    x.leaf("Path", e.path())
        .leaf(E::NAME_FIELD, e.name())
        .leaf(E::ID_FIELD, e.id())
        .leaf("Arn", e.arn())
        .leaf("CreateDate", &iso8601(e.created()));
}

/// `<{Kind}PolicyList>` and `AttachedManagedPolicies`, as GetAccountAuthorizationDetails shows them.
pub(super) fn policies_detail_xml<E: Entity>(x: &mut Xml, list: &str, e: &E) {
    x.list(list, e.inline(), |x, p| {
        x.leaf("PolicyName", &p.name).leaf("PolicyDocument", &url_encode(&p.document));
    });
    attached_xml(x, "AttachedManagedPolicies", e.attached());
}

/// `<name><member><PolicyName/><PolicyArn/></member>…</name>`.
fn attached_xml(x: &mut Xml, name: &str, arns: &[String]) {
    x.list(name, arns, |x, a| {
        x.leaf("PolicyName", a.rsplit('/').next().unwrap_or_default()).leaf("PolicyArn", a);
    });
}

/// DeleteConflict unless the entity has no inline or attached policy left.
pub(super) fn check_no_policies<E: Entity>(e: &E) -> Result<(), ApiError> {
    if !e.inline().is_empty() {
        return Err(delete_conflict("Cannot delete entity, must delete policies first."));
    }
    if !e.attached().is_empty() {
        return Err(delete_conflict("Cannot delete entity, must detach all policies first."));
    }
    Ok(())
}

// ----- inline policies ---------------------------------------------------------------------------

/// The entity the call names, with the call's own action authorized on it.
fn authorized_target<R: Record>(call: &Call) -> Result<R, ApiError> {
    authorized(call, &action(call), |_| Vec::new())
}

fn no_such_inline<E: Entity>(name: &str) -> ApiError {
    err(404, "NoSuchEntity", format!("The {} policy with name {name} cannot be found.", E::LABEL))
}

/// Put{User,Group,Role}Policy: validated as an identity policy, within the summed size quota.
pub(super) async fn put_inline<E: Entity>(call: &Call) -> Res {
    let e: E = authorized_target(call)?;
    e.modifiable()?;
    let name = check_name(call, "PolicyName", 128)?;
    let doc = call.required("PolicyDocument")?.to_string();
    check_policy(&doc, PolicyKind::Identity)?;
    let who = e.name().to_string();
    update::<E>(call, e.store_key(), e.missing(), move |e| {
        let inline = e.inline_mut();
        let p = InlinePolicy { name: name.clone(), document: doc.clone() };
        match inline.iter_mut().find(|q| q.name == name) {
            Some(q) => *q = p,
            None => inline.push(p),
        }
        let total: usize = inline.iter().map(|p| count_non_whitespace(&p.document)).sum();
        if total > E::INLINE_LIMIT {
            let (limit, label) = (E::INLINE_LIMIT, E::LABEL);
            return Err(err(
                409,
                "LimitExceeded",
                format!("Maximum policy size of {limit} bytes exceeded for {label} {who}"),
            ));
        }
        Ok(())
    })
    .await?;
    done()
}

pub(super) async fn get_inline<E: Entity>(call: &Call) -> Res {
    let e: E = authorized_target(call)?;
    let name = call.required("PolicyName")?;
    let p = e.inline().iter().find(|p| p.name == name).ok_or_else(|| no_such_inline::<E>(name))?;
    result(|x| {
        x.leaf(E::NAME_FIELD, e.name()).leaf("PolicyName", &p.name).leaf("PolicyDocument", &url_encode(&p.document));
    })
}

pub(super) async fn list_inline<E: Entity>(call: &Call) -> Res {
    let e: E = authorized_target(call)?;
    let names: Vec<&str> = e.inline().iter().map(|p| p.name.as_str()).collect();
    paginate_strings(call, &names, "PolicyNames")
}

pub(super) async fn delete_inline<E: Entity>(call: &Call) -> Res {
    let e: E = authorized_target(call)?;
    e.modifiable()?;
    let name = call.required("PolicyName")?.to_string();
    update::<E>(call, e.store_key(), e.missing(), move |e| {
        let before = e.inline().len();
        e.inline_mut().retain(|p| p.name != name);
        if e.inline().len() == before {
            return Err(no_such_inline::<E>(&name));
        }
        Ok(())
    })
    .await?;
    done()
}

// ----- attached managed policies -----------------------------------------------------------------

/// Attach/Detach{User,Group,Role}Policy, with `iam:PolicyARN` in the context; at most 10 per user or
/// group, and `policies_per_role` per role.
pub(super) async fn attach<E: Entity>(call: &Call) -> Res {
    let policy = arn_param(call, "PolicyArn")?;
    let e: E = authorized(call, &action(call), |_| vec![single("iam:PolicyARN", policy.clone())])?;
    e.modifiable()?;
    let detach = call.operation.starts_with("Detach");
    let max = E::attach_max(&call.state.config);
    if !detach {
        policies::attachable(&call.dir, &policy, no_such_policy)?;
    }
    update::<E>(call, e.store_key(), e.missing(), move |e| {
        let attached = e.attached_mut();
        if detach {
            if !attached.contains(&policy) {
                return Err(err(404, "NoSuchEntity", format!("Policy {policy} was not found.")));
            }
            attached.retain(|a| a != &policy);
        } else if !attached.contains(&policy) {
            if attached.len() >= max {
                return Err(quota(E::ATTACH_QUOTA, max));
            }
            attached.push(policy.clone());
        }
        Ok(())
    })
    .await?;
    done()
}

/// ListAttached{User,Group,Role}Policies, filtered by the policies' `PathPrefix`.
pub(super) async fn list_attached<E: Entity>(call: &Call) -> Res {
    let e: E = authorized_target(call)?;
    let prefix = call.params.get("PathPrefix").unwrap_or("/");
    let arns: Vec<String> = e
        .attached()
        .iter()
        .filter(|a| policies::lookup(&call.dir, a, false).is_some_and(|p| p.path.starts_with(prefix)))
        .cloned()
        .collect();
    let (arns, next) = page(call, &arns);
    result(|x| {
        attached_xml(x, "AttachedPolicies", arns);
        page_end(x, next.as_deref());
    })
}

// ----- permissions boundaries --------------------------------------------------------------------

/// Put/Delete{User,Role}PermissionsBoundary. The policy must exist and be attachable; an entity has
/// at most one boundary, so putting one replaces the previous (V15).
pub(super) async fn boundary<E: Entity>(call: &Call) -> Res {
    let put = call.operation.starts_with("Put");
    let new = if put { Some(arn_param(call, "PermissionsBoundary")?) } else { None };
    let e: E = authorized(call, &action(call), |e| {
        boundary_ctx(if put { new.as_deref() } else { e.and_then(Entity::boundary) })
    })?;
    e.modifiable()?;
    if let Some(arn) = &new {
        policies::check_boundary(&call.dir, arn)?;
    }
    update::<E>(call, e.store_key(), e.missing(), move |e| {
        if let Some(slot) = e.boundary_mut() {
            *slot = new.clone();
        }
        Ok(())
    })
    .await?;
    done()
}

// ----- tags --------------------------------------------------------------------------------------

/// Tag*, Untag* and List*Tags for users, roles and customer managed policies. Tag keys are unique
/// ignoring case; at most 50 tags.
pub(super) async fn tags<R: Tagged>(call: &Call) -> Res {
    if call.operation.starts_with("List") {
        let rec: R = authorized_target(call)?;
        return paginate(call, rec.tags(), "Tags", |x, t| {
            x.leaf("Key", &t.key).leaf("Value", &t.value);
        });
    }
    let (tags, keys, ctx) = if call.operation.starts_with("Untag") {
        let keys = call.params.list("TagKeys");
        let ctx = vec![("aws:TagKeys".to_string(), ContextValue::Multi(keys.clone()))];
        (Vec::new(), keys, ctx)
    } else {
        let tags = tags_param(call)?;
        let ctx = request_tags_ctx(&tags);
        (tags, Vec::new(), ctx)
    };
    let rec: R = authorized(call, &action(call), |_| ctx)?;
    rec.modifiable()?;
    update::<R>(call, rec.store_key(), rec.missing(), move |r| {
        let current = r.tags_mut();
        current.retain(|t| {
            !keys.iter().any(|k| k.eq_ignore_ascii_case(&t.key))
                && !tags.iter().any(|n| n.key.eq_ignore_ascii_case(&t.key))
        });
        current.extend(tags.iter().cloned());
        if current.len() > 50 {
            return Err(quota(R::TAG_QUOTA, 50));
        }
        Ok(())
    })
    .await?;
    done()
}
