"""Tags on users, roles and customer managed policies through boto3: Tag*, Untag*, List*Tags, the
50-tag quota, keys unique ignoring case, and tags in authorization (aws:RequestTag, aws:TagKeys,
aws:ResourceTag / iam:ResourceTag)."""
import pytest

from conftest import client, policy, unique
from test_iam_support import allow, arn, fails, implicit, make_policy, make_role  # noqa: F401


@pytest.fixture(params=["User", "Role", "Policy"])
def tagged(request, iam, make_user, make_role, make_policy):
    """(kind, the kwargs that name the resource, its ARN) for a fresh user, role or policy."""
    kind = request.param
    if kind == "User":
        name, a, _ = make_user()
        return kind, {"UserName": name}, a
    if kind == "Role":
        name, a = make_role()
        return kind, {"RoleName": name}, a
    a = make_policy(allow("s3:GetObject"))
    return kind, {"PolicyArn": a}, a


def ops(iam, kind):
    return getattr(iam, f"tag_{kind.lower()}"), getattr(iam, f"untag_{kind.lower()}"), getattr(iam, f"list_{kind.lower()}_tags")


def test_tag_untag_list(iam, tagged):
    kind, target, _ = tagged
    tag, untag, list_tags = ops(iam, kind)
    assert list_tags(**target)["Tags"] == []
    tag(**target, Tags=[{"Key": "team", "Value": "ml"}, {"Key": "env", "Value": ""}])
    assert sorted((t["Key"], t["Value"]) for t in list_tags(**target)["Tags"]) == [("env", ""), ("team", "ml")]
    # Keys are unique ignoring case: a tag replaces the one whose key differs only in case.
    tag(**target, Tags=[{"Key": "TEAM", "Value": "infra"}])
    assert sorted((t["Key"], t["Value"]) for t in list_tags(**target)["Tags"]) == [("TEAM", "infra"), ("env", "")]
    untag(**target, TagKeys=["team", "missing"])
    assert [t["Key"] for t in list_tags(**target)["Tags"]] == ["env"]
    page = list_tags(**target, MaxItems=1)
    assert len(page["Tags"]) == 1 and page["IsTruncated"] is False


def test_tag_quota(iam, tagged):
    kind, target, _ = tagged
    tag, _, list_tags = ops(iam, kind)
    tag(**target, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert fails(tag, **target, Tags=[{"Key": "one-more", "Value": "v"}]) == (
        "LimitExceeded",
        f"Cannot exceed quota for TagsPer{kind}: 50",
        409,
    )
    assert len(list_tags(**target)["Tags"]) == 50
    tag(**target, Tags=[{"Key": "K0", "Value": "replaced"}])  # a replacement does not count


def test_tags_show_on_get(iam, make_user, make_role, make_policy):
    name, _, _ = make_user()
    iam.tag_user(UserName=name, Tags=[{"Key": "a", "Value": "1"}])
    assert iam.get_user(UserName=name)["User"]["Tags"] == [{"Key": "a", "Value": "1"}]
    role, _ = make_role(Tags=[{"Key": "b", "Value": "2"}])
    assert iam.get_role(RoleName=role)["Role"]["Tags"] == [{"Key": "b", "Value": "2"}]
    a = make_policy(allow("s3:GetObject"), Tags=[{"Key": "c", "Value": "3"}])
    assert iam.get_policy(PolicyArn=a)["Policy"]["Tags"] == [{"Key": "c", "Value": "3"}]


def test_missing_targets(iam):
    assert fails(iam.list_user_tags, UserName="ghost-u") == ("NoSuchEntity", "The user with name ghost-u cannot be found.", 404)
    assert fails(iam.tag_role, RoleName="ghost-r", Tags=[{"Key": "a", "Value": "b"}]) == (
        "NoSuchEntity",
        "The role with name ghost-r cannot be found.",
        404,
    )
    missing = arn("policy", "ghost-p")
    assert fails(iam.list_policy_tags, PolicyArn=missing) == ("NoSuchEntity", f"Policy {missing} does not exist or is not attachable.", 404)


def test_tags_in_authorization(iam, make_user):
    target, target_arn, _ = make_user()
    iam.tag_user(UserName=target, Tags=[{"Key": "team", "Value": "ml"}])
    statements = [
        # Only tags of team=ml users may be read, through either key family.
        allow("iam:ListUserTags", Condition={"StringEquals": {"aws:ResourceTag/team": "ml"}}),
        allow("iam:GetUser", Condition={"StringEquals": {"iam:ResourceTag/team": "ml"}}),
        # Only the `cost` tag may be set, and only to a known value.
        allow(
            "iam:TagUser",
            Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["cost"]}, "StringEquals": {"aws:RequestTag/cost": "c1"}},
        ),
        allow("iam:UntagUser", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["cost", "tmp"]}}),
    ]
    _, me_arn, creds = make_user(policy(*statements))
    me = client("iam", creds)
    me.list_user_tags(UserName=target)
    me.get_user(UserName=target)
    other, other_arn, _ = make_user()
    assert fails(me.list_user_tags, UserName=other) == ("AccessDenied", implicit(me_arn, "iam:ListUserTags", other_arn), 403)
    me.tag_user(UserName=target, Tags=[{"Key": "cost", "Value": "c1"}])
    assert fails(me.tag_user, UserName=target, Tags=[{"Key": "cost", "Value": "c2"}])[0] == "AccessDenied"
    assert fails(me.tag_user, UserName=target, Tags=[{"Key": "cost", "Value": "c1"}, {"Key": "team", "Value": "x"}]) == (
        "AccessDenied",
        implicit(me_arn, "iam:TagUser", target_arn),
        403,
    )
    me.untag_user(UserName=target, TagKeys=["cost", "tmp"])
    assert fails(me.untag_user, UserName=target, TagKeys=["team"])[0] == "AccessDenied"
    assert [t["Key"] for t in iam.list_user_tags(UserName=target)["Tags"]] == ["team"]


def test_create_with_request_tags(make_user):
    _, me_arn, creds = make_user(
        policy(allow("iam:CreateUser", "iam:CreateRole", Condition={"StringEquals": {"aws:RequestTag/owner": "me"}}))
    )
    me = client("iam", creds)
    name = unique("tagged")
    me.create_user(UserName=name, Tags=[{"Key": "owner", "Value": "me"}])
    other = unique("untagged")
    assert fails(me.create_user, UserName=other) == ("AccessDenied", implicit(me_arn, "iam:CreateUser", arn("user", other)), 403)
