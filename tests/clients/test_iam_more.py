"""More IAM through boto3: UpdateUser and UpdateGroup (renames keep everything but the ARN), ListEntitiesForPolicy,
DeleteServiceLinkedRole with GetServiceLinkedRoleDeletionStatus, ListInstanceProfilesForRole, and the OpenID Connect
and SAML identity providers with their tags."""
import re

import pytest

from conftest import ACCOUNT, client, policy, unique
from test_iam_support import allow, arn, fails, implicit, make_group, make_policy, make_role  # noqa: F401
from test_sts_federation import metadata

SLR_NAME = "AWSServiceRoleForAmazonSageMakerNotebooks"
SLR_PATH = "/aws-service-role/sagemaker.amazonaws.com/"
THUMB = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


# ----- UpdateUser -----------------------------------------------------------------------------------


def test_rename_user_keeps_policies_groups_keys_and_attachments(iam, make_user, make_group, make_policy):
    name, old_arn, creds = make_user(policy(allow("iam:GetUser", "iam:ListGroupsForUser")))
    group = make_group(policy(allow("iam:ListAttachedUserPolicies")))
    iam.add_user_to_group(GroupName=group, UserName=name)
    managed = make_policy(allow("iam:ListUserPolicies"))
    iam.attach_user_policy(UserName=name, PolicyArn=managed)
    iam.tag_user(UserName=name, Tags=[{"Key": "team", "Value": "ml"}])
    user_id = iam.get_user(UserName=name)["User"]["UserId"]
    new = unique("renamed")
    iam.update_user(UserName=name, NewUserName=new, NewPath="/moved/")
    u = iam.get_user(UserName=new)["User"]
    assert (u["UserName"], u["Path"], u["UserId"]) == (new, "/moved/", user_id)
    assert u["Arn"] == arn("user", new, "/moved/") != old_arn
    assert u["Tags"] == [{"Key": "team", "Value": "ml"}]
    assert fails(iam.get_user, UserName=name) == ("NoSuchEntity", f"The user with name {name} cannot be found.", 404)
    assert iam.list_user_policies(UserName=new)["PolicyNames"] == ["p0"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=new)["Groups"]] == [group]
    assert [u["UserName"] for u in iam.get_group(GroupName=group)["Users"]] == [new]
    assert iam.list_attached_user_policies(UserName=new)["AttachedPolicies"][0]["PolicyArn"] == managed
    assert [k["AccessKeyId"] for k in iam.list_access_keys(UserName=new)["AccessKeyMetadata"]] == [creds[0]]
    # The renamed user's key still works, now as the new ARN, with its own, group and managed policies.
    me = client("iam", creds)
    assert me.get_user()["User"]["Arn"] == u["Arn"]
    assert client("sts", creds).get_caller_identity()["Arn"] == u["Arn"]
    assert me.list_groups_for_user(UserName=new)["Groups"][0]["GroupName"] == group
    me.list_attached_user_policies(UserName=new)
    me.list_user_policies(UserName=new)
    # Only the path changes; the same name in another case is the same user.
    iam.update_user(UserName=new, NewPath="/")
    assert iam.get_user(UserName=new)["User"]["Arn"] == arn("user", new)


def test_rename_user_needs_permission_on_both_names_and_a_free_name(iam, make_user):
    target, target_arn, _ = make_user()
    other, _, _ = make_user()
    _, me_arn, creds = make_user(policy(allow("iam:UpdateUser", resource=target_arn)))
    me = client("iam", creds)
    new = unique("renamed")
    assert fails(me.update_user, UserName=target, NewUserName=new) == (
        "AccessDenied", implicit(me_arn, "iam:UpdateUser", arn("user", new)), 403)
    assert fails(me.update_user, UserName=other, NewUserName=new) == (
        "AccessDenied", implicit(me_arn, "iam:UpdateUser", arn("user", other)), 403)
    assert fails(iam.update_user, UserName=target, NewUserName=other) == (
        "EntityAlreadyExists", f"User with name {other} already exists.", 409)
    assert fails(iam.update_user, UserName="ghost-user", NewUserName=new) == (
        "NoSuchEntity", "The user with name ghost-user cannot be found.", 404)
    code, message, status = fails(iam.update_user, UserName=target, NewPath="no-slashes")
    assert (code, status) == ("ValidationError", 400) and "newPath" in message
    assert iam.get_user(UserName=target)["User"]["Arn"] == target_arn


# ----- UpdateGroup ----------------------------------------------------------------------------------


def test_rename_group_keeps_members_and_policies(iam, make_user, make_group):
    group = make_group(policy(allow("iam:ListGroups")))
    name, _, creds = make_user()
    iam.add_user_to_group(GroupName=group, UserName=name)
    group_id = iam.get_group(GroupName=group)["Group"]["GroupId"]
    new = unique("team")
    iam.update_group(GroupName=group, NewGroupName=new, NewPath="/teams/")
    g = iam.get_group(GroupName=new)
    assert (g["Group"]["GroupId"], g["Group"]["Path"], g["Group"]["Arn"]) == (group_id, "/teams/", arn("group", new, "/teams/"))
    assert [u["UserName"] for u in g["Users"]] == [name]
    assert [x["GroupName"] for x in iam.list_groups_for_user(UserName=name)["Groups"]] == [new]
    assert iam.list_group_policies(GroupName=new)["PolicyNames"] == ["g0"]
    assert fails(iam.get_group, GroupName=group) == ("NoSuchEntity", f"The group with name {group} cannot be found.", 404)
    # The member still gets the group's policy under its new name.
    client("iam", creds).list_groups()
    taken = make_group()
    assert fails(iam.update_group, GroupName=new, NewGroupName=taken) == (
        "EntityAlreadyExists", f"Group with name {taken} already exists.", 409)


# ----- ListEntitiesForPolicy ------------------------------------------------------------------------


def test_list_entities_for_policy(iam, make_user, make_group, make_role, make_policy):
    managed = make_policy(allow("s3:GetObject"))
    group = make_group()
    user, _, _ = make_user()
    bounded, _, _ = make_user()
    role, _ = make_role()
    iam.attach_group_policy(GroupName=group, PolicyArn=managed)
    iam.attach_user_policy(UserName=user, PolicyArn=managed)
    iam.attach_role_policy(RoleName=role, PolicyArn=managed)
    iam.put_user_permissions_boundary(UserName=bounded, PermissionsBoundary=managed)
    r = iam.list_entities_for_policy(PolicyArn=managed)
    assert [g["GroupName"] for g in r["PolicyGroups"]] == [group]
    assert sorted(u["UserName"] for u in r["PolicyUsers"]) == sorted([user, bounded])
    assert [x["RoleName"] for x in r["PolicyRoles"]] == [role]
    assert r["PolicyRoles"][0]["RoleId"].startswith("AROA") and r["PolicyGroups"][0]["GroupId"].startswith("AGPA")
    assert r["IsTruncated"] is False
    only_users = iam.list_entities_for_policy(PolicyArn=managed, EntityFilter="User", PolicyUsageFilter="PermissionsPolicy")
    assert ([u["UserName"] for u in only_users["PolicyUsers"]], only_users["PolicyGroups"], only_users["PolicyRoles"]) == ([user], [], [])
    boundaries = iam.list_entities_for_policy(PolicyArn=managed, PolicyUsageFilter="PermissionsBoundary")
    assert [u["UserName"] for u in boundaries["PolicyUsers"]] == [bounded] and boundaries["PolicyGroups"] == []
    assert iam.list_entities_for_policy(PolicyArn=managed, PathPrefix="/nowhere/")["PolicyUsers"] == []
    # Pagination runs over all three lists as one sequence.
    seen, marker = [], None
    while True:
        kwargs = {"PolicyArn": managed, "MaxItems": 1, **({"Marker": marker} if marker else {})}
        page = iam.list_entities_for_policy(**kwargs)
        seen += page["PolicyGroups"] + page["PolicyUsers"] + page["PolicyRoles"]
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    assert len(seen) == 4
    # AWS managed policies too; unknown policies are NoSuchEntity.
    iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert role in [x["RoleName"] for x in iam.list_entities_for_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")["PolicyRoles"]]
    ghost = f"arn:aws:iam::{ACCOUNT}:policy/ghost-policy"
    assert fails(iam.list_entities_for_policy, PolicyArn=ghost) == ("NoSuchEntity", f"Policy {ghost} does not exist or is not attachable.", 404)


def test_list_entities_for_policy_needs_permission(make_user, make_policy):
    managed = make_policy(allow("s3:GetObject"))
    _, me_arn, creds = make_user()
    assert fails(client("iam", creds).list_entities_for_policy, PolicyArn=managed) == (
        "AccessDenied", implicit(me_arn, "iam:ListEntitiesForPolicy", managed), 403)


# ----- service-linked roles and instance profiles ---------------------------------------------------


def test_delete_service_linked_role_and_its_status(iam, make_user, make_role):
    slr_arn = f"arn:aws:iam::{ACCOUNT}:role{SLR_PATH}{SLR_NAME}"
    if not any(r["RoleName"] == SLR_NAME for r in iam.list_roles(PathPrefix=SLR_PATH)["Roles"]):
        iam.create_service_linked_role(AWSServiceName="sagemaker.amazonaws.com")
    _, me_arn, creds = make_user(policy(allow("iam:GetRole")))
    assert fails(client("iam", creds).delete_service_linked_role, RoleName=SLR_NAME) == (
        "AccessDenied", implicit(me_arn, "iam:DeleteServiceLinkedRole", slr_arn), 403)
    task = iam.delete_service_linked_role(RoleName=SLR_NAME)["DeletionTaskId"]
    assert re.fullmatch(r"task/aws-service-role/sagemaker\.amazonaws\.com/" + SLR_NAME + r"/[0-9a-f-]{36}", task), task
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    assert fails(iam.get_role, RoleName=SLR_NAME)[0] == "NoSuchEntity"
    assert fails(client("iam", creds).get_service_linked_role_deletion_status, DeletionTaskId=task) == (
        "AccessDenied", implicit(me_arn, "iam:GetServiceLinkedRoleDeletionStatus", slr_arn), 403)
    missing = task.rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
    assert fails(iam.get_service_linked_role_deletion_status, DeletionTaskId=missing)[::2] == ("NoSuchEntity", 404)
    assert fails(iam.get_service_linked_role_deletion_status, DeletionTaskId="not-a-task")[::2] == ("InvalidInput", 400)
    # An ordinary role is not deleted this way, and the service-linked role can be created again.
    ordinary, _ = make_role()
    assert fails(iam.delete_service_linked_role, RoleName=ordinary) == (
        "InvalidInput", f"Role {ordinary} is not a service-linked role.", 400)
    assert iam.create_service_linked_role(AWSServiceName="sagemaker.amazonaws.com")["Role"]["Arn"] == slr_arn
    # Leave the account without it, as test_iam_roles.py expects to create it.
    iam.delete_service_linked_role(RoleName=SLR_NAME)


def test_list_instance_profiles_for_role(iam, make_role):
    name, _ = make_role()
    r = iam.list_instance_profiles_for_role(RoleName=name)
    assert (r["InstanceProfiles"], r["IsTruncated"]) == ([], False)
    assert fails(iam.list_instance_profiles_for_role, RoleName="ghost-role") == (
        "NoSuchEntity", "The role with name ghost-role cannot be found.", 404)


# ----- OpenID Connect providers ---------------------------------------------------------------------


def test_oidc_provider_lifecycle(iam):
    host = f"{unique('oidc')}.example.com"
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host}"
    r = iam.create_open_id_connect_provider(Url=f"https://{host}", ClientIDList=["a", "b", "a"], ThumbprintList=[THUMB],
                                            Tags=[{"Key": "env", "Value": "test"}])
    assert r["OpenIDConnectProviderArn"] == provider and r["Tags"] == [{"Key": "env", "Value": "test"}]
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider)
    assert (got["Url"], got["ClientIDList"], got["ThumbprintList"]) == (host, ["a", "b"], [THUMB])
    assert got["Tags"] == [{"Key": "env", "Value": "test"}] and got["CreateDate"]
    assert {"Arn": provider} in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="c")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="c")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="a")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="never-there")
    other = "0" * 40
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=provider, ThumbprintList=[other])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider)
    assert (got["ClientIDList"], got["ThumbprintList"]) == (["b", "c"], [other])
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=provider, Tags=[{"Key": "owner", "Value": "me"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=provider, TagKeys=["env"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=provider)["Tags"] == [{"Key": "owner", "Value": "me"}]
    assert fails(iam.create_open_id_connect_provider, Url=f"https://{host}", ClientIDList=["a"]) == (
        "EntityAlreadyExists", f"Provider with url https://{host} already exists.", 409)
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=provider)
    assert fails(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=provider) == (
        "NoSuchEntity", f"OpenIDConnect Provider not found for arn {provider}", 404)
    assert {"Arn": provider} not in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]


def test_oidc_provider_input_and_permissions(iam, make_user):
    host = f"{unique('oidc')}.example.com"
    assert fails(iam.create_open_id_connect_provider, Url=f"http://{host}", ClientIDList=["a"])[::2] == ("InvalidInput", 400)
    assert fails(iam.create_open_id_connect_provider, Url=f"https://{host}", ThumbprintList=["z" * 40])[::2] == ("InvalidInput", 400)
    assert fails(iam.create_open_id_connect_provider, Url=f"https://{host}", ThumbprintList=[THUMB] * 6) == (
        "LimitExceeded", "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: 5", 409)
    _, me_arn, creds = make_user(policy(allow("iam:GetOpenIDConnectProvider")))
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host}"
    me = client("iam", creds)
    assert fails(me.create_open_id_connect_provider, Url=f"https://{host}", ClientIDList=["a"]) == (
        "AccessDenied", implicit(me_arn, "iam:CreateOpenIDConnectProvider", provider), 403)
    assert fails(me.list_open_id_connect_providers) == ("AccessDenied", implicit(me_arn, "iam:ListOpenIDConnectProviders", None), 403)
    # Reading a provider that does not exist says so only to a caller that may read it.
    assert fails(me.get_open_id_connect_provider, OpenIDConnectProviderArn=provider)[0] == "NoSuchEntity"
    assert fails(me.delete_open_id_connect_provider, OpenIDConnectProviderArn=provider)[0] == "AccessDenied"


# ----- SAML providers -------------------------------------------------------------------------------


def test_saml_provider_lifecycle(iam):
    name = unique("saml")
    provider = f"arn:aws:iam::{ACCOUNT}:saml-provider/{name}"
    doc = metadata(f"https://{name}.idp.example/metadata", valid_until="2099-01-01T00:00:00Z")
    r = iam.create_saml_provider(Name=name, SAMLMetadataDocument=doc, Tags=[{"Key": "env", "Value": "test"}])
    assert r["SAMLProviderArn"] == provider and r["Tags"] == [{"Key": "env", "Value": "test"}]
    got = iam.get_saml_provider(SAMLProviderArn=provider)
    assert got["SAMLMetadataDocument"] == doc and got["ValidUntil"].year == 2099
    assert re.fullmatch(r"[A-Z0-9]{32}", got["SAMLProviderUUID"])
    listed = {p["Arn"]: p for p in iam.list_saml_providers()["SAMLProviderList"]}
    assert listed[provider]["ValidUntil"].year == 2099
    newer = metadata(f"https://{name}.idp.example/v2")
    assert iam.update_saml_provider(SAMLProviderArn=provider, SAMLMetadataDocument=newer)["SAMLProviderArn"] == provider
    assert iam.get_saml_provider(SAMLProviderArn=provider)["SAMLMetadataDocument"] == newer
    iam.tag_saml_provider(SAMLProviderArn=provider, Tags=[{"Key": "owner", "Value": "me"}])
    iam.untag_saml_provider(SAMLProviderArn=provider, TagKeys=["env"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=provider)["Tags"] == [{"Key": "owner", "Value": "me"}]
    assert fails(iam.create_saml_provider, Name=name, SAMLMetadataDocument=doc)[::2] == ("EntityAlreadyExists", 409)
    iam.delete_saml_provider(SAMLProviderArn=provider)
    assert fails(iam.get_saml_provider, SAMLProviderArn=provider) == ("NoSuchEntity", f"Manifest not found for arn {provider}", 404)


def test_saml_provider_metadata_must_parse(iam, make_user):
    name = unique("saml")
    not_metadata = "<html>" + "x" * 1000 + "</html>"
    code, message, status = fails(iam.create_saml_provider, Name=name, SAMLMetadataDocument=not_metadata)
    assert (code, status) == ("InvalidInput", 400) and message.startswith("Could not parse metadata")
    code, message, _ = fails(iam.create_saml_provider, Name="bad name!", SAMLMetadataDocument=metadata("https://x.example"))
    assert code == "ValidationError" and "at 'name'" in message
    _, me_arn, creds = make_user()
    assert fails(client("iam", creds).create_saml_provider, Name=name, SAMLMetadataDocument=metadata("https://x.example")) == (
        "AccessDenied", implicit(me_arn, "iam:CreateSAMLProvider", f"arn:aws:iam::{ACCOUNT}:saml-provider/{name}"), 403)
