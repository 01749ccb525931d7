//! IAM groups, membership (at most 10 groups per user) and renaming. Membership is kept on the user
//! record, and the directory folds a group's policies into each member's identity policies (E2).

use super::entity::{authorized, check_no_policies, creation, head_xml, Creation, Record};
use super::*;

/// A user belongs to at most this many groups (V15).
const MAX_GROUPS_PER_USER: usize = 10;

fn members<'a>(dir: &'a Directory, g: &GroupRec) -> Vec<&'a UserRec> {
    let mut users: Vec<&UserRec> = dir.users.values().filter(|u| u.groups.iter().any(|n| n == &g.name)).collect();
    users.sort_by_key(|u| u.name.to_ascii_lowercase());
    users
}

pub(super) async fn create(call: &Call) -> Res {
    let Creation { name, path, arn, .. } = creation::<GroupRec>(call, 128)?;
    let rec =
        GroupRec { name, path, id: crate::ids::id("AGPA"), arn, created: call.now, inline: vec![], attached: vec![] };
    let exists = err(409, "EntityAlreadyExists", format!("Group with name {} already exists.", rec.name));
    insert(call, rec.clone(), exists).await?;
    result(|x| {
        x.node("Group", |x| head_xml(x, &rec));
    })
}

/// GetGroup: the group and its users (paginated).
pub(super) fn get(call: &Call) -> Res {
    let g: GroupRec = authorized(call, "iam:GetGroup", |_| Vec::new())?;
    let users = members(&call.dir, &g);
    let (users, next) = page(call, &users);
    result(|x| {
        x.node("Group", |x| head_xml(x, &g));
        x.list("Users", users, |x, u| users::user_xml(x, u, false));
        page_end(x, next.as_deref());
    })
}

pub(super) fn list(call: &Call) -> Res {
    entity::list::<GroupRec>(call, "Groups", head_xml)
}

/// DeleteGroup: only once it has no members and no policies.
pub(super) async fn delete(call: &Call) -> Res {
    let g: GroupRec = authorized(call, "iam:DeleteGroup", |_| Vec::new())?;
    if !members(&call.dir, &g).is_empty() {
        return Err(delete_conflict("Cannot delete entity, must remove users from group first."));
    }
    check_no_policies(&g)?;
    remove(call, &g).await?;
    done()
}

/// AddUserToGroup and RemoveUserFromGroup, authorized on the group.
pub(super) async fn membership(call: &Call) -> Res {
    let g: GroupRec = authorized(call, &action(call), |_| Vec::new())?;
    let name = call.required("UserName")?;
    let u = find(&call.dir.users, name).cloned().ok_or_else(|| no_such("user", name))?;
    let add = call.operation == "AddUserToGroup";
    let group = g.name.clone();
    let group_key = g.store_key();
    write(call, move |tx| {
        if tx.get(GROUP, &group_key)?.is_none() {
            return Ok(Err(no_such("group", &group)));
        }
        let key = u.store_key();
        let Some(mut rec) = tx.get_as::<UserRec>(USER, &key)? else {
            return Ok(Err(u.missing()));
        };
        let member = rec.groups.iter().any(|n| n == &group);
        if add && !member {
            if rec.groups.len() >= MAX_GROUPS_PER_USER {
                return Ok(Err(quota("GroupsPerUser", MAX_GROUPS_PER_USER)));
            }
            rec.groups.push(group.clone());
        } else if !add {
            if !member {
                return Ok(Err(u.missing()));
            }
            rec.groups.retain(|n| n != &group);
        }
        tx.put_as(USER, &key, &rec)?;
        Ok(Ok(()))
    })
    .await?;
    done()
}

/// ListGroupsForUser, authorized on the user.
pub(super) fn list_for_user(call: &Call) -> Res {
    let u: UserRec = authorized(call, "iam:ListGroupsForUser", |_| Vec::new())?;
    let groups: Vec<&GroupRec> = u.groups.iter().filter_map(|n| call.dir.groups.get(n)).collect();
    paginate(call, &groups, "Groups", |x, g| head_xml(x, *g))
}

/// UpdateGroup: a new name and/or path. The group keeps its id, policies and members (their records
/// name it, so they follow the rename). As on AWS, the caller needs `iam:UpdateGroup` on the group
/// under both its old and its new ARN.
pub(super) async fn update(call: &Call) -> Res {
    let g: GroupRec = authorized(call, "iam:UpdateGroup", |_| Vec::new())?;
    let new_name = optional_name(call, "NewGroupName", 128)?.unwrap_or_else(|| g.name.clone());
    let new_path = path_field(call, "NewPath")?.unwrap_or_else(|| g.path.clone());
    let new_arn = iam_arn(call, "group", &new_path, &new_name);
    if new_arn == g.arn {
        return done();
    }
    call.authorize("iam:UpdateGroup", &new_arn, Vec::new())?;
    let exists = err(409, "EntityAlreadyExists", format!("Group with name {new_name} already exists."));
    let renamed = !new_name.eq_ignore_ascii_case(&g.name);
    if renamed && find(&call.dir.groups, &new_name).is_some() {
        return Err(exists);
    }
    let old = g.name.clone();
    write(call, move |tx| {
        let Some(mut rec) = tx.get_as::<GroupRec>(GROUP, &g.store_key())? else {
            return Ok(Err(g.missing()));
        };
        rec.name = new_name.clone();
        rec.path = new_path.clone();
        rec.arn = new_arn.clone();
        if renamed {
            if !tx.insert_as(GROUP, &rec.store_key(), &rec)? {
                return Ok(Err(exists.clone()));
            }
            tx.delete(GROUP, &g.store_key())?;
        } else {
            tx.put_as(GROUP, &rec.store_key(), &rec)?;
        }
        if new_name != old {
            rewrite_all::<UserRec>(tx, USER, |u| {
                let member = u.groups.iter().any(|n| n == &old);
                for n in u.groups.iter_mut().filter(|n| **n == old) {
                    *n = new_name.clone();
                }
                member
            })?;
        }
        Ok(Ok(()))
    })
    .await?;
    done()
}
