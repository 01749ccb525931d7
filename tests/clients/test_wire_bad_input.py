"""Bad input over a real socket, as hand-made requests signed with botocore's SigV4Auth (boto3 would refuse to
send most of them): every case gets an AWS-shaped error with x-amzn-RequestId and Date, the server keeps
serving, and nothing is written."""
import json
import re
import urllib.parse

import pytest

from conftest import ACCOUNT, ROOT, client, policy, unique
from test_wire_support import FORM, raw, json_headers

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$")
MAX_BODY = 8 * 1024 * 1024  # sagegate_server::MAX_BODY_BYTES, documented in docs/compatibility.md


def check(a, status, code, message=None):
    assert a.status == status, (a.status, a.body[:500])
    assert a.code == code, a.body[:500]
    if message is not None:
        assert a.message == message
    assert UUID.match(a.headers["x-amzn-requestid"]), a.headers
    assert DATE.match(a.headers["date"]), a.headers["date"]
    if a.headers["content-type"] == "application/x-amz-json-1.1":
        assert a.headers["x-amzn-errortype"] == code
        assert json.loads(a.body)["__type"].rsplit("#", 1)[-1] == code
    else:
        assert a.headers["content-type"] == "text/xml"
        assert f"<RequestId>{a.headers['x-amzn-requestid']}</RequestId>" in a.body


def form(**kv):
    return urllib.parse.urlencode(kv, quote_via=urllib.parse.quote)


def server_still_serves():
    assert client("sts").get_caller_identity()["Account"] == ACCOUNT


def test_oversized_bodies():
    body = form(Action="CreateUser", Version="2010-05-08", UserName=unique("big")) + "&Pad=" + "a" * MAX_BODY
    a = raw(body, FORM, "iam")
    check(a, 413, "RequestEntityTooLarge", f"Request body must be no larger than {MAX_BODY} bytes.")
    assert 'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"' in a.body
    a = raw(b"{" + b" " * MAX_BODY + b"}", json_headers("SageMaker.ListTrainingJobs"), "sagemaker")
    check(a, 413, "RequestEntityTooLarge")
    server_still_serves()


@pytest.mark.parametrize(
    "body,message",
    [
        (b"Action=CreateUser&Version=2010-05-08&UserName=a%ZZ", "Invalid percent-encoding in the query string: '%ZZ'."),
        (b"Action=CreateUser&Version=2010-05-08&UserName=%FF%FE", "The query string is not valid UTF-8 once percent-decoded."),
        (b"Action=CreateUser&Version=2010-05-08&UserName=\xff\xfe", "The request body is not valid UTF-8."),
    ],
)
def test_malformed_form_data(body, message):
    check(raw(body, FORM, "iam"), 400, "MalformedQueryString", message)
    server_still_serves()


def test_malformed_sts_form_answers_in_the_sts_namespace():
    a = raw(b"Action=GetCallerIdentity&Version=2011-06-15&X=%G0", FORM, "sts")
    check(a, 400, "MalformedQueryString")
    assert 'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"' in a.body


@pytest.mark.parametrize("body", [b"[1, 2]", b"42", b"null", b'{"a": ', b'{"a": "\xff"}', b"[" * 100_000])
def test_json_that_is_not_an_object(body):
    check(raw(body, json_headers("SageMaker.ListTrainingJobs"), "sagemaker"), 400, "SerializationException")
    server_still_serves()


def test_unknown_action_and_target():
    check(raw(form(Action="Frobnicate", Version="2010-05-08"), FORM, "iam"), 400, "InvalidAction", "Could not find operation Frobnicate for version 2010-05-08")
    check(raw(form(Action="Frobnicate", Version="2011-06-15"), FORM, "sts"), 400, "InvalidAction", "Could not find operation Frobnicate for version 2011-06-15")
    check(raw(form(Action="ListUsers", Version="1999-01-01"), FORM, "iam"), 400, "InvalidAction", "Could not find operation ListUsers for version 1999-01-01")
    check(raw(b"{}", json_headers("SageMaker.Frobnicate"), "sagemaker"), 400, "UnknownOperationException")
    check(raw(b"{}", json_headers("Frobnicator.Go"), "sagemaker"), 400, "UnknownOperationException", "Unknown target: Frobnicator.Go")


def test_wrong_protocol_for_the_signed_service():
    check(
        raw(b"{}", json_headers("SageMaker.ListTrainingJobs"), "iam"),
        400,
        "InvalidSignatureException",
        "Credential should be scoped to correct service: 'sagemaker'. ",
    )
    check(raw(form(Action="ListUsers", Version="2010-05-08"), FORM, "sagemaker"), 403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'iam'. ")
    check(raw(form(Action="GetCallerIdentity", Version="2011-06-15"), FORM, "iam"), 403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'. ")


def test_missing_authentication():
    check(raw(form(Action="ListUsers", Version="2010-05-08"), FORM), 403, "MissingAuthenticationToken", "Request is missing Authentication Token")
    check(raw(b"{}", json_headers("SageMaker.ListTrainingJobs")), 400, "MissingAuthenticationTokenException", "Request is missing Authentication Token")


def test_huge_and_deeply_nested_policies_change_nothing(iam):
    user = unique("pol")
    iam.create_user(UserName=user)
    nested = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"StringEquals":{"aws:username":' + "[" * 50_000 + '"x"' + "]" * 50_000 + "}}}]}"
    huge = policy({"Effect": "Allow", "Action": [f"iam:GetUser{i:08}" for i in range(100_000)], "Resource": "*"})
    for doc in [nested, huge]:
        for pairs in [
            dict(Action="PutUserPolicy", UserName=user, PolicyName="p"),
            dict(Action="CreatePolicy", PolicyName=unique("p")),
            dict(Action="CreateRole", RoleName=unique("r"), field="AssumeRolePolicyDocument"),
        ]:
            field = pairs.pop("field", "PolicyDocument")
            a = raw(form(Version="2010-05-08", **pairs, **{field: doc}), FORM, "iam")
            assert 400 <= a.status < 500
            assert a.code in ("MalformedPolicyDocument", "LimitExceeded", "ValidationError"), a.body[:300]
            check(a, a.status, a.code)
        a = raw(form(Action="GetFederationToken", Version="2011-06-15", Name="fed", Policy=doc), FORM, "sts")
        check(a, 400, a.code)
        assert a.code in ("MalformedPolicyDocument", "PackedPolicyTooLarge", "ValidationError")
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []
    server_still_serves()


def test_presigned_get_with_bad_encoding_is_malformed():
    # Query parameters in the URL are decoded as strictly as form bodies.
    a = raw(b"", {}, "sts", method="GET", query="Action=GetCallerIdentity&Version=2011-06-15&Bad=%E0%A4")
    check(a, 400, "MalformedQueryString")
