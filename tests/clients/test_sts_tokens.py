"""STS GetSessionToken and GetFederationToken through boto3 and the AWS CLI (spec T6, T7, K2, K3), and the
expiry of temporary credentials (`ExpiredToken`), seen through a second server whose clock runs ahead."""
import datetime
import json
import os
import subprocess

import botocore.exceptions
import pytest

from conftest import ACCOUNT, ENDPOINT, ROOT, client, policy, unique
from test_wire_support import client_at, extra_server, unvalidated


def error(excinfo):
    e = excinfo.value.response
    return e["Error"]["Code"], e["Error"]["Message"], e["ResponseMetadata"]["HTTPStatusCode"]


def creds_of(c):
    return (c["AccessKeyId"], c["SecretAccessKey"]), c["SessionToken"]


MFA_SERIAL = f"arn:aws:iam::{ACCOUNT}:mfa/device"


# ----- GetSessionToken (T7) ------------------------------------------------------------------------


def test_get_session_token_keeps_the_user_principal(make_user):
    name, arn, creds = make_user(policy({"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}))
    before = datetime.datetime.now(datetime.timezone.utc)
    r = client("sts", creds).get_session_token(DurationSeconds=900)
    c = r["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA") and len(c["AccessKeyId"]) == 20
    assert len(c["SecretAccessKey"]) == 40 and c["SessionToken"]
    # botocore parses Expiration into a datetime: 900 s from now.
    delta = (c["Expiration"] - before).total_seconds()
    assert 895 <= delta <= 905, delta
    session, token = creds_of(c)
    me = client("sts", session, token).get_caller_identity()
    assert me["Arn"] == arn
    assert me["UserId"].startswith("AIDA")
    assert me["Account"] == ACCOUNT


def test_get_session_token_default_duration_is_12_hours_and_bounds(make_user):
    _, _, creds = make_user(policy({"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}))
    sts = client("sts", creds)
    now = datetime.datetime.now(datetime.timezone.utc)
    c = sts.get_session_token()["Credentials"]
    assert abs((c["Expiration"] - now).total_seconds() - 43200) < 10
    c = sts.get_session_token(DurationSeconds=129600)["Credentials"]
    assert abs((c["Expiration"] - now).total_seconds() - 129600) < 10
    with pytest.raises(botocore.exceptions.ClientError) as e:
        unvalidated("sts", creds).get_session_token(DurationSeconds=129601)
    assert error(e) == (
        "ValidationError",
        "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
        400,
    )


def test_get_session_token_as_root_is_capped_at_an_hour():
    now = datetime.datetime.now(datetime.timezone.utc)
    r = client("sts").get_session_token(DurationSeconds=7200)
    assert abs((r["Credentials"]["Expiration"] - now).total_seconds() - 3600) < 10
    session, token = creds_of(r["Credentials"])
    me = client("sts", session, token).get_caller_identity()
    assert me["Arn"] == f"arn:aws:iam::{ACCOUNT}:root" and me["UserId"] == ACCOUNT


def test_session_token_without_mfa_cannot_call_iam(make_user):
    _, _, creds = make_user(policy({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}))
    session, token = creds_of(client("sts", creds).get_session_token()["Credentials"])
    # The long-term key works; its session token does not, for IAM (as on AWS).
    client("iam", creds).list_users()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("iam", session, token).list_users()
    assert error(e) == ("InvalidClientTokenId", "The security token included in the request is invalid.", 403)


def test_session_token_with_mfa_calls_iam_and_satisfies_mfa_conditions(make_user):
    mfa_only = policy(
        {
            "Effect": "Allow",
            "Action": "iam:ListUsers",
            "Resource": "*",
            "Condition": {
                "Bool": {"aws:MultiFactorAuthPresent": "true"},
                "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
                "DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"},
            },
        }
    )
    _, arn, creds = make_user(mfa_only)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("iam", creds).list_users()
    assert error(e)[0] == "AccessDenied"
    r = client("sts", creds).get_session_token(SerialNumber=MFA_SERIAL, TokenCode="123456", DurationSeconds=900)
    session, token = creds_of(r["Credentials"])
    assert client("iam", session, token).list_users()["Users"] is not None
    assert client("sts", session, token).get_caller_identity()["Arn"] == arn


def test_session_token_mfa_errors(make_user):
    _, _, creds = make_user(policy({"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}))
    sts = client("sts", creds)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.get_session_token(TokenCode="123456")
    assert error(e) == (
        "AccessDenied",
        "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.",
        403,
    )
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.get_session_token(SerialNumber=MFA_SERIAL, TokenCode="000000")
    assert error(e)[0] == "AccessDenied" and error(e)[1].startswith("MultiFactorAuthentication failed with invalid MFA one time pass code.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        unvalidated("sts", creds).get_session_token(SerialNumber="short", TokenCode="12345a")
    code, message, status = error(e)
    assert (code, status) == ("ValidationError", 400)
    assert message == (
        "2 validation errors detected: Value 'short' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9; "
        "Value '12345a' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*"
    )


def test_session_credentials_cannot_get_more_tokens(make_user, iam):
    _, user_arn, creds = make_user(policy({"Effect": "Allow", "Action": "sts:*", "Resource": "*"}))
    session, token = creds_of(client("sts", creds).get_session_token()["Credentials"])
    sts_s = client("sts", session, token)
    for call, kwargs in [("get_session_token", {}), ("get_federation_token", {"Name": "fed"})]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            getattr(sts_s, call)(**kwargs)
        op = "GetSessionToken" if call == "get_session_token" else "GetFederationToken"
        assert error(e) == ("AccessDenied", f"Cannot call {op} with session credentials", 403)
    # ... but it may assume a role (the caller stays the IAM user).
    role = unique("gst-role")
    trust = policy({"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:AssumeRole"})
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    r = sts_s.assume_role(RoleArn=role_arn, RoleSessionName="from-gst")
    assert r["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/from-gst"
    # Role sessions cannot call GetSessionToken either.
    rs, rt = creds_of(r["Credentials"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts", rs, rt).get_session_token()
    assert error(e) == ("AccessDenied", "Cannot call GetSessionToken with session credentials", 403)


def test_aws_cli_get_session_token(make_user):
    _, _, creds = make_user(policy({"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}))
    env = dict(os.environ, AWS_ACCESS_KEY_ID=creds[0], AWS_SECRET_ACCESS_KEY=creds[1], AWS_DEFAULT_REGION="us-east-1")
    env.pop("AWS_SESSION_TOKEN", None)
    out = subprocess.run(
        ["aws", "--endpoint-url", ENDPOINT, "sts", "get-session-token", "--duration-seconds", "900", "--output", "json"],
        env=env, capture_output=True, text=True, check=True,
    )
    c = json.loads(out.stdout)["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA")
    env2 = dict(env, AWS_ACCESS_KEY_ID=c["AccessKeyId"], AWS_SECRET_ACCESS_KEY=c["SecretAccessKey"], AWS_SESSION_TOKEN=c["SessionToken"])
    out = subprocess.run(["aws", "--endpoint-url", ENDPOINT, "iam", "list-users"], env=env2, capture_output=True, text=True)
    assert out.returncode == 255
    assert "An error occurred (InvalidClientTokenId) when calling the ListUsers operation: The security token included in the request is invalid." in out.stderr


# ----- GetFederationToken (T6) ---------------------------------------------------------------------


def fed_user(make_user, *extra, tags=None, iam=None):
    doc = policy({"Effect": "Allow", "Action": ["sts:GetFederationToken", "sts:TagSession", "iam:ListRoles", "sagemaker:*"], "Resource": "*"}, *extra)
    name, arn, creds = make_user(doc)
    if tags:
        iam.tag_user(UserName=name, Tags=tags)
    return name, arn, creds


def test_federation_token_identity(make_user):
    _, _, creds = fed_user(make_user)
    fed = unique("fed")[:32]
    r = client("sts", creds).get_federation_token(Name=fed, DurationSeconds=900)
    assert r["FederatedUser"] == {"Arn": f"arn:aws:sts::{ACCOUNT}:federated-user/{fed}", "FederatedUserId": f"{ACCOUNT}:{fed}"}
    assert "PackedPolicySize" not in r
    session, token = creds_of(r["Credentials"])
    me = client("sts", session, token).get_caller_identity()
    assert me == {**me, "Arn": f"arn:aws:sts::{ACCOUNT}:federated-user/{fed}", "UserId": f"{ACCOUNT}:{fed}", "Account": ACCOUNT}


def test_federated_user_without_session_policy_has_no_permissions(make_user):
    _, _, creds = fed_user(make_user)
    r = client("sts", creds).get_federation_token(Name="nopolicy")
    session, token = creds_of(r["Credentials"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sagemaker", session, token).describe_notebook_instance(NotebookInstanceName="nb-a")
    assert error(e) == (
        "AccessDeniedException",
        f"User: arn:aws:sts::{ACCOUNT}:federated-user/nopolicy is not authorized to perform: sagemaker:DescribeNotebookInstance on resource: arn:aws:sagemaker:us-east-1:{ACCOUNT}:notebook-instance/nb-a because no session policy allows the sagemaker:DescribeNotebookInstance action",
        400,
    )


def test_federated_user_is_the_intersection_of_user_and_session_policies(make_user):
    _, _, creds = fed_user(make_user, {"Effect": "Deny", "Action": "sagemaker:DeleteNotebookInstance", "Resource": "*"})
    session_policy = policy({"Effect": "Allow", "Action": ["sagemaker:DescribeNotebookInstance", "sagemaker:DeleteNotebookInstance", "s3:*"], "Resource": "*"})
    r = client("sts", creds).get_federation_token(Name="inter", Policy=session_policy)
    assert 1 <= r["PackedPolicySize"] <= 100
    sm = client("sagemaker", *creds_of(r["Credentials"]))
    # Allowed by both: authorized, then SageMaker's answer for a notebook that does not exist.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.describe_notebook_instance(NotebookInstanceName="nb-a")
    assert error(e)[:2] == ("ValidationException", "RecordNotFound")
    # The user's explicit deny wins over the session policy's allow.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.delete_notebook_instance(NotebookInstanceName="nb-a")
    assert error(e)[1].endswith("with an explicit deny in an identity-based policy")
    # Allowed by the user, not by the session policy.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.list_training_jobs()
    assert error(e)[1].endswith("because no session policy allows the sagemaker:ListTrainingJobs action")


def test_federated_user_with_managed_session_policy(make_user, iam):
    _, _, creds = fed_user(make_user)
    parn = iam.create_policy(PolicyName=unique("fedp"), PolicyDocument=policy({"Effect": "Allow", "Action": "sagemaker:ListTrainingJobs", "Resource": "*"}))["Policy"]["Arn"]
    r = client("sts", creds).get_federation_token(Name="managed", PolicyArns=[{"arn": parn}])
    assert r["PackedPolicySize"] >= 1
    sm = client("sagemaker", *creds_of(r["Credentials"]))
    assert "TrainingJobSummaries" in sm.list_training_jobs()


def test_federated_principal_tags_override_the_users(make_user, iam):
    session_policy = policy(
        {"Effect": "Allow", "Action": "sagemaker:DescribeNotebookInstance", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/Team": "data", "aws:PrincipalTag/site": "paris"}}}
    )
    _, _, creds = fed_user(make_user, tags=[{"Key": "team", "Value": "ml"}, {"Key": "site", "Value": "paris"}], iam=iam)
    sts = client("sts", creds)
    # The user's own tags: team=ml does not satisfy Team=data.
    r = sts.get_federation_token(Name="tags-a", Policy=session_policy)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sagemaker", *creds_of(r["Credentials"])).describe_notebook_instance(NotebookInstanceName="nb")
    assert error(e)[0] == "AccessDeniedException"
    # A passed tag overrides the user's tag with the same key, ignoring case.
    r = sts.get_federation_token(Name="tags-b", Policy=session_policy, Tags=[{"Key": "Team", "Value": "data"}])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sagemaker", *creds_of(r["Credentials"])).describe_notebook_instance(NotebookInstanceName="nb")
    assert error(e)[:2] == ("ValidationException", "RecordNotFound")


def test_federation_token_authorization_and_limits(make_user):
    name, arn, creds = make_user(
        policy({"Effect": "Allow", "Action": "sts:GetFederationToken", "Resource": f"arn:aws:sts::{ACCOUNT}:federated-user/app-*"})
    )
    sts = client("sts", creds)
    sts.get_federation_token(Name="app-1")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.get_federation_token(Name="other")
    assert error(e) == (
        "AccessDenied",
        f"User: {arn} is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::{ACCOUNT}:federated-user/other because no identity-based policy allows the sts:GetFederationToken action",
        403,
    )
    # Tags need sts:TagSession too.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.get_federation_token(Name="app-2", Tags=[{"Key": "k", "Value": "v"}])
    assert error(e) == (
        "AccessDenied",
        f"User: {arn} is not authorized to perform: sts:TagSession on resource: arn:aws:sts::{ACCOUNT}:federated-user/app-2 because no identity-based policy allows the sts:TagSession action",
        403,
    )
    with pytest.raises(botocore.exceptions.ClientError) as e:
        unvalidated("sts", creds).get_federation_token(Name="x")
    assert error(e) == (
        "ValidationError",
        "1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2",
        400,
    )
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.get_federation_token(Name="app-3", Policy='{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3GetObject","Resource":"*"}}')
    assert error(e) == ("MalformedPolicyDocument", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", 400)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.get_federation_token(Name="app-4", Policy=policy({"Effect": "Allow", "Action": "s3:*", "Resource": "x" * 2100}))
    code, message, status = error(e)
    assert (code, status) == ("ValidationError", 400)
    assert message.endswith("at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048")


def test_federated_users_cannot_call_iam_or_sts(make_user):
    _, _, creds = fed_user(make_user)
    r = client("sts", creds).get_federation_token(Name="limited", Policy=policy({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    session, token = creds_of(r["Credentials"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("iam", session, token).list_roles()
    assert error(e) == ("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts", session, token).get_federation_token(Name="again")
    assert error(e) == ("AccessDenied", "Cannot call GetFederationToken with session credentials", 403)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts", session, token).assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/any", RoleSessionName="ss")
    assert error(e) == ("AccessDenied", "Cannot call AssumeRole with session credentials", 403)


def test_root_federation_is_limited_by_its_session_policy():
    r = client("sts").get_federation_token(Name="rootfed", Policy=policy({"Effect": "Allow", "Action": "sagemaker:List*", "Resource": "*"}), DurationSeconds=129600)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert (r["Credentials"]["Expiration"] - now).total_seconds() <= 3600
    sm = client("sagemaker", *creds_of(r["Credentials"]))
    assert "TrainingJobSummaries" in sm.list_training_jobs()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.describe_notebook_instance(NotebookInstanceName="nb")
    assert error(e)[1].endswith("because no session policy allows the sagemaker:DescribeNotebookInstance action")


# ----- expiry ------------------------------------------------------------------------------------


def test_temporary_credentials_expire_with_expired_token(make_user, iam):
    _, user_arn, creds = make_user(policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
    gst = creds_of(client("sts", creds).get_session_token(DurationSeconds=900)["Credentials"])
    role = unique("exp-role")
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=policy({"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:AssumeRole"}))["Role"]["Arn"]
    assumed = creds_of(client("sts", creds).assume_role(RoleArn=role_arn, RoleSessionName="ss", DurationSeconds=900)["Credentials"])
    # A second server on the same database whose clock is 901 s ahead (and which tolerates the skew).
    with extra_server("--clock-offset", "901", "--max-clock-skew", "1200") as later:
        for session, token in [gst, assumed]:
            with pytest.raises(botocore.exceptions.ClientError) as e:
                client_at(later, "sts", session, token).get_caller_identity()
            assert error(e) == ("ExpiredToken", "The security token included in the request is expired", 403)
            with pytest.raises(botocore.exceptions.ClientError) as e:
                client_at(later, "sagemaker", session, token).list_training_jobs()
            assert error(e)[0] == "ExpiredTokenException" and error(e)[2] == 400
            assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "ExpiredTokenException"
        # Long-term keys do not expire.
        assert client_at(later, "sts", creds).get_caller_identity()["Arn"] == user_arn
    # Still valid now.
    assert client("sts", *gst).get_caller_identity()["Arn"] == user_arn
