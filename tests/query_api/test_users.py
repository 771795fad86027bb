"""IAM users, login profiles, tags and ChangePassword through boto3's IAM client."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from accounts.models import AuditEvent, IAMUser
from tests.query_api.conftest import ACCOUNT, allow, error_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_get_update_delete_user(iam):
    created = iam.create_user(
        UserName="bob", Path="/ops/", Tags=[{"Key": "team", "Value": "blue"}]
    )["User"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/ops/bob"
    assert created["UserId"].startswith("AIDA")
    assert created["Tags"] == [{"Key": "team", "Value": "blue"}]
    got = iam.get_user(UserName="BOB")["User"]  # names are case-insensitive
    assert got["UserName"] == "bob" and got["Path"] == "/ops/"
    assert got["CreateDate"].tzinfo is not None
    iam.update_user(UserName="bob", NewUserName="robert", NewPath="/dev/")
    assert iam.get_user(UserName="robert")["User"]["Arn"].endswith(":user/dev/robert")
    iam.delete_user(UserName="robert")
    assert not IAMUser.objects.filter(name="robert").exists()
    event = AuditEvent.objects.filter(action="iam:CreateUser").get()
    assert event.principal_arn == f"arn:aws:iam::{ACCOUNT}:user/admin"
    assert event.resource_arn == created["Arn"]


def test_get_user_without_name_is_the_caller(iam, root_iam):
    assert iam.get_user()["User"]["UserName"] == "admin"
    root = root_iam.get_user()["User"]
    assert root["UserId"] == ACCOUNT and root["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def test_create_user_errors(iam):
    iam.create_user(UserName="bob")
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="BOB")
    assert error_of(excinfo) == ("EntityAlreadyExists", "User with name BOB already exists.", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="no spaces")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("1 validation error detected: Value 'no spaces' at 'userName'")
    with pytest.raises(ClientError) as excinfo:
        iam.get_user(UserName="ghost")
    assert error_of(excinfo) == ("NoSuchEntity", "The user with name ghost cannot be found.", 404)


def test_delete_user_with_attachments_is_a_conflict(iam):
    iam.create_user(UserName="bob")
    iam.create_login_profile(UserName="bob", Password="Corr3ct-Horse!")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="bob")
    assert error_of(excinfo) == (
        "DeleteConflict",
        "Cannot delete entity, must delete login profile first.",
        409,
    )


def test_list_users_paginates_with_marker(iam):
    for i in range(5):
        iam.create_user(UserName=f"user-{i}", Path="/batch/")
    first = iam.list_users(PathPrefix="/batch/", MaxItems=2)
    assert first["IsTruncated"] is True and len(first["Users"]) == 2
    names = [u["UserName"] for u in first["Users"]]
    marker = first["Marker"]
    while marker:
        page = iam.list_users(PathPrefix="/batch/", MaxItems=2, Marker=marker)
        names += [u["UserName"] for u in page["Users"]]
        marker = page.get("Marker")
        assert page["IsTruncated"] is bool(marker)
    assert names == [f"user-{i}" for i in range(5)]
    paginated = iam.get_paginator("list_users").paginate(
        PathPrefix="/batch/", PaginationConfig={"PageSize": 3}
    )
    assert [u["UserName"] for u in paginated.build_full_result()["Users"]] == names
    with pytest.raises(ClientError) as excinfo:
        iam.list_users(Marker="not-a-marker")
    assert error_of(excinfo)[0] == "InvalidInput"


def test_user_tags(iam):
    iam.create_user(UserName="bob")
    iam.tag_user(UserName="bob", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    assert iam.list_user_tags(UserName="bob")["Tags"] == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "2"},
    ]
    page = iam.list_user_tags(UserName="bob", MaxItems=1)
    assert page["IsTruncated"] and len(page["Tags"]) == 1
    iam.untag_user(UserName="bob", TagKeys=["a"])
    assert iam.list_user_tags(UserName="bob")["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as excinfo:
        iam.tag_user(UserName="bob", Tags=[{"Key": "aws:x", "Value": "1"}])
    assert error_of(excinfo)[0] == "ValidationError"


def test_login_profile_lifecycle(iam):
    iam.create_user(UserName="bob")
    with pytest.raises(ClientError) as excinfo:
        iam.get_login_profile(UserName="bob")
    assert error_of(excinfo) == (
        "NoSuchEntity",
        "Login Profile for User bob cannot be found.",
        404,
    )
    profile = iam.create_login_profile(
        UserName="bob", Password="Corr3ct-Horse!", PasswordResetRequired=True
    )["LoginProfile"]
    assert profile["UserName"] == "bob" and profile["PasswordResetRequired"] is True
    with pytest.raises(ClientError) as excinfo:
        iam.create_login_profile(UserName="bob", Password="Corr3ct-Horse!")
    assert error_of(excinfo)[0] == "EntityAlreadyExists"
    iam.update_login_profile(UserName="bob", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="bob")["LoginProfile"]["PasswordResetRequired"] is False
    iam.update_login_profile(UserName="bob", Password="An0ther-Horse!")
    assert IAMUser.objects.get(name="bob").check_password("An0ther-Horse!")
    with pytest.raises(ClientError) as excinfo:
        iam.update_login_profile(UserName="bob", Password="short")
    assert error_of(excinfo)[:1] == ("PasswordPolicyViolation",)
    iam.delete_login_profile(UserName="bob")
    assert not IAMUser.objects.get(name="bob").has_console_password


def test_change_password(live_server, iam, account):
    from accounts.actors import system_actor
    from accounts.services import access_keys, users
    from tests.query_api.conftest import client_for

    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Corr3ct-Horse!")
    carol = IAMUser.objects.get(name="carol")
    carol_iam = client_for(
        live_server, "iam", access_keys.access_key_create(actor=system_actor(), owner=carol)
    )
    with pytest.raises(ClientError) as excinfo:
        carol_iam.change_password(OldPassword="Corr3ct-Horse!", NewPassword="N3w-Horse-Pw!")
    assert error_of(excinfo)[0] == "AccessDenied"
    allow(carol, "pw", {"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": "*"})
    carol_iam.change_password(OldPassword="Corr3ct-Horse!", NewPassword="N3w-Horse-Pw!")
    carol.refresh_from_db()
    assert carol.check_password("N3w-Horse-Pw!")
    users.user_get(account=account, name="carol")


def test_user_operations_denied_with_aws_message(denied_iam, iam):
    iam.create_user(UserName="bob")
    with pytest.raises(ClientError) as excinfo:
        denied_iam.create_user(UserName="eve")
    assert error_of(excinfo) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: iam:CreateUser "
        f"on resource: arn:aws:iam::{ACCOUNT}:user/eve because no identity-based policy allows "
        "the iam:CreateUser action",
        403,
    )
    denial = AuditEvent.objects.get(action="iam:CreateUser", decision="implicitDeny")
    assert denial.error_code == "AccessDenied"
    for call in (
        lambda: denied_iam.list_users(),
        lambda: denied_iam.get_user(UserName="bob"),
        lambda: denied_iam.delete_user(UserName="bob"),
        lambda: denied_iam.tag_user(UserName="bob", Tags=[{"Key": "k", "Value": "v"}]),
        lambda: denied_iam.create_login_profile(UserName="bob", Password="Corr3ct-Horse!"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo)[0] == "AccessDenied"


def test_create_user_authorizes_request_tags_and_boundary(live_server, account, iam):
    from accounts.actors import system_actor
    from accounts.services import access_keys
    from tests.factories import IAMUserFactory
    from tests.query_api.conftest import client_for

    iam.create_policy(
        PolicyName="bound",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Action":"mq:*","Resource":"*"}]}',
    )
    bound = f"arn:aws:iam::{ACCOUNT}:policy/bound"
    delegate = IAMUserFactory(account=account, name="delegate")
    allow(
        delegate,
        "create-tagged",
        {
            "Effect": "Allow",
            "Action": "iam:CreateUser",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:RequestTag/team": "blue", "iam:PermissionsBoundary": bound},
                "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]},
            },
        },
        {
            "Effect": "Allow",
            "Action": "iam:TagUser",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"}},
        },
    )
    client = client_for(
        live_server, "iam", access_keys.access_key_create(actor=system_actor(), owner=delegate)
    )
    user = client.create_user(
        UserName="ok", Tags=[{"Key": "team", "Value": "blue"}], PermissionsBoundary=bound
    )["User"]
    assert user["PermissionsBoundary"]["PermissionsBoundaryArn"] == bound
    for kwargs in (
        {"Tags": [{"Key": "team", "Value": "red"}], "PermissionsBoundary": bound},
        {"Tags": [{"Key": "team", "Value": "blue"}]},
    ):
        with pytest.raises(ClientError) as excinfo:
            client.create_user(UserName="nope", **kwargs)
        assert error_of(excinfo)[0] == "AccessDenied"
    assert not IAMUser.objects.filter(name="nope").exists()
