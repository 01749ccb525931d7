"""Fixtures for the real-client tests: the server scripts/client-tests started, and clients for it."""
import json
import os
import uuid

import boto3
import botocore.config
import pytest

ENDPOINT = os.environ.get("SAGEGATE_ENDPOINT", "http://127.0.0.1:5056")
ACCOUNT = "111122223333"
ROOT = (os.environ.get("SAGEGATE_ROOT_ACCESS_KEY_ID", ""), os.environ.get("SAGEGATE_ROOT_SECRET_ACCESS_KEY", ""))
# Retries would hide the first answer; the tests check exact errors.
NO_RETRY = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})


def client(service, creds=ROOT, token=None, region="us-east-1"):
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=region,
        aws_access_key_id=creds[0],
        aws_secret_access_key=creds[1],
        aws_session_token=token,
        config=NO_RETRY,
    )


@pytest.fixture
def iam():
    return client("iam")


@pytest.fixture
def sts():
    return client("sts")


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def make_user(iam):
    """Creates a user with the given inline policy documents and an access key; returns (name, arn, creds)."""

    def make(*docs, name=None):
        name = name or unique("user")
        arn = iam.create_user(UserName=name)["User"]["Arn"]
        for i, doc in enumerate(docs):
            iam.put_user_policy(UserName=name, PolicyName=f"p{i}", PolicyDocument=doc)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return name, arn, (key["AccessKeyId"], key["SecretAccessKey"])

    return make
