"""IAM, STS and authentication through boto3 and the AWS CLI, against `sagegate serve`."""
import json
import os
import subprocess

import botocore.exceptions
import pytest

from conftest import ACCOUNT, ENDPOINT, ROOT, client, policy, unique


def error(excinfo):
    e = excinfo.value.response
    return e["Error"]["Code"], e["Error"]["Message"], e["ResponseMetadata"]["HTTPStatusCode"]


def test_get_caller_identity_as_root(sts):
    r = sts.get_caller_identity()
    assert r["Account"] == ACCOUNT
    assert r["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert r["ResponseMetadata"]["RequestId"]


def test_user_lifecycle_and_errors(iam):
    name = unique("alice")
    u = iam.create_user(UserName=name, Path="/eng/", Tags=[{"Key": "team", "Value": "ml"}])["User"]
    assert u["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eng/{name}"
    assert u["UserId"].startswith("AIDA") and len(u["UserId"]) == 20
    assert iam.get_user(UserName=name)["User"]["Tags"] == [{"Key": "team", "Value": "ml"}]
    assert name in [x["UserName"] for x in iam.list_users()["Users"]]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_user(UserName=name)
    assert error(e) == ("EntityAlreadyExists", f"User with name {name} already exists.", 409)
    iam.delete_user(UserName=name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.get_user(UserName=name)
    assert error(e) == ("NoSuchEntity", f"The user with name {name} cannot be found.", 404)


def test_malformed_policy_document_text(iam):
    name = unique("bob")
    iam.create_user(UserName=name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument='{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3GetObject","Resource":"*"}}')
    assert error(e) == ("MalformedPolicyDocument", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", 400)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_policy(PolicyName=unique("p"), PolicyDocument='{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}')
    assert error(e) == ("MalformedPolicyDocument", "Policy document must be version 2012-10-17 or greater.", 400)


def test_access_denied_word_for_word(make_user):
    name, arn, creds = make_user(policy({"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}))
    iam_u = client("iam", creds)
    assert iam_u.get_user()["User"]["UserName"] == name
    other = unique("carol")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam_u.create_user(UserName=other)
    assert error(e) == (
        "AccessDenied",
        f"User: {arn} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::{ACCOUNT}:user/{other} because no identity-based policy allows the iam:CreateUser action",
        403,
    )


def test_explicit_deny_message(make_user):
    _, arn, creds = make_user(
        policy(
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"},
        )
    )
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("iam", creds).list_users()
    assert error(e) == (
        "AccessDenied",
        f"User: {arn} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::{ACCOUNT}:user/ with an explicit deny in an identity-based policy",
        403,
    )


def test_policy_change_is_enforced_at_once(iam, make_user):
    name, _, creds = make_user(policy({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}))
    iam_u = client("iam", creds)
    iam_u.list_users()
    iam.put_user_policy(UserName=name, PolicyName="p0", PolicyDocument=policy({"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"}))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam_u.list_users()
    assert error(e)[0] == "AccessDenied"


def test_access_key_quota_and_status(iam, make_user):
    name, _, creds = make_user(policy({"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}))
    iam.create_access_key(UserName=name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_access_key(UserName=name)
    assert error(e) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
    assert client("sts", creds).get_caller_identity()["Arn"].endswith(f":user/{name}")
    iam.update_access_key(UserName=name, AccessKeyId=creds[0], Status="Inactive")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts", creds).get_caller_identity()
    assert error(e) == ("InvalidClientTokenId", "The security token included in the request is invalid.", 403)


def test_signature_errors_per_protocol():
    bad = (ROOT[0], "x" * 40)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts", bad).get_caller_identity()
    code, message, status = error(e)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("The request signature we calculated does not match the signature you provided.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sagemaker", bad).list_notebook_instances()
    code, _, status = error(e)
    assert (code, status) == ("InvalidSignatureException", 400)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sagemaker", ("AKIAUNKNOWNKEY000000", "x" * 40)).list_notebook_instances()
    assert error(e)[:1] == ("UnrecognizedClientException",)


def test_sagemaker_access_denied_is_json_400(make_user):
    _, arn, creds = make_user(policy({"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}))
    sm = client("sagemaker", creds)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.describe_notebook_instance(NotebookInstanceName="nb-a")
    assert error(e) == (
        "AccessDeniedException",
        f"User: {arn} is not authorized to perform: sagemaker:DescribeNotebookInstance on resource: arn:aws:sagemaker:us-east-1:{ACCOUNT}:notebook-instance/nb-a because no identity-based policy allows the sagemaker:DescribeNotebookInstance action",
        400,
    )
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "AccessDeniedException"


def test_assume_role_trust_policy(iam, make_user):
    role = unique("role")
    name, user_arn, creds = make_user(policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
    trust = policy({"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "x-1"}}})
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=policy({"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}))
    sts_u = client("sts", creds)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_u.assume_role(RoleArn=role_arn, RoleSessionName="s1")
    assert error(e) == (
        "AccessDenied",
        f"User: {user_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn} because no resource-based policy allows the sts:AssumeRole action",
        403,
    )
    c = sts_u.assume_role(RoleArn=role_arn, RoleSessionName="s1", ExternalId="x-1")
    assert c["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s1"
    cr = c["Credentials"]
    assert cr["AccessKeyId"].startswith("ASIA")
    session = (cr["AccessKeyId"], cr["SecretAccessKey"])
    me = client("sts", session, token=cr["SessionToken"]).get_caller_identity()
    assert me["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s1"
    assert me["UserId"].startswith("AROA") and me["UserId"].endswith(":s1")
    client("iam", session, token=cr["SessionToken"]).list_roles()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("iam", session, token=cr["SessionToken"]).list_users()
    assert error(e)[0] == "AccessDenied"
    # A temporary key without its token is unknown.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts", session).get_caller_identity()
    assert error(e)[0] == "InvalidClientTokenId"


def test_aws_cli_get_caller_identity_and_error_exit_code():
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ROOT[0], AWS_SECRET_ACCESS_KEY=ROOT[1], AWS_DEFAULT_REGION="us-east-1")
    out = subprocess.run(["aws", "--endpoint-url", ENDPOINT, "sts", "get-caller-identity", "--output", "json"], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    bad = dict(env, AWS_SECRET_ACCESS_KEY="y" * 40)
    out = subprocess.run(["aws", "--endpoint-url", ENDPOINT, "iam", "list-users"], env=bad, capture_output=True, text=True)
    assert out.returncode == 255
    assert "An error occurred (SignatureDoesNotMatch) when calling the ListUsers operation" in out.stderr
