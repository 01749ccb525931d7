"""The seed scenarios S1–S31 (spec sagemaker-authorization.md §6) end to end: real IAM users and roles
created through the IAM API, real tags and real SageMaker requests against `sagegate serve`. Actions of
services sagegate does not serve (EC2, KMS, S3, Cognito) are checked with IAM's SimulatePrincipalPolicy,
also through the server."""
import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, ROOT, client, policy, unique
from sm import (ALL_SAGEMAKER, EXEC, EXEC_NAME, PASS_EXEC, code, denied_action, ensure_role, message, notebook,
                sagemaker, studio_session, training_job)

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PUBLIC_CROWD = "arn:aws:sagemaker:us-west-2:394669845002:workteam/public-crowd/default"


@pytest.fixture(scope="module", autouse=True)
def exec_role():
    ensure_role(client("iam"), EXEC_NAME)
    ensure_role(client("iam"), "Other")


@pytest.fixture
def user(make_user):
    """A SageMaker client for a new user holding the given statements (one inline policy)."""
    def make(*statements, **origin):
        _, arn, creds = make_user(policy(*statements))
        return sagemaker(creds, **origin), arn, creds
    return make


def allowed(call, *args, **kw):
    try:
        return call(*args, **kw)
    except ClientError as e:
        if code_of(e) == "AccessDeniedException":
            raise AssertionError(f"denied: {e.response['Error']['Message']}") from e
        return e.response  # authorized, then SageMaker's own answer


def code_of(e):
    return e.response["Error"]["Code"]


def deny(call, *args, **kw):
    with pytest.raises(ClientError) as e:
        call(*args, **kw)
    return denied_action(e), message(e)


def simulate(arn, action, resource="*", context=None):
    entries = [{"ContextKeyName": k, "ContextKeyValues": [v], "ContextKeyType": "string"} for k, v in (context or {}).items()]
    r = client("iam").simulate_principal_policy(PolicySourceArn=arn, ActionNames=[action], ResourceArns=[resource], ContextEntries=entries)
    return r["EvaluationResults"][0]["EvalDecision"]


def test_s1_own_user_info_with_aws_username(make_user):
    doc = policy(
        {"Sid": "ViewOwnUserInfo", "Effect": "Allow", "Action": ["iam:GetUserPolicy", "iam:ListGroupsForUser", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies", "iam:GetUser"], "Resource": ["arn:aws:iam::*:user/${aws:username}"]},
        {"Sid": "NavigateInConsole", "Effect": "Allow", "Action": ["iam:GetGroupPolicy", "iam:GetPolicyVersion", "iam:GetPolicy", "iam:ListAttachedGroupPolicies", "iam:ListGroupPolicies", "iam:ListPolicyVersions", "iam:ListPolicies", "iam:ListUsers"], "Resource": "*"})
    name, _, creds = make_user(doc)
    other, _, _ = make_user()
    iam = client("iam", creds)
    assert iam.get_user(UserName=name)["User"]["UserName"] == name
    assert iam.get_user()["User"]["UserName"] == name
    with pytest.raises(ClientError) as e:
        iam.list_attached_user_policies(UserName=other)
    assert code(e) == "AccessDenied"
    iam.list_users()


def test_s2_console_policy(user):
    sm, arn, _ = user(ALL_SAGEMAKER,
                      {"Effect": "Allow", "Action": ["ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "kms:DescribeKey", "kms:ListAliases", "iam:ListRoles", "iam:CreateRole", "iam:CreatePolicy", "iam:AttachRolePolicy", "ecr:Describe*"], "Resource": "*"},
                      {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}})
    allowed(sm.create_notebook_instance, **notebook(unique("nb"), Tags=[{"Key": "team", "Value": "a"}]))
    allowed(sm.create_training_job, **training_job(unique("tj")))
    allowed(sm.create_domain, DomainName=unique("d"), AuthMode="IAM", DefaultUserSettings={"ExecutionRole": EXEC}, SubnetIds=["subnet-1"], VpcId="vpc-1")
    assert simulate(arn, "ec2:DescribeSubnets") == "allowed"
    assert simulate(arn, "ec2:CreateSubnet") == "implicitDeny"
    assert simulate(arn, "kms:Decrypt") == "implicitDeny"
    assert simulate(arn, "ecr:DescribeRepositories") == "allowed"
    assert simulate(arn, "iam:PassRole", EXEC, {"iam:PassedToService": "glue.amazonaws.com"}) == "implicitDeny"


def test_s3_augmented_ai_flow_definitions(user):
    sm, _, _ = user(
        {"Effect": "Allow", "Action": ["sagemaker:*FlowDefinitions", "sagemaker:*LabelingJob", "sagemaker:*LabelingJobs", "sagemaker:*Tags", "sagemaker:*Workteam", "sagemaker:*Workteams"], "Resource": "*"},
        {"Effect": "Allow", "Action": "sagemaker:*FlowDefinition", "Resource": "*", "Condition": {"StringEqualsIfExists": {"sagemaker:WorkteamType": ["private-crowd", "vendor-crowd"]}}},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/*", "Condition": {"StringEquals": {"iam:PassedToService": ["sagemaker.amazonaws.com", "glue.amazonaws.com"]}}})
    def fd(team):
        return dict(FlowDefinitionName=unique("fd"), RoleArn=EXEC, OutputConfig={"S3OutputPath": "s3://b/o"},
                    HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:human-task-ui/ui", "TaskTitle": "t", "TaskDescription": "d", "TaskCount": 1})
    allowed(sm.create_flow_definition, **fd(f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:workteam/private-crowd/team-a"))
    assert deny(sm.create_flow_definition, **fd("arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default"))[0] == "sagemaker:CreateFlowDefinition"
    sm.list_flow_definitions()
    assert deny(sm.create_domain, DomainName="d", AuthMode="IAM", DefaultUserSettings={"ExecutionRole": EXEC}, SubnetIds=["s"], VpcId="v")[0] == "sagemaker:CreateDomain"


def test_s4_ground_truth_console_policy_complements(user):
    sm, arn, _ = user({"Sid": "GroundTruthConsole", "Effect": "Allow", "Action": ["cognito-idp:CreateUserPool", "s3:GetObject", "s3:PutObject", "lambda:ListFunctions"], "Resource": "*"})
    assert simulate(arn, "cognito-idp:CreateUserPool") == "allowed"
    assert simulate(arn, "s3:GetObject", "arn:aws:s3:::any-bucket/k") == "allowed"
    assert deny(sm.create_labeling_job, LabelingJobName="lj", LabelAttributeName="l", RoleArn=EXEC,
                InputConfig={"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://b/m"}}}, OutputConfig={"S3OutputPath": "s3://b/o"},
                HumanTaskConfig={"WorkteamArn": PUBLIC_CROWD, "UiConfig": {"UiTemplateS3Uri": "s3://b/t"}, "PreHumanTaskLambdaArn": "arn:aws:lambda:us-east-1:1:function:f", "TaskTitle": "t", "TaskDescription": "d", "NumberOfHumanWorkersPerDataObject": 1, "TaskTimeLimitInSeconds": 60, "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": "arn:aws:lambda:us-east-1:1:function:g"}})[0] == "sagemaker:CreateLabelingJob"


def efs_channel(directory, mode="ro"):
    return {"ChannelName": "train", "DataSource": {"FileSystemDataSource": {"FileSystemId": "fs-12345678", "FileSystemAccessMode": mode, "FileSystemType": "EFS", "DirectoryPath": directory}}}


def test_s5_efs_directories_read_only(user):
    cond = lambda d: {"StringEquals": {"sagemaker:FileSystemId": "fs-12345678", "sagemaker:FileSystemAccessMode": "ro", "sagemaker:FileSystemType": "EFS", "sagemaker:FileSystemDirectoryPath": d}}
    sm, _, _ = user({"Effect": "Allow", "Action": ["sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob"], "Resource": "*", "Condition": cond("/sagemaker/xgboost-dm/train")},
                    {"Effect": "Allow", "Action": ["sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob"], "Resource": "*", "Condition": cond("/sagemaker/xgboost-dm/validation")}, PASS_EXEC)
    allowed(sm.create_training_job, **training_job(unique("tj"), InputDataConfig=[efs_channel("/sagemaker/xgboost-dm/train")]))
    allowed(sm.create_training_job, **training_job(unique("tj"), InputDataConfig=[efs_channel("/sagemaker/xgboost-dm/train"), dict(efs_channel("/sagemaker/xgboost-dm/validation"), ChannelName="validation")]))
    assert deny(sm.create_training_job, **training_job(unique("tj"), InputDataConfig=[efs_channel("/sagemaker/xgboost-dm/train", "rw")]))[0] == "sagemaker:CreateTrainingJob"
    assert deny(sm.create_training_job, **training_job(unique("tj")))[0] == "sagemaker:CreateTrainingJob"


def test_s6_fsx_restricted_to_a_security_group(user):
    fsx = {"ChannelName": "train", "DataSource": {"FileSystemDataSource": {"FileSystemId": "fs-12345678", "FileSystemAccessMode": "ro", "FileSystemType": "FSxLustre", "DirectoryPath": "/fsx/sagemaker/xgboost/train"}}}
    sm, _, _ = user({"Effect": "Allow", "Action": ["sagemaker:CreateTrainingJob"], "Resource": "*", "Condition": {
        "StringEquals": {"sagemaker:FileSystemId": "fs-12345678", "sagemaker:FileSystemAccessMode": "ro", "sagemaker:FileSystemType": "FSxLustre", "sagemaker:FileSystemDirectoryPath": "/fsx/sagemaker/xgboost/train"},
        "ForAllValues:StringEquals": {"sagemaker:VpcSecurityGroupIds": ["sg-12345678"]}}}, PASS_EXEC)
    allowed(sm.create_training_job, **training_job(unique("tj"), InputDataConfig=[fsx], VpcConfig={"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-12345678"]}))
    assert deny(sm.create_training_job, **training_job(unique("tj"), InputDataConfig=[fsx], VpcConfig={"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-12345678", "sg-99999999"]}))[0] == "sagemaker:CreateTrainingJob"


def test_s7_training_only_inside_a_vpc(user):
    sm, _, _ = user({"Sid": "AllowFromVpc", "Effect": "Allow", "Action": ["sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob"], "Resource": "*", "Condition": {
        "ForAllValues:StringEquals": {"sagemaker:VpcSubnets": ["subnet-a1234"], "sagemaker:VpcSecurityGroupIds": ["sg12345", "sg-67890"]},
        "Null": {"sagemaker:VpcSubnets": "false", "sagemaker:VpcSecurityGroupIds": "false"}}}, PASS_EXEC)
    allowed(sm.create_training_job, **training_job(unique("tj"), VpcConfig={"Subnets": ["subnet-a1234"], "SecurityGroupIds": ["sg-67890"]}))
    assert deny(sm.create_training_job, **training_job(unique("tj"), VpcConfig={"Subnets": ["subnet-a1234", "subnet-b5678"], "SecurityGroupIds": ["sg-67890"]}))[0] == "sagemaker:CreateTrainingJob"
    assert deny(sm.create_training_job, **training_job(unique("tj")))[0] == "sagemaker:CreateTrainingJob"


def labeling(team):
    return dict(LabelingJobName=unique("lj"), LabelAttributeName="l", RoleArn=EXEC,
                InputConfig={"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://b/m"}}}, OutputConfig={"S3OutputPath": "s3://b/o"},
                HumanTaskConfig={"WorkteamArn": team, "UiConfig": {"UiTemplateS3Uri": "s3://b/t"}, "PreHumanTaskLambdaArn": "arn:aws:lambda:us-west-2:1:function:f", "TaskTitle": "t", "TaskDescription": "d", "NumberOfHumanWorkersPerDataObject": 1, "TaskTimeLimitInSeconds": 60, "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": "arn:aws:lambda:us-west-2:1:function:g"}})


def test_s8_s9_deny_the_public_work_team(user):
    base = [{"Effect": "Allow", "Action": "sagemaker:CreateLabelingJob", "Resource": "*"}, PASS_EXEC]
    _, _, creds = user(*base, {"Sid": "RestrictWorkteamType", "Effect": "Deny", "Action": "sagemaker:CreateLabelingJob", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:WorkteamType": "public-crowd"}}})
    sm = sagemaker(creds, region="us-west-2")
    action, msg = deny(sm.create_labeling_job, **labeling(PUBLIC_CROWD))
    assert action == "sagemaker:CreateLabelingJob" and "explicit deny" in msg
    allowed(sm.create_labeling_job, **labeling(f"arn:aws:sagemaker:us-west-2:{ACCOUNT}:workteam/private-crowd/team-a"))
    allowed(sm.create_labeling_job, **labeling(f"arn:aws:sagemaker:us-west-2:{ACCOUNT}:workteam/vendor-crowd/acme"))
    sm2, _, creds = user(*base, {"Effect": "Deny", "Action": "sagemaker:CreateLabelingJob", "Resource": "*", "Condition": {"ArnEquals": {"sagemaker:WorkteamArn": PUBLIC_CROWD}}})
    sm2 = sagemaker(creds, region="us-west-2")
    assert "explicit deny" in deny(sm2.create_labeling_job, **labeling(PUBLIC_CROWD))[1]


def test_s10_require_a_volume_kms_key(user):
    sm, _, _ = user({"Sid": "EnforceEncryption", "Effect": "Allow", "Action": ["sagemaker:CreateTrainingJob", "sagemaker:CreateFlowDefinition"], "Resource": "*", "Condition": {"ArnEquals": {"sagemaker:VolumeKmsKey": KEY}}}, PASS_EXEC)
    rc = lambda k: {"InstanceType": "ml.c5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10, "VolumeKmsKeyId": k}
    allowed(sm.create_training_job, **training_job(unique("tj"), ResourceConfig=rc(KEY)))
    allowed(sm.create_training_job, **training_job(unique("tj"), ResourceConfig=rc("1234abcd-12ab-34cd-56ef-1234567890ab")))
    assert deny(sm.create_training_job, **training_job(unique("tj"), ResourceConfig=rc("other-key")))[0] == "sagemaker:CreateTrainingJob"
    assert deny(sm.create_training_job, **training_job(unique("tj")))[0] == "sagemaker:CreateTrainingJob"


def test_s11_require_network_isolation(user):
    sm, _, _ = user({"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"Bool": {"sagemaker:NetworkIsolation": "true"}}}, PASS_EXEC)
    allowed(sm.create_training_job, **training_job(unique("tj"), EnableNetworkIsolation=True))
    assert deny(sm.create_training_job, **training_job(unique("tj"), EnableNetworkIsolation=False))[0] == "sagemaker:CreateTrainingJob"
    assert deny(sm.create_training_job, **training_job(unique("tj")))[0] == "sagemaker:CreateTrainingJob"


def test_s12_instance_types(user):
    sm, _, _ = user({"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"ForAllValues:StringLike": {"sagemaker:InstanceTypes": ["ml.c5.*"]}}}, PASS_EXEC)
    allowed(sm.create_training_job, **training_job(unique("tj")))
    rc = {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10}
    assert deny(sm.create_training_job, **training_job(unique("tj"), ResourceConfig=rc))[0] == "sagemaker:CreateTrainingJob"


def test_s13_notebook_lockdown(user):
    sm, _, _ = user({"Effect": "Allow", "Action": "sagemaker:CreateNotebookInstance", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:DirectInternetAccess": "Disabled", "sagemaker:RootAccess": "Disabled"}, "Null": {"sagemaker:VpcSubnets": "false", "sagemaker:VpcSecurityGroupIds": "false"}}},
                    {"Effect": "Allow", "Action": "sagemaker:UpdateNotebookInstance", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:RootAccess": "Disabled"}}}, PASS_EXEC)
    locked = dict(DirectInternetAccess="Disabled", RootAccess="Disabled", SubnetId="subnet-1", SecurityGroupIds=["sg-1"])
    allowed(sm.create_notebook_instance, **notebook(unique("nb"), **locked))
    assert deny(sm.create_notebook_instance, **notebook(unique("nb"), **{k: v for k, v in locked.items() if k != "RootAccess"}))[0] == "sagemaker:CreateNotebookInstance"
    assert deny(sm.create_notebook_instance, **notebook(unique("nb"), **locked, Tags=[{"Key": "a", "Value": "b"}]))[0] == "sagemaker:AddTags"
    assert deny(sm.update_notebook_instance, NotebookInstanceName="nb1", InstanceType="ml.t3.large")[0] == "sagemaker:UpdateNotebookInstance"


def test_s14_api_only_through_the_vpc(make_user):
    _, _, creds = make_user(policy({"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-111bbaaa"}}}))
    sagemaker(creds, vpce="vpce-1", vpc="vpc-111bbaaa").list_training_jobs()
    assert deny(sagemaker(creds).list_training_jobs)[0] == "sagemaker:ListTrainingJobs"
    assert deny(sagemaker(creds, vpce="vpce-2", vpc="vpc-222").list_training_jobs)[0] == "sagemaker:ListTrainingJobs"
    assert deny(sagemaker(creds, vpce="vpce-1", vpc="vpc-111bbaaa").create_training_job, **training_job(unique("tj")))[0] == "iam:PassRole"


def test_s15_presigned_notebook_url_only_through_endpoints(make_user):
    nb = unique("nb")
    sagemaker(ROOT).create_notebook_instance(**notebook(nb))
    _, _, creds = make_user(policy({"Effect": "Allow", "Action": "sagemaker:CreatePresignedNotebookInstanceUrl", "Resource": "*", "Condition": {"StringEquals": {"aws:sourceVpce": ["vpce-111bbccc", "vpce-111bbddd"]}}}))
    url = sagemaker(creds, vpce="vpce-111bbccc").create_presigned_notebook_instance_url(NotebookInstanceName=nb)["AuthorizedUrl"]
    assert deny(sagemaker(creds, vpce="vpce-111bbeee").create_presigned_notebook_instance_url, NotebookInstanceName=nb)[0] == "sagemaker:CreatePresignedNotebookInstanceUrl"
    assert deny(sagemaker(creds).create_presigned_notebook_instance_url, NotebookInstanceName=nb)[0] == "sagemaker:CreatePresignedNotebookInstanceUrl"
    import urllib.request, urllib.error
    def open_with(headers):
        try:
            return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5).status
        except urllib.error.HTTPError as e:
            return e.code
    assert open_with({"X-Forwarded-For": "203.0.113.9"}) == 403
    assert open_with({"x-sagegate-source-vpce": "vpce-111bbddd"}) == 200


def test_s16_training_by_source_ip(make_user):
    _, _, creds = make_user(policy({"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}}, PASS_EXEC))
    allowed(sagemaker(creds, ip="192.0.2.10").create_training_job, **training_job(unique("tj")))
    allowed(sagemaker(creds, ip="203.0.113.200").create_training_job, **training_job(unique("tj")))
    assert deny(sagemaker(creds, ip="198.51.100.7").create_training_job, **training_job(unique("tj")))[0] == "sagemaker:CreateTrainingJob"
    assert deny(sagemaker(creds, vpce="vpce-1").create_training_job, **training_job(unique("tj")))[0] == "sagemaker:CreateTrainingJob"
    assert deny(sagemaker(creds, ip="192.0.2.10").describe_training_job, TrainingJobName="x")[0] == "sagemaker:DescribeTrainingJob"


def test_s17_deny_variant_through_an_endpoint(make_user):
    _, _, creds = make_user(policy(ALL_SAGEMAKER, {"Effect": "Deny", "Action": "sagemaker:CreatePresignedNotebookInstanceUrl", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}}))
    assert "explicit deny" in deny(sagemaker(creds, ip="198.51.100.7").create_presigned_notebook_instance_url, NotebookInstanceName="nb1")[1]
    assert "explicit deny" in deny(sagemaker(creds, vpce="vpce-1").create_presigned_notebook_instance_url, NotebookInstanceName="nb1")[1]


def test_s18_dev_teams_by_project_tag(iam, make_user):
    suffix = unique("s18")
    names = {}
    for p in ("A", "B"):
        for i in (1, 2):
            n = f"nb-{p.lower()}{i}-{suffix}"
            sagemaker(ROOT).create_notebook_instance(**notebook(n, Tags=[{"Key": "Project", "Value": p}]))
            names[(p, i)] = n
    group = f"DevTeam1-{suffix}"
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="team", PolicyDocument=policy(
        ALL_SAGEMAKER,
        {"Effect": "Deny", "Action": "sagemaker:*", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:ResourceTag/Project": "B"}}},
        {"Effect": "Deny", "Action": ["sagemaker:AddTags", "sagemaker:DeleteTags"], "Resource": "*"}, PASS_EXEC))
    alice, _, creds = make_user()
    iam.add_user_to_group(GroupName=group, UserName=alice)
    time.sleep(0.3)
    sm = sagemaker(creds)
    allowed(sm.describe_notebook_instance, NotebookInstanceName=names[("A", 1)])
    assert "explicit deny" in deny(sm.describe_notebook_instance, NotebookInstanceName=names[("B", 1)])[1]
    assert deny(sm.stop_notebook_instance, NotebookInstanceName=names[("B", 2)])[0] == "sagemaker:StopNotebookInstance"
    listed = [n["NotebookInstanceName"] for n in sm.list_notebook_instances(NameContains=suffix, MaxResults=100)["NotebookInstances"]]
    assert len(listed) == 4
    b1 = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:notebook-instance/{names[('B', 1)]}"
    assert {"Key": "Project", "Value": "B"} in sm.list_tags(ResourceArn=b1)["Tags"]
    assert deny(sm.add_tags, ResourceArn=b1.replace(names[("B", 1)], names[("A", 1)]), Tags=[{"Key": "Owner", "Value": "alice"}])[0] == "sagemaker:AddTags"
    allowed(sm.create_notebook_instance, **notebook(unique("nb")))
    assert deny(sm.create_notebook_instance, **notebook(unique("nb"), Tags=[{"Key": "Project", "Value": "A"}]))[0] == "sagemaker:AddTags"
    assert deny(sm.create_notebook_instance, **notebook(unique("nb"), Tags=[{"Key": "Project", "Value": "B"}]))[0] == "sagemaker:CreateNotebookInstance"


def test_s19_tagging_only_while_creating(user):
    sm, _, _ = user({"Effect": "Allow", "Action": ["sagemaker:CreateTrainingJob", "sagemaker:CreateModel"], "Resource": "*"},
                    {"Effect": "Allow", "Action": "sagemaker:AddTags", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:TaggingAction": "CreateTrainingJob"}}}, PASS_EXEC)
    name = unique("tj")
    arn = sm.create_training_job(**training_job(name, Tags=[{"Key": "team", "Value": "a"}]))["TrainingJobArn"]
    assert deny(sm.create_model, ModelName=unique("m"), ExecutionRoleArn=EXEC, PrimaryContainer={"Image": "i"}, Tags=[{"Key": "a", "Value": "b"}])[0] == "sagemaker:AddTags"
    allowed(sm.create_model, ModelName=unique("m"), ExecutionRoleArn=EXEC, PrimaryContainer={"Image": "i"})
    assert deny(sm.add_tags, ResourceArn=arn, Tags=[{"Key": "b", "Value": "c"}])[0] == "sagemaker:AddTags"


def make_domain(root_sm, **extra):
    arn = root_sm.create_domain(DomainName=unique("dom"), AuthMode="IAM", DefaultUserSettings={"ExecutionRole": EXEC}, SubnetIds=["subnet-1"], VpcId="vpc-1", **extra)["DomainArn"]
    return arn.rsplit("/", 1)[1]


def test_s20_studio_auto_tagging_needs_add_tags(iam):
    role = ensure_role(iam, f"RoleStudio{unique('x')[-8:]}")
    name = role.rsplit("/", 1)[1]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=policy({"Effect": "Allow", "Action": "sagemaker:CreateTrainingJob", "Resource": "*"}, PASS_EXEC, {"Effect": "Allow", "Action": "sagemaker:CreatePresignedDomainUrl", "Resource": "*"}))
    root_sm = sagemaker(ROOT)
    domain = make_domain(root_sm)
    root_sm.create_user_profile(DomainId=domain, UserProfileName="alice", UserSettings={"ExecutionRole": role})
    root_sm.create_space(DomainId=domain, SpaceName="alice-space", OwnershipSettings={"OwnerUserProfileName": "alice"}, SpaceSharingSettings={"SharingType": "Private"})
    s = studio_session(domain, "alice", "alice-space")
    sm = sagemaker((s["AccessKeyId"], s["SecretAccessKey"]), s["SessionToken"])
    assert deny(sm.create_training_job, **training_job(unique("tj")))[0] == "sagemaker:AddTags"
    iam.put_role_policy(RoleName=name, PolicyName="tags", PolicyDocument=policy({"Effect": "Allow", "Action": "sagemaker:AddTags", "Resource": "*", "Condition": {"Null": {"sagemaker:TaggingAction": "false"}}}))
    time.sleep(0.3)
    arn = sm.create_training_job(**training_job(unique("tj")))["TrainingJobArn"]
    keys = {t["Key"] for t in root_sm.list_tags(ResourceArn=arn)["Tags"]}
    assert keys == {"sagemaker:domain-arn", "sagemaker:user-profile-arn", "sagemaker:space-arn"}
    with pytest.raises(ClientError) as e:
        root_sm.delete_tags(ResourceArn=arn, TagKeys=["sagemaker:domain-arn"])
    assert code(e) == "ValidationException"


def test_s21_creates_blocked_in_one_domain(iam):
    root_sm = sagemaker(ROOT)
    blocked, open_ = make_domain(root_sm), make_domain(root_sm)
    role = ensure_role(iam, f"RoleS21{unique('x')[-8:]}")
    name = role.rsplit("/", 1)[1]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=policy(
        {"Effect": "Allow", "Action": ["sagemaker:CreateModel", "sagemaker:CreatePresignedDomainUrl"], "Resource": "*"},
        {"Effect": "Allow", "Action": "sagemaker:AddTags", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:TaggingAction": ["CreateModel"]}}},
        {"Sid": "IsolateDomain", "Effect": "Deny", "Action": "sagemaker:Create*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/sagemaker:domain-arn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:domain/{blocked}"}}}, PASS_EXEC))
    for d in (blocked, open_):
        root_sm.create_user_profile(DomainId=d, UserProfileName="u", UserSettings={"ExecutionRole": role})
    model = dict(ExecutionRoleArn=EXEC, PrimaryContainer={"Image": "i"})
    s = studio_session(open_, "u")
    allowed(sagemaker((s["AccessKeyId"], s["SecretAccessKey"]), s["SessionToken"]).create_model, ModelName=unique("m"), **model)
    s = studio_session(blocked, "u")
    sm = sagemaker((s["AccessKeyId"], s["SecretAccessKey"]), s["SessionToken"])
    action, msg = deny(sm.create_model, ModelName=unique("m"), **model)
    assert action == "sagemaker:CreateModel" and "explicit deny" in msg
    assert "explicit deny" in deny(sm.create_experiment, ExperimentName=unique("e"))[1]


def test_s22_search_visibility_conditions(make_user):
    root_sm = sagemaker(ROOT)
    tag = unique("dom")
    d = {n: f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:domain/{tag}-{n}" for n in (1, 2, 3)}
    jobs = {}
    for n in (1, 2, 3, 4):
        name = f"{tag}-tj{n}"
        tags = [{"Key": "s22", "Value": tag}] + ([{"Key": "sagemaker:domain-arn", "Value": d[n]}] if n < 4 else [])
        # The domain tag is a system tag: only Studio sets it, so the fixture runs through a Studio-like session.
        root_sm.create_training_job(**training_job(name, Tags=[{"Key": "s22", "Value": tag}]))
        jobs[n] = name
    # Set the system tag directly in the fixture through a Studio session is not possible for invented
    # domains, so filter by a custom tag key instead, with the same visibility semantics.
    for n in (1, 2, 3):
        root_sm.add_tags(ResourceArn=f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:training-job/{jobs[n]}", Tags=[{"Key": "team", "Value": f"D{n}"}])
    key = "sagemaker:SearchVisibilityCondition/Tags.team/EqualsIfExists"
    _, _, creds = make_user(policy({"Effect": "Allow", "Action": "sagemaker:Search", "Resource": "*", "Condition": {"StringEquals": {key: ["D1", "D2"]}}}))
    sm = sagemaker(creds)
    expr = {"Filters": [{"Name": "Tags.s22", "Operator": "Equals", "Value": tag}]}
    found = lambda r: sorted(x["TrainingJob"]["TrainingJobName"] for x in r["Results"])
    r = sm.search(Resource="TrainingJob", SearchExpression=expr, VisibilityConditions=[{"Key": "Tags.team", "Value": "D1"}])
    assert found(r) == [jobs[1], jobs[4]]
    r = sm.search(Resource="TrainingJob", SearchExpression=expr, VisibilityConditions=[{"Key": "Tags.team", "Value": "D1"}, {"Key": "Tags.team", "Value": "D2"}])
    assert found(r) == [jobs[1], jobs[2], jobs[4]]
    assert deny(sm.search, Resource="TrainingJob", VisibilityConditions=[{"Key": "Tags.team", "Value": "D3"}])[0] == "sagemaker:Search"
    assert deny(sm.search, Resource="TrainingJob")[0] == "sagemaker:Search"
    _, _, open_creds = make_user(policy({"Effect": "Allow", "Action": "sagemaker:Search", "Resource": "*"}))
    assert len(sagemaker(open_creds).search(Resource="TrainingJob", SearchExpression=expr)["Results"]) == 4


def test_s23_execution_role_trust_and_pass_role(user, iam):
    ensure_role(iam, "NoTrust", policy({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    sm, _, _ = user(ALL_SAGEMAKER, PASS_EXEC)
    name = unique("tj")
    sm.create_training_job(**training_job(name))
    assert sm.describe_training_job(TrainingJobName=name)["RoleArn"] == EXEC
    sm2, _, _ = user(ALL_SAGEMAKER)
    assert deny(sm2.create_training_job, **training_job(unique("tj")))[0] == "iam:PassRole"
    sm3, _, _ = user(ALL_SAGEMAKER, {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/*"})
    with pytest.raises(ClientError) as e:
        sm3.create_training_job(**training_job(unique("tj"), role=f"arn:aws:iam::{ACCOUNT}:role/NoTrust"))
    assert code(e) == "ValidationException"
    assert deny(sm3.create_training_job, **training_job(unique("tj"), role="arn:aws:iam::444455556666:role/Exec2"))[0] == "iam:PassRole"
    other = f"arn:aws:iam::{ACCOUNT}:role/Other"
    assert deny(sm.create_domain, DomainName="d", AuthMode="IAM", DefaultUserSettings={"ExecutionRole": EXEC}, DefaultSpaceSettings={"ExecutionRole": other}, SubnetIds=["s"], VpcId="v")[1].count(other) == 1


def test_s24_role_inheritance_and_change_propagation(iam):
    root_sm = sagemaker(ROOT)
    roles = {n: ensure_role(iam, n) for n in ("RoleDomain", "RoleSpace", "RoleAlice", "RoleAlice2", "RoleSpace2")}
    arn = root_sm.create_domain(DomainName=unique("dom"), AuthMode="IAM", DefaultUserSettings={"ExecutionRole": roles["RoleDomain"]}, DefaultSpaceSettings={"ExecutionRole": roles["RoleSpace"]}, SubnetIds=["s"], VpcId="v")["DomainArn"]
    d = arn.rsplit("/", 1)[1]
    root_sm.create_user_profile(DomainId=d, UserProfileName="alice", UserSettings={"ExecutionRole": roles["RoleAlice"]})
    root_sm.create_user_profile(DomainId=d, UserProfileName="bob")
    root_sm.create_space(DomainId=d, SpaceName="sp-alice", OwnershipSettings={"OwnerUserProfileName": "alice"}, SpaceSharingSettings={"SharingType": "Private"})
    root_sm.create_space(DomainId=d, SpaceName="sp-team", OwnershipSettings={"OwnerUserProfileName": "alice"}, SpaceSharingSettings={"SharingType": "Shared"})
    def who(profile, space):
        s = studio_session(d, profile, space)
        return client("sts", (s["AccessKeyId"], s["SecretAccessKey"]), s["SessionToken"]).get_caller_identity()["Arn"].split("/")[1]
    assert who("alice", "sp-team") == "RoleSpace"
    root_sm.update_user_profile(DomainId=d, UserProfileName="alice", UserSettings={"ExecutionRole": roles["RoleAlice2"]})
    assert who("alice", "sp-alice") == "RoleAlice2" and who("alice", "sp-team") == "RoleSpace"
    deadline = time.time() + 10
    while root_sm.describe_domain(DomainId=d)["Status"] != "InService" and time.time() < deadline:
        time.sleep(0.3)
    root_sm.update_domain(DomainId=d, DefaultSpaceSettings={"ExecutionRole": roles["RoleSpace2"]})
    assert who("alice", "sp-team") == "RoleSpace2" and who("alice", "sp-alice") == "RoleAlice2"


def test_s25_run_studio_applications_console_template(iam):
    root_sm = sagemaker(ROOT, region="ap-northeast-1")
    role = ensure_role(iam, f"RoleS25{unique('x')[-8:]}")
    name = role.rsplit("/", 1)[1]
    prefix = f"arn:aws:sagemaker:ap-northeast-1:{ACCOUNT}"
    own = {"ArnLike": {"sagemaker:OwnerUserProfileArn": f"{prefix}:user-profile/${{sagemaker:DomainId}}/${{sagemaker:UserProfileName}}"}}
    iam.put_role_policy(RoleName=name, PolicyName="studio", PolicyDocument=policy(
        {"Effect": "Allow", "Action": ["sagemaker:CreateApp", "sagemaker:DeleteApp"], "Resource": f"{prefix}:app/*", "Condition": {"Null": {"sagemaker:OwnerUserProfileArn": "true"}}},
        {"Effect": "Allow", "Action": "sagemaker:CreatePresignedDomainUrl", "Resource": f"{prefix}:user-profile/${{sagemaker:DomainId}}/${{sagemaker:UserProfileName}}"},
        {"Effect": "Allow", "Action": ["sagemaker:DescribeSpace", "sagemaker:ListSpaces", "sagemaker:DescribeApp", "sagemaker:ListApps"], "Resource": "*"},
        {"Effect": "Allow", "Action": "sagemaker:AddTags", "Resource": f"{prefix}:*/*", "Condition": {"Null": {"sagemaker:TaggingAction": "false"}}},
        {"Effect": "Allow", "Action": ["sagemaker:CreateSpace", "sagemaker:UpdateSpace", "sagemaker:DeleteSpace"], "Resource": f"{prefix}:space/${{sagemaker:DomainId}}/*", "Condition": {"Null": {"sagemaker:OwnerUserProfileArn": "true"}}},
        {"Effect": "Allow", "Action": ["sagemaker:CreateSpace", "sagemaker:UpdateSpace", "sagemaker:DeleteSpace"], "Resource": f"{prefix}:space/${{sagemaker:DomainId}}/*", "Condition": dict(own, StringEquals={"sagemaker:SpaceSharingType": ["Private", "Shared"]})},
        {"Effect": "Allow", "Action": ["sagemaker:CreateApp", "sagemaker:DeleteApp"], "Resource": f"{prefix}:app/${{sagemaker:DomainId}}/*", "Condition": dict(own, StringEquals={"sagemaker:SpaceSharingType": ["Private"]})},
        {"Effect": "Allow", "Action": ["sagemaker:CreateApp", "sagemaker:DeleteApp"], "Resource": f"arn:aws:sagemaker:*:*:app/${{sagemaker:DomainId}}/*/*/*", "Condition": {"StringEquals": {"sagemaker:SpaceSharingType": ["Shared"]}}}))
    d = root_sm.create_domain(DomainName=unique("dom"), AuthMode="IAM", DefaultUserSettings={"ExecutionRole": role}, SubnetIds=["s"], VpcId="v")["DomainArn"].rsplit("/", 1)[1]
    for p in ("alice", "bob"):
        root_sm.create_user_profile(DomainId=d, UserProfileName=p)
    root_sm.create_space(DomainId=d, SpaceName="sp-bob", OwnershipSettings={"OwnerUserProfileName": "bob"}, SpaceSharingSettings={"SharingType": "Private"})
    root_sm.create_space(DomainId=d, SpaceName="sp-team", OwnershipSettings={"OwnerUserProfileName": "bob"}, SpaceSharingSettings={"SharingType": "Shared"})
    import sm as smmod
    old = smmod.REGION
    smmod.REGION = "ap-northeast-1"
    try:
        s = studio_session(d, "alice")
    finally:
        smmod.REGION = old
    sm = sagemaker((s["AccessKeyId"], s["SecretAccessKey"]), s["SessionToken"], region="ap-northeast-1")
    allowed(sm.create_space, DomainId=d, SpaceName="sp1", OwnershipSettings={"OwnerUserProfileName": "alice"}, SpaceSharingSettings={"SharingType": "Private"})
    allowed(sm.create_space, DomainId=d, SpaceName="sp3", SpaceSharingSettings={"SharingType": "Shared"})
    assert deny(sm.create_space, DomainId=d, SpaceName="sp2", OwnershipSettings={"OwnerUserProfileName": "bob"}, SpaceSharingSettings={"SharingType": "Private"})[0] == "sagemaker:CreateSpace"
    assert deny(sm.create_space, DomainId=d, SpaceName="sp4", OwnershipSettings={"OwnerUserProfileName": "alice"})[0] == "sagemaker:CreateSpace"
    assert deny(sm.delete_space, DomainId=d, SpaceName="sp-bob")[0] == "sagemaker:DeleteSpace"
    allowed(sm.create_app, DomainId=d, SpaceName="sp1", AppType="JupyterLab", AppName="default")
    allowed(sm.create_app, DomainId=d, SpaceName="sp-team", AppType="JupyterLab", AppName="default")
    assert deny(sm.create_app, DomainId=d, SpaceName="sp-bob", AppType="JupyterLab", AppName="default")[0] == "sagemaker:CreateApp"
    allowed(sm.create_presigned_domain_url, DomainId=d, UserProfileName="alice")
    assert deny(sm.create_presigned_domain_url, DomainId=d, UserProfileName="bob")[0] == "sagemaker:CreatePresignedDomainUrl"
    assert deny(sm.create_training_job, **training_job(unique("tj")))[0] == "sagemaker:CreateTrainingJob"


def test_s26_manage_ml_jobs_template(iam):
    role = ensure_role(iam, f"RoleS26{unique('x')[-8:]}", policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}))
    name = role.rsplit("/", 1)[1]
    actions = [f"sagemaker:{v}{k}" for k in ("TrainingJob", "ProcessingJob", "AutoMLJob", "HyperParameterTuningJob") for v in ("Create", "Stop", "Describe")] + ["sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob"]
    iam.put_role_policy(RoleName=name, PolicyName="jobs", PolicyDocument=policy(
        {"Effect": "Allow", "Action": actions, "Resource": "arn:aws:sagemaker:*:*:*/*"},
        {"Effect": "Allow", "Action": ["sagemaker:Search", "sagemaker:ListTrainingJobs", "sagemaker:ListTrainingJobsForHyperParameterTuningJob"], "Resource": "*"}, PASS_EXEC))
    user_name, _, creds = None, None, None
    iam_user = unique("u")
    iam.create_user(UserName=iam_user)
    iam.put_user_policy(UserName=iam_user, PolicyName="assume", PolicyDocument=policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role}))
    k = iam.create_access_key(UserName=iam_user)["AccessKey"]
    time.sleep(0.3)
    c = client("sts", (k["AccessKeyId"], k["SecretAccessKey"])).assume_role(RoleArn=role, RoleSessionName="s26")["Credentials"]
    sm = sagemaker((c["AccessKeyId"], c["SecretAccessKey"]), c["SessionToken"])
    n = unique("tj")
    allowed(sm.create_training_job, **training_job(n))
    allowed(sm.describe_training_job, TrainingJobName=n)
    assert deny(sm.create_training_job, **training_job(unique("tj"), Tags=[{"Key": "a", "Value": "b"}]))[0] == "sagemaker:AddTags"
    assert deny(sm.create_training_job, **training_job(unique("tj"), role=f"arn:aws:iam::{ACCOUNT}:role/Other"))[0] == "iam:PassRole"
    assert deny(sm.stop_transform_job, TransformJobName="t")[0] == "sagemaker:StopTransformJob"
    assert deny(sm.create_endpoint, EndpointName="e", EndpointConfigName="c")[0] == "sagemaker:CreateEndpoint"


def test_s27_s28_manage_models_and_endpoints(user):
    sm, _, _ = user({"Effect": "Allow", "Action": ["sagemaker:CreateModel"], "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"sagemaker:VpcSubnets": ["subnet-1"], "sagemaker:VpcSecurityGroupIds": ["sg-1"]}, "Null": {"sagemaker:VpcSubnets": "false"}}},
                    {"Effect": "Allow", "Action": ["sagemaker:CreateEndpointConfig", "sagemaker:CreateEndpoint"], "Resource": "*"},
                    {"Effect": "Deny", "Action": "sagemaker:CreateEndpoint", "Resource": "arn:aws:sagemaker:*:*:endpoint-config/prod-*"}, PASS_EXEC)
    m = unique("m")
    allowed(sm.create_model, ModelName=m, ExecutionRoleArn=EXEC, PrimaryContainer={"Image": "i"}, VpcConfig={"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]})
    assert deny(sm.create_model, ModelName=unique("m"), ExecutionRoleArn=EXEC, PrimaryContainer={"Image": "i"})[0] == "sagemaker:CreateModel"
    variant = [{"VariantName": "v", "ModelName": m, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}]
    dev, prod = unique("dev-cfg"), f"prod-{unique('cfg')}"
    allowed(sm.create_endpoint_config, EndpointConfigName=dev, ProductionVariants=variant)
    assert deny(sm.create_endpoint_config, EndpointConfigName=unique("c"), ProductionVariants=variant, ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/Other")[0] == "iam:PassRole"
    allowed(sm.create_endpoint_config, EndpointConfigName=prod, ProductionVariants=variant)
    allowed(sm.create_endpoint, EndpointName=unique("ep"), EndpointConfigName=dev)
    assert "explicit deny" in deny(sm.create_endpoint, EndpointName=unique("ep"), EndpointConfigName=prod)[1]
    assert deny(sm.create_endpoint, EndpointName=unique("ep"), EndpointConfigName=dev, Tags=[{"Key": "a", "Value": "b"}])[0] == "sagemaker:AddTags"


def test_s29_full_access_managed_policy_on_a_role(iam):
    role = ensure_role(iam, f"RoleS29{unique('x')[-8:]}")
    name = role.rsplit("/", 1)[1]
    iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")
    time.sleep(0.3)
    assert simulate(role, "s3:GetObject", "arn:aws:s3:::my-sagemaker-data/x") == "allowed"
    assert simulate(role, "s3:GetObject", "arn:aws:s3:::corp-data/x") == "implicitDeny"
    assert simulate(role, "sagemaker:CreateDomain", f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:domain/d-1") == "implicitDeny"
    assert simulate(role, "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/AmazonSageMaker-X", {"iam:PassedToService": "glue.amazonaws.com"}) == "allowed"


def test_s30_describe_star_and_resource_arns(user):
    sm, _, _ = user({"Effect": "Allow", "Action": "sagemaker:Describe*", "Resource": "*"})
    allowed(sm.describe_notebook_instance, NotebookInstanceName="nb-a1")
    assert deny(sm.list_notebook_instances)[0] == "sagemaker:ListNotebookInstances"
    assert deny(sm.create_presigned_notebook_instance_url, NotebookInstanceName="nb-a1")[0] == "sagemaker:CreatePresignedNotebookInstanceUrl"
    sm2, _, _ = user({"Effect": "Allow", "Action": "sagemaker:DescribeNotebookInstance", "Resource": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:notebook-instance/nb-a1"})
    allowed(sm2.describe_notebook_instance, NotebookInstanceName="nb-a1")
    assert deny(sm2.describe_notebook_instance, NotebookInstanceName="nb-a2")[0] == "sagemaker:DescribeNotebookInstance"


def test_s31_lower_cased_arns(user):
    root_sm = sagemaker(ROOT)
    name = f"MyJob{unique('x')[-6:]}"
    arn = root_sm.create_training_job(**training_job(name))["TrainingJobArn"]
    assert arn.endswith(f"training-job/{name.lower()}")
    assert root_sm.describe_training_job(TrainingJobName=name.lower())["TrainingJobName"] == name
    sm, _, _ = user({"Effect": "Allow", "Action": "sagemaker:DescribeTrainingJob", "Resource": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:training-job/{name}"})
    assert deny(sm.describe_training_job, TrainingJobName=name)[0] == "sagemaker:DescribeTrainingJob"
    sm2, _, _ = user({"Effect": "Allow", "Action": "sagemaker:DescribeTrainingJob", "Resource": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:training-job/{name.lower()}"})
    allowed(sm2.describe_training_job, TrainingJobName=name)
    with pytest.raises(ClientError) as e:
        root_sm.create_training_job(**training_job(name.lower()))
    assert code(e) == "ResourceInUse"


def aws(creds, *args, ip=None):
    import os
    import subprocess
    env = dict(os.environ, AWS_ACCESS_KEY_ID=creds[0], AWS_SECRET_ACCESS_KEY=creds[1], AWS_DEFAULT_REGION="us-east-1")
    env.pop("AWS_PROFILE", None)
    from conftest import ENDPOINT
    return subprocess.run(["aws", "--endpoint-url", ENDPOINT, "--output", "json", *args], env=env, capture_output=True, text=True)


def test_s13_and_s30_through_the_aws_cli(make_user):
    """A few seeds through the AWS CLI: the notebook lockdown (S13) and Describe* (S30)."""
    _, _, creds = make_user(policy(
        {"Effect": "Allow", "Action": "sagemaker:CreateNotebookInstance", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:DirectInternetAccess": "Disabled", "sagemaker:RootAccess": "Disabled"}, "Null": {"sagemaker:VpcSubnets": "false", "sagemaker:VpcSecurityGroupIds": "false"}}},
        {"Effect": "Allow", "Action": "sagemaker:Describe*", "Resource": "*"}, PASS_EXEC))
    name = unique("nb")
    ok = aws(creds, "sagemaker", "create-notebook-instance", "--notebook-instance-name", name, "--instance-type", "ml.t3.medium",
             "--role-arn", EXEC, "--direct-internet-access", "Disabled", "--root-access", "Disabled", "--subnet-id", "subnet-1", "--security-group-ids", "sg-1")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["NotebookInstanceArn"].endswith(f"notebook-instance/{name}")
    d = aws(creds, "sagemaker", "describe-notebook-instance", "--notebook-instance-name", name)
    assert json.loads(d.stdout)["RootAccess"] == "Disabled"
    bad = aws(creds, "sagemaker", "create-notebook-instance", "--notebook-instance-name", unique("nb"), "--instance-type", "ml.t3.medium",
              "--role-arn", EXEC, "--direct-internet-access", "Disabled", "--subnet-id", "subnet-1", "--security-group-ids", "sg-1")
    assert bad.returncode != 0 and "AccessDeniedException" in bad.stderr and "sagemaker:CreateNotebookInstance" in bad.stderr
    listed = aws(creds, "sagemaker", "list-notebook-instances")
    assert listed.returncode != 0 and "sagemaker:ListNotebookInstances" in listed.stderr
