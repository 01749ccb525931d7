"""Roles through boto3: UpdateRole, UpdateRoleDescription, role listing shapes, and the SageMaker
service-linked role (CreateServiceLinkedRole; protected from changes by users)."""
import pytest
import urllib.parse

from conftest import ACCOUNT, client, policy, unique
from test_iam_support import allow, arn, fails, implicit, make_role  # noqa: F401
from test_wire_support import FORM, raw, unvalidated

SLR_NAME = "AWSServiceRoleForAmazonSageMakerNotebooks"
SLR_PATH = "/aws-service-role/sagemaker.amazonaws.com/"
SLR_POLICY = "arn:aws:iam::aws:policy/aws-service-role/AmazonSageMakerNotebooksServiceRolePolicy"


def test_update_role(iam, make_role):
    name, _ = make_role(Description="first")
    assert iam.get_role(RoleName=name)["Role"]["MaxSessionDuration"] == 3600
    iam.update_role(RoleName=name, Description="second", MaxSessionDuration=7200)
    r = iam.get_role(RoleName=name)["Role"]
    assert (r["Description"], r["MaxSessionDuration"]) == ("second", 7200)
    iam.update_role(RoleName=name, MaxSessionDuration=43200)
    r = iam.get_role(RoleName=name)["Role"]
    assert (r["Description"], r["MaxSessionDuration"]) == ("second", 43200)
    out = iam.update_role_description(RoleName=name, Description="third")["Role"]
    assert out["RoleName"] == name and out["Description"] == "third"
    code, message, status = fails(unvalidated("iam").update_role, RoleName=name, MaxSessionDuration=100)
    assert (code, status) == ("ValidationError", 400)
    assert message == "1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600 and less than or equal to 43200"
    assert fails(iam.update_role, RoleName="ghost-role", Description="x") == ("NoSuchEntity", "The role with name ghost-role cannot be found.", 404)


def test_update_role_needs_permission(make_role, make_user):
    name, role_arn = make_role()
    _, me_arn, creds = make_user(policy(allow("iam:UpdateRoleDescription")))
    me = client("iam", creds)
    me.update_role_description(RoleName=name, Description="ok")
    assert fails(me.update_role, RoleName=name, Description="no") == ("AccessDenied", implicit(me_arn, "iam:UpdateRole", role_arn), 403)


def test_list_roles_leaves_out_tags_and_boundary(iam, make_role):
    name, _ = make_role(Tags=[{"Key": "k", "Value": "v"}], PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess")
    listed = {r["RoleName"]: r for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]}
    assert "Tags" not in listed[name] and "PermissionsBoundary" not in listed[name]
    assert listed[name]["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    full = iam.get_role(RoleName=name)["Role"]
    assert full["Tags"] == [{"Key": "k", "Value": "v"}]
    assert full["PermissionsBoundary"]["PermissionsBoundaryArn"] == "arn:aws:iam::aws:policy/ReadOnlyAccess"


def test_service_linked_role(iam, make_user):
    _, me_arn, creds = make_user(policy(allow("iam:GetRole")))
    slr_arn = f"arn:aws:iam::{ACCOUNT}:role{SLR_PATH}{SLR_NAME}"
    if any(r["RoleName"] == SLR_NAME for r in iam.list_roles(PathPrefix=SLR_PATH)["Roles"]):
        pytest.skip("the service-linked role exists from an earlier run on this database (it cannot be deleted yet)")
    assert fails(client("iam", creds).create_service_linked_role, AWSServiceName="sagemaker.amazonaws.com") == (
        "AccessDenied",
        implicit(me_arn, "iam:CreateServiceLinkedRole", slr_arn),
        403,
    )
    r = iam.create_service_linked_role(AWSServiceName="sagemaker.amazonaws.com")["Role"]
    assert (r["RoleName"], r["Path"], r["Arn"]) == (SLR_NAME, SLR_PATH, slr_arn)
    assert r["RoleId"].startswith("AROA") and r["Description"] == "AWS SageMaker Notebooks Service Linked Role"
    assert r["AssumeRolePolicyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    attached = iam.list_attached_role_policies(RoleName=SLR_NAME)["AttachedPolicies"]
    assert attached == [{"PolicyName": "AmazonSageMakerNotebooksServiceRolePolicy", "PolicyArn": SLR_POLICY}]
    assert client("iam", creds).get_role(RoleName=SLR_NAME)["Role"]["Arn"] == slr_arn
    # One per account.
    assert fails(iam.create_service_linked_role, AWSServiceName="sagemaker.amazonaws.com") == (
        "InvalidInput",
        f"Service role name {SLR_NAME} has been taken in this account, please try a different suffix.",
        400,
    )
    # Users cannot change what the service controls.
    protected = f"Cannot perform the operation on the protected role '{SLR_NAME}' - this role is only modifiable by AWS"
    doc = policy(allow("s3:GetObject"))
    trust = policy({"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"})
    for call, kwargs in [
        (iam.delete_role, {}),
        (iam.put_role_policy, {"PolicyName": "p", "PolicyDocument": doc}),
        (iam.delete_role_policy, {"PolicyName": "p"}),
        (iam.attach_role_policy, {"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
        (iam.detach_role_policy, {"PolicyArn": SLR_POLICY}),
        (iam.update_assume_role_policy, {"PolicyDocument": trust}),
        (iam.put_role_permissions_boundary, {"PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
        (iam.delete_role_permissions_boundary, {}),
        (iam.update_role, {"MaxSessionDuration": 7200}),
        (iam.tag_role, {"Tags": [{"Key": "a", "Value": "b"}]}),
    ]:
        assert fails(call, RoleName=SLR_NAME, **kwargs) == ("UnmodifiableEntity", protected, 400), call
    # Its description may change.
    assert iam.update_role_description(RoleName=SLR_NAME, Description="notebooks")["Role"]["Description"] == "notebooks"


def test_service_linked_role_input_errors(iam):
    assert fails(iam.create_service_linked_role, AWSServiceName="nonsense.amazonaws.com") == (
        "InvalidInput",
        "Service name nonsense.amazonaws.com is not supported for service-linked roles.",
        400,
    )
    assert fails(iam.create_service_linked_role, AWSServiceName="sagemaker.amazonaws.com", CustomSuffix="x") == (
        "InvalidInput",
        "Custom suffix is not allowed for sagemaker.amazonaws.com",
        400,
    )


def test_trust_policy_is_url_encoded_on_the_wire(make_role):
    name, _ = make_role()
    body = urllib.parse.urlencode({"Action": "GetRole", "Version": "2010-05-08", "RoleName": name})
    text = raw(body, FORM, service="iam").xml("AssumeRolePolicyDocument")
    assert text.startswith("%7B%22Version%22%3A%20%222012-10-17%22") and "{" not in text and " " not in text
