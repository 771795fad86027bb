"""Deleting a user from the console: preconditions removed first, each step authorized."""

import pytest

from accounts.actors import system_actor
from accounts.models import AuditEvent, IAMUser
from accounts.services import access_keys, users
from policies.services import attachments
from tests.factories import AccountFactory, IAMUserFactory

pytestmark = pytest.mark.django_db
ACCOUNT = "111122223333"
PASSWORD = "Corr3ct-Horse!"


@pytest.fixture
def admin():
    account = AccountFactory(account_id=ACCOUNT, alias="acme")
    user = IAMUserFactory(account=account, name="admin")
    users.user_password_set(actor=system_actor(), user=user, password=PASSWORD)
    return user


def _grant(user, *statements):
    attachments.inline_policy_put(
        actor=system_actor(),
        identity=user,
        name="admin",
        document={"Version": "2012-10-17", "Statement": list(statements)},
    )


def _sign_in(client):
    client.post(
        "/signin", {"as": "user", "account": ACCOUNT, "username": "admin", "password": PASSWORD}
    )


def test_delete_removes_blockers_then_the_user(client, admin):
    _grant(admin, {"Effect": "Allow", "Action": "iam:*", "Resource": "*"})
    victim = IAMUserFactory(account=admin.account, name="victim")
    users.user_password_set(actor=system_actor(), user=victim, password=PASSWORD)
    access_keys.access_key_create(actor=system_actor(), owner=victim)
    _sign_in(client)
    response = client.post("/users/victim/delete", {"confirm": "victim", "remove_blockers": "1"})
    assert response.status_code == 302
    assert not IAMUser.objects.filter(name="victim").exists()
    actions = set(
        AuditEvent.objects.filter(resource_arn=victim.arn).values_list("action", flat=True)
    )
    assert {"iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:DeleteUser"} <= actions


def test_a_denied_step_changes_nothing_and_is_audited(client, admin):
    _grant(
        admin,
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:DeleteAccessKey", "Resource": "*"},
    )
    victim = IAMUserFactory(account=admin.account, name="victim")
    users.user_password_set(actor=system_actor(), user=victim, password=PASSWORD)
    access_keys.access_key_create(actor=system_actor(), owner=victim)
    _sign_in(client)
    response = client.post("/users/victim/delete", {"confirm": "victim", "remove_blockers": "1"})
    assert response.status_code == 403
    victim.refresh_from_db()
    assert victim.has_console_password and victim.access_keys.count() == 1
    assert (
        AuditEvent.objects.filter(action="iam:DeleteAccessKey", decision="explicitDeny").count()
        == 1
    )
