"""STS AssumeRole through boto3: role chaining (T8), session tags and transitive tags (T5), principal keys of
role sessions (K2/K3), session policies (T4), MFA and the duration rules."""
import datetime

import botocore.exceptions
import pytest

from conftest import ACCOUNT, client, policy, unique
from test_wire_support import unvalidated


def error(excinfo):
    e = excinfo.value.response
    return e["Error"]["Code"], e["Error"]["Message"], e["ResponseMetadata"]["HTTPStatusCode"]


def creds_of(r):
    c = r["Credentials"]
    return (c["AccessKeyId"], c["SecretAccessKey"]), c["SessionToken"]


def trust(principal_arn, *actions, condition=None):
    st = {"Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": list(actions) or "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return policy(st)


@pytest.fixture
def make_role(iam):
    def make(trust_doc, *docs, tags=None, max_session=None):
        name = unique("role")
        kwargs = {"RoleName": name, "AssumeRolePolicyDocument": trust_doc}
        if tags:
            kwargs["Tags"] = tags
        if max_session:
            kwargs["MaxSessionDuration"] = max_session
        role = iam.create_role(**kwargs)["Role"]
        for i, d in enumerate(docs):
            iam.put_role_policy(RoleName=name, PolicyName=f"p{i}", PolicyDocument=d)
        return name, role["Arn"], role["RoleId"]

    return make


ASSUME_ALL = policy({"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], "Resource": "*"})


def test_role_chaining(make_user, make_role):
    _, user_arn, creds = make_user(policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
    a_name, a_arn, a_id = make_role(trust(user_arn), policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
    b_name, b_arn, b_id = make_role(trust(a_arn), policy({"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}))
    ra = client("sts", creds).assume_role(RoleArn=a_arn, RoleSessionName="first")
    sts_a = client("sts", *creds_of(ra))
    rb = sts_a.assume_role(RoleArn=b_arn, RoleSessionName="second")
    assert rb["AssumedRoleUser"] == {"AssumedRoleId": f"{b_id}:second", "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{b_name}/second"}
    me = client("sts", *creds_of(rb)).get_caller_identity()
    assert me["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{b_name}/second" and me["UserId"] == f"{b_id}:second"
    # The chained session has B's permissions only.
    iam_b = client("iam", *creds_of(rb))
    iam_b.list_roles()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam_b.list_users()
    assert error(e)[1] == f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{b_name}/second is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::{ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action"
    # Chaining caps the duration at one hour.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_a.assume_role(RoleArn=b_arn, RoleSessionName="long", DurationSeconds=3601)
    assert error(e) == ("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.", 400)
    # The user cannot assume B directly: B trusts only A.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts", creds).assume_role(RoleArn=b_arn, RoleSessionName="direct")
    assert error(e) == (
        "AccessDenied",
        f"User: {user_arn} is not authorized to perform: sts:AssumeRole on resource: {b_arn} because no resource-based policy allows the sts:AssumeRole action",
        403,
    )


def test_chained_session_needs_its_own_identity_allow(make_user, make_role):
    # A trust policy naming only the account needs an identity allow from the caller, here the session of A (T1, T8).
    _, user_arn, creds = make_user(policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
    a_name, a_arn, _ = make_role(trust(user_arn))
    _, b_arn, _ = make_role(trust(f"arn:aws:iam::{ACCOUNT}:root"))
    sts_a = client("sts", *creds_of(client("sts", creds).assume_role(RoleArn=a_arn, RoleSessionName="sa")))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_a.assume_role(RoleArn=b_arn, RoleSessionName="sb")
    assert error(e) == (
        "AccessDenied",
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{a_name}/sa is not authorized to perform: sts:AssumeRole on resource: {b_arn} because no identity-based policy allows the sts:AssumeRole action",
        403,
    )


def test_session_tags_become_principal_tags(make_user, make_role):
    _, user_arn, creds = make_user(ASSUME_ALL)
    needs_tag = policy({"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/project": "blue", "aws:PrincipalTag/owner": "team-a"}}})
    _, arn, _ = make_role(trust(user_arn, "sts:AssumeRole", "sts:TagSession"), needs_tag, tags=[{"Key": "project", "Value": "red"}, {"Key": "owner", "Value": "team-a"}])
    sts = client("sts", creds)
    # The role's own tags: project=red.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("iam", *creds_of(sts.assume_role(RoleArn=arn, RoleSessionName="untagged"))).list_roles()
    assert error(e)[0] == "AccessDenied"
    # A session tag overrides the role tag with the same key, ignoring case.
    r = sts.assume_role(RoleArn=arn, RoleSessionName="tagged", Tags=[{"Key": "Project", "Value": "blue"}])
    assert 1 <= r["PackedPolicySize"] <= 100
    client("iam", *creds_of(r)).list_roles()


def test_tag_session_permission_and_tag_rules(make_user, make_role):
    _, user_arn, creds = make_user(ASSUME_ALL)
    _, arn, _ = make_role(trust(user_arn))  # no sts:TagSession in the trust policy
    sts = unvalidated("sts", creds)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=arn, RoleSessionName="ss", Tags=[{"Key": "k", "Value": "v"}])
    assert error(e) == (
        "AccessDenied",
        f"User: {user_arn} is not authorized to perform: sts:TagSession on resource: {arn} because no resource-based policy allows the sts:TagSession action",
        403,
    )
    _, arn2, _ = make_role(trust(user_arn, "sts:AssumeRole", "sts:TagSession"))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=arn2, RoleSessionName="ss", Tags=[{"Key": "k", "Value": "v"}], TransitiveTagKeys=["other"])
    assert error(e)[0] == "InvalidParameterValue"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=arn2, RoleSessionName="ss", Tags=[{"Key": "k", "Value": "v"}, {"Key": "K", "Value": "w"}])
    assert error(e) == ("InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=arn2, RoleSessionName="ss", Tags=[{"Key": "k" * 129, "Value": "v"}])
    assert error(e) == (
        "ValidationError",
        f"1 validation error detected: Value '{'k' * 129}' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128",
        400,
    )
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=arn2, RoleSessionName="ss", Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert error(e)[0] == "ValidationError" and "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50" in error(e)[1]
    # The trust policy sees the requested tags.
    _, arn3, _ = make_role(policy({"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": ["sts:AssumeRole", "sts:TagSession"], "Condition": {"StringEquals": {"aws:RequestTag/env": "dev"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}}))
    sts.assume_role(RoleArn=arn3, RoleSessionName="ss", Tags=[{"Key": "env", "Value": "dev"}])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=arn3, RoleSessionName="ss", Tags=[{"Key": "env", "Value": "prod"}])
    assert error(e)[0] == "AccessDenied"


def test_transitive_tags_propagate_through_chaining(make_user, make_role):
    _, user_arn, creds = make_user(ASSUME_ALL)
    a_name, a_arn, _ = make_role(trust(user_arn, "sts:AssumeRole", "sts:TagSession"), ASSUME_ALL)
    # B trusts A's sessions only when they carry project=blue (a transitive tag from the first hop).
    b_trust = policy({"Effect": "Allow", "Principal": {"AWS": a_arn}, "Action": ["sts:AssumeRole", "sts:TagSession"], "Condition": {"StringEquals": {"aws:PrincipalTag/project": "blue"}}})
    needs_tag = policy({"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/project": "blue", "aws:PrincipalTag/hop": "2"}}})
    _, b_arn, _ = make_role(b_trust, needs_tag)
    ra = client("sts", creds).assume_role(
        RoleArn=a_arn, RoleSessionName="hop1", Tags=[{"Key": "project", "Value": "blue"}, {"Key": "hop", "Value": "1"}], TransitiveTagKeys=["project"]
    )
    sts_a = client("sts", *creds_of(ra))
    # Passing a tag whose key is an incoming transitive key fails (T5).
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_a.assume_role(RoleArn=b_arn, RoleSessionName="hop2", Tags=[{"Key": "Project", "Value": "red"}])
    assert error(e)[0] == "InvalidParameterValue"
    rb = sts_a.assume_role(RoleArn=b_arn, RoleSessionName="hop2", Tags=[{"Key": "hop", "Value": "2"}])
    # project=blue came through; hop=1 (not transitive) did not, hop=2 was passed.
    client("iam", *creds_of(rb)).list_roles()
    # Without TransitiveTagKeys, A's session still carries project=blue (B's trust policy matches),
    # but B's session does not inherit it.
    ra2 = client("sts", creds).assume_role(RoleArn=a_arn, RoleSessionName="hop1b", Tags=[{"Key": "project", "Value": "blue"}])
    rb2 = client("sts", *creds_of(ra2)).assume_role(RoleArn=b_arn, RoleSessionName="hop2b", Tags=[{"Key": "hop", "Value": "2"}])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("iam", *creds_of(rb2)).list_roles()
    assert error(e)[0] == "AccessDenied"


def test_role_session_principal_keys(make_user, make_role):
    _, user_arn, creds = make_user(ASSUME_ALL)
    keyed = policy(
        {
            "Effect": "Allow",
            "Action": "iam:ListRoles",
            "Resource": "*",
            "Condition": {
                "StringLike": {"aws:userid": "AROA*:keys", "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"},
                "StringEquals": {"aws:PrincipalType": "AssumedRole", "aws:PrincipalAccount": ACCOUNT, "aws:SourceIdentity": "alice"},
                "Bool": {"aws:MultiFactorAuthPresent": "false"},
                "DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"},
                "Null": {"aws:username": "true", "aws:MultiFactorAuthAge": "true"},
            },
        }
    )
    _, arn, _ = make_role(trust(user_arn, "sts:AssumeRole", "sts:SetSourceIdentity"), keyed)
    r = client("sts", creds).assume_role(RoleArn=arn, RoleSessionName="keys", SourceIdentity="alice")
    assert r["SourceIdentity"] == "alice"
    client("iam", *creds_of(r)).list_roles()


def test_assume_role_with_mfa(make_user, make_role):
    _, user_arn, creds = make_user(ASSUME_ALL)
    _, arn, _ = make_role(
        trust(user_arn, condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
        policy({"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
    )
    sts = client("sts", creds)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=arn, RoleSessionName="nomfa")
    assert error(e)[0] == "AccessDenied"
    r = sts.assume_role(RoleArn=arn, RoleSessionName="mfa", SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/dev", TokenCode="123456")
    client("iam", *creds_of(r)).list_roles()


def test_session_policies_limit_the_role(make_user, make_role, iam):
    _, user_arn, creds = make_user(ASSUME_ALL)
    _, arn, _ = make_role(trust(user_arn), policy({"Effect": "Allow", "Action": ["iam:ListRoles", "iam:ListUsers"], "Resource": "*"}))
    r = client("sts", creds).assume_role(RoleArn=arn, RoleSessionName="narrow", Policy=policy({"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}))
    iam_s = client("iam", *creds_of(r))
    iam_s.list_roles()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam_s.list_users()
    assert error(e)[1].endswith("because no session policy allows the iam:ListUsers action")
    # A managed session policy.
    parn = iam.create_policy(PolicyName=unique("sp"), PolicyDocument=policy({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}))["Policy"]["Arn"]
    r = client("sts", creds).assume_role(RoleArn=arn, RoleSessionName="managed", PolicyArns=[{"arn": parn}])
    client("iam", *creds_of(r)).list_users()
    # A malformed or oversized session policy.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts", creds).assume_role(RoleArn=arn, RoleSessionName="bad", Policy='{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3GetObject","Resource":"*"}}')
    assert error(e) == ("MalformedPolicyDocument", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", 400)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts", creds).assume_role(RoleArn=arn, RoleSessionName="big", Policy=policy({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::" + "x" * 2100}))
    assert error(e) == ("PackedPolicyTooLarge", "The inline session policy exceeds 2048 characters.", 400)


def test_duration_and_input_rules(make_user, make_role):
    _, user_arn, creds = make_user(ASSUME_ALL)
    _, arn, _ = make_role(trust(user_arn), max_session=7200)
    sts = unvalidated("sts", creds)
    now = datetime.datetime.now(datetime.timezone.utc)
    r = sts.assume_role(RoleArn=arn, RoleSessionName="dd", DurationSeconds=7200)
    assert abs((r["Credentials"]["Expiration"] - now).total_seconds() - 7200) < 10
    r = sts.assume_role(RoleArn=arn, RoleSessionName="dd")
    assert abs((r["Credentials"]["Expiration"] - now).total_seconds() - 3600) < 10
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=arn, RoleSessionName="dd", DurationSeconds=7201)
    assert error(e) == ("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", 400)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=arn, RoleSessionName="dd", DurationSeconds=899)
    assert error(e) == (
        "ValidationError",
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
        400,
    )
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=arn, RoleSessionName="bad name!")
    assert error(e) == (
        "ValidationError",
        "1 validation error detected: Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        400,
    )
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts").assume_role(RoleArn=arn, RoleSessionName="root")
    assert error(e) == ("AccessDenied", "Roles may not be assumed by root accounts.", 403)
