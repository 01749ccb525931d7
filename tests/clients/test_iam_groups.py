"""IAM groups through boto3: lifecycle, membership, group policies (inline and attached) and their
quotas, and group policies changing what members may do."""
import pytest

from conftest import ACCOUNT, client, policy, unique
from test_iam_support import allow, arn, deny, explicit, fails, implicit, make_group, make_policy  # noqa: F401


def test_group_lifecycle_and_errors(iam):
    name = unique("team")
    g = iam.create_group(GroupName=name, Path="/eng/")["Group"]
    assert g["Arn"] == arn("group", name, "/eng/")
    assert g["GroupId"].startswith("AGPA") and len(g["GroupId"]) == 20
    assert g["Path"] == "/eng/" and g["GroupName"] == name
    assert fails(iam.create_group, GroupName=name) == ("EntityAlreadyExists", f"Group with name {name} already exists.", 409)
    got = iam.get_group(GroupName=name)
    assert got["Group"]["Arn"] == g["Arn"] and got["Users"] == [] and got["IsTruncated"] is False
    assert name in [x["GroupName"] for x in iam.list_groups(PathPrefix="/eng/")["Groups"]]
    assert name not in [x["GroupName"] for x in iam.list_groups(PathPrefix="/ops/")["Groups"]]
    iam.delete_group(GroupName=name)
    assert fails(iam.get_group, GroupName=name) == ("NoSuchEntity", f"The group with name {name} cannot be found.", 404)
    assert fails(iam.delete_group, GroupName=name)[0] == "NoSuchEntity"


def test_membership(iam, make_user, make_group):
    g = make_group()
    user, user_arn, _ = make_user()
    iam.add_user_to_group(GroupName=g, UserName=user)
    iam.add_user_to_group(GroupName=g, UserName=user)  # idempotent
    members = iam.get_group(GroupName=g)["Users"]
    assert [(m["UserName"], m["Arn"]) for m in members] == [(user, user_arn)]
    assert [x["GroupName"] for x in iam.list_groups_for_user(UserName=user)["Groups"]] == [g]
    assert fails(iam.add_user_to_group, GroupName=g, UserName="nobody-x") == (
        "NoSuchEntity",
        "The user with name nobody-x cannot be found.",
        404,
    )
    assert fails(iam.add_user_to_group, GroupName="no-such-group", UserName=user)[0] == "NoSuchEntity"
    # A member cannot be deleted, nor its group.
    assert fails(iam.delete_user, UserName=user)[0] == "DeleteConflict"
    assert fails(iam.delete_group, GroupName=g) == (
        "DeleteConflict",
        "Cannot delete entity, must remove users from group first.",
        409,
    )
    iam.remove_user_from_group(GroupName=g, UserName=user)
    assert iam.get_group(GroupName=g)["Users"] == []
    assert iam.list_groups_for_user(UserName=user)["Groups"] == []
    assert fails(iam.remove_user_from_group, GroupName=g, UserName=user)[0] == "NoSuchEntity"
    iam.delete_group(GroupName=g)


def test_groups_per_user_quota(iam, make_user, make_group):
    user, _, _ = make_user()
    groups = [make_group() for _ in range(11)]
    for g in groups[:10]:
        iam.add_user_to_group(GroupName=g, UserName=user)
    assert fails(iam.add_user_to_group, GroupName=groups[10], UserName=user) == (
        "LimitExceeded",
        "Cannot exceed quota for GroupsPerUser: 10",
        409,
    )
    listed = iam.list_groups_for_user(UserName=user, MaxItems=4)
    assert len(listed["Groups"]) == 4 and listed["IsTruncated"] is True
    paginator = iam.get_paginator("list_groups_for_user")
    assert sorted(g["GroupName"] for page in paginator.paginate(UserName=user, PaginationConfig={"PageSize": 3}) for g in page["Groups"]) == sorted(groups[:10])


def test_group_inline_policies_and_size_quota(iam, make_group):
    g = make_group()
    doc = policy(allow("s3:GetObject"))
    iam.put_group_policy(GroupName=g, PolicyName="read", PolicyDocument=doc)
    got = iam.get_group_policy(GroupName=g, PolicyName="read")
    assert got["GroupName"] == g and got["PolicyName"] == "read"
    assert got["PolicyDocument"]["Statement"][0]["Action"] == ["s3:GetObject"]  # URL-encoded on the wire, decoded by botocore
    assert iam.list_group_policies(GroupName=g)["PolicyNames"] == ["read"]
    assert fails(iam.get_group_policy, GroupName=g, PolicyName="nope") == (
        "NoSuchEntity",
        "The group policy with name nope cannot be found.",
        404,
    )
    bad = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Principal":"*"}}'
    assert fails(iam.put_group_policy, GroupName=g, PolicyName="bad", PolicyDocument=bad) == (
        "MalformedPolicyDocument",
        "Policy document should not specify a principal.",
        400,
    )
    # Inline policies of a group sum to at most 5,120 non-whitespace characters.
    big = policy(allow(*[f"s3:GetObject{i:04d}" for i in range(150)]))
    iam.put_group_policy(GroupName=g, PolicyName="big1", PolicyDocument=big)
    assert fails(iam.put_group_policy, GroupName=g, PolicyName="big2", PolicyDocument=big) == (
        "LimitExceeded",
        f"Maximum policy size of 5120 bytes exceeded for group {g}",
        409,
    )
    assert fails(iam.delete_group, GroupName=g) == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    for name in ("read", "big1"):
        iam.delete_group_policy(GroupName=g, PolicyName=name)
    assert iam.list_group_policies(GroupName=g)["PolicyNames"] == []
    assert fails(iam.delete_group_policy, GroupName=g, PolicyName="read")[0] == "NoSuchEntity"
    iam.delete_group(GroupName=g)


def test_group_attached_policies_and_quota(iam, make_group, make_policy):
    g = make_group()
    arns = [make_policy(allow(f"s3:Get{i}")) for i in range(11)]
    for a in arns[:10]:
        iam.attach_group_policy(GroupName=g, PolicyArn=a)
    assert fails(iam.attach_group_policy, GroupName=g, PolicyArn=arns[10]) == (
        "LimitExceeded",
        "Cannot exceed quota for PoliciesPerGroup: 10",
        409,
    )
    attached = iam.list_attached_group_policies(GroupName=g)["AttachedPolicies"]
    assert sorted(p["PolicyArn"] for p in attached) == sorted(arns[:10])
    assert all(p["PolicyName"] == p["PolicyArn"].rsplit("/", 1)[1] for p in attached)
    page = iam.list_attached_group_policies(GroupName=g, MaxItems=3)
    assert len(page["AttachedPolicies"]) == 3 and page["IsTruncated"] and page["Marker"]
    assert iam.get_policy(PolicyArn=arns[0])["Policy"]["AttachmentCount"] == 1
    missing = f"arn:aws:iam::{ACCOUNT}:policy/does-not-exist"
    assert fails(iam.attach_group_policy, GroupName=g, PolicyArn=missing) == (
        "NoSuchEntity",
        f"Policy {missing} does not exist or is not attachable.",
        404,
    )
    assert fails(iam.delete_group, GroupName=g) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    for a in arns[:10]:
        iam.detach_group_policy(GroupName=g, PolicyArn=a)
    assert fails(iam.detach_group_policy, GroupName=g, PolicyArn=arns[0]) == ("NoSuchEntity", f"Policy {arns[0]} was not found.", 404)
    iam.delete_group(GroupName=g)


def test_group_policies_apply_to_members(iam, make_user, make_group, make_policy):
    user, user_arn, creds = make_user()
    me = client("iam", creds)
    users = arn("user", "")
    assert fails(me.list_users) == ("AccessDenied", implicit(user_arn, "iam:ListUsers", users), 403)
    readers = make_group(policy(allow("iam:ListUsers")))
    iam.add_user_to_group(GroupName=readers, UserName=user)
    me.list_users()  # allowed by the group's inline policy
    # An attached managed policy of another group denies explicitly.
    blockers = make_group()
    iam.attach_group_policy(GroupName=blockers, PolicyArn=make_policy(deny("iam:ListUsers")))
    iam.add_user_to_group(GroupName=blockers, UserName=user)
    assert fails(me.list_users) == ("AccessDenied", explicit(user_arn, "iam:ListUsers", users), 403)
    iam.remove_user_from_group(GroupName=blockers, UserName=user)
    me.list_users()
    iam.remove_user_from_group(GroupName=readers, UserName=user)
    assert fails(me.list_users)[0] == "AccessDenied"


def test_group_calls_are_authorized(make_user):
    _, user_arn, creds = make_user(policy(allow("iam:GetGroup", resource=arn("group", "visible-*"))))
    me = client("iam", creds)
    name = unique("hidden")
    # No permission: AccessDenied, even for a group that does not exist.
    assert fails(me.get_group, GroupName=name) == ("AccessDenied", implicit(user_arn, "iam:GetGroup", arn("group", name)), 403)
    assert fails(me.create_group, GroupName=name) == ("AccessDenied", implicit(user_arn, "iam:CreateGroup", arn("group", name)), 403)
    assert fails(me.list_groups) == ("AccessDenied", implicit(user_arn, "iam:ListGroups", arn("group", "")), 403)
    # With permission, a missing group is NoSuchEntity.
    assert fails(me.get_group, GroupName="visible-none")[0] == "NoSuchEntity"


@pytest.mark.parametrize("kwargs", [{"GroupName": "a b"}, {"GroupName": "x" * 129}])
def test_group_name_validation(iam, kwargs):
    code, message, status = fails(iam.create_group, **kwargs)
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("1 validation error detected: Value ") and "at 'groupName'" in message
