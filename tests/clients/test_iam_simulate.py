"""The policy simulator through boto3: SimulatePrincipalPolicy and SimulateCustomPolicy decided by the
engine (decisions, matched statements with positions, context entries, boundaries, resource policies),
and GetContextKeysFor{Principal,Custom}Policy."""
import json

from conftest import ACCOUNT, client, policy, unique
from test_iam_support import allow, arn, deny, fails, implicit, make_group, make_policy  # noqa: F401


def decisions(results):
    return [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"]) for r in results["EvaluationResults"]]


def test_simulate_principal_policy(iam, make_user, make_group, make_policy):
    read = allow("s3:GetObject", resource="arn:aws:s3:::bucket/*")
    text = policy(read, deny("s3:DeleteObject"))
    user, user_arn, _ = make_user(text)
    group = make_group(policy(allow("s3:PutObject")))
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=make_policy(allow("s3:ListBucket")))
    r = iam.simulate_principal_policy(
        PolicySourceArn=user_arn,
        ActionNames=["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:CreateBucket"],
        ResourceArns=["arn:aws:s3:::bucket/key"],
    )
    assert decisions(r) == [
        ("s3:GetObject", "arn:aws:s3:::bucket/key", "allowed"),
        ("s3:PutObject", "arn:aws:s3:::bucket/key", "allowed"),
        ("s3:DeleteObject", "arn:aws:s3:::bucket/key", "explicitDeny"),
        ("s3:CreateBucket", "arn:aws:s3:::bucket/key", "implicitDeny"),
    ]
    get, put, delete, create = r["EvaluationResults"]
    start = text.index(json.dumps(read)) + 1  # 1-based columns of the statement's braces
    end = start + len(json.dumps(read)) - 1
    assert get["MatchedStatements"] == [
        {"SourcePolicyId": "p0", "SourcePolicyType": "user", "StartPosition": {"Line": 1, "Column": start}, "EndPosition": {"Line": 1, "Column": end}}
    ]
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in put["MatchedStatements"]] == [("g0", "group")]
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in delete["MatchedStatements"]] == [("p0", "user")]
    assert create["MatchedStatements"] == []
    assert get["ResourceSpecificResults"][0]["EvalResourceName"] == "arn:aws:s3:::bucket/key"
    assert get["ResourceSpecificResults"][0]["EvalResourceDecision"] == "allowed"
    assert get["EvalDecisionDetails"] == {}  # same account, with a resource: present and empty
    listing = iam.simulate_principal_policy(PolicySourceArn=user_arn, ActionNames=["s3:ListBucket"])["EvaluationResults"][0]
    assert listing["EvalResourceName"] == "*" and listing["EvalDecision"] == "allowed"
    assert listing["MatchedStatements"][0]["SourcePolicyType"] == "user-managed" and "EvalDecisionDetails" not in listing
    # Groups and roles are sources too.
    assert decisions(iam.simulate_principal_policy(PolicySourceArn=arn("group", group), ActionNames=["s3:PutObject", "s3:GetObject"])) == [
        ("s3:PutObject", "*", "allowed"),
        ("s3:GetObject", "*", "implicitDeny"),
    ]


def test_simulate_context_entries_and_missing_keys(make_user):
    statement = allow("ec2:StartInstances", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "StringEquals": {"aws:PrincipalTag/team": "ml"}})
    _, user_arn, _ = make_user(policy(statement, allow("s3:GetObject", Condition={"Bool": {"aws:SecureTransport": "true"}})))
    iam = client("iam")
    base = {"PolicySourceArn": user_arn, "ActionNames": ["ec2:StartInstances"]}
    r = iam.simulate_principal_policy(**base)["EvaluationResults"][0]
    assert r["EvalDecision"] == "implicitDeny" and sorted(r["MissingContextValues"]) == ["aws:PrincipalTag/team", "aws:SourceIp"]
    entries = [
        {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"], "ContextKeyType": "ip"},
        {"ContextKeyName": "aws:PrincipalTag/team", "ContextKeyValues": ["ml"], "ContextKeyType": "string"},
    ]
    r = iam.simulate_principal_policy(**base, ContextEntries=entries)["EvaluationResults"][0]
    assert r["EvalDecision"] == "allowed" and r["MissingContextValues"] == []
    entries[0]["ContextKeyValues"] = ["192.168.0.1"]
    assert iam.simulate_principal_policy(**base, ContextEntries=entries)["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


def test_simulate_with_boundary(iam, make_user, make_policy):
    name, user_arn, _ = make_user(policy(allow("s3:*", "iam:ListUsers")))
    actions = ["s3:GetObject", "iam:ListUsers"]
    # A boundary given as input.
    r = iam.simulate_principal_policy(PolicySourceArn=user_arn, ActionNames=actions, PermissionsBoundaryPolicyInputList=[policy(allow("s3:GetObject"))])
    assert decisions(r) == [("s3:GetObject", "*", "allowed"), ("iam:ListUsers", "*", "implicitDeny")]
    assert [x["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"] for x in r["EvaluationResults"]] == [True, False]
    # The user's own boundary.
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=make_policy(allow("iam:ListUsers")))
    r = iam.simulate_principal_policy(PolicySourceArn=user_arn, ActionNames=actions)
    assert decisions(r) == [("s3:GetObject", "*", "implicitDeny"), ("iam:ListUsers", "*", "allowed")]
    # An input boundary replaces the entity's.
    r = iam.simulate_principal_policy(PolicySourceArn=user_arn, ActionNames=actions, PermissionsBoundaryPolicyInputList=[policy(allow("*"))])
    assert decisions(r) == [("s3:GetObject", "*", "allowed"), ("iam:ListUsers", "*", "allowed")]


def test_simulate_custom_policy(iam):
    inputs = [policy(allow("sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob")), policy(deny("sagemaker:CreateTrainingJob", Condition={"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}))]
    job = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:training-job/j1"
    region = [{"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": ["eu-west-1"], "ContextKeyType": "string"}]
    r = iam.simulate_custom_policy(PolicyInputList=inputs, ActionNames=["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob"], ResourceArns=[job], ContextEntries=region)
    assert decisions(r) == [("sagemaker:CreateTrainingJob", job, "explicitDeny"), ("sagemaker:DescribeTrainingJob", job, "allowed")]
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in r["EvaluationResults"][0]["MatchedStatements"]] == [("PolicyInputList.2", "none")]
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in r["EvaluationResults"][1]["MatchedStatements"]] == [("PolicyInputList.1", "none")]
    # Pagination of the results.
    page = iam.simulate_custom_policy(PolicyInputList=inputs, ActionNames=["s3:GetObject", "s3:PutObject", "s3:ListBucket"], MaxItems=2)
    assert len(page["EvaluationResults"]) == 2 and page["IsTruncated"] is True
    rest = iam.simulate_custom_policy(PolicyInputList=inputs, ActionNames=["s3:GetObject", "s3:PutObject", "s3:ListBucket"], MaxItems=2, Marker=page["Marker"])
    assert [x["EvalActionName"] for x in rest["EvaluationResults"]] == ["s3:ListBucket"] and rest["IsTruncated"] is False


def test_simulate_with_resource_policy(iam):
    bucket = "arn:aws:s3:::shared-bucket/key"
    caller = arn("user", "alice")
    grants = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "s3:GetObject", "Resource": bucket}]})
    identity = [policy(allow("s3:GetObject"))]
    # Cross account: both the identity policy and the resource policy must allow.
    r = iam.simulate_custom_policy(PolicyInputList=identity, ActionNames=["s3:GetObject"], ResourceArns=[bucket], ResourcePolicy=grants, ResourceOwner="arn:aws:iam::999988887777:root", CallerArn=caller)
    result = r["EvaluationResults"][0]
    assert result["EvalDecision"] == "allowed"
    assert result["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}
    assert sorted(m["SourcePolicyType"] for m in result["MatchedStatements"]) == ["none", "resource"]
    nothing = [policy(allow("s3:PutObject"))]
    r = iam.simulate_custom_policy(PolicyInputList=nothing, ActionNames=["s3:GetObject"], ResourceArns=[bucket], ResourcePolicy=grants, ResourceOwner="999988887777", CallerArn=caller)
    assert r["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    assert r["EvaluationResults"][0]["EvalDecisionDetails"] == {"IAM Policy": "implicitDeny", "Resource Policy": "allowed"}
    # Same account: the resource policy naming the caller is enough.
    r = iam.simulate_custom_policy(PolicyInputList=nothing, ActionNames=["s3:GetObject"], ResourceArns=[bucket], ResourcePolicy=grants, ResourceOwner=ACCOUNT, CallerArn=caller)
    assert r["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_simulate_errors(iam, make_user):
    assert fails(iam.simulate_principal_policy, PolicySourceArn=arn("user", "ghost-sim"), ActionNames=["s3:GetObject"]) == (
        "NoSuchEntity",
        "The user with name ghost-sim cannot be found.",
        404,
    )
    code, message, status = fails(iam.simulate_custom_policy, PolicyInputList=["{not json"], ActionNames=["s3:GetObject"])
    assert (code, status) == ("InvalidInput", 400) and message.startswith("The policy PolicyInputList.1 is not a valid policy document")
    assert fails(iam.simulate_custom_policy, PolicyInputList=[policy(allow("s3:*"))], ActionNames=["nocolon"])[0] == "InvalidInput"


def test_simulate_needs_permission(make_user):
    _, me_arn, creds = make_user(policy(allow("iam:SimulatePrincipalPolicy", resource=arn("user", "sim-*"))))
    me = client("iam", creds)
    assert fails(me.simulate_custom_policy, PolicyInputList=[policy(allow("s3:*"))], ActionNames=["s3:GetObject"]) == (
        "AccessDenied",
        implicit(me_arn, "iam:SimulateCustomPolicy", None),
        403,
    )
    assert fails(me.simulate_principal_policy, PolicySourceArn=me_arn, ActionNames=["s3:GetObject"]) == (
        "AccessDenied",
        implicit(me_arn, "iam:SimulatePrincipalPolicy", me_arn),
        403,
    )
    assert fails(me.get_context_keys_for_principal_policy, PolicySourceArn=me_arn) == (
        "AccessDenied",
        implicit(me_arn, "iam:GetContextKeysForPrincipalPolicy", me_arn),
        403,
    )


def test_context_keys(iam, make_user, make_group):
    user, user_arn, _ = make_user(policy(allow("s3:GetObject", Condition={"StringEquals": {"aws:PrincipalTag/team": "ml", "s3:prefix": "home/"}})))
    group = make_group(policy(allow("ec2:*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "StringLike": {"aws:principaltag/TEAM": "*"}})))
    iam.add_user_to_group(GroupName=group, UserName=user)
    keys = iam.get_context_keys_for_principal_policy(PolicySourceArn=user_arn)["ContextKeyNames"]
    assert keys == ["aws:PrincipalTag/team", "s3:prefix", "aws:SourceIp"]  # one spelling per key, case ignored
    extra = policy(allow("s3:*", Condition={"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}))
    keys = iam.get_context_keys_for_principal_policy(PolicySourceArn=user_arn, PolicyInputList=[extra])["ContextKeyNames"]
    assert keys[-1] == "aws:CurrentTime"
    assert iam.get_context_keys_for_custom_policy(PolicyInputList=[extra, policy(allow("s3:*"))])["ContextKeyNames"] == ["aws:CurrentTime"]
    assert iam.get_context_keys_for_principal_policy(PolicySourceArn=arn("group", group))["ContextKeyNames"] == ["aws:SourceIp", "aws:principaltag/TEAM"]
