"""Regressions of the authorization-seam findings: every interface reads the resource side.

Each test names the interface and the finding; before the one context builder, the REST API,
the console pages and the query API each assembled the resource side of the context on their
own, and some left out ``aws:ResourceTag/*`` or ``iam:PermissionsBoundary``.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from accounts.actors import system_actor
from accounts.models import AccessKey, AuditEvent, IAMUser
from accounts.services import access_keys, users
from policies.services import attachments, managed
from tests.factories import AccountFactory, IAMUserFactory, RootUserFactory

ACCOUNT = "111122223333"
PASSWORD = "Corr3ct-Horse!"
PROTECTED = {"protected": "true"}
DENY_PROTECTED = {
    "Effect": "Deny",
    "Action": "iam:*",
    "Resource": "*",
    "Condition": {"StringEquals": {"aws:ResourceTag/protected": "true"}},
}


def _doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action, resource="*", condition=None) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def _user(account, name, *statements, tags=None) -> IAMUser:
    user = IAMUserFactory(account=account, name=name, tags=tags or {})
    users.user_password_set(actor=system_actor(), user=user, password=PASSWORD)
    if statements:
        attachments.inline_policy_put(
            actor=system_actor(), identity=user, name="grant", document=_doc(*statements)
        )
    return user


def _sign_in(client, name: str) -> None:
    response = client.post(
        "/signin", {"as": "user", "account": ACCOUNT, "username": name, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content


@pytest.fixture
def account():
    account = AccountFactory(account_id=ACCOUNT, alias="acme")
    RootUserFactory(account=account)
    return account


# --- finding 1: tag-conditioned explicit deny -------------------------------------------------


@pytest.mark.django_db
def test_rest_create_access_key_obeys_a_resource_tag_deny(client, account):
    _user(account, "keymaster", _allow("iam:*AccessKey*", "arn:aws:iam::*:user/*"), DENY_PROTECTED)
    target = _user(account, "vip", tags=PROTECTED)
    _sign_in(client, "keymaster")
    response = client.post(f"/api/v1/users/{target.name}/access-keys/")
    assert response.status_code == 403, response.content
    assert "with an explicit deny" in response.json()["error"]["message"]
    assert not AccessKey.objects.filter(user=target).exists()


@pytest.mark.django_db
def test_console_user_edit_and_delete_obey_a_resource_tag_deny(client, account):
    _user(account, "admin", _allow("iam:*"), DENY_PROTECTED)
    target = _user(account, "vip", tags=PROTECTED)
    plain = _user(account, "plain")
    _sign_in(client, "admin")

    renamed = client.post(f"/users/{target.name}/edit", {"name": "renamed", "path": "/"})
    assert renamed.status_code == 403
    deleted = client.post(f"/users/{target.name}/delete", {"confirm": target.name})
    assert deleted.status_code == 403
    assert IAMUser.objects.filter(pk=target.pk, name="vip").exists()
    # The control: the same principal may rename an untagged user.
    assert (
        client.post(f"/users/{plain.name}/edit", {"name": "plain2", "path": "/"}).status_code == 302
    )
    denials = AuditEvent.objects.filter(resource_arn=target.arn, error_code="AccessDenied")
    assert denials.count() >= 2


@pytest.mark.django_db
def test_my_security_credentials_page_obeys_a_tag_on_myself(client, account):
    _user(
        account,
        "self",
        _allow("iam:*AccessKey*", "arn:aws:iam::*:user/${aws:username}"),
        DENY_PROTECTED,
        tags=PROTECTED,
    )
    _sign_in(client, "self")
    response = client.post("/security-credentials/access-keys")
    assert response.status_code == 403
    assert not AccessKey.objects.filter(user__name="self").exists()


# --- finding 2: the permissions-boundary guard rail --------------------------------------------


def _boundary(account, name="DelegatedBoundary"):
    return managed.policy_create(
        actor=system_actor(),
        account=account,
        name=name,
        document=_doc(_allow("mq:*"), _allow("iam:*")),
    )


def _client(live_server, user):
    new = access_keys.access_key_create(actor=system_actor(), owner=user)
    return boto3.client(
        "iam",
        endpoint_url=live_server.url,
        region_name="us-east-1",
        aws_access_key_id=new.key.access_key_id,
        aws_secret_access_key=new.secret_access_key,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


@pytest.mark.django_db(transaction=True)
def test_query_api_delete_boundary_obeys_the_boundary_guard_rail(live_server, account):
    boundary = _boundary(account)
    delegate = _user(account, "delegate", _allow("iam:*"))
    # AWS's delegation pattern: the boundary itself forbids removing it.
    attachments.inline_policy_put(
        actor=system_actor(),
        identity=delegate,
        name="guard",
        document=_doc(
            {
                "Effect": "Deny",
                "Action": [
                    "iam:DeleteUserPermissionsBoundary",
                    "iam:DeleteRolePermissionsBoundary",
                ],
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary.arn}},
            }
        ),
    )
    bounded = _user(account, "bounded")
    attachments.permissions_boundary_put(actor=system_actor(), identity=bounded, policy=boundary)
    iam = _client(live_server, delegate)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user_permissions_boundary(UserName="bounded")
    assert excinfo.value.response["Error"]["Code"] == "AccessDenied"
    assert "with an explicit deny" in excinfo.value.response["Error"]["Message"]
    bounded.refresh_from_db()
    assert bounded.permissions_boundary_id == boundary.pk


@pytest.mark.django_db(transaction=True)
def test_delegation_only_on_users_with_the_boundary(live_server, account):
    """``iam:PermissionsBoundary`` reaches PutUserPolicy and AttachUserPolicy (AWS's example)."""
    boundary = _boundary(account)
    condition = {"StringEquals": {"iam:PermissionsBoundary": boundary.arn}}
    delegate = _user(
        account,
        "delegate",
        _allow(["iam:PutUserPolicy", "iam:AttachUserPolicy"], "*", condition),
    )
    bounded = _user(account, "bounded")
    attachments.permissions_boundary_put(actor=system_actor(), identity=bounded, policy=boundary)
    free = _user(account, "free")
    iam = _client(live_server, delegate)
    document = _doc(_allow("mq:DescribeBroker"))

    iam.put_user_policy(UserName="bounded", PolicyName="p", PolicyDocument=document)
    iam.attach_user_policy(UserName="bounded", PolicyArn=boundary.arn)
    for call in (
        lambda: iam.put_user_policy(UserName="free", PolicyName="p", PolicyDocument=document),
        lambda: iam.attach_user_policy(UserName="free", PolicyArn=boundary.arn),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert excinfo.value.response["Error"]["Code"] == "AccessDenied"
    assert bounded.inline_policies.filter(name="p").exists()
    assert not free.inline_policies.exists()


# --- the other findings --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_forced_password_change_cannot_be_skipped_through_the_api(client, account):
    user = _user(account, "newbie", _allow("*"))
    user.password_reset_required = True
    user.save(update_fields=["password_reset_required"])
    _sign_in(client, "newbie")
    assert client.get("/users").status_code == 302  # the console sends them to change it
    response = client.get("/api/v1/users/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PasswordResetRequired"


def test_a_rest_view_that_declares_no_action_is_refused():
    from django.core.exceptions import ImproperlyConfigured
    from rest_framework.test import APIRequestFactory

    from accounts.principals import principal_for_root
    from policies.permissions import IAMActionPermission

    class Undeclared:
        iam_action = ""

    request = APIRequestFactory().get("/api/v1/anything/")
    request.user = principal_for_root(
        type("Root", (), {"account": type("A", (), {"account_id": ACCOUNT}), "email": "r", "pk": 1})
    )
    with pytest.raises(ImproperlyConfigured):
        IAMActionPermission().has_permission(request, Undeclared())
