"""Permissions boundaries through boto3: Put/Delete{User,Role}PermissionsBoundary, what GetUser and
GetRole show, and boundaries limiting what identity policies allow (for users and role sessions)."""
from conftest import ACCOUNT, client, policy, unique
from test_iam_support import allow, arn, deny, explicit, fails, implicit, make_policy, make_role  # noqa: F401

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def test_user_boundary_lifecycle(iam, make_user, make_policy):
    name, _, _ = make_user()
    assert "PermissionsBoundary" not in iam.get_user(UserName=name)["User"]
    b1, b2 = make_policy(allow("iam:*")), make_policy(allow("s3:*"))
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=b1)
    assert iam.get_user(UserName=name)["User"]["PermissionsBoundary"] == {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": b1}
    assert iam.get_policy(PolicyArn=b1)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    # One boundary per user: putting another replaces it.
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=b2)
    assert iam.get_user(UserName=name)["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == b2
    assert iam.get_policy(PolicyArn=b1)["Policy"]["PermissionsBoundaryUsageCount"] == 0
    # A policy in use as a boundary cannot be deleted.
    assert fails(iam.delete_policy, PolicyArn=b2) == ("DeleteConflict", "Cannot delete a policy attached to entities.", 409)
    iam.delete_user_permissions_boundary(UserName=name)
    assert "PermissionsBoundary" not in iam.get_user(UserName=name)["User"]
    iam.delete_policy(PolicyArn=b2)


def test_role_boundary_lifecycle(iam, make_role):
    name, _ = make_role()
    iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=READ_ONLY)
    assert iam.get_role(RoleName=name)["Role"]["PermissionsBoundary"] == {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": READ_ONLY}
    assert iam.get_policy(PolicyArn=READ_ONLY)["Policy"]["PermissionsBoundaryUsageCount"] >= 1
    iam.delete_role_permissions_boundary(RoleName=name)
    assert "PermissionsBoundary" not in iam.get_role(RoleName=name)["Role"]


def test_boundary_must_exist(iam, make_user, make_role):
    user, _, _ = make_user()
    role, _ = make_role()
    missing = arn("policy", unique("none"))
    message = f"Scope ARN: {missing} does not exist or is not attachable."
    assert fails(iam.put_user_permissions_boundary, UserName=user, PermissionsBoundary=missing) == ("NoSuchEntity", message, 404)
    assert fails(iam.put_role_permissions_boundary, RoleName=role, PermissionsBoundary=missing) == ("NoSuchEntity", message, 404)
    trust = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"})
    assert fails(iam.create_role, RoleName=unique("r"), AssumeRolePolicyDocument=trust, PermissionsBoundary=missing) == ("NoSuchEntity", message, 404)
    assert fails(iam.create_user, UserName=unique("u"), PermissionsBoundary=missing) == ("NoSuchEntity", message, 404)
    assert fails(iam.put_user_permissions_boundary, UserName="ghost-user", PermissionsBoundary=READ_ONLY) == (
        "NoSuchEntity",
        "The user with name ghost-user cannot be found.",
        404,
    )
    assert fails(iam.put_user_permissions_boundary, UserName=user, PermissionsBoundary="policy/not-an-arn-at-all") == (
        "InvalidInput",
        "ARN policy/not-an-arn-at-all is not valid.",
        400,
    )


def test_boundary_blocks_what_identity_allows(iam, make_user, make_policy):
    name, user_arn, creds = make_user(policy(allow("iam:ListUsers", "iam:ListRoles", "iam:ListGroups")))
    me = client("iam", creds)
    me.list_users()
    me.list_roles()
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=make_policy(allow("iam:ListRoles", "iam:ListGroups"), deny("iam:ListGroups")))
    me.list_roles()  # allowed by both
    assert fails(me.list_users) == (
        "AccessDenied",
        implicit(user_arn, "iam:ListUsers", arn("user", ""), kind="permissions boundary"),
        403,
    )
    assert fails(me.list_groups) == (
        "AccessDenied",
        explicit(user_arn, "iam:ListGroups", arn("group", ""), kind="a permissions boundary"),
        403,
    )
    # A boundary grants nothing by itself.
    assert fails(me.list_policies) == ("AccessDenied", implicit(user_arn, "iam:ListPolicies", arn("policy", "")), 403)
    iam.delete_user_permissions_boundary(UserName=name)
    me.list_users()
    me.list_groups()


def test_boundary_applies_to_role_sessions(iam, make_user):
    _, user_arn, creds = make_user(policy(allow("sts:AssumeRole")))
    role = unique("bounded")
    trust = policy({"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:AssumeRole"})
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust, PermissionsBoundary=READ_ONLY)
    iam.put_role_policy(RoleName=role, PolicyName="all", PolicyDocument=policy(allow("iam:*")))
    c = client("sts", creds).assume_role(RoleArn=arn("role", role), RoleSessionName="s1")["Credentials"]
    session = client("iam", (c["AccessKeyId"], c["SecretAccessKey"]), token=c["SessionToken"])
    session.list_users()  # ReadOnlyAccess allows iam:List*
    name = unique("x")
    assert fails(session.create_user, UserName=name) == (
        "AccessDenied",
        implicit(f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s1", "iam:CreateUser", arn("user", name), kind="permissions boundary"),
        403,
    )
    iam.delete_role_permissions_boundary(RoleName=role)
    session.create_user(UserName=name)


def test_permissions_boundary_condition_key(iam, make_user, make_policy):
    """The classic delegation guard: users may be created only with a given boundary (iam:PermissionsBoundary)."""
    boundary = make_policy(allow("s3:*"))
    _, me_arn, creds = make_user(
        policy(
            allow("iam:CreateUser", "iam:PutUserPermissionsBoundary", Condition={"StringEquals": {"iam:PermissionsBoundary": boundary}}),
            allow("iam:DeleteUserPermissionsBoundary", Condition={"StringNotEquals": {"iam:PermissionsBoundary": boundary}}),
        )
    )
    me = client("iam", creds)
    ok, bad = unique("ok"), unique("bad")
    me.create_user(UserName=ok, PermissionsBoundary=boundary)
    assert iam.get_user(UserName=ok)["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    assert fails(me.create_user, UserName=bad) == ("AccessDenied", implicit(me_arn, "iam:CreateUser", arn("user", bad)), 403)
    assert fails(me.put_user_permissions_boundary, UserName=ok, PermissionsBoundary=READ_ONLY)[0] == "AccessDenied"
    # Removing the guarded boundary is refused: the key holds the current boundary.
    assert fails(me.delete_user_permissions_boundary, UserName=ok) == (
        "AccessDenied",
        implicit(me_arn, "iam:DeleteUserPermissionsBoundary", arn("user", ok)),
        403,
    )
