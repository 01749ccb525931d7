"""Several `sagegate serve` processes on one database (issue 4 item 5): a policy change made through one process
is enforced by the others within 1 second, through the store's change counter (polled every 200 ms).

PostgreSQL is the deployment this is for; the test runs on it when the main server uses it (scripts/test runs the
client tests a second time with SAGEGATE_DATABASE=$SAGEGATE_TEST_POSTGRES_URL) or when SAGEGATE_TEST_POSTGRES_URL
is set, and skips with a message otherwise. The same test also runs on the main server's SQLite file."""
import os
import time

import botocore.exceptions
import pytest

from conftest import ENDPOINT, client, policy, unique
from sm import SAGEMAKER_TRUST
from test_wire_support import client_at, extra_server, main_database

DEADLINE = 1.0


def wait_until(check, deadline=DEADLINE):
    """Polls `check` until it returns True; returns the seconds it took, or fails after `deadline`."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > deadline:
            pytest.fail(f"not enforced within {deadline} s")
        time.sleep(0.02)


def denied(c):
    try:
        c.list_users()
        return False
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "AccessDenied"
        return True


def allowed(c, known=True):
    """Whether the call is allowed; with known=False the key may not have reached that process yet."""
    try:
        c.list_users()
        return True
    except botocore.exceptions.ClientError as e:
        expected = ("AccessDenied",) if known else ("AccessDenied", "InvalidClientTokenId")
        assert e.response["Error"]["Code"] in expected
        return False


def two_processes_share_changes(a, b):
    """`a` and `b` are endpoints of two processes on one database."""
    iam_a, iam_b = client_at(a, "iam"), client_at(b, "iam")
    name = unique("mp")
    iam_a.create_user(UserName=name)
    iam_a.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}))
    key = iam_a.create_access_key(UserName=name)["AccessKey"]
    creds = (key["AccessKeyId"], key["SecretAccessKey"])
    # A user and key created through A authenticate on B within the deadline.
    user_on_b = client_at(b, "iam", creds)
    wait_until(lambda: allowed(user_on_b, known=False))
    # A Deny added through A is enforced by B within 1 s.
    iam_a.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy({"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"}))
    took = wait_until(lambda: denied(user_on_b))
    # And the reverse: lifted through B, enforced by A.
    iam_b.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}))
    user_on_a = client_at(a, "iam", creds)
    took_back = wait_until(lambda: allowed(user_on_a))
    # A key deactivated through B stops working on A.
    iam_b.update_access_key(UserName=name, AccessKeyId=creds[0], Status="Inactive")
    sts_on_a = client_at(a, "sts", creds)

    def key_refused():
        try:
            sts_on_a.get_caller_identity()
            return False
        except botocore.exceptions.ClientError as e:
            return e.response["Error"]["Code"] == "InvalidClientTokenId"

    wait_until(key_refused)
    # Temporary credentials issued by one process work on the other.
    c = client_at(a, "sts").get_session_token(DurationSeconds=900)["Credentials"]
    sts_b = client_at(b, "sts", (c["AccessKeyId"], c["SecretAccessKey"]), c["SessionToken"])

    def session_known():
        try:
            return sts_b.get_caller_identity()["Arn"].endswith(":root")
        except botocore.exceptions.ClientError:
            return False

    wait_until(session_known)
    return took, took_back


def two_processes_share_sagemaker_resources(a, b):
    """SageMaker resources written through `a` are seen by `b` within 1 s, although `b` answers Describe
    from its read cache (crates/server/src/sagemaker/cache.rs): the tags that decide, and the deletion."""
    iam_a = client_at(a, "iam")
    try:
        role = iam_a.get_role(RoleName="MpExec")["Role"]["Arn"]
    except botocore.exceptions.ClientError:
        role = iam_a.create_role(RoleName="MpExec", AssumeRolePolicyDocument=SAGEMAKER_TRUST)["Role"]["Arn"]
    name = unique("mpsm")
    iam_a.create_user(UserName=name)
    iam_a.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "sagemaker:DescribeModel", "Resource": "*"},
        {"Effect": "Deny", "Action": "sagemaker:DescribeModel", "Resource": "*",
         "Condition": {"StringEquals": {"sagemaker:ResourceTag/Project": "B"}}},
    ))
    key = iam_a.create_access_key(UserName=name)["AccessKey"]
    creds = (key["AccessKeyId"], key["SecretAccessKey"])
    sm_a = client_at(a, "sagemaker")
    model = sm_a.create_model(
        ModelName=name, ExecutionRoleArn=role, Tags=[{"Key": "Project", "Value": "A"}],
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1"},
    )["ModelArn"]
    user_on_b = client_at(b, "sagemaker", creds)

    def describe():
        try:
            return user_on_b.describe_model(ModelName=name)["ModelName"]
        except botocore.exceptions.ClientError as e:
            return e.response["Error"]["Code"]

    # Twice: the second answer comes from B's cache.
    wait_until(lambda: describe() == name)
    assert describe() == name
    sm_a.add_tags(ResourceArn=model, Tags=[{"Key": "Project", "Value": "B"}])
    wait_until(lambda: describe() == "AccessDeniedException")
    sm_a.add_tags(ResourceArn=model, Tags=[{"Key": "Project", "Value": "A"}])
    wait_until(lambda: describe() == name)
    sm_a.delete_model(ModelName=name)
    wait_until(lambda: describe() == "ValidationException")


def test_two_processes_on_the_main_database():
    """The main server (A) and a second process (B) on its database, SQLite or PostgreSQL."""
    with extra_server() as b:
        took, took_back = two_processes_share_changes(ENDPOINT, b)
        two_processes_share_sagemaker_resources(ENDPOINT, b)
    print(f"{main_database().split('://')[0]}: enforced across processes after {took:.3f} s and {took_back:.3f} s")


def test_two_processes_on_postgresql():
    """Required by issue 4: two processes on one PostgreSQL database."""
    main = main_database()
    if main.startswith("postgres"):
        with extra_server() as b:
            two_processes_share_changes(ENDPOINT, b)
            two_processes_share_sagemaker_resources(b, ENDPOINT)
        return
    url = os.environ.get("SAGEGATE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("no PostgreSQL: set SAGEGATE_TEST_POSTGRES_URL (scripts/postgres starts one and prints its URL) to run the two-process PostgreSQL test")
    with extra_server(database=url) as a, extra_server(database=url) as b:
        two_processes_share_changes(a, b)
        two_processes_share_sagemaker_resources(a, b)
