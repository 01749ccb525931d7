//! IAM roles: trust policies, updates, and service-linked roles (created for a service, protected from
//! users: `UnmodifiableEntity`, deleted only through DeleteServiceLinkedRole).

use sagegate_catalog::Catalog;
use sagegate_policy::PolicyKind;

use super::entity::{authorized, check_no_policies, creation, head_xml, Creation, Entity, Record};
use super::*;
use crate::xml::url_encode;

/// The service-linked roles `CreateServiceLinkedRole` knows, as data: (service principal, role name,
/// default description, AWS managed policy attached when the catalog has it). The SageMaker role is the
/// one AWS creates for `sagemaker.amazonaws.com` (SageMaker notebooks and Studio).
const SERVICE_LINKED_ROLES: &[(&str, &str, &str, &str)] = &[(
    "sagemaker.amazonaws.com",
    "AWSServiceRoleForAmazonSageMakerNotebooks",
    "AWS SageMaker Notebooks Service Linked Role",
    "AmazonSageMakerNotebooksServiceRolePolicy",
)];

const SERVICE_ROLE_PATH: &str = "/aws-service-role/";

pub(super) fn is_service_linked(r: &RoleRec) -> bool {
    r.path.starts_with(SERVICE_ROLE_PATH)
}

/// The `Role` shape; `detail` adds the boundary and tags, which ListRoles leaves out.
pub(super) fn role_xml(x: &mut Xml, r: &RoleRec, detail: bool) {
    head_xml(x, r);
    x.leaf("AssumeRolePolicyDocument", &url_encode(&r.trust_policy))
        .opt("Description", r.description.as_deref())
        .leaf("MaxSessionDuration", &r.max_session_duration.to_string());
    if detail {
        boundary_xml(x, r.boundary.as_deref());
        if !r.tags.is_empty() {
            tags_xml(x, "Tags", &r.tags);
        }
    }
}

fn role_result(r: &RoleRec) -> Res {
    result(|x| {
        x.node("Role", |x| role_xml(x, r, true));
    })
}

/// `MaxSessionDuration`: 3,600 to 43,200 seconds.
fn max_session_param(call: &Call) -> Result<Option<i64>, ApiError> {
    let Some(v) = call.params.get("MaxSessionDuration") else {
        return Ok(None);
    };
    v.parse::<i64>().ok().filter(|v| (3600..=43200).contains(v)).map(Some).ok_or_else(|| {
        constraint(
            "MaxSessionDuration",
            v,
            "Member must have value greater than or equal to 3600 and less than or equal to 43200",
        )
    })
}

fn exists(name: &str) -> ApiError {
    err(409, "EntityAlreadyExists", format!("Role with name {name} already exists."))
}

pub(super) async fn create(call: &Call) -> Res {
    let Creation { name, path, arn, tags, boundary } = creation::<RoleRec>(call, 64)?;
    let trust = call.required("AssumeRolePolicyDocument")?.to_string();
    check_policy(&trust, PolicyKind::Trust)?;
    let rec = RoleRec {
        id: crate::ids::id("AROA"),
        arn,
        created: call.now,
        trust_policy: trust,
        description: description_param(call)?,
        max_session_duration: max_session_param(call)?.unwrap_or(3600),
        tags,
        boundary,
        inline: vec![],
        attached: vec![],
        name,
        path,
    };
    insert(call, rec.clone(), exists(&rec.name)).await?;
    role_result(&rec)
}

pub(super) fn get(call: &Call) -> Res {
    let r: RoleRec = authorized(call, "iam:GetRole", |_| Vec::new())?;
    role_result(&r)
}

pub(super) fn list(call: &Call) -> Res {
    entity::list::<RoleRec>(call, "Roles", |x, r| role_xml(x, r, false))
}

pub(super) async fn delete(call: &Call) -> Res {
    let r: RoleRec = authorized(call, "iam:DeleteRole", |_| Vec::new())?;
    r.modifiable()?;
    check_no_policies(&r)?;
    remove(call, &r).await?;
    done()
}

pub(super) async fn update_trust(call: &Call) -> Res {
    let r: RoleRec = authorized(call, "iam:UpdateAssumeRolePolicy", |_| Vec::new())?;
    r.modifiable()?;
    let doc = call.required("PolicyDocument")?.to_string();
    check_policy(&doc, PolicyKind::Trust)?;
    update::<RoleRec>(call, r.store_key(), r.missing(), move |r| {
        r.trust_policy = doc.clone();
        Ok(())
    })
    .await?;
    done()
}

/// UpdateRole (`Description`, `MaxSessionDuration`) and UpdateRoleDescription (which answers with the
/// role). A service-linked role's description may change, nothing else.
pub(super) async fn update_role(call: &Call) -> Res {
    let r: RoleRec = authorized(call, &action(call), |r| boundary_ctx(r.and_then(Entity::boundary)))?;
    let description = if call.operation == "UpdateRoleDescription" {
        Some(call.required("Description")?.to_string())
    } else {
        description_param(call)?
    };
    let max = max_session_param(call)?;
    if max.is_some() {
        r.modifiable()?;
    }
    let r = update::<RoleRec>(call, r.store_key(), r.missing(), move |r| {
        if let Some(d) = &description {
            r.description = Some(d.clone());
        }
        if let Some(m) = max {
            r.max_session_duration = m;
        }
        Ok(())
    })
    .await?;
    if call.operation == "UpdateRoleDescription" {
        return role_result(&r);
    }
    // UpdateRole's output is an empty `UpdateRoleResult`, which clients expect to find.
    result(|_| {})
}

/// CreateServiceLinkedRole: the service's role at `/aws-service-role/<service>/`, trusting the service,
/// with the service's AWS managed policy attached. One per account; no custom suffix.
pub(super) async fn create_service_linked(call: &Call) -> Res {
    let service = call.required("AWSServiceName")?.to_string();
    let &(_, name, default_description, policy) = SERVICE_LINKED_ROLES
        .iter()
        .find(|(s, ..)| *s == service)
        .ok_or_else(|| invalid_input(format!("Service name {service} is not supported for service-linked roles.")))?;
    let path = format!("{SERVICE_ROLE_PATH}{service}/");
    let arn = iam_arn(call, "role", &path, name);
    call.authorize("iam:CreateServiceLinkedRole", &arn, vec![single("iam:AWSServiceName", service.clone())])?;
    if call.params.get("CustomSuffix").is_some() {
        return Err(invalid_input(format!("Custom suffix is not allowed for {service}")));
    }
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    })
    .to_string();
    let rec = RoleRec {
        name: name.to_string(),
        path,
        id: crate::ids::id("AROA"),
        arn,
        created: call.now,
        trust_policy: trust,
        description: Some(description_param(call)?.unwrap_or_else(|| default_description.to_string())),
        max_session_duration: 3600,
        tags: vec![],
        boundary: None,
        inline: vec![],
        attached: Catalog::get().managed_policy_by_name(policy).map(|m| m.arn.to_string()).into_iter().collect(),
    };
    let taken = invalid_input(format!(
        "Service role name {name} has been taken in this account, please try a different suffix."
    ));
    insert(call, rec.clone(), taken).await?;
    role_result(&rec)
}

/// DeleteServiceLinkedRole: deletes the role with its policies and answers a deletion task id. AWS
/// deletes asynchronously, once the service no longer uses the role; sagegate deletes at once and the
/// task reports `SUCCEEDED` [choice].
pub(super) async fn delete_service_linked(call: &Call) -> Res {
    let r: RoleRec = authorized(call, "iam:DeleteServiceLinkedRole", |_| Vec::new())?;
    let Some(service_and_name) = r.arn.split_once(SERVICE_ROLE_PATH).map(|(_, rest)| rest.to_string()) else {
        return Err(invalid_input(format!("Role {} is not a service-linked role.", r.name)));
    };
    let task = SlrDeletionRec {
        id: format!("task{SERVICE_ROLE_PATH}{service_and_name}/{}", crate::ids::uuid()),
        role_arn: r.arn.clone(),
        status: "SUCCEEDED".into(),
        created: call.now,
    };
    let id = task.id.clone();
    write(call, move |tx| {
        if !tx.delete(ROLE, &r.store_key())? {
            return Ok(Err(r.missing()));
        }
        tx.put_as(SLR_DELETION, &task.id, &task)?;
        Ok(Ok(()))
    })
    .await?;
    result(|x| {
        x.leaf("DeletionTaskId", &id);
    })
}

/// GetServiceLinkedRoleDeletionStatus, authorized on the role the task deleted.
pub(super) fn deletion_status(call: &Call) -> Res {
    let id = call.required("DeletionTaskId")?;
    let role_path = id
        .strip_prefix("task/")
        .filter(|rest| rest.starts_with(SERVICE_ROLE_PATH.trim_start_matches('/')) && rest.matches('/').count() >= 3)
        .and_then(|rest| rest.rsplit_once('/'))
        .map(|(role, _)| role)
        .ok_or_else(|| invalid_input(format!("Invalid deletion task id: {id}")))?;
    call.authorize(
        "iam:GetServiceLinkedRoleDeletionStatus",
        &format!("arn:aws:iam::{}:role/{role_path}", call.account()),
        Vec::new(),
    )?;
    let task = call
        .dir
        .slr_deletions
        .get(id)
        .ok_or_else(|| err(404, "NoSuchEntity", format!("Deletion task {id} does not exist.")))?;
    result(|x| {
        x.leaf("Status", &task.status);
    })
}

/// ListInstanceProfilesForRole: instance profiles are not emulated, so the list is empty; the role
/// must exist and the call be authorized on it (Terraform calls it before deleting a role).
pub(super) fn list_instance_profiles(call: &Call) -> Res {
    let _: RoleRec = authorized(call, "iam:ListInstanceProfilesForRole", |_| Vec::new())?;
    result(|x| {
        x.node("InstanceProfiles", |_| {});
        page_end(x, None);
    })
}
