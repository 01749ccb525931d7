//! IAM users: create, read, rename (UpdateUser), delete, and their access keys (2 per user).

use super::entity::{check_no_policies, creation, head_xml, Creation};
use super::*;
use crate::call::iso8601;

/// At most this many access keys per user (V15).
const MAX_ACCESS_KEYS: usize = 2;

/// The `User` shape; `detail` adds the boundary and tags, which ListUsers leaves out.
pub(super) fn user_xml(x: &mut Xml, u: &UserRec, detail: bool) {
    head_xml(x, u);
    if detail {
        boundary_xml(x, u.boundary.as_deref());
        if !u.tags.is_empty() {
            tags_xml(x, "Tags", &u.tags);
        }
    }
}

/// The user a call names, or the calling user itself when `UserName` is omitted.
fn target_user(call: &Call) -> Result<UserRec, ApiError> {
    let name = match call.params.get("UserName") {
        Some(n) => n.to_string(),
        None => call.identity()?.user.clone().ok_or_else(|| {
            ApiError::validation(Service::Iam, "Must specify userName when calling with non-User credentials")
        })?,
    };
    find(&call.dir.users, &name).cloned().ok_or_else(|| no_such("user", &name))
}

/// The user a call names (or the caller), once the call's action is authorized on it.
fn authorized_user(call: &Call) -> Result<UserRec, ApiError> {
    let u = target_user(call);
    let arn = u.as_ref().map_or_else(
        |_| iam_arn(call, "user", "/", call.params.get("UserName").unwrap_or_default()),
        |u| u.arn.clone(),
    );
    let ctx = u.as_ref().map(Record::resource_ctx).unwrap_or_default();
    call.authorize(&action(call), &arn, ctx)?;
    u
}

pub(super) async fn create(call: &Call) -> Res {
    let Creation { name, path, arn, tags, boundary } = creation::<UserRec>(call, 64)?;
    let rec = UserRec {
        name,
        path,
        id: crate::ids::id("AIDA"),
        arn,
        created: call.now,
        tags,
        boundary,
        inline: vec![],
        attached: vec![],
        groups: vec![],
    };
    let exists = err(409, "EntityAlreadyExists", format!("User with name {} already exists.", rec.name));
    insert(call, rec.clone(), exists).await?;
    result(|x| {
        x.node("User", |x| user_xml(x, &rec, true));
    })
}

pub(super) fn get(call: &Call) -> Res {
    if call.params.get("UserName").is_none() && call.identity()?.user.is_none() {
        // Root asking about itself.
        let acct = call.account();
        let created = call.dir.account.as_ref().map_or(0, |a| a.created);
        return result(|x| {
            x.node("User", |x| {
                x.leaf("UserId", acct)
                    .leaf("Arn", &format!("arn:aws:iam::{acct}:root"))
                    .leaf("CreateDate", &iso8601(created));
            });
        });
    }
    let u = authorized_user(call)?;
    result(|x| {
        x.node("User", |x| user_xml(x, &u, true));
    })
}

pub(super) fn list(call: &Call) -> Res {
    entity::list::<UserRec>(call, "Users", |x, u| user_xml(x, u, false))
}

pub(super) async fn delete(call: &Call) -> Res {
    let u = authorized_user(call)?;
    if call.dir.access_keys.values().any(|k| k.user == u.name) {
        return Err(delete_conflict("Cannot delete entity, must delete access keys first."));
    }
    check_no_policies(&u)?;
    if !u.groups.is_empty() {
        return Err(delete_conflict("Cannot delete entity, must remove users from group first."));
    }
    remove(call, &u).await?;
    done()
}

pub(super) async fn create_access_key(call: &Call) -> Res {
    let u = authorized_user(call)?;
    if call.dir.access_keys.values().filter(|k| k.user == u.name).count() >= MAX_ACCESS_KEYS {
        return Err(quota("AccessKeysPerUser", MAX_ACCESS_KEYS));
    }
    let rec = AccessKeyRec {
        id: crate::ids::id("AKIA"),
        secret: crate::ids::secret(),
        user: u.name.clone(),
        status: "Active".into(),
        created: call.now,
    };
    let out = rec.clone();
    write(call, move |tx| tx.put_as(ACCESS_KEY, &rec.id, &rec).map(Ok)).await?;
    result(|x| {
        x.node("AccessKey", |x| {
            x.leaf("UserName", &out.user)
                .leaf("AccessKeyId", &out.id)
                .leaf("Status", &out.status)
                .leaf("SecretAccessKey", &out.secret)
                .leaf("CreateDate", &iso8601(out.created));
        });
    })
}

pub(super) fn list_access_keys(call: &Call) -> Res {
    let u = authorized_user(call)?;
    let mut keys: Vec<&AccessKeyRec> = call.dir.access_keys.values().filter(|k| k.user == u.name).collect();
    keys.sort_by_key(|k| k.created);
    paginate(call, &keys, "AccessKeyMetadata", |x, k| {
        x.leaf("UserName", &k.user)
            .leaf("AccessKeyId", &k.id)
            .leaf("Status", &k.status)
            .leaf("CreateDate", &iso8601(k.created));
    })
}

/// UpdateAccessKey (`Status` Active or Inactive) and DeleteAccessKey.
pub(super) async fn change_access_key(call: &Call) -> Res {
    let u = authorized_user(call)?;
    let id = call.required("AccessKeyId")?.to_string();
    let delete = call.operation == "DeleteAccessKey";
    let status = call.params.get("Status").map(str::to_string);
    if !delete && !matches!(status.as_deref(), Some("Active" | "Inactive")) {
        return Err(constraint(
            "Status",
            status.as_deref().unwrap_or_default(),
            "Member must satisfy enum value set: [Active, Inactive]",
        ));
    }
    let user = u.name;
    write(call, move |tx| {
        let Some(mut k) = tx.get_as::<AccessKeyRec>(ACCESS_KEY, &id)?.filter(|k| k.user == user) else {
            return Ok(Err(err(404, "NoSuchEntity", format!("The Access Key with id {id} cannot be found."))));
        };
        if delete {
            tx.delete(ACCESS_KEY, &id)?;
        } else {
            k.status = status.clone().unwrap_or_default();
            tx.put_as(ACCESS_KEY, &id, &k)?;
        }
        Ok(Ok(()))
    })
    .await?;
    done()
}

/// UpdateUser: a new name and/or path. The user keeps its id, policies, groups, keys, tags and
/// boundary; its ARN changes, so its keys, GetSessionToken sessions and federated users follow it.
/// As on AWS, the caller needs `iam:UpdateUser` on the user under both its old and its new ARN.
pub(super) async fn update(call: &Call) -> Res {
    let u: UserRec = entity::authorized(call, "iam:UpdateUser", |_| Vec::new())?;
    let new_name = optional_name(call, "NewUserName", 64)?.unwrap_or_else(|| u.name.clone());
    let new_path = path_field(call, "NewPath")?.unwrap_or_else(|| u.path.clone());
    let new_arn = iam_arn(call, "user", &new_path, &new_name);
    if new_arn == u.arn {
        return done();
    }
    call.authorize("iam:UpdateUser", &new_arn, Vec::new())?;
    let exists = err(409, "EntityAlreadyExists", format!("User with name {new_name} already exists."));
    let renamed = !new_name.eq_ignore_ascii_case(&u.name);
    if renamed && find(&call.dir.users, &new_name).is_some() {
        return Err(exists);
    }
    let (old, old_arn) = (u.name.clone(), u.arn.clone());
    write(call, move |tx| {
        let Some(mut rec) = tx.get_as::<UserRec>(USER, &u.store_key())? else {
            return Ok(Err(u.missing()));
        };
        rec.name = new_name.clone();
        rec.path = new_path.clone();
        rec.arn = new_arn.clone();
        if renamed {
            if !tx.insert_as(USER, &rec.store_key(), &rec)? {
                return Ok(Err(exists.clone()));
            }
            tx.delete(USER, &u.store_key())?;
        } else {
            tx.put_as(USER, &rec.store_key(), &rec)?;
        }
        rewrite_all::<AccessKeyRec>(tx, ACCESS_KEY, |k| {
            let mine = k.user == old;
            if mine {
                k.user = new_name.clone();
            }
            mine
        })?;
        rewrite_all::<SessionRec>(tx, SESSION, |s| {
            let mine = s.source == old && s.kind != crate::sts::session::ROLE;
            if mine {
                s.source = new_name.clone();
                if s.arn == old_arn {
                    s.arn = new_arn.clone();
                }
            }
            mine
        })?;
        Ok(Ok(()))
    })
    .await?;
    done()
}
