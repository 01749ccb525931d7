"""Helpers for the SageMaker tests: the seeds' shared fixture (spec §6), clients with a simulated
network origin, and minimal requests."""
import json

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, ENDPOINT, client, policy, unique

REGION = "us-east-1"
EXEC_NAME = "SageMakerExec"
EXEC = f"arn:aws:iam::{ACCOUNT}:role/{EXEC_NAME}"
SAGEMAKER_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})
PASS_EXEC = {
    "Effect": "Allow",
    "Action": "iam:PassRole",
    "Resource": EXEC,
    "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
}
ALL_SAGEMAKER = {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}


def ensure_role(iam, name, trust=SAGEMAKER_TRUST):
    """A role trusting SageMaker (created once per server)."""
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except ClientError:
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]


def sagemaker(creds, token=None, ip=None, vpce=None, vpc=None, region=REGION):
    """A SageMaker client whose requests come from `ip` (or through the VPC endpoint `vpce`)."""
    c = client("sagemaker", creds, token, region)

    def origin(request, **_):
        if ip:
            request.headers["X-Forwarded-For"] = ip
        if vpce:
            request.headers["x-sagegate-source-vpce"] = vpce
        if vpc:
            request.headers["x-sagegate-source-vpc"] = vpc

    c.meta.events.register("before-send.sagemaker.*", origin)
    return c


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def message(excinfo):
    return excinfo.value.response["Error"]["Message"]


def denied_action(excinfo):
    """The action an AccessDeniedException names (`... is not authorized to perform: <action> on ...`)."""
    assert code(excinfo) == "AccessDeniedException", excinfo.value.response
    return message(excinfo).split("perform: ")[1].split(" ")[0]


def training_job(name, role=EXEC, **extra):
    req = {
        "TrainingJobName": name,
        "RoleArn": role,
        "AlgorithmSpecification": {"TrainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1", "TrainingInputMode": "File"},
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://bucket/train"}}}],
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
        "ResourceConfig": {"InstanceType": "ml.c5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }
    req.update(extra)
    return req


def notebook(name, role=EXEC, **extra):
    req = {"NotebookInstanceName": name, "InstanceType": "ml.t3.medium", "RoleArn": role}
    req.update(extra)
    return req


def studio_session(domain_id, profile, space=None, creds=None):
    """Credentials of a Studio app's execution-role session (sagegate's AssumeStudioExecutionRole, an
    STS-protocol call shaped like AssumeRole), as a dict with AccessKeyId, SecretAccessKey, SessionToken."""
    from conftest import ROOT
    creds = creds or ROOT
    params = {"Action": "AssumeStudioExecutionRole", "Version": "2011-06-15", "DomainId": domain_id, "UserProfileName": profile}
    if space:
        params["SpaceName"] = space
    req = botocore.awsrequest.AWSRequest(method="POST", url=ENDPOINT + "/", data=params,
                                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(creds[0], creds[1]), "sts", REGION).add_auth(req)
    prepared = req.prepare()
    import urllib.request
    r = urllib.request.Request(prepared.url, data=prepared.body.encode() if isinstance(prepared.body, str) else prepared.body,
                               headers=dict(prepared.headers), method="POST")
    try:
        body = urllib.request.urlopen(r, timeout=10).read().decode()
    except urllib.error.HTTPError as e:
        raise AssertionError(e.read().decode()) from e
    import re
    get = lambda tag: re.search(f"<{tag}>([^<]*)</{tag}>", body).group(1)
    return {"AccessKeyId": get("AccessKeyId"), "SecretAccessKey": get("SecretAccessKey"), "SessionToken": get("SessionToken"),
            "Arn": get("Arn")}
