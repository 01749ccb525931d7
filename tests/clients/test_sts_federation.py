"""STS federation through boto3 and the AWS CLI: AssumeRoleWithWebIdentity (OpenID Connect tokens, IAM OIDC
providers and Cognito) and AssumeRoleWithSAML (SAML providers and assertions), both unsigned. The trust policy
decides, with the token's keys; the sessions keep some of them. Also the helpers (no tests) that make tokens,
assertions and provider metadata, which test_iam_more.py uses."""
import base64
import datetime
import hashlib
import hmac
import json
import os
import subprocess
import time
import urllib.parse

import pytest

from conftest import ACCOUNT, ENDPOINT, client, policy, unique
from test_iam_support import fails
from test_wire_support import FORM, raw

SAML_AUDIENCE = "https://signin.aws.amazon.com/saml"


# ----- helpers ------------------------------------------------------------------------------------


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims, secret=None, alg=None):
    """A JWT: HS256-signed with `secret`, else with an unverifiable RS256-looking signature."""
    header = {"alg": alg or ("HS256" if secret else "RS256"), "typ": "JWT", "kid": "k1"}
    signed = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    if secret:
        sig = hmac.new(secret.encode(), signed.encode(), hashlib.sha256).digest()
    else:
        sig = os.urandom(256)
    return signed + "." + b64url(sig)


def claims(host, aud="app-client", sub="user-1", lifetime=600, **extra):
    now = int(time.time())
    c = {"iss": f"https://{host}", "aud": aud, "sub": sub, "iat": now, "exp": now + lifetime}
    c.update(extra)
    return c


@pytest.fixture
def oidc(iam):
    """Creates an IAM OIDC provider at a fresh URL; returns (host, arn)."""

    def make(client_ids=("app-client",), tags=None):
        host = f"{unique('idp')}.example.com/oidc"
        kwargs = {"Url": f"https://{host}", "ClientIDList": list(client_ids)}
        if tags:
            kwargs["Tags"] = tags
        arn = iam.create_open_id_connect_provider(**kwargs)["OpenIDConnectProviderArn"]
        return host, arn

    return make


def federated_trust(provider, action, condition=None, extra_actions=()):
    st = {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": [action, *extra_actions]}
    if condition:
        st["Condition"] = condition
    return policy(st)


@pytest.fixture
def federated_role(iam):
    """Creates a role with the given trust policy and inline policies; returns (name, arn)."""

    def make(trust_doc, *docs, **kwargs):
        name = unique("fedrole")
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_doc, **kwargs)["Role"]["Arn"]
        for i, d in enumerate(docs):
            iam.put_role_policy(RoleName=name, PolicyName=f"p{i}", PolicyDocument=d)
        return name, arn

    return make


def metadata(entity_id, valid_until=None):
    """IdP metadata of at least the 1,000 characters the API model asks for."""
    cert = base64.b64encode(hashlib.sha256(entity_id.encode()).digest() * 24).decode()
    until = f' validUntil="{valid_until}"' if valid_until else ""
    return (
        f'<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}"{until}>'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>'
        f"<ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{entity_id}/sso"/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def assertion(issuer, role_arn, provider_arn, session="saml-user", subject="alice@example.com",
              status="urn:oasis:names:tc:SAML:2.0:status:Success", audience=SAML_AUDIENCE, lifetime=300,
              attributes=None, roles=None, name_format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"):
    """A base64 SAML response (unsigned: sagegate does not verify XML signatures)."""
    now = int(time.time())
    attrs = {"https://aws.amazon.com/SAML/Attributes/Role": roles or [f"{role_arn},{provider_arn}"]}
    if session is not None:
        attrs["https://aws.amazon.com/SAML/Attributes/RoleSessionName"] = [session]
    attrs.update(attributes or {})
    attr_xml = "".join(
        f'<saml:Attribute Name="{name}">' + "".join(f"<saml:AttributeValue>{v}</saml:AttributeValue>" for v in values) + "</saml:Attribute>"
        for name, values in attrs.items()
    )
    doc = (
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="r1" Version="2.0" IssueInstant="{iso(now)}" Destination="{SAML_AUDIENCE}">'
        f"<saml:Issuer>{issuer}</saml:Issuer>"
        f'<samlp:Status><samlp:StatusCode Value="{status}"/></samlp:Status>'
        f'<saml:Assertion ID="a1" Version="2.0" IssueInstant="{iso(now)}">'
        f"<saml:Issuer>{issuer}</saml:Issuer>"
        f'<saml:Subject><saml:NameID Format="{name_format}">{subject}</saml:NameID>'
        '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
        f'<saml:SubjectConfirmationData NotOnOrAfter="{iso(now + lifetime)}" Recipient="{SAML_AUDIENCE}"/>'
        "</saml:SubjectConfirmation></saml:Subject>"
        f'<saml:Conditions NotBefore="{iso(now - 60)}" NotOnOrAfter="{iso(now + lifetime)}">'
        f"<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
        f"<saml:AttributeStatement>{attr_xml}</saml:AttributeStatement>"
        "</saml:Assertion></samlp:Response>"
    )
    return base64.b64encode(doc.encode()).decode()


@pytest.fixture
def saml_provider(iam):
    """Creates a SAML provider; returns (issuer, arn, name)."""

    def make():
        name = unique("saml")
        issuer = f"https://{name}.idp.example/metadata"
        arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=metadata(issuer))["SAMLProviderArn"]
        return issuer, arn, name

    return make


def creds_of(r):
    c = r["Credentials"]
    return (c["AccessKeyId"], c["SecretAccessKey"]), c["SessionToken"]


def anonymous_sts():
    """An STS client without credentials: both federation calls are unsigned."""
    import boto3
    import botocore
    from conftest import NO_RETRY

    return boto3.client("sts", endpoint_url=ENDPOINT, region_name="us-east-1",
                        config=NO_RETRY.merge(botocore.config.Config(signature_version=botocore.UNSIGNED)))


# ----- AssumeRoleWithWebIdentity --------------------------------------------------------------------


def test_web_identity_with_an_iam_oidc_provider(oidc, federated_role):
    host, provider = oidc(client_ids=["app-client", "other-client"])
    reader = policy({"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*",
                     "Condition": {"StringEquals": {f"{host}:sub": "user-1", "aws:FederatedProvider": provider}}})
    name, role_arn = federated_role(
        federated_trust(provider, "sts:AssumeRoleWithWebIdentity",
                        {"StringEquals": {f"{host}:aud": "app-client", f"{host}:sub": "user-1"}}), reader)
    token = jwt(claims(host))
    r = anonymous_sts().assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="web-1", WebIdentityToken=token)
    assert r["SubjectFromWebIdentityToken"] == "user-1"
    assert r["Provider"] == provider and r["Audience"] == "app-client"
    assert r["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/web-1"
    assert r["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA") and r["AssumedRoleUser"]["AssumedRoleId"].endswith(":web-1")
    assert r["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert "PackedPolicySize" not in r
    session, tok = creds_of(r)
    assert client("sts", session, tok).get_caller_identity()["Arn"] == r["AssumedRoleUser"]["Arn"]
    # The session keeps `<provider>:sub` and `aws:FederatedProvider` for its later requests.
    assert client("iam", session, tok).get_role(RoleName=name)["Role"]["Arn"] == role_arn
    # Another subject does not satisfy the trust policy.
    assert fails(anonymous_sts().assume_role_with_web_identity, RoleArn=role_arn, RoleSessionName="web-2",
                 WebIdentityToken=jwt(claims(host, sub="user-2"))) == (
        "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    # An audience that is a client id of the provider, but not the one the trust policy wants.
    assert fails(anonymous_sts().assume_role_with_web_identity, RoleArn=role_arn, RoleSessionName="web-2",
                 WebIdentityToken=jwt(claims(host, aud="other-client")))[0] == "AccessDenied"
    # A role that does not exist reads the same.
    assert fails(anonymous_sts().assume_role_with_web_identity, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ghost",
                 RoleSessionName="web-2", WebIdentityToken=token)[0] == "AccessDenied"


def test_web_identity_tokens_that_are_refused(oidc, federated_role):
    host, provider = oidc()
    _, role_arn = federated_role(federated_trust(provider, "sts:AssumeRoleWithWebIdentity"))
    sts = anonymous_sts()

    def attempt(token, **kwargs):
        return fails(sts.assume_role_with_web_identity, RoleArn=role_arn, RoleSessionName="s1", WebIdentityToken=token, **kwargs)

    assert attempt(jwt(claims(host, aud="someone-else"))) == ("InvalidIdentityToken", "Incorrect token audience", 400)
    other = f"{unique('nobody')}.example.com"
    assert attempt(jwt(claims(other))) == ("InvalidIdentityToken", f"No OpenIDConnect provider found in your account for https://{other}", 400)
    code, message, status = attempt(jwt(claims(host, lifetime=-10)))
    assert (code, status) == ("ExpiredTokenException", 400) and message.startswith("Token expired: current date/time ")
    assert attempt(jwt(claims(host), alg="none"))[:2] == ("InvalidIdentityToken", "The web identity token is not signed.")
    assert attempt("not-a-jwt-at-all")[0] == "InvalidIdentityToken"
    future = claims(host)
    future["nbf"] = future["iat"] + 3600
    assert attempt(jwt(future))[0] == "InvalidIdentityToken"
    # Session durations follow the role's MaxSessionDuration.
    assert attempt(jwt(claims(host)), DurationSeconds=7200)[:2] == (
        "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    # OAuth 2.0 access tokens (Facebook, Login with Amazon) cannot be checked offline.
    assert attempt("opaque-access-token", ProviderId="graph.facebook.com")[0] == "InvalidIdentityToken"


def test_web_identity_signature_is_verified_for_providers_with_a_key(oidc, federated_role):
    host, provider = oidc(tags=[{"Key": "sagegate:hs256-secret", "Value": "s3cret-key"}])
    _, role_arn = federated_role(federated_trust(provider, "sts:AssumeRoleWithWebIdentity"))
    sts = anonymous_sts()
    ok = sts.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="signed", WebIdentityToken=jwt(claims(host), secret="s3cret-key"))
    assert ok["AssumedRoleUser"]["Arn"].endswith("/signed")
    for bad in [jwt(claims(host), secret="wrong-key"), jwt(claims(host))]:
        assert fails(sts.assume_role_with_web_identity, RoleArn=role_arn, RoleSessionName="signed", WebIdentityToken=bad) == (
            "InvalidIdentityToken", "The web identity token's signature could not be verified.", 400)


def test_web_identity_session_tags_policies_and_source_identity(oidc, federated_role, iam):
    host, provider = oidc()
    tagged_reader = policy({"Effect": "Allow", "Action": ["iam:GetRole", "iam:ListRoles"], "Resource": "*",
                            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ml", "aws:SourceIdentity": "alice"}}})
    name, role_arn = federated_role(
        federated_trust(provider, "sts:AssumeRoleWithWebIdentity", extra_actions=["sts:TagSession", "sts:SetSourceIdentity"]),
        tagged_reader)
    token = jwt(claims(host, **{
        "https://aws.amazon.com/tags": {"principal_tags": {"team": ["ml"]}, "transitive_tag_keys": ["team"]},
        "https://aws.amazon.com/source_identity": "alice",
    }))
    r = anonymous_sts().assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="tagged", WebIdentityToken=token,
        Policy=policy({"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"}))
    assert r["SourceIdentity"] == "alice" and r["PackedPolicySize"] > 0
    session, tok = creds_of(r)
    me = client("iam", session, tok)
    assert me.get_role(RoleName=name)["Role"]["RoleName"] == name
    # The session policy allows only GetRole.
    assert fails(me.list_roles)[0] == "AccessDenied"
    # Without sts:TagSession in the trust policy, a token with tags is refused.
    _, plain_arn = federated_role(federated_trust(provider, "sts:AssumeRoleWithWebIdentity"))
    assert fails(anonymous_sts().assume_role_with_web_identity, RoleArn=plain_arn, RoleSessionName="tagged", WebIdentityToken=token) == (
        "AccessDenied", "Not authorized to perform sts:TagSession", 403)


def test_web_identity_with_cognito_and_role_chaining(federated_role):
    pool = "us-east-1:12345678-aaaa-bbbb-cccc-123456789012"
    trust = federated_trust("cognito-identity.amazonaws.com", "sts:AssumeRoleWithWebIdentity", {
        "StringEquals": {"cognito-identity.amazonaws.com:aud": pool},
        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
    })
    _, next_arn = federated_role(policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole",
                                         "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool}}}))
    _, role_arn = federated_role(trust, policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": next_arn}))
    authenticated = claims("cognito-identity.amazonaws.com", aud=pool, sub="us-east-1:identity-1", amr=["authenticated", "cognito-idp"])
    r = anonymous_sts().assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="app", WebIdentityToken=jwt(authenticated))
    assert r["Provider"] == "cognito-identity.amazonaws.com" and r["Audience"] == pool
    # The session keeps cognito-identity.amazonaws.com:aud, which the next role's trust policy checks.
    session, tok = creds_of(r)
    chained = client("sts", session, tok).assume_role(RoleArn=next_arn, RoleSessionName="chained")
    assert chained["AssumedRoleUser"]["Arn"].endswith("/chained")
    unauthenticated = claims("cognito-identity.amazonaws.com", aud=pool, sub="us-east-1:identity-2", amr=["unauthenticated"])
    assert fails(anonymous_sts().assume_role_with_web_identity, RoleArn=role_arn, RoleSessionName="app",
                 WebIdentityToken=jwt(unauthenticated))[0] == "AccessDenied"


def test_web_identity_is_unsigned_on_the_wire_and_from_the_cli(oidc, federated_role):
    host, provider = oidc()
    _, role_arn = federated_role(federated_trust(provider, "sts:AssumeRoleWithWebIdentity"))
    token = jwt(claims(host))
    body = urllib.parse.urlencode({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": role_arn,
                                   "RoleSessionName": "raw", "WebIdentityToken": token})
    a = raw(body, headers=FORM)
    assert a.status == 200 and a.xml("SubjectFromWebIdentityToken") == "user-1", a.body
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
                "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
    out = subprocess.run(["aws", "--endpoint-url", ENDPOINT, "--output", "json", "sts", "assume-role-with-web-identity",
                          "--role-arn", role_arn, "--role-session-name", "cli", "--web-identity-token", token],
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["AssumedRoleUser"]["Arn"].endswith("/cli")


# ----- AssumeRoleWithSAML ---------------------------------------------------------------------------


def test_saml_assertion_assumes_the_role(saml_provider, federated_role):
    issuer, provider, pname = saml_provider()
    reader = policy({"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*",
                     "Condition": {"StringEquals": {"saml:sub": "alice@example.com", "saml:sub_type": "persistent"}}})
    name, role_arn = federated_role(
        federated_trust(provider, "sts:AssumeRoleWithSAML",
                        {"StringEquals": {"saml:aud": SAML_AUDIENCE, "saml:iss": issuer, "saml:mail": "alice@example.com",
                                          "saml:doc": f"{ACCOUNT}/{pname}"}}), reader)
    doc = assertion(issuer, role_arn, provider, attributes={"urn:oid:0.9.2342.19200300.100.1.3": ["alice@example.com"]})
    r = anonymous_sts().assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider, SAMLAssertion=doc)
    assert r["Subject"] == "alice@example.com" and r["SubjectType"] == "persistent"
    assert r["Issuer"] == issuer and r["Audience"] == SAML_AUDIENCE
    expected = base64.b64encode(hashlib.sha1(f"{issuer}{ACCOUNT}/{pname}".encode()).digest()).decode()
    assert r["NameQualifier"] == expected
    assert r["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/saml-user"
    session, tok = creds_of(r)
    # saml:sub and saml:sub_type stay with the session.
    assert client("iam", session, tok).get_role(RoleName=name)["Role"]["Arn"] == role_arn
    # The trust condition on the mail attribute.
    other = assertion(issuer, role_arn, provider, attributes={"urn:oid:0.9.2342.19200300.100.1.3": ["bob@example.com"]})
    assert fails(anonymous_sts().assume_role_with_saml, RoleArn=role_arn, PrincipalArn=provider, SAMLAssertion=other) == (
        "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403)


def test_saml_assertions_that_are_refused(saml_provider, federated_role):
    issuer, provider, _ = saml_provider()
    _, role_arn = federated_role(federated_trust(provider, "sts:AssumeRoleWithSAML", {"StringEquals": {"saml:aud": SAML_AUDIENCE}}))
    sts = anonymous_sts()

    def attempt(doc, principal=provider):
        return fails(sts.assume_role_with_saml, RoleArn=role_arn, PrincipalArn=principal, SAMLAssertion=doc)

    assert attempt(assertion("https://someone.else/idp", role_arn, provider)) == (
        "InvalidIdentityToken", "Issuer not present in specified provider", 400)
    code, _, status = attempt(assertion(issuer, role_arn, provider, lifetime=-30))
    assert (code, status) == ("ExpiredTokenException", 400)
    assert attempt(assertion(issuer, role_arn, provider, status="urn:oasis:names:tc:SAML:2.0:status:Requester"))[::2] == (
        "IDPRejectedClaim", 403)
    assert attempt(assertion(issuer, role_arn, provider, audience="https://elsewhere.example"))[0] == "InvalidIdentityToken"
    assert attempt(assertion(issuer, role_arn, provider, session=None))[0] == "InvalidIdentityToken"
    assert attempt("%%%not base64%%%")[0] == "InvalidIdentityToken"
    assert attempt(base64.b64encode(b"<unclosed").decode())[0] == "InvalidIdentityToken"
    assert attempt(assertion(issuer, role_arn, provider), principal=f"arn:aws:iam::{ACCOUNT}:saml-provider/ghost") == (
        "InvalidIdentityToken", "Specified provider doesn't exist", 400)
    # The assertion's Role attribute must list the role asked for.
    wrong = assertion(issuer, role_arn, provider, roles=[f"arn:aws:iam::{ACCOUNT}:role/other,{provider}"])
    assert attempt(wrong) == ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403)


def test_saml_session_tags_and_transient_subjects(saml_provider, federated_role):
    issuer, provider, _ = saml_provider()
    reader = policy({"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*",
                     "Condition": {"StringEquals": {"aws:PrincipalTag/dept": "research"}}})
    name, role_arn = federated_role(federated_trust(provider, "sts:AssumeRoleWithSAML", extra_actions=["sts:TagSession"]), reader)
    doc = assertion(issuer, role_arn, provider, name_format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
                    attributes={"https://aws.amazon.com/SAML/Attributes/PrincipalTag:dept": ["research"]})
    r = anonymous_sts().assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider, SAMLAssertion=doc)
    assert r["SubjectType"] == "transient" and r["PackedPolicySize"] > 0
    session, tok = creds_of(r)
    assert client("iam", session, tok).get_role(RoleName=name)["Role"]["RoleName"] == name


def test_saml_from_the_cli(saml_provider, federated_role):
    issuer, provider, _ = saml_provider()
    _, role_arn = federated_role(federated_trust(provider, "sts:AssumeRoleWithSAML"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
                "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
    out = subprocess.run(["aws", "--endpoint-url", ENDPOINT, "--output", "json", "sts", "assume-role-with-saml",
                          "--role-arn", role_arn, "--principal-arn", provider,
                          "--saml-assertion", assertion(issuer, role_arn, provider, session="cli-saml")],
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["AssumedRoleUser"]["Arn"].endswith("/cli-saml")
