//! GetAccountAuthorizationDetails: every user, group and role with its policies, and the managed
//! policies in use with all their versions; policy documents URL-encoded (§4.2).

use super::entity::{head_xml, policies_detail_xml};
use super::*;
use crate::xml::url_encode;

/// One entry of the combined listing, paginated as one sequence in the order users, groups, roles,
/// policies.
enum Item<'a> {
    User(&'a UserRec),
    Group(&'a GroupRec),
    Role(&'a RoleRec),
    Policy(PolicyRec),
}

fn sorted<T>(map: &HashMap<String, T>) -> Vec<&T> {
    let mut v: Vec<(&String, &T)> = map.iter().collect();
    v.sort_by_key(|(k, _)| k.to_ascii_lowercase());
    v.into_iter().map(|(_, t)| t).collect()
}

/// `Filter` is a list of `User`, `Role`, `Group`, `LocalManagedPolicy`, `AWSManagedPolicy`; none means all.
pub(super) fn authorization_details(call: &Call) -> Res {
    call.authorize("iam:GetAccountAuthorizationDetails", "*", Vec::new())?;
    let filter = call.params.list("Filter");
    const KINDS: [&str; 5] = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"];
    if let Some(bad) = filter.iter().find(|f| !KINDS.contains(&f.as_str())) {
        return Err(constraint(
            "Filter",
            bad,
            "Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]",
        ));
    }
    let wants = |k: &str| filter.is_empty() || filter.iter().any(|f| f == k);
    let dir = &call.dir;
    let usage = Usage::of(dir);
    let mut items: Vec<Item> = Vec::new();
    if wants("User") {
        items.extend(sorted(&dir.users).into_iter().map(Item::User));
    }
    if wants("Group") {
        items.extend(sorted(&dir.groups).into_iter().map(Item::Group));
    }
    if wants("Role") {
        items.extend(sorted(&dir.roles).into_iter().map(Item::Role));
    }
    if wants("LocalManagedPolicy") {
        items.extend(sorted(&dir.policies).into_iter().cloned().map(Item::Policy));
    }
    if wants("AWSManagedPolicy") {
        // The AWS managed policies the account uses.
        let mut used: Vec<&String> = usage.0.keys().filter(|a| a.starts_with("arn:aws:iam::aws:policy/")).collect();
        used.sort();
        items.extend(used.into_iter().filter_map(|a| policies::lookup(dir, a, true)).map(Item::Policy));
    }
    let (items, next) = page(call, &items);
    result(|x| {
        x.node("UserDetailList", |x| {
            for u in items.iter().filter_map(|i| if let Item::User(u) = i { Some(*u) } else { None }) {
                x.node("member", |x| {
                    head_xml(x, u);
                    policies_detail_xml(x, "UserPolicyList", u);
                    string_list(x, "GroupList", &u.groups);
                    boundary_xml(x, u.boundary.as_deref());
                    tags_xml(x, "Tags", &u.tags);
                });
            }
        });
        x.node("GroupDetailList", |x| {
            for g in items.iter().filter_map(|i| if let Item::Group(g) = i { Some(*g) } else { None }) {
                x.node("member", |x| {
                    head_xml(x, g);
                    policies_detail_xml(x, "GroupPolicyList", g);
                });
            }
        });
        x.node("RoleDetailList", |x| {
            for r in items.iter().filter_map(|i| if let Item::Role(r) = i { Some(*r) } else { None }) {
                x.node("member", |x| {
                    head_xml(x, r);
                    x.leaf("AssumeRolePolicyDocument", &url_encode(&r.trust_policy));
                    x.node("InstanceProfileList", |_| {});
                    policies_detail_xml(x, "RolePolicyList", r);
                    boundary_xml(x, r.boundary.as_deref());
                    tags_xml(x, "Tags", &r.tags);
                });
            }
        });
        x.node("Policies", |x| {
            for p in items.iter().filter_map(|i| if let Item::Policy(p) = i { Some(p) } else { None }) {
                x.node("member", |x| {
                    policies::policy_xml(x, p, usage.get(&p.arn), true);
                    x.list("PolicyVersionList", &p.versions, |x, v| policies::version_xml(x, p, v, true));
                });
            }
        });
        page_end(x, next.as_deref());
    })
}
