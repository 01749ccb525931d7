"""Helpers (no tests) for the IAM client tests: expected errors, AccessDenied text, statements, and
fixtures for groups, managed policies and roles."""
import json

import botocore.exceptions
import pytest

from conftest import ACCOUNT, client, policy, unique


def error(excinfo):
    e = excinfo.value.response
    return e["Error"]["Code"], e["Error"]["Message"], e["ResponseMetadata"]["HTTPStatusCode"]


def fails(fn, *args, **kwargs):
    """Calls fn, which must fail; returns (code, message, HTTP status)."""
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(*args, **kwargs)
    return error(e)


def allow(*actions, resource="*", **extra):
    return dict({"Effect": "Allow", "Action": list(actions), "Resource": resource}, **extra)


def deny(*actions, resource="*", **extra):
    return dict({"Effect": "Deny", "Action": list(actions), "Resource": resource}, **extra)


def arn(kind, name, path="/"):
    return f"arn:aws:iam::{ACCOUNT}:{kind}{path}{name}"


def implicit(who, action, resource, kind="identity-based policy"):
    """AWS's implicit-deny text (AD1); `resource=None` for actions without one (AD3)."""
    on = f" on resource: {resource}" if resource else ""
    return f"User: {who} is not authorized to perform: {action}{on} because no {kind} allows the {action} action"


def explicit(who, action, resource, kind="an identity-based policy"):
    on = f" on resource: {resource}" if resource else ""
    return f"User: {who} is not authorized to perform: {action}{on} with an explicit deny in {kind}"


def user_client(creds, service="iam"):
    return client(service, creds)


@pytest.fixture
def make_group(iam):
    """Creates a group with the given inline policy documents; returns its name."""

    def make(*docs, path="/"):
        name = unique("group")
        iam.create_group(GroupName=name, Path=path)
        for i, doc in enumerate(docs):
            iam.put_group_policy(GroupName=name, PolicyName=f"g{i}", PolicyDocument=doc)
        return name

    return make


@pytest.fixture
def make_policy(iam):
    """Creates a customer managed policy from statements; returns its ARN."""

    def make(*statements, path="/", **kwargs):
        return iam.create_policy(PolicyName=unique("pol"), Path=path, PolicyDocument=policy(*statements), **kwargs)[
            "Policy"
        ]["Arn"]

    return make


@pytest.fixture
def make_role(iam):
    """Creates a role trusting the account; returns (name, arn)."""

    def make(**kwargs):
        name = unique("role")
        trust = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"})
        r = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, **kwargs)["Role"]
        return name, r["Arn"]

    return make


def doc(d):
    """A policy document as boto3 hands it back (a dict), for comparison with the JSON text sent."""
    return json.loads(d) if isinstance(d, str) else d
