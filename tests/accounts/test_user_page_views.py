"""The user's page: every action an administrator takes on one user, each authorized by its
service (anonymous → sign-in, no permission → AWS's 403 and nothing changes, permitted → done)."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.test import Client

from accounts.models import AccessKey, AuditEvent, GroupMembership, IAMUser, MFADevice
from policies.models import ManagedPolicy, PolicyAttachment
from tests.accounts.support import ACCOUNT, ALICE, allow, denial, grant
from tests.factories import (
    AccessKeyFactory,
    GroupFactory,
    IAMUserFactory,
    ManagedPolicyFactory,
    MFADeviceFactory,
)

pytestmark = pytest.mark.django_db
CAROL = f"arn:aws:iam::{ACCOUNT}:user/carol"


@pytest.fixture
def world(account):
    """carol (no password, tag team=a, one active and one inactive key, an MFA device),
    group Operators, customer policy MqRead."""
    carol = IAMUserFactory(account=account, name="carol", tags={"team": "a"})
    GroupFactory(account=account, name="Operators")
    ManagedPolicyFactory(account=account, name="MqRead")
    AccessKeyFactory(user=carol, access_key_id="AKIAACTIVE0000000001")
    AccessKeyFactory(user=carol, access_key_id="AKIAINACTIVE00000001", status="Inactive")
    MFADeviceFactory(user=carol)
    return carol


def _state(carol: IAMUser) -> tuple:
    """Everything the actions could change about carol."""
    carol.refresh_from_db()
    return (
        carol.tags,
        carol.password,
        sorted(AccessKey.objects.filter(user=carol).values_list("access_key_id", "status")),
        MFADevice.objects.filter(user=carol).count(),
        GroupMembership.objects.filter(user=carol).count(),
        PolicyAttachment.objects.filter(user=carol).count(),
    )


def _policy_arn() -> str:
    return ManagedPolicy.objects.get(name="MqRead").arn


def _serial() -> str:
    return MFADevice.objects.get(user__name="carol").serial_number


# (url, data, IAM action denied, resource: "carol" or "group")
ACTIONS = [
    ("/users/carol/policies/attach", {"policy_arn": _policy_arn}, "iam:AttachUserPolicy", "carol"),
    ("/users/carol/groups", {"group_name": "Operators"}, "iam:AddUserToGroup", "group"),
    ("/users/carol/tags", {"tags": "team=b"}, "iam:TagUser", "carol"),
    ("/users/carol/tags", {"tags": ""}, "iam:UntagUser", "carol"),
    (
        "/users/carol/password",
        {"password": "N3w-Passw0rd!x", "reset_required": "on"},
        "iam:CreateLoginProfile",
        "carol",
    ),
    ("/users/carol/access-keys", {}, "iam:CreateAccessKey", "carol"),
    (
        "/users/carol/access-keys/AKIAACTIVE0000000001",
        {"operation": "deactivate"},
        "iam:UpdateAccessKey",
        "carol",
    ),
    (
        "/users/carol/access-keys/AKIAINACTIVE00000001",
        {"operation": "delete"},
        "iam:DeleteAccessKey",
        "carol",
    ),
    ("/users/carol/mfa/remove", {"serial_number": _serial}, "iam:DeactivateMFADevice", "carol"),
]


def _data(data: dict) -> dict:
    return {k: v() if callable(v) else v for k, v in data.items()}


@pytest.mark.parametrize(("url", "data", "action", "resource"), ACTIONS)
def test_anonymous_is_sent_to_sign_in(client, world, url, data, action, resource):
    before = _state(world)
    response = client.post(url, _data(data))
    assert response.status_code == 302 and response["Location"].startswith("/signin?next=")
    assert _state(world) == before


@pytest.mark.parametrize(("url", "data", "action", "resource"), ACTIONS)
def test_no_permission_is_403_and_changes_nothing(alice_client, world, url, data, action, resource):
    before = _state(world)
    response = alice_client.post(url, _data(data))
    arn = CAROL if resource == "carol" else f"arn:aws:iam::{ACCOUNT}:group/Operators"
    assert response.status_code == 403
    assert denial(action, arn) in response.content.decode()
    assert AuditEvent.objects.filter(
        action=action, decision="implicitDeny", principal_arn=ALICE, resource_arn=arn
    ).exists()
    assert _state(world) == before


@pytest.mark.parametrize(("url", "data", "action", "resource"), ACTIONS)
def test_permitted_does_it_and_audits(alice_client, alice, world, url, data, action, resource):
    grant(alice, allow(action))
    if action == "iam:CreateAccessKey":  # two keys is AWS's quota
        AccessKey.objects.filter(user=world, status="Inactive").delete()
    before = _state(world)
    response = alice_client.post(url, _data(data))
    assert response.status_code == 302
    assert response["Location"].startswith("/users/carol?tab=")
    assert _state(world) != before
    assert AuditEvent.objects.filter(
        action=action, principal_arn=ALICE, decision="allowed"
    ).exists()


def test_permitted_outcomes(root_client, world):
    carol = world
    root_client.post("/users/carol/policies/attach", {"policy_arn": _policy_arn()})
    assert list(carol.policy_attachments.values_list("policy__name", flat=True)) == ["MqRead"]
    root_client.post("/users/carol/groups", {"group_name": "Operators"})
    assert list(carol.memberships.values_list("group__name", flat=True)) == ["Operators"]
    root_client.post("/users/carol/tags", {"tags": "env=prod"})
    carol.refresh_from_db()
    assert carol.tags == {"env": "prod"}
    root_client.post(
        "/users/carol/password", {"password": "N3w-Passw0rd!x", "reset_required": "on"}
    )
    carol.refresh_from_db()
    assert carol.has_console_password and carol.password_reset_required
    root_client.post("/users/carol/password", {"password": "An0ther-Passw0rd!"})
    carol.refresh_from_db()
    assert carol.check_password("An0ther-Passw0rd!") and not carol.password_reset_required
    root_client.post("/users/carol/password/delete")
    carol.refresh_from_db()
    assert not carol.has_console_password
    root_client.post("/users/carol/access-keys/AKIAACTIVE0000000001", {"operation": "deactivate"})
    assert AccessKey.objects.get(access_key_id="AKIAACTIVE0000000001").status == "Inactive"
    root_client.post("/users/carol/access-keys/AKIAINACTIVE00000001", {"operation": "delete"})
    assert not AccessKey.objects.filter(access_key_id="AKIAINACTIVE00000001").exists()
    root_client.post("/users/carol/mfa/remove", {"serial_number": _serial()})
    assert not MFADevice.objects.filter(user=carol).exists()


def test_new_access_key_secret_shown_once_on_the_users_page(root_client, world):
    AccessKey.objects.filter(user=world, status="Inactive").delete()
    response = root_client.post("/users/carol/access-keys")
    assert response.status_code == 302
    key = AccessKey.objects.filter(user=world).exclude(access_key_id="AKIAACTIVE0000000001").get()
    page = root_client.get("/users/carol?tab=credentials").content.decode()
    assert key.access_key_id in page and "shown only now" in page
    again = root_client.get("/users/carol?tab=credentials").content.decode()
    assert "shown only now" not in again


def test_page_links_every_task(root_client, world):
    page = root_client.get("/users/carol").content.decode()
    for href in (
        "/access/user/carol",
        "/policies/create-inline/user/carol",
        "/policies/boundary/user/carol",
        "/users/carol/policies/attach",
    ):
        assert href in page, href
    # AWS managed policies are offered as well as the account's own.
    assert "AmazonMQReadOnlyAccess (AWS managed)" in page and "MqRead (customer managed)" in page


def test_remove_from_group_confirmation_returns_to_the_user(root_client, world):
    group = GroupFactory(account=world.account, name="Readers")
    GroupMembership.objects.create(user=world, group=group)
    back = "/users/carol?tab=groups"
    page = root_client.get(f"/groups/Readers/members/carol/remove?next={back}")
    assert page.status_code == 200 and f'value="{back}"' in page.content.decode()
    response = root_client.post("/groups/Readers/members/carol/remove", {"next": back})
    assert response["Location"] == back
    assert not world.memberships.exists()


def test_tag_error_is_shown_on_the_form(root_client, world):
    response = root_client.post("/users/carol/tags", {"tags": "aws:x=1"})
    assert response.status_code == 400
    assert response.context["tags_form"].errors["tags"]
    world.refresh_from_db()
    assert world.tags == {"team": "a"}


def test_password_against_policy_is_shown_on_the_form(root_client, world):
    response = root_client.post("/users/carol/password", {"password": "x"})
    assert response.status_code == 400
    assert response.context["password_form"].errors["password"]
    world.refresh_from_db()
    assert not world.has_console_password


def test_create_user_offers_aws_managed_policies(root_client, account):
    ManagedPolicyFactory(account=account, name="MqRead")
    response = root_client.get("/users/create")
    labels = dict(response.context["form"].fields["policies"].choices).values()
    assert "AmazonMQReadOnlyAccess (AWS managed)" in labels
    assert "MqRead (customer managed)" in labels
    aws = "arn:aws:iam::aws:policy/AmazonMQReadOnlyAccess"
    response = root_client.post("/users/create", {"name": "dave", "path": "/", "policies": [aws]})
    assert response.status_code == 302
    dave = IAMUser.objects.get(name="dave")
    assert [a.policy.arn for a in dave.policy_attachments.all()] == [aws]


def test_user_page_anonymous_denied_and_limited_to_a_path(alice_client, alice, world):
    assert Client().get("/users/carol")["Location"].startswith("/signin?next=")
    response = alice_client.get("/users/carol")
    assert response.status_code == 403
    assert denial("iam:GetUser", CAROL) in response.content.decode()
    grant(alice, allow("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/carol"))
    assert alice_client.get("/users/carol").status_code == 200
    assert alice_client.get("/users/alice").status_code == 403


def _codes(seed: str) -> tuple[str, str]:
    totp = pyotp.TOTP(seed)
    now = time.time()
    return totp.at(now - 30), totp.at(now)


def test_assign_mfa_from_the_users_page(alice_client, alice, world):
    MFADevice.objects.filter(user=world).delete()
    assert Client().get("/users/carol/mfa/assign")["Location"].startswith("/signin?next=")
    grant(alice, allow("iam:GetUser"))
    start = alice_client.get("/users/carol/mfa/assign")
    assert start.status_code == 200 and start.context["start"]
    assert not MFADevice.objects.filter(user=world).exists()  # no state change on GET
    response = alice_client.post("/users/carol/mfa/assign", {"step": "start"})
    assert response.status_code == 403
    assert denial("iam:CreateVirtualMFADevice", f"arn:aws:iam::{ACCOUNT}:mfa/carol") in (
        response.content.decode()
    )
    assert not MFADevice.objects.filter(user=world).exists()
    grant(alice, allow("iam:CreateVirtualMFADevice"))
    page = alice_client.post("/users/carol/mfa/assign", {"step": "start"})
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    code1, code2 = _codes(page.context["seed"])
    refused = alice_client.post("/users/carol/mfa/assign", {"code1": code1, "code2": code2})
    assert refused.status_code == 403
    assert denial("iam:EnableMFADevice", CAROL) in refused.content.decode()
    assert not MFADevice.objects.filter(user=world, enabled_at__isnull=False).exists()
    grant(alice, allow(["iam:CreateVirtualMFADevice", "iam:EnableMFADevice"]))
    wrong = alice_client.post("/users/carol/mfa/assign", {"code1": "000000", "code2": "000000"})
    assert wrong.status_code == 400
    response = alice_client.post("/users/carol/mfa/assign", {"code1": code1, "code2": code2})
    assert response["Location"] == "/users/carol?tab=credentials"
    assert MFADevice.objects.get(user=world).is_enabled


@pytest.mark.parametrize("tab", ["permissions", "groups", "credentials", "tags"])
def test_user_page_queries_do_not_grow_with_memberships(
    root_client, world, tab, django_assert_max_num_queries
):
    for n in range(8):
        GroupMembership.objects.create(
            user=world, group=GroupFactory(account=world.account, name=f"team-{n}")
        )
        PolicyAttachment.objects.create(
            user=world, policy=ManagedPolicyFactory(account=world.account, name=f"p{n}")
        )
    with django_assert_max_num_queries(25):
        response = root_client.get(f"/users/carol?tab={tab}")
    assert response.status_code == 200
