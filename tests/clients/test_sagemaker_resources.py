"""The SageMaker control plane through boto3: emulated resources, their statuses on the simulated
clock, pagination, tags, Studio, presigned URLs and SageMaker's errors."""
import time
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, ROOT, client, policy, unique
from sm import EXEC, EXEC_NAME, PASS_EXEC, ALL_SAGEMAKER, code, ensure_role, message, notebook, sagemaker, training_job


@pytest.fixture(scope="module")
def root_sm():
    ensure_role(client("iam"), EXEC_NAME)
    return sagemaker(ROOT)


def wait_for(fn, want, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = fn()
        if got == want:
            return got
        time.sleep(0.3)
    return fn()


def test_notebook_instance_lifecycle(root_sm):
    name = unique("Nb")
    arn = root_sm.create_notebook_instance(**notebook(name))["NotebookInstanceArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:notebook-instance/{name.lower()}"
    d = root_sm.describe_notebook_instance(NotebookInstanceName=name)
    assert d["NotebookInstanceName"] == name and d["NotebookInstanceStatus"] == "Pending"
    assert d["RootAccess"] == "Enabled" and d["DirectInternetAccess"] == "Enabled" and d["VolumeSizeInGB"] == 5
    status = lambda: root_sm.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"]
    assert wait_for(status, "InService") == "InService"
    with pytest.raises(ClientError) as e:
        root_sm.delete_notebook_instance(NotebookInstanceName=name)
    assert code(e) == "ValidationException"
    root_sm.stop_notebook_instance(NotebookInstanceName=name)
    assert wait_for(status, "Stopped") == "Stopped"
    root_sm.update_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.large")
    assert wait_for(status, "Stopped") == "Stopped"
    assert root_sm.describe_notebook_instance(NotebookInstanceName=name)["InstanceType"] == "ml.t3.large"
    listed = root_sm.list_notebook_instances(NameContains=name.lower())["NotebookInstances"]
    assert [n["NotebookInstanceName"] for n in listed] == [name]
    root_sm.delete_notebook_instance(NotebookInstanceName=name)
    with pytest.raises(ClientError) as e:
        root_sm.describe_notebook_instance(NotebookInstanceName=name)
    assert code(e) == "ValidationException"


def test_lifecycle_config_and_reference(root_sm):
    name = unique("lcc")
    root_sm.create_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name, OnStart=[{"Content": "ZWNobw=="}])
    d = root_sm.describe_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name)
    assert d["OnStart"] == [{"Content": "ZWNobw=="}]
    with pytest.raises(ClientError) as e:
        root_sm.create_notebook_instance(**notebook(unique("nb"), LifecycleConfigName="missing-config"))
    assert code(e) == "ValidationException"
    nb = unique("nb")
    root_sm.create_notebook_instance(**notebook(nb, LifecycleConfigName=name))
    assert root_sm.describe_notebook_instance(NotebookInstanceName=nb)["NotebookInstanceLifecycleConfigName"] == name


def test_training_job_runs_on_the_simulated_clock_and_stops(root_sm):
    name = unique("Tj")
    root_sm.create_training_job(**training_job(name))
    d = root_sm.describe_training_job(TrainingJobName=name)
    assert d["TrainingJobStatus"] == "InProgress" and d["TrainingJobArn"].endswith(name.lower())
    status = lambda: root_sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"]
    assert wait_for(status, "Completed") == "Completed"
    d = root_sm.describe_training_job(TrainingJobName=name)
    assert d["ModelArtifacts"]["S3ModelArtifacts"] == f"s3://bucket/out/{name}/output/model.tar.gz"
    with pytest.raises(ClientError) as e:
        root_sm.stop_training_job(TrainingJobName=name)
    assert message(e) == "The request was rejected because the training job is in status Completed."
    other = unique("tj")
    root_sm.create_training_job(**training_job(other))
    root_sm.stop_training_job(TrainingJobName=other)
    assert root_sm.describe_training_job(TrainingJobName=other)["TrainingJobStatus"] in ("Stopping", "Stopped")
    with pytest.raises(ClientError) as e:
        root_sm.create_training_job(**training_job(name.lower()))
    assert code(e) == "ResourceInUse"


def test_execution_role_must_trust_sagemaker(root_sm):
    iam = client("iam")
    ec2_trust = policy({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    role = ensure_role(iam, "NoTrust", ec2_trust)
    with pytest.raises(ClientError) as e:
        root_sm.create_training_job(**training_job(unique("tj"), role=role))
    assert code(e) == "ValidationException" and "sagemaker.amazonaws.com" in message(e)
    with pytest.raises(ClientError) as e:
        root_sm.create_training_job(**training_job(unique("tj"), role=f"arn:aws:iam::{ACCOUNT}:role/DoesNotExist"))
    assert code(e) == "ValidationException"


def test_jobs_of_every_kind(root_sm):
    p = unique("pj")
    root_sm.create_processing_job(
        ProcessingJobName=p, RoleArn=EXEC, AppSpecification={"ImageUri": "img"},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 10}})
    assert root_sm.describe_processing_job(ProcessingJobName=p)["ProcessingJobStatus"] in ("InProgress", "Completed")
    h = unique("hpo")[:32]
    root_sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=h,
        HyperParameterTuningJobConfig={"Strategy": "Bayesian", "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1}},
        TrainingJobDefinition={k: v for k, v in training_job("x").items() if k not in ("TrainingJobName",)} | {"StaticHyperParameters": {}},
        Tags=[{"Key": "team", "Value": "a"}])
    children = root_sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=h)["TrainingJobSummaries"]
    assert len(children) == 1
    child_tags = root_sm.list_tags(ResourceArn=children[0]["TrainingJobArn"])["Tags"]
    assert {"Key": "team", "Value": "a"} in child_tags
    t = unique("tf")
    root_sm.create_model(ModelName=t, ExecutionRoleArn=EXEC, PrimaryContainer={"Image": "img"})
    root_sm.create_transform_job(
        TransformJobName=t, ModelName=t, TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}}},
        TransformOutput={"S3OutputPath": "s3://b/out"}, TransformResources={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1})
    assert root_sm.describe_transform_job(TransformJobName=t)["TransformJobStatus"] in ("InProgress", "Completed")
    a = unique("automl")[:32]
    root_sm.create_auto_ml_job_v2(
        AutoMLJobName=a, RoleArn=EXEC,
        AutoMLJobInputDataConfig=[{"ChannelType": "training", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}}}],
        OutputDataConfig={"S3OutputPath": "s3://b/out"},
        AutoMLProblemTypeConfig={"TabularJobConfig": {"TargetAttributeName": "y"}})
    # Stop first: with one-second status steps a loaded machine may finish the job before a later Stop.
    root_sm.stop_auto_ml_job(AutoMLJobName=a)
    assert root_sm.describe_auto_ml_job_v2(AutoMLJobName=a)["AutoMLJobStatus"] in ("Stopping", "Stopped")
    assert a in [j["AutoMLJobName"] for j in root_sm.list_auto_ml_jobs(MaxResults=100)["AutoMLJobSummaries"]]


def test_models_endpoint_configs_and_endpoints(root_sm):
    m, c, ep = unique("model"), unique("cfg"), unique("Ep")
    root_sm.create_model(ModelName=m, ExecutionRoleArn=EXEC, PrimaryContainer={"Image": "img"})
    with pytest.raises(ClientError) as e:
        root_sm.create_model(ModelName=m, ExecutionRoleArn=EXEC, PrimaryContainer={"Image": "img"})
    assert code(e) == "ValidationException" and message(e).startswith("Cannot create already existing model")
    with pytest.raises(ClientError) as e:
        root_sm.create_endpoint_config(EndpointConfigName=c, ProductionVariants=[{"VariantName": "v", "ModelName": "nope", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
    assert message(e).startswith("Could not find model")
    root_sm.create_endpoint_config(EndpointConfigName=c, ProductionVariants=[{"VariantName": "v", "ModelName": m, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
    arn = root_sm.create_endpoint(EndpointName=ep, EndpointConfigName=c)["EndpointArn"]
    assert arn.endswith(f"endpoint/{ep.lower()}")
    status = lambda: root_sm.describe_endpoint(EndpointName=ep)["EndpointStatus"]
    assert status() == "Creating"
    assert wait_for(status, "InService") == "InService"
    assert root_sm.describe_endpoint(EndpointName=ep)["ProductionVariants"][0]["VariantName"] == "v"
    root_sm.update_endpoint(EndpointName=ep, EndpointConfigName=c)
    assert status() == "Updating"
    root_sm.delete_endpoint(EndpointName=ep)
    root_sm.delete_endpoint_config(EndpointConfigName=c)
    root_sm.delete_model(ModelName=m)
    with pytest.raises(ClientError) as e:
        root_sm.describe_model(ModelName=m)
    assert message(e) == f'Could not find model "arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/{m}".'


def test_ground_truth_and_augmented_ai(root_sm):
    team = unique("team")
    team_arn = root_sm.create_workteam(
        WorkteamName=team, Description="d",
        MemberDefinitions=[{"CognitoMemberDefinition": {"UserPool": "us-east-1_abc", "UserGroup": "g", "ClientId": "c"}}])["WorkteamArn"]
    assert team_arn == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:workteam/private-crowd/{team}"
    assert root_sm.describe_workteam(WorkteamName=team)["Workteam"]["WorkteamName"] == team
    ui = unique("ui")
    root_sm.create_human_task_ui(HumanTaskUiName=ui, UiTemplate={"Content": "<p>hi</p>"})
    assert root_sm.describe_human_task_ui(HumanTaskUiName=ui)["UiTemplate"]["ContentSha256"]
    fd = unique("fd")
    root_sm.create_flow_definition(
        FlowDefinitionName=fd, RoleArn=EXEC, OutputConfig={"S3OutputPath": "s3://b/out"},
        HumanLoopConfig={"WorkteamArn": team_arn, "HumanTaskUiArn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:human-task-ui/{ui}",
                         "TaskTitle": "t", "TaskDescription": "d", "TaskCount": 1})
    assert root_sm.describe_flow_definition(FlowDefinitionName=fd)["FlowDefinitionStatus"] in ("Initializing", "Active")
    lj = unique("lj")
    root_sm.create_labeling_job(
        LabelingJobName=lj, LabelAttributeName="label", RoleArn=EXEC,
        InputConfig={"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://b/in.manifest"}}},
        OutputConfig={"S3OutputPath": "s3://b/out"},
        HumanTaskConfig={"WorkteamArn": team_arn, "UiConfig": {"UiTemplateS3Uri": "s3://b/t.html"},
                         "PreHumanTaskLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:PRE-BoundingBox",
                         "TaskTitle": "t", "TaskDescription": "d", "NumberOfHumanWorkersPerDataObject": 1,
                         "TaskTimeLimitInSeconds": 300,
                         "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:ACS-BoundingBox"}})
    root_sm.stop_labeling_job(LabelingJobName=lj)
    assert root_sm.describe_labeling_job(LabelingJobName=lj)["LabelingJobStatus"] in ("Stopping", "Stopped")
    for_team = root_sm.list_labeling_jobs_for_workteam(WorkteamArn=team_arn)["LabelingJobSummaryList"]
    assert [j["LabelingJobName"] for j in for_team] == [lj]


def test_pagination_and_sorting(root_sm):
    prefix = unique("page")
    for i in range(5):
        root_sm.create_model(ModelName=f"{prefix}-{i}", ExecutionRoleArn=EXEC, PrimaryContainer={"Image": "img"})
    first = root_sm.list_models(NameContains=prefix, MaxResults=2, SortBy="Name", SortOrder="Ascending")
    assert [m["ModelName"] for m in first["Models"]] == [f"{prefix}-0", f"{prefix}-1"]
    second = root_sm.list_models(NameContains=prefix, MaxResults=2, SortBy="Name", SortOrder="Ascending", NextToken=first["NextToken"])
    assert [m["ModelName"] for m in second["Models"]] == [f"{prefix}-2", f"{prefix}-3"]
    names = [m["ModelName"] for page in root_sm.get_paginator("list_models").paginate(NameContains=prefix, PaginationConfig={"PageSize": 2}) for m in page["Models"]]
    assert sorted(names) == [f"{prefix}-{i}" for i in range(5)]
    with pytest.raises(ClientError) as e:
        root_sm.list_models(NextToken="garbage")
    assert code(e) == "ValidationException"


def test_tags_and_reserved_keys(root_sm):
    name = unique("tagged")
    arn = root_sm.create_model(ModelName=name, ExecutionRoleArn=EXEC, PrimaryContainer={"Image": "img"}, Tags=[{"Key": "a", "Value": "1"}])["ModelArn"]
    root_sm.add_tags(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    tags = {t["Key"]: t["Value"] for t in root_sm.list_tags(ResourceArn=arn)["Tags"]}
    assert tags == {"a": "3", "b": "2"}
    root_sm.delete_tags(ResourceArn=arn, TagKeys=["a"])
    assert [t["Key"] for t in root_sm.list_tags(ResourceArn=arn)["Tags"]] == ["b"]
    for key in ("aws:x", "sagemaker:domain-arn"):
        with pytest.raises(ClientError) as e:
            root_sm.add_tags(ResourceArn=arn, Tags=[{"Key": key, "Value": "v"}])
        assert code(e) == "ValidationException"


def test_validation_from_the_api_model(root_sm):
    with pytest.raises(ClientError) as e:
        root_sm.create_notebook_instance(**notebook(unique("nb"), InstanceType="ml.bogus"))
    assert code(e) == "ValidationException" and "Member must satisfy enum value set" in message(e)
    with pytest.raises(ClientError) as e:
        root_sm.create_training_job(**training_job("bad_name"))
    assert "regular expression pattern" in message(e)


def test_unemulated_operation_is_authorized_then_refused_clearly(root_sm):
    with pytest.raises(ClientError) as e:
        root_sm.describe_pipeline(PipelineName="p")
    assert code(e) == "NotImplementedException" and "docs/compatibility.md" in message(e)


def test_studio_domain_profiles_spaces_apps_and_roles(root_sm, iam=None):
    iam = client("iam")
    role_domain = ensure_role(iam, "RoleDomain")
    role_space = ensure_role(iam, "RoleSpace")
    role_alice = ensure_role(iam, "RoleAlice")
    arn = root_sm.create_domain(
        DomainName=unique("dom"), AuthMode="IAM", DefaultUserSettings={"ExecutionRole": role_domain},
        DefaultSpaceSettings={"ExecutionRole": role_space}, SubnetIds=["subnet-1"], VpcId="vpc-1")["DomainArn"]
    domain = arn.rsplit("/", 1)[1]
    assert domain.startswith("d-") and len(domain) == 14
    root_sm.create_user_profile(DomainId=domain, UserProfileName="alice", UserSettings={"ExecutionRole": role_alice})
    root_sm.create_user_profile(DomainId=domain, UserProfileName="bob")
    with pytest.raises(ClientError) as e:
        root_sm.create_user_profile(DomainId=domain, UserProfileName="Alice")
    assert code(e) == "ResourceInUse"
    with pytest.raises(ClientError) as e:
        root_sm.create_space(DomainId=domain, SpaceName="nobody", SpaceSharingSettings={"SharingType": "Private"})
    assert code(e) == "ValidationException"
    root_sm.create_space(DomainId=domain, SpaceName="sp-alice", OwnershipSettings={"OwnerUserProfileName": "alice"}, SpaceSharingSettings={"SharingType": "Private"})
    root_sm.create_space(DomainId=domain, SpaceName="sp-bob", OwnershipSettings={"OwnerUserProfileName": "bob"}, SpaceSharingSettings={"SharingType": "Private"})
    root_sm.create_space(DomainId=domain, SpaceName="sp-team", OwnershipSettings={"OwnerUserProfileName": "alice"}, SpaceSharingSettings={"SharingType": "Shared"})
    assert root_sm.describe_space(DomainId=domain, SpaceName="sp-team")["SpaceSharingSettings"]["SharingType"] == "Shared"
    assert root_sm.describe_user_profile(DomainId=domain, UserProfileName="bob")["UserSettings"]["ExecutionRole"] == role_domain
    app = root_sm.create_app(DomainId=domain, SpaceName="sp-alice", AppType="JupyterLab", AppName="default")["AppArn"]
    assert app == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:app/{domain}/sp-alice/jupyterlab/default"
    apps = root_sm.list_apps(DomainIdEquals=domain)["Apps"]
    assert [a["AppName"] for a in apps] == ["default"]
    # S24: effective roles, seen through the minted credentials.
    from sm import studio_session
    for profile, space, role in [("alice", None, "RoleAlice"), ("alice", "sp-alice", "RoleAlice"), ("bob", "sp-bob", "RoleDomain"), ("alice", "sp-team", "RoleSpace")]:
        s = studio_session(domain, profile, space)
        who = client("sts", (s["AccessKeyId"], s["SecretAccessKey"]), s["SessionToken"]).get_caller_identity()
        assert who["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/SageMaker", (profile, space)
    with pytest.raises(ClientError) as e:
        root_sm.delete_domain(DomainId=domain)
    assert code(e) == "ResourceInUse"
    root_sm.delete_app(DomainId=domain, SpaceName="sp-alice", AppType="JupyterLab", AppName="default")
    assert root_sm.describe_app(DomainId=domain, SpaceName="sp-alice", AppType="JupyterLab", AppName="default")["Status"] == "Deleting"


def test_presigned_notebook_url_is_reauthorized_on_every_request(make_user):
    name = unique("nb")
    sagemaker(ROOT).create_notebook_instance(**notebook(name))
    doc = policy({"Effect": "Allow", "Action": "sagemaker:CreatePresignedNotebookInstanceUrl", "Resource": "*",
                  "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}})
    user, _, creds = make_user(doc)
    url = sagemaker(creds, ip="192.0.2.10").create_presigned_notebook_instance_url(NotebookInstanceName=name)["AuthorizedUrl"]
    assert "/sagegate/notebook/" in url

    def open_from(ip):
        req = urllib.request.Request(url, headers={"X-Forwarded-For": ip})
        try:
            return urllib.request.urlopen(req, timeout=5).status
        except urllib.error.HTTPError as e:
            return e.code

    assert open_from("203.0.113.9") == 200
    assert open_from("198.51.100.7") == 403
    client("iam").delete_user_policy(UserName=user, PolicyName="p0")
    time.sleep(0.5)
    assert open_from("203.0.113.9") == 403
