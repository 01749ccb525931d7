"""Managed policies through boto3: ListPolicies filters and pagination, versions (create, list, set
default, delete; at most 5), AWS managed policies from the catalog (readable, attachable, unmodifiable)."""
import pytest

from conftest import ACCOUNT, client, policy, unique
from test_iam_support import allow, arn, deny, fails, implicit, make_policy, make_role  # noqa: F401

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SAGEMAKER_FULL = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"


def test_list_policies_scope_path_and_pagination(iam, make_policy):
    prefix = f"/{unique('p')}/"
    mine = sorted(make_policy(allow(f"s3:Get{i}"), path=prefix) for i in range(3))
    local = iam.list_policies(Scope="Local", PathPrefix=prefix)["Policies"]
    assert sorted(p["Arn"] for p in local) == mine
    p = local[0]
    assert p["PolicyId"].startswith("ANPA") and p["DefaultVersionId"] == "v1" and p["IsAttachable"] is True
    assert p["AttachmentCount"] == 0 and p["PermissionsBoundaryUsageCount"] == 0
    aws = iam.list_policies(Scope="AWS", MaxItems=50)
    assert len(aws["Policies"]) == 50 and aws["IsTruncated"] is True
    assert all(x["Arn"].startswith("arn:aws:iam::aws:policy/") for x in aws["Policies"])
    # The paginator walks every AWS managed policy of the catalog.
    arns = [x["Arn"] for page in iam.get_paginator("list_policies").paginate(Scope="AWS") for x in page["Policies"]]
    assert len(arns) > 1000 and len(set(arns)) == len(arns) and READ_ONLY in arns
    assert all(not a.startswith(f"arn:aws:iam::{ACCOUNT}:") for a in arns)
    everything = {x["Arn"] for page in iam.get_paginator("list_policies").paginate() for x in page["Policies"]}
    assert set(mine) <= everything and READ_ONLY in everything
    service_role = iam.list_policies(Scope="AWS", PathPrefix="/aws-service-role/", MaxItems=5)["Policies"]
    assert service_role and all(x["Path"] == "/aws-service-role/" and x["IsAttachable"] is False for x in service_role)
    code, message, status = fails(iam.list_policies, Scope="Everything")
    assert (code, status) == ("ValidationError", 400) and "[All, AWS, Local]" in message


def test_list_policies_only_attached(iam, make_policy, make_role):
    role, _ = make_role()
    used, unused = make_policy(allow("s3:GetObject")), make_policy(allow("s3:PutObject"))
    iam.attach_role_policy(RoleName=role, PolicyArn=used)
    iam.attach_role_policy(RoleName=role, PolicyArn=SAGEMAKER_FULL)
    attached = {p["Arn"]: p for p in iam.list_policies(OnlyAttached=True, MaxItems=1000)["Policies"]}
    assert used in attached and SAGEMAKER_FULL in attached and unused not in attached
    assert attached[used]["AttachmentCount"] == 1
    assert SAGEMAKER_FULL in {p["Arn"] for p in iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]}
    assert used not in {p["Arn"] for p in iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]}
    assert used in {p["Arn"] for p in iam.list_policies(PolicyUsageFilter="PermissionsPolicy", MaxItems=1000)["Policies"]}
    assert used not in {p["Arn"] for p in iam.list_policies(PolicyUsageFilter="PermissionsBoundary", MaxItems=1000)["Policies"]}
    iam.detach_role_policy(RoleName=role, PolicyArn=used)
    iam.detach_role_policy(RoleName=role, PolicyArn=SAGEMAKER_FULL)


def test_policy_versions(iam, make_policy):
    a = make_policy(allow("s3:GetObject"))
    v2 = iam.create_policy_version(PolicyArn=a, PolicyDocument=policy(allow("s3:PutObject")))["PolicyVersion"]
    assert v2["VersionId"] == "v2" and v2["IsDefaultVersion"] is False
    v3 = iam.create_policy_version(PolicyArn=a, PolicyDocument=policy(allow("s3:ListBucket")), SetAsDefault=True)["PolicyVersion"]
    assert v3["VersionId"] == "v3" and v3["IsDefaultVersion"] is True
    assert iam.get_policy(PolicyArn=a)["Policy"]["DefaultVersionId"] == "v3"
    versions = iam.list_policy_versions(PolicyArn=a)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v3", True), ("v2", False), ("v1", False)]
    assert "Document" not in versions[0]
    got = iam.get_policy_version(PolicyArn=a, VersionId="v2")["PolicyVersion"]
    assert got["Document"]["Statement"][0]["Action"] == ["s3:PutObject"] and got["IsDefaultVersion"] is False
    iam.set_default_policy_version(PolicyArn=a, VersionId="v1")
    assert iam.get_policy(PolicyArn=a)["Policy"]["DefaultVersionId"] == "v1"
    assert fails(iam.set_default_policy_version, PolicyArn=a, VersionId="v9") == (
        "NoSuchEntity",
        f"Policy {a} version v9 does not exist or is not attachable.",
        404,
    )
    assert fails(iam.delete_policy_version, PolicyArn=a, VersionId="v1") == (
        "DeleteConflict",
        "Cannot delete the default version of a policy.",
        409,
    )
    # At most 5 versions.
    iam.create_policy_version(PolicyArn=a, PolicyDocument=policy(allow("s3:GetBucketAcl")))
    iam.create_policy_version(PolicyArn=a, PolicyDocument=policy(allow("s3:GetBucketTagging")))
    assert fails(iam.create_policy_version, PolicyArn=a, PolicyDocument=policy(allow("s3:GetBucketCors"))) == (
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
        409,
    )
    assert fails(iam.delete_policy, PolicyArn=a) == (
        "DeleteConflict",
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        409,
    )
    for v in ("v2", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=a, VersionId=v)
    assert fails(iam.delete_policy_version, PolicyArn=a, VersionId="v2")[0] == "NoSuchEntity"
    # Version ids are never reused.
    assert iam.create_policy_version(PolicyArn=a, PolicyDocument=policy(allow("s3:GetObject")))["PolicyVersion"]["VersionId"] == "v6"
    iam.delete_policy_version(PolicyArn=a, VersionId="v6")
    iam.delete_policy(PolicyArn=a)
    assert fails(iam.get_policy, PolicyArn=a) == ("NoSuchEntity", f"Policy {a} does not exist or is not attachable.", 404)


def test_policy_version_documents_are_validated(iam, make_policy):
    a = make_policy(allow("s3:GetObject"))
    assert fails(iam.create_policy_version, PolicyArn=a, PolicyDocument='{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}') == (
        "MalformedPolicyDocument",
        "Policy document must be version 2012-10-17 or greater.",
        400,
    )
    big = policy(allow(*[f"s3:GetObject{i:04d}" for i in range(400)]))
    assert fails(iam.create_policy_version, PolicyArn=a, PolicyDocument=big) == ("LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)
    missing = f"arn:aws:iam::{ACCOUNT}:policy/none-{unique('x')}"
    assert fails(iam.create_policy_version, PolicyArn=missing, PolicyDocument=policy(allow("s3:GetObject"))) == (
        "NoSuchEntity",
        f"Policy {missing} does not exist or is not attachable.",
        404,
    )


def test_default_version_decides(iam, make_user, make_policy):
    user, user_arn, creds = make_user()
    a = make_policy(allow("iam:ListRoles"))
    iam.attach_user_policy(UserName=user, PolicyArn=a)
    me = client("iam", creds)
    me.list_roles()
    iam.create_policy_version(PolicyArn=a, PolicyDocument=policy(allow("iam:ListGroups")), SetAsDefault=True)
    assert fails(me.list_roles) == ("AccessDenied", implicit(user_arn, "iam:ListRoles", arn("role", "")), 403)
    me.list_groups()
    iam.set_default_policy_version(PolicyArn=a, VersionId="v1")
    me.list_roles()


def test_policy_names_are_unique_across_paths(iam):
    name = unique("dup")
    iam.create_policy(PolicyName=name, Path="/a/", PolicyDocument=policy(allow("s3:GetObject")), Description="first one")
    assert fails(iam.create_policy, PolicyName=name, Path="/b/", PolicyDocument=policy(allow("s3:GetObject"))) == (
        "EntityAlreadyExists",
        f"A policy called {name} already exists. Duplicate names are not allowed.",
        409,
    )
    assert iam.get_policy(PolicyArn=arn("policy", name, "/a/"))["Policy"]["Description"] == "first one"


def test_aws_managed_policies_are_readable(iam):
    p = iam.get_policy(PolicyArn=SAGEMAKER_FULL)["Policy"]
    assert p["PolicyName"] == "AmazonSageMakerFullAccess" and p["Path"] == "/" and p["IsAttachable"] is True
    assert p["PolicyId"].startswith("ANPA") and p["DefaultVersionId"].startswith("v")
    assert p["PolicyId"] == iam.get_policy(PolicyArn=SAGEMAKER_FULL)["Policy"]["PolicyId"]  # stable
    assert p["CreateDate"].year >= 2017
    versions = iam.list_policy_versions(PolicyArn=SAGEMAKER_FULL)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [(p["DefaultVersionId"], True)]
    d = iam.get_policy_version(PolicyArn=SAGEMAKER_FULL, VersionId=p["DefaultVersionId"])["PolicyVersion"]["Document"]
    assert d["Version"] == "2012-10-17" and any("sagemaker:*" in str(s.get("Action")) for s in d["Statement"])
    assert fails(iam.get_policy_version, PolicyArn=SAGEMAKER_FULL, VersionId="v1")[0] == "NoSuchEntity"
    assert iam.list_policy_tags(PolicyArn=SAGEMAKER_FULL)["Tags"] == []


@pytest.mark.parametrize(
    "call, kwargs",
    [
        ("create_policy_version", {"PolicyDocument": policy(allow("s3:GetObject"))}),
        ("delete_policy", {}),
        ("set_default_policy_version", {"VersionId": "v1"}),
        ("delete_policy_version", {"VersionId": "v1"}),
        ("tag_policy", {"Tags": [{"Key": "k", "Value": "v"}]}),
        ("untag_policy", {"TagKeys": ["k"]}),
    ],
)
def test_aws_managed_policies_are_unmodifiable(iam, call, kwargs):
    assert fails(getattr(iam, call), PolicyArn=READ_ONLY, **kwargs) == (
        "UnmodifiableEntity",
        f"Cannot modify a policy managed by AWS: {READ_ONLY}",
        400,
    )


def test_aws_managed_policy_decides_like_its_document(iam, make_user):
    user, user_arn, creds = make_user()
    me = client("iam", creds)
    assert fails(me.list_roles)[0] == "AccessDenied"
    iam.attach_user_policy(UserName=user, PolicyArn=READ_ONLY)
    me.list_roles()
    assert fails(me.create_role, RoleName="x", AssumeRolePolicyDocument="{}") == (
        "AccessDenied",
        implicit(user_arn, "iam:CreateRole", arn("role", "x")),
        403,
    )
    service_role_policy = "arn:aws:iam::aws:policy/aws-service-role/AmazonSageMakerNotebooksServiceRolePolicy"
    assert fails(iam.attach_user_policy, UserName=user, PolicyArn=service_role_policy) == (
        "PolicyNotAttachable",
        "Cannot attach a Service Role Policy to a Customer Role.",
        400,
    )
    iam.detach_user_policy(UserName=user, PolicyArn=READ_ONLY)


def test_policy_calls_are_authorized(make_user, make_policy):
    a = make_policy(allow("s3:GetObject"))
    _, user_arn, creds = make_user(policy(allow("iam:GetPolicy", resource=a), deny("iam:ListPolicyVersions")))
    me = client("iam", creds)
    assert me.get_policy(PolicyArn=a)["Policy"]["Arn"] == a
    assert fails(me.list_policies) == ("AccessDenied", implicit(user_arn, "iam:ListPolicies", arn("policy", "")), 403)
    assert fails(me.list_policy_versions, PolicyArn=a) == (
        "AccessDenied",
        f"User: {user_arn} is not authorized to perform: iam:ListPolicyVersions on resource: {a} with an explicit deny in an identity-based policy",
        403,
    )
    assert fails(me.set_default_policy_version, PolicyArn=a, VersionId="v1") == (
        "AccessDenied",
        implicit(user_arn, "iam:SetDefaultPolicyVersion", a),
        403,
    )
