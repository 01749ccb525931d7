"""GetAccountAuthorizationDetails through boto3: every user, group, role and managed policy in use,
with documents (URL-encoded on the wire, decoded by botocore), the Filter, and pagination."""
from conftest import ACCOUNT, client, policy, unique
from test_iam_support import allow, arn, fails, make_group, make_policy  # noqa: F401

SAGEMAKER_FULL = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"


def details(iam, **kwargs):
    """All pages merged."""
    out = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    for page in iam.get_paginator("get_account_authorization_details").paginate(**kwargs):
        for k in out:
            out[k].extend(page[k])
    return out


def test_authorization_details(iam, make_user, make_group, make_policy):
    user, user_arn, _ = make_user(policy(allow("s3:GetObject")))
    group = make_group(policy(allow("s3:PutObject")))
    iam.add_user_to_group(GroupName=group, UserName=user)
    managed = make_policy(allow("s3:ListBucket"))
    iam.create_policy_version(PolicyArn=managed, PolicyDocument=policy(allow("s3:ListAllMyBuckets")), SetAsDefault=True)
    iam.attach_user_policy(UserName=user, PolicyArn=managed)
    iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=SAGEMAKER_FULL)
    role = unique("role")
    trust = policy({"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"})
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust, Tags=[{"Key": "k", "Value": "v"}])
    iam.put_role_policy(RoleName=role, PolicyName="inline", PolicyDocument=policy(allow("logs:*")))
    iam.attach_role_policy(RoleName=role, PolicyArn=SAGEMAKER_FULL)

    d = details(iam)
    u = next(x for x in d["UserDetailList"] if x["UserName"] == user)
    assert u["Arn"] == user_arn and u["UserId"].startswith("AIDA") and u["Path"] == "/"
    assert [(p["PolicyName"], p["PolicyDocument"]["Statement"][0]["Action"]) for p in u["UserPolicyList"]] == [("p0", ["s3:GetObject"])]
    assert u["GroupList"] == [group]
    assert u["AttachedManagedPolicies"] == [{"PolicyName": managed.rsplit("/", 1)[1], "PolicyArn": managed}]
    assert u["PermissionsBoundary"]["PermissionsBoundaryArn"] == SAGEMAKER_FULL
    g = next(x for x in d["GroupDetailList"] if x["GroupName"] == group)
    assert g["GroupId"].startswith("AGPA") and g["GroupPolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] == ["s3:PutObject"]
    r = next(x for x in d["RoleDetailList"] if x["RoleName"] == role)
    assert r["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert r["RolePolicyList"][0]["PolicyName"] == "inline" and r["InstanceProfileList"] == []
    assert r["AttachedManagedPolicies"] == [{"PolicyName": "AmazonSageMakerFullAccess", "PolicyArn": SAGEMAKER_FULL}]
    assert r["Tags"] == [{"Key": "k", "Value": "v"}]
    policies = {p["Arn"]: p for p in d["Policies"]}
    local = policies[managed]
    assert local["DefaultVersionId"] == "v2" and local["AttachmentCount"] == 1
    versions = {v["VersionId"]: v for v in local["PolicyVersionList"]}
    assert versions["v1"]["Document"]["Statement"][0]["Action"] == ["s3:ListBucket"] and versions["v1"]["IsDefaultVersion"] is False
    assert versions["v2"]["Document"]["Statement"][0]["Action"] == ["s3:ListAllMyBuckets"] and versions["v2"]["IsDefaultVersion"] is True
    # AWS managed policies appear when the account uses them (attached or as a boundary).
    aws = policies[SAGEMAKER_FULL]
    assert aws["AttachmentCount"] >= 1 and aws["PermissionsBoundaryUsageCount"] >= 1
    assert aws["PolicyVersionList"][0]["IsDefaultVersion"] is True and aws["PolicyVersionList"][0]["Document"]["Version"] == "2012-10-17"
    assert "arn:aws:iam::aws:policy/AdministratorAccess" not in policies


def test_filter_and_pagination(iam, make_user, make_group):
    make_user()
    make_group()
    only_groups = details(iam, Filter=["Group"])
    assert only_groups["GroupDetailList"] and not (only_groups["UserDetailList"] or only_groups["RoleDetailList"] or only_groups["Policies"])
    local = details(iam, Filter=["LocalManagedPolicy"])["Policies"]
    assert all(p["Arn"].startswith(f"arn:aws:iam::{ACCOUNT}:policy/") for p in local)
    first = iam.get_account_authorization_details(Filter=["User", "Group"], MaxItems=1)
    assert first["IsTruncated"] is True and len(first["UserDetailList"]) + len(first["GroupDetailList"]) == 1
    everything = details(iam, Filter=["User", "Group"], PaginationConfig={"PageSize": 2})
    assert len(everything["UserDetailList"]) == len(details(iam, Filter=["User"])["UserDetailList"])
    code, message, status = fails(iam.get_account_authorization_details, Filter=["Bogus"])
    assert (code, status) == ("ValidationError", 400) and "AWSManagedPolicy" in message


def test_authorization_details_needs_permission(make_user):
    _, me_arn, creds = make_user()
    assert fails(client("iam", creds).get_account_authorization_details) == (
        "AccessDenied",
        f"User: {me_arn} is not authorized to perform: iam:GetAccountAuthorizationDetails because no identity-based policy allows the iam:GetAccountAuthorizationDetails action",
        403,
    )
