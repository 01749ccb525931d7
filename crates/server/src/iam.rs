//! The IAM API (awsQuery): users, access keys, inline and managed policies, roles; each call
//! authorized by the engine and answered with IAM's error codes (wire spec §4).

use sagegate_policy::{validate, PolicyKind};
use sagegate_store::{StoreError, Tx};

use crate::call::{iso8601, Call};
use crate::error::{ApiError, Service};
use crate::http::Success;
use crate::records::*;
use crate::xml::{url_encode, Xml};

type Res = Result<Success, ApiError>;

fn err(status: u16, code: &str, msg: impl Into<String>) -> ApiError {
    ApiError::new(Service::Iam, status, code, msg)
}

fn no_such(what: &str, name: &str) -> ApiError {
    err(404, "NoSuchEntity", format!("The {what} with name {name} cannot be found."))
}

fn get_rec<T: serde::de::DeserializeOwned>(tx: &mut dyn Tx, kind: &str, key: &str) -> Result<Option<T>, StoreError> {
    match tx.get(kind, key)? {
        None => Ok(None),
        Some(v) => serde_json::from_value(v).map(Some).map_err(|e| StoreError::Corrupt(format!("{kind}/{key}: {e}"))),
    }
}

fn put_rec<T: serde::Serialize>(tx: &mut dyn Tx, kind: &str, key: &str, rec: &T) -> Result<(), StoreError> {
    let v = serde_json::to_value(rec).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.put(kind, key, &v)
}

/// Runs a write on a blocking thread. `f` may fail with an API error, which rolls the transaction back.
async fn write<R: Send + 'static>(
    call: &Call,
    mut f: impl FnMut(&mut dyn Tx) -> Result<Result<R, ApiError>, StoreError> + Send + 'static,
) -> Result<R, ApiError> {
    let state = call.state.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let mut api_error = None;
        let r = state.write(|tx| match f(tx)? {
            Ok(r) => Ok(r),
            Err(e) => {
                api_error = Some(e);
                Err(StoreError::Aborted("rolled back".into()))
            }
        });
        match (r, api_error) {
            (_, Some(e)) => Err(e),
            (Ok(r), None) => Ok(r),
            (Err(e), None) => Err(ApiError::internal(Service::Iam, e)),
        }
    })
    .await;
    joined.unwrap_or_else(|e| Err(ApiError::internal(Service::Iam, e)))
}

fn path_param(call: &Call) -> Result<String, ApiError> {
    let p = call.params.get("Path").unwrap_or("/").to_string();
    if !p.starts_with('/') || !p.ends_with('/') || p.len() > 512 {
        return Err(ApiError::validation(Service::Iam, format!("1 validation error detected: Value '{p}' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)")));
    }
    Ok(p)
}

fn check_name(call: &Call, field: &str, max: usize) -> Result<String, ApiError> {
    let v = call.required(field)?.to_string();
    let ok = !v.is_empty() && v.len() <= max && v.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if !ok {
        let camel =
            field.get(..1).map(str::to_ascii_lowercase).unwrap_or_default() + field.get(1..).unwrap_or_default();
        return Err(ApiError::validation(Service::Iam, format!("1 validation error detected: Value '{v}' at '{camel}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+")));
    }
    Ok(v)
}

/// Validates a policy document as IAM does; the error names IAM's code and text (V14, V15).
fn check_policy(text: &str, kind: PolicyKind) -> Result<(), ApiError> {
    match validate(text, kind).error {
        None => Ok(()),
        Some(d) => {
            let status = if d.code == "LimitExceeded" { 409 } else { 400 };
            Err(err(status, d.code, d.message))
        }
    }
}

fn tags_param(call: &Call) -> Vec<Tag> {
    call.params
        .structs("Tags")
        .into_iter()
        .map(|f| {
            let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
            Tag { key: get("Key"), value: get("Value") }
        })
        .collect()
}

fn user_xml(x: &mut Xml, u: &UserRec) {
    x.leaf("Path", &u.path)
        .leaf("UserName", &u.name)
        .leaf("UserId", &u.id)
        .leaf("Arn", &u.arn)
        .leaf("CreateDate", &iso8601(u.created));
    if let Some(b) = &u.boundary {
        x.node("PermissionsBoundary", |x| {
            x.leaf("PermissionsBoundaryType", "Policy").leaf("PermissionsBoundaryArn", b);
        });
    }
    if !u.tags.is_empty() {
        x.list("Tags", &u.tags, |x, t| {
            x.leaf("Key", &t.key).leaf("Value", &t.value);
        });
    }
}

fn role_xml(x: &mut Xml, r: &RoleRec) {
    x.leaf("Path", &r.path)
        .leaf("RoleName", &r.name)
        .leaf("RoleId", &r.id)
        .leaf("Arn", &r.arn)
        .leaf("CreateDate", &iso8601(r.created))
        .leaf("AssumeRolePolicyDocument", &url_encode(&r.trust_policy))
        .opt("Description", r.description.as_deref())
        .leaf("MaxSessionDuration", &r.max_session_duration.to_string());
    if let Some(b) = &r.boundary {
        x.node("PermissionsBoundary", |x| {
            x.leaf("PermissionsBoundaryType", "Policy").leaf("PermissionsBoundaryArn", b);
        });
    }
    if !r.tags.is_empty() {
        x.list("Tags", &r.tags, |x, t| {
            x.leaf("Key", &t.key).leaf("Value", &t.value);
        });
    }
}

fn policy_xml(x: &mut Xml, p: &PolicyRec, attachments: usize) {
    x.leaf("PolicyName", &p.name)
        .leaf("PolicyId", &p.id)
        .leaf("Arn", &p.arn)
        .leaf("Path", &p.path)
        .leaf("DefaultVersionId", &p.default_version)
        .leaf("AttachmentCount", &attachments.to_string())
        .leaf("PermissionsBoundaryUsageCount", "0")
        .leaf("IsAttachable", "true")
        .opt("Description", p.description.as_deref())
        .leaf("CreateDate", &iso8601(p.created))
        .leaf("UpdateDate", &iso8601(p.versions.iter().map(|v| v.created).max().unwrap_or(p.created)));
}

fn result(f: impl FnOnce(&mut Xml)) -> Res {
    let mut x = Xml::new();
    f(&mut x);
    Ok(Success::Query(Some(x.finish())))
}

fn user_arn(call: &Call, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{}:user{path}{name}", call.account())
}

/// The user a call names, or the caller itself when `UserName` is omitted.
fn target_user(call: &Call) -> Result<UserRec, ApiError> {
    let name = match call.params.get("UserName") {
        Some(n) => n.to_string(),
        None => call.identity()?.user.clone().ok_or_else(|| {
            ApiError::validation(Service::Iam, "Must specify userName when calling with non-User credentials")
        })?,
    };
    call.dir.users.get(&name).cloned().ok_or_else(|| no_such("user", &name))
}

/// Counts entities a managed policy is attached to.
fn attachments(call: &Call, arn: &str) -> usize {
    let d = &call.dir;
    d.users.values().filter(|u| u.attached.iter().any(|a| a == arn)).count()
        + d.roles.values().filter(|r| r.attached.iter().any(|a| a == arn)).count()
        + d.groups.values().filter(|g| g.attached.iter().any(|a| a == arn)).count()
}

pub async fn dispatch(call: &Call) -> Res {
    let acct = call.account().to_string();
    match call.operation.as_str() {
        "CreateUser" => {
            let name = check_name(call, "UserName", 64)?;
            let path = path_param(call)?;
            let arn = user_arn(call, &path, &name);
            call.authorize("iam:CreateUser", &arn, &[])?;
            let tags = tags_param(call);
            let rec = UserRec {
                name: name.clone(),
                path,
                id: crate::ids::id("AIDA"),
                arn,
                created: call.now,
                tags,
                boundary: None,
                inline: vec![],
                attached: vec![],
                groups: vec![],
            };
            let out = rec.clone();
            write(call, move |tx| {
                if tx.get(USER, &rec.name.to_ascii_lowercase())?.is_some() {
                    return Ok(Err(err(
                        409,
                        "EntityAlreadyExists",
                        format!("User with name {} already exists.", rec.name),
                    )));
                }
                put_rec(tx, USER, &rec.name.to_ascii_lowercase(), &rec).map(Ok)
            })
            .await?;
            result(|x| {
                x.node("User", |x| user_xml(x, &out));
            })
        }
        "GetUser" => {
            let u = match call.params.get("UserName") {
                None if call.identity()?.user.is_none() => {
                    // Root asking about itself.
                    let arn = format!("arn:aws:iam::{acct}:root");
                    return result(|x| {
                        x.node("User", |x| {
                            x.leaf("UserId", &acct)
                                .leaf("Arn", &arn)
                                .leaf("CreateDate", &iso8601(call.dir.account.as_ref().map_or(0, |a| a.created)));
                        });
                    });
                }
                _ => target_user(call),
            };
            let arn = u.as_ref().map_or_else(
                |_| user_arn(call, "/", call.params.get("UserName").unwrap_or_default()),
                |u| u.arn.clone(),
            );
            call.authorize("iam:GetUser", &arn, &[])?;
            let u = u?;
            result(|x| {
                x.node("User", |x| user_xml(x, &u));
            })
        }
        "ListUsers" => {
            let prefix = call.params.get("PathPrefix").unwrap_or("/").to_string();
            call.authorize("iam:ListUsers", &format!("arn:aws:iam::{acct}:user{prefix}"), &[])?;
            let mut users: Vec<&UserRec> = call.dir.users.values().filter(|u| u.path.starts_with(&prefix)).collect();
            users.sort_by(|a, b| a.name.to_ascii_lowercase().cmp(&b.name.to_ascii_lowercase()));
            paginate(call, &users, "Users", |x, u| user_xml(x, u))
        }
        "DeleteUser" => {
            let u = target_user(call)?;
            call.authorize("iam:DeleteUser", &u.arn, &[])?;
            let has_keys = call.dir.access_keys.values().any(|k| k.user == u.name);
            if !u.inline.is_empty() || !u.attached.is_empty() || !u.groups.is_empty() || has_keys {
                return Err(err(
                    409,
                    "DeleteConflict",
                    "Cannot delete entity, must delete policies, access keys and group memberships first.",
                ));
            }
            write(call, move |tx| tx.delete(USER, &u.name.to_ascii_lowercase()).map(|_| Ok(()))).await?;
            Ok(Success::Query(None))
        }
        "TagUser" | "UntagUser" => {
            let u = target_user(call)?;
            let action = format!("iam:{}", call.operation);
            let tags = tags_param(call);
            let keys = call.params.list("TagKeys");
            let mut extra: Vec<(&str, String)> = Vec::new();
            let tag_ctx: Vec<(String, String)> =
                tags.iter().map(|t| (format!("aws:RequestTag/{}", t.key), t.value.clone())).collect();
            for (k, v) in &tag_ctx {
                extra.push((k.as_str(), v.clone()));
            }
            call.authorize(&action, &u.arn, &extra)?;
            let untag = call.operation == "UntagUser";
            write(call, move |tx| {
                let Some(mut rec) = get_rec::<UserRec>(tx, USER, &u.name.to_ascii_lowercase())? else {
                    return Ok(Err(no_such("user", &u.name)));
                };
                if untag {
                    rec.tags.retain(|t| !keys.iter().any(|k| k == &t.key));
                } else {
                    for t in &tags {
                        rec.tags.retain(|x| x.key != t.key);
                        rec.tags.push(t.clone());
                    }
                    if rec.tags.len() > 50 {
                        return Ok(Err(err(409, "LimitExceeded", "Cannot exceed quota for TagsPerUser: 50")));
                    }
                }
                put_rec(tx, USER, &rec.name.to_ascii_lowercase(), &rec).map(Ok)
            })
            .await?;
            Ok(Success::Query(None))
        }
        "CreateAccessKey" => {
            let u = target_user(call)?;
            call.authorize("iam:CreateAccessKey", &u.arn, &[])?;
            if call.dir.access_keys.values().filter(|k| k.user == u.name).count() >= 2 {
                return Err(err(409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2"));
            }
            let rec = AccessKeyRec {
                id: crate::ids::id("AKIA"),
                secret: crate::ids::secret(),
                user: u.name.clone(),
                status: "Active".into(),
                created: call.now,
            };
            let out = rec.clone();
            write(call, move |tx| put_rec(tx, ACCESS_KEY, &rec.id, &rec).map(Ok)).await?;
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
        "ListAccessKeys" => {
            let u = target_user(call)?;
            call.authorize("iam:ListAccessKeys", &u.arn, &[])?;
            let mut keys: Vec<&AccessKeyRec> = call.dir.access_keys.values().filter(|k| k.user == u.name).collect();
            keys.sort_by_key(|k| k.created);
            result(|x| {
                x.list("AccessKeyMetadata", &keys, |x, k| {
                    x.leaf("UserName", &k.user)
                        .leaf("AccessKeyId", &k.id)
                        .leaf("Status", &k.status)
                        .leaf("CreateDate", &iso8601(k.created));
                });
                x.leaf("IsTruncated", "false");
            })
        }
        "UpdateAccessKey" | "DeleteAccessKey" => {
            let u = target_user(call)?;
            let id = call.required("AccessKeyId")?.to_string();
            call.authorize(&format!("iam:{}", call.operation), &u.arn, &[])?;
            let status = call.params.get("Status").map(str::to_string);
            if call.operation == "UpdateAccessKey" && !matches!(status.as_deref(), Some("Active" | "Inactive")) {
                return Err(ApiError::validation(Service::Iam, "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"));
            }
            let delete = call.operation == "DeleteAccessKey";
            let user = u.name.clone();
            write(call, move |tx| {
                let Some(mut k) = get_rec::<AccessKeyRec>(tx, ACCESS_KEY, &id)?.filter(|k| k.user == user) else {
                    return Ok(Err(err(404, "NoSuchEntity", format!("The Access Key with id {id} cannot be found."))));
                };
                if delete {
                    tx.delete(ACCESS_KEY, &id)?;
                } else {
                    k.status = status.clone().unwrap_or_default();
                    put_rec(tx, ACCESS_KEY, &id, &k)?;
                }
                Ok(Ok(()))
            })
            .await?;
            Ok(Success::Query(None))
        }
        "PutUserPolicy" | "PutRolePolicy" => put_inline(call).await,
        "GetUserPolicy" | "GetRolePolicy" => {
            let (arn, inline, name_field, entity) = inline_target(call)?;
            call.authorize(&format!("iam:{}", call.operation), &arn, &[])?;
            let pname = call.required("PolicyName")?;
            let p = inline.iter().find(|p| p.name == pname).ok_or_else(|| {
                err(404, "NoSuchEntity", format!("The {} policy with name {pname} cannot be found.", entity))
            })?;
            let (field, who) = name_field;
            result(|x| {
                x.leaf(field, &who).leaf("PolicyName", &p.name).leaf("PolicyDocument", &url_encode(&p.document));
            })
        }
        "ListUserPolicies" | "ListRolePolicies" => {
            let (arn, inline, _, _) = inline_target(call)?;
            call.authorize(&format!("iam:{}", call.operation), &arn, &[])?;
            let names: Vec<&str> = inline.iter().map(|p| p.name.as_str()).collect();
            result(|x| {
                x.list("PolicyNames", &names, |x, n| {
                    // A string list: the member element holds the text.
                    let _ = x;
                    let _ = n;
                });
                x.leaf("IsTruncated", "false");
            })
            .map(|_| {
                let mut x = Xml::new();
                x.node("PolicyNames", |x| {
                    for n in &names {
                        x.leaf("member", n);
                    }
                });
                x.leaf("IsTruncated", "false");
                Success::Query(Some(x.finish()))
            })
        }
        "DeleteUserPolicy" | "DeleteRolePolicy" => {
            let (arn, inline, (_, who), entity) = inline_target(call)?;
            call.authorize(&format!("iam:{}", call.operation), &arn, &[])?;
            let pname = call.required("PolicyName")?.to_string();
            if !inline.iter().any(|p| p.name == pname) {
                return Err(err(
                    404,
                    "NoSuchEntity",
                    format!("The {entity} policy with name {pname} cannot be found."),
                ));
            }
            let role = entity == "role";
            write(call, move |tx| {
                if role {
                    let Some(mut r) = get_rec::<RoleRec>(tx, ROLE, &who.to_ascii_lowercase())? else {
                        return Ok(Err(no_such("role", &who)));
                    };
                    r.inline.retain(|p| p.name != pname);
                    put_rec(tx, ROLE, &who.to_ascii_lowercase(), &r).map(Ok)
                } else {
                    let Some(mut u) = get_rec::<UserRec>(tx, USER, &who.to_ascii_lowercase())? else {
                        return Ok(Err(no_such("user", &who)));
                    };
                    u.inline.retain(|p| p.name != pname);
                    put_rec(tx, USER, &who.to_ascii_lowercase(), &u).map(Ok)
                }
            })
            .await?;
            Ok(Success::Query(None))
        }
        "CreatePolicy" => {
            let name = check_name(call, "PolicyName", 128)?;
            let path = path_param(call)?;
            let arn = format!("arn:aws:iam::{acct}:policy{path}{name}");
            call.authorize("iam:CreatePolicy", &arn, &[])?;
            let doc = call.required("PolicyDocument")?.to_string();
            check_policy(&doc, PolicyKind::Managed)?;
            let rec = PolicyRec {
                name,
                path,
                id: crate::ids::id("ANPA"),
                arn: arn.clone(),
                created: call.now,
                description: call.params.get("Description").map(str::to_string),
                default_version: "v1".into(),
                versions: vec![PolicyVersion { id: "v1".into(), document: doc, created: call.now }],
                next_version: 2,
                tags: tags_param(call),
            };
            let out = rec.clone();
            write(call, move |tx| {
                if !tx.insert(
                    POLICY,
                    &rec.arn,
                    &serde_json::to_value(&rec).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                )? {
                    return Ok(Err(err(
                        409,
                        "EntityAlreadyExists",
                        format!("A policy called {} already exists. Duplicate names are not allowed.", rec.name),
                    )));
                }
                Ok(Ok(()))
            })
            .await?;
            result(|x| {
                x.node("Policy", |x| policy_xml(x, &out, 0));
            })
        }
        "GetPolicy" => {
            let arn = call.required("PolicyArn")?.to_string();
            call.authorize("iam:GetPolicy", &arn, &[])?;
            if let Some(p) = call.dir.policies.get(&arn) {
                let n = attachments(call, &arn);
                return result(|x| {
                    x.node("Policy", |x| policy_xml(x, p, n));
                });
            }
            let m = sagegate_catalog::Catalog::get().managed_policy_by_arn(&arn).ok_or_else(|| {
                err(404, "NoSuchEntity", format!("Policy {arn} does not exist or is not attachable."))
            })?;
            let n = attachments(call, &arn);
            result(|x| {
                x.node("Policy", |x| {
                    x.leaf("PolicyName", m.name)
                        .leaf("Arn", m.arn)
                        .leaf("Path", m.path)
                        .leaf("DefaultVersionId", m.version_id)
                        .leaf("AttachmentCount", &n.to_string())
                        .leaf("IsAttachable", "true");
                });
            })
        }
        "GetPolicyVersion" => {
            let arn = call.required("PolicyArn")?.to_string();
            let vid = call.required("VersionId")?.to_string();
            call.authorize("iam:GetPolicyVersion", &arn, &[])?;
            let (doc, is_default, created) = match call.dir.policies.get(&arn) {
                Some(p) => {
                    let v = p.versions.iter().find(|v| v.id == vid).ok_or_else(|| {
                        err(
                            404,
                            "NoSuchEntity",
                            format!("Policy {arn} version {vid} does not exist or is not attachable."),
                        )
                    })?;
                    (v.document.clone(), v.id == p.default_version, v.created)
                }
                None => {
                    let m = sagegate_catalog::Catalog::get()
                        .managed_policy_by_arn(&arn)
                        .filter(|m| m.version_id == vid)
                        .ok_or_else(|| {
                            err(
                                404,
                                "NoSuchEntity",
                                format!("Policy {arn} version {vid} does not exist or is not attachable."),
                            )
                        })?;
                    (m.document.to_string(), true, 0)
                }
            };
            result(|x| {
                x.node("PolicyVersion", |x| {
                    x.leaf("Document", &url_encode(&doc))
                        .leaf("VersionId", &vid)
                        .leaf("IsDefaultVersion", &is_default.to_string())
                        .leaf("CreateDate", &iso8601(created));
                });
            })
        }
        "CreatePolicyVersion" => {
            let arn = call.required("PolicyArn")?.to_string();
            call.authorize("iam:CreatePolicyVersion", &arn, &[])?;
            let doc = call.required("PolicyDocument")?.to_string();
            check_policy(&doc, PolicyKind::Managed)?;
            let set_default = call.params.get("SetAsDefault") == Some("true");
            let now = call.now;
            let v = write(call, move |tx| {
                let Some(mut p) = get_rec::<PolicyRec>(tx, POLICY, &arn)? else {
                    return Ok(Err(err(404, "NoSuchEntity", format!("Policy {arn} does not exist or is not attachable."))));
                };
                if p.versions.len() >= 5 {
                    return Ok(Err(err(409, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")));
                }
                let v = PolicyVersion { id: format!("v{}", p.next_version), document: doc.clone(), created: now };
                p.next_version += 1;
                if set_default {
                    p.default_version = v.id.clone();
                }
                p.versions.push(v.clone());
                put_rec(tx, POLICY, &arn, &p)?;
                Ok(Ok((v, p.default_version == format!("v{}", p.next_version - 1))))
            })
            .await?;
            result(|x| {
                x.node("PolicyVersion", |x| {
                    x.leaf("VersionId", &v.0.id)
                        .leaf("IsDefaultVersion", &v.1.to_string())
                        .leaf("CreateDate", &iso8601(v.0.created));
                });
            })
        }
        "DeletePolicy" => {
            let arn = call.required("PolicyArn")?.to_string();
            call.authorize("iam:DeletePolicy", &arn, &[])?;
            if !call.dir.policies.contains_key(&arn) {
                if sagegate_catalog::Catalog::get().managed_policy_by_arn(&arn).is_some() {
                    return Err(err(
                        400,
                        "UnmodifiableEntity",
                        format!("Cannot delete a policy managed by AWS: {arn}"),
                    ));
                }
                return Err(err(404, "NoSuchEntity", format!("Policy {arn} does not exist or is not attachable.")));
            }
            if attachments(call, &arn) > 0 {
                return Err(err(409, "DeleteConflict", "Cannot delete a policy attached to entities."));
            }
            write(call, move |tx| tx.delete(POLICY, &arn).map(|_| Ok(()))).await?;
            Ok(Success::Query(None))
        }
        "AttachUserPolicy" | "DetachUserPolicy" | "AttachRolePolicy" | "DetachRolePolicy" => attach(call).await,
        "ListAttachedUserPolicies" | "ListAttachedRolePolicies" => {
            let (arn, attached) = if call.operation == "ListAttachedUserPolicies" {
                let u = target_user(call)?;
                (u.arn, u.attached)
            } else {
                let r = target_role(call)?;
                (r.arn, r.attached)
            };
            call.authorize(&format!("iam:{}", call.operation), &arn, &[])?;
            result(|x| {
                x.list("AttachedPolicies", &attached, |x, a| {
                    let name = a.rsplit('/').next().unwrap_or_default();
                    x.leaf("PolicyName", name).leaf("PolicyArn", a);
                });
                x.leaf("IsTruncated", "false");
            })
        }
        "CreateRole" => {
            let name = check_name(call, "RoleName", 64)?;
            let path = path_param(call)?;
            let arn = format!("arn:aws:iam::{acct}:role{path}{name}");
            call.authorize("iam:CreateRole", &arn, &[])?;
            let trust = call.required("AssumeRolePolicyDocument")?.to_string();
            check_policy(&trust, PolicyKind::Trust)?;
            let max = match call.params.get("MaxSessionDuration") {
                None => 3600,
                Some(v) => v.parse::<i64>().ok().filter(|v| (3600..=43200).contains(v)).ok_or_else(|| {
                    ApiError::validation(Service::Iam, format!("1 validation error detected: Value '{v}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600 and less than or equal to 43200"))
                })?,
            };
            let rec = RoleRec {
                name,
                path,
                id: crate::ids::id("AROA"),
                arn,
                created: call.now,
                trust_policy: trust,
                description: call.params.get("Description").map(str::to_string),
                max_session_duration: max,
                tags: tags_param(call),
                boundary: call.params.get("PermissionsBoundary").map(str::to_string),
                inline: vec![],
                attached: vec![],
            };
            let out = rec.clone();
            write(call, move |tx| {
                if tx.get(ROLE, &rec.name.to_ascii_lowercase())?.is_some() {
                    return Ok(Err(err(
                        409,
                        "EntityAlreadyExists",
                        format!("Role with name {} already exists.", rec.name),
                    )));
                }
                put_rec(tx, ROLE, &rec.name.to_ascii_lowercase(), &rec).map(Ok)
            })
            .await?;
            result(|x| {
                x.node("Role", |x| role_xml(x, &out));
            })
        }
        "GetRole" => {
            let r = target_role(call)?;
            call.authorize("iam:GetRole", &r.arn, &[])?;
            result(|x| {
                x.node("Role", |x| role_xml(x, &r));
            })
        }
        "ListRoles" => {
            let prefix = call.params.get("PathPrefix").unwrap_or("/").to_string();
            call.authorize("iam:ListRoles", &format!("arn:aws:iam::{acct}:role{prefix}"), &[])?;
            let mut roles: Vec<&RoleRec> = call.dir.roles.values().filter(|r| r.path.starts_with(&prefix)).collect();
            roles.sort_by(|a, b| a.name.to_ascii_lowercase().cmp(&b.name.to_ascii_lowercase()));
            paginate(call, &roles, "Roles", |x, r| role_xml(x, r))
        }
        "UpdateAssumeRolePolicy" => {
            let r = target_role(call)?;
            call.authorize("iam:UpdateAssumeRolePolicy", &r.arn, &[])?;
            let doc = call.required("PolicyDocument")?.to_string();
            check_policy(&doc, PolicyKind::Trust)?;
            write(call, move |tx| {
                let Some(mut rec) = get_rec::<RoleRec>(tx, ROLE, &r.name.to_ascii_lowercase())? else {
                    return Ok(Err(no_such("role", &r.name)));
                };
                rec.trust_policy = doc.clone();
                put_rec(tx, ROLE, &rec.name.to_ascii_lowercase(), &rec).map(Ok)
            })
            .await?;
            Ok(Success::Query(None))
        }
        "DeleteRole" => {
            let r = target_role(call)?;
            call.authorize("iam:DeleteRole", &r.arn, &[])?;
            if !r.inline.is_empty() || !r.attached.is_empty() {
                return Err(err(409, "DeleteConflict", "Cannot delete entity, must detach all policies first."));
            }
            write(call, move |tx| tx.delete(ROLE, &r.name.to_ascii_lowercase()).map(|_| Ok(()))).await?;
            Ok(Success::Query(None))
        }
        other => Err(err(400, "InvalidAction", format!("Could not find operation {other} for version 2010-05-08"))),
    }
}

fn target_role(call: &Call) -> Result<RoleRec, ApiError> {
    let name = call.required("RoleName")?;
    call.dir.roles.values().find(|r| r.name == name).cloned().ok_or_else(|| no_such("role", name))
}

/// (entity ARN, inline policies, (name field, entity name), entity kind) for user or role inline calls.
fn inline_target(call: &Call) -> Result<(String, Vec<InlinePolicy>, (&'static str, String), &'static str), ApiError> {
    if call.operation.contains("Role") {
        let r = target_role(call)?;
        Ok((r.arn, r.inline, ("RoleName", r.name), "role"))
    } else {
        let u = target_user(call)?;
        Ok((u.arn, u.inline, ("UserName", u.name), "user"))
    }
}

async fn put_inline(call: &Call) -> Res {
    let (arn, _, (_, who), entity) = inline_target(call)?;
    call.authorize(&format!("iam:{}", call.operation), &arn, &[])?;
    let pname = check_name(call, "PolicyName", 128)?;
    let doc = call.required("PolicyDocument")?.to_string();
    check_policy(&doc, PolicyKind::Identity)?;
    let role = entity == "role";
    write(call, move |tx| {
        let key = who.to_ascii_lowercase();
        let (mut inline, limit) = if role {
            let Some(r) = get_rec::<RoleRec>(tx, ROLE, &key)? else {
                return Ok(Err(no_such("role", &who)));
            };
            (r.inline, 10_240)
        } else {
            let Some(u) = get_rec::<UserRec>(tx, USER, &key)? else {
                return Ok(Err(no_such("user", &who)));
            };
            (u.inline, 2_048)
        };
        inline.retain(|p| p.name != pname);
        inline.push(InlinePolicy { name: pname.clone(), document: doc.clone() });
        let total: usize = inline.iter().map(|p| sagegate_policy::json::count_non_whitespace(&p.document)).sum();
        if total > limit {
            return Ok(Err(err(
                409,
                "LimitExceeded",
                format!("Maximum policy size of {limit} bytes exceeded for {entity} {who}"),
            )));
        }
        if role {
            let Some(mut r) = get_rec::<RoleRec>(tx, ROLE, &key)? else {
                return Ok(Err(no_such("role", &who)));
            };
            r.inline = inline;
            put_rec(tx, ROLE, &key, &r)?;
        } else {
            let Some(mut u) = get_rec::<UserRec>(tx, USER, &key)? else {
                return Ok(Err(no_such("user", &who)));
            };
            u.inline = inline;
            put_rec(tx, USER, &key, &u)?;
        }
        Ok(Ok(()))
    })
    .await?;
    Ok(Success::Query(None))
}

async fn attach(call: &Call) -> Res {
    let policy = call.required("PolicyArn")?.to_string();
    let role = call.operation.contains("Role");
    let (arn, who) = if role {
        let r = target_role(call)?;
        (r.arn, r.name)
    } else {
        let u = target_user(call)?;
        (u.arn, u.name)
    };
    call.authorize(&format!("iam:{}", call.operation), &arn, &[("iam:PolicyARN", policy.clone())])?;
    if !call.dir.policies.contains_key(&policy)
        && sagegate_catalog::Catalog::get().managed_policy_by_arn(&policy).is_none()
    {
        return Err(err(404, "NoSuchEntity", format!("Policy {policy} does not exist or is not attachable.")));
    }
    let detach = call.operation.starts_with("Detach");
    let (quota, label) = if role { (10, "PoliciesPerRole") } else { (10, "PoliciesPerUser") };
    write(call, move |tx| {
        let key = who.to_ascii_lowercase();
        let kind = if role { ROLE } else { USER };
        let Some(mut v) = tx.get(kind, &key)? else {
            return Ok(Err(no_such(if role { "role" } else { "user" }, &who)));
        };
        let mut attached: Vec<String> =
            v.get("attached").cloned().and_then(|a| serde_json::from_value(a).ok()).unwrap_or_default();
        if detach {
            if !attached.contains(&policy) {
                return Ok(Err(err(404, "NoSuchEntity", format!("Policy {policy} was not found."))));
            }
            attached.retain(|a| a != &policy);
        } else if !attached.contains(&policy) {
            if attached.len() >= quota {
                return Ok(Err(err(409, "LimitExceeded", format!("Cannot exceed quota for {label}: {quota}"))));
            }
            attached.push(policy.clone());
        }
        if let Some(obj) = v.as_object_mut() {
            obj.insert("attached".into(), serde_json::json!(attached));
        }
        tx.put(kind, &key, &v).map(Ok)
    })
    .await?;
    Ok(Success::Query(None))
}

/// `Marker`/`MaxItems` pagination (§4.2).
fn paginate<T>(call: &Call, items: &[T], name: &str, f: impl Fn(&mut Xml, &T)) -> Res {
    let start: usize = call.params.get("Marker").and_then(|m| m.parse().ok()).unwrap_or(0);
    let max: usize =
        call.params.get("MaxItems").and_then(|m| m.parse().ok()).filter(|m| (1..=1000).contains(m)).unwrap_or(100);
    let page = items.get(start..).unwrap_or_default();
    let (page, truncated) = if page.len() > max { (page.get(..max).unwrap_or_default(), true) } else { (page, false) };
    result(|x| {
        x.list(name, page, |x, it| f(x, it));
        x.leaf("IsTruncated", &truncated.to_string());
        if truncated {
            x.leaf("Marker", &(start + max).to_string());
        }
    })
}
