"""A denial caused by a condition names the condition and what would satisfy it."""

from __future__ import annotations

import pytest

from accounts.actors import system_actor
from accounts.services import roles, users
from policies.services import attachments, managed
from tests.factories import AccountFactory, IAMUserFactory

pytestmark = pytest.mark.django_db
ACCOUNT = "111122223333"
PASSWORD = "Corr3ct-Horse!"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"


def _doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.fixture
def alice():
    account = AccountFactory(account_id=ACCOUNT, alias="acme")
    user = IAMUserFactory(account=account, name="alice")
    users.user_password_set(actor=system_actor(), user=user, password=PASSWORD)
    attachments.inline_policy_put(
        actor=system_actor(),
        identity=user,
        name="assume",
        document=_doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
    )
    return user


def _role(account, condition, principal=ALICE):
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": principal}}
    if condition:
        statement["Condition"] = condition
    return roles.role_create(
        actor=system_actor(), account=account, name="Admin", trust_policy=_doc(statement)
    )


def _switch(client):
    response = client.post(
        "/signin", {"as": "user", "account": ACCOUNT, "username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302
    return client.post("/switch-role", {"account": ACCOUNT, "role_name": "Admin", "color": "blue"})


def test_switch_role_refused_by_mfa_condition_names_it(client, alice):
    _role(alice.account, {"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    response = _switch(client)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Denied by a condition" in page
    assert "aws:MultiFactorAuthPresent Bool true" in page
    assert "role&#x27;s trust policy" in page
    assert "Sign in with an MFA device" in page
    assert "nothing allows it" not in page
    assert "a statement would allow it, but its condition is not met" in page


def test_request_value_is_shown_when_the_request_carried_one(client, alice):
    _role(alice.account, {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    page = _switch(client).content.decode()
    assert "aws:SourceIp IpAddress 203.0.113.0/24" in page
    assert "aws:SourceIp = 127.0.0.1" in page


def test_denial_without_condition_keeps_the_grant_advice(client, alice):
    _role(alice.account, None, principal=f"arn:aws:iam::{ACCOUNT}:user/bob")
    page = _switch(client).content.decode()
    assert "Denied by a condition" not in page
    assert "nothing allows it" in page


def _boundary(user, condition):
    policy = managed.policy_create(
        actor=system_actor(),
        account=user.account,
        name="Boundary",
        document=_doc(
            {
                "Sid": "AuditWithMFA",
                "Effect": "Allow",
                "Action": "cloudtrail:LookupEvents",
                "Resource": "*",
                "Condition": condition,
            }
        ),
    )
    attachments.permissions_boundary_put(actor=system_actor(), identity=user, policy=policy)


def _audit_page(client) -> str:
    client.post(
        "/signin", {"as": "user", "account": ACCOUNT, "username": "alice", "password": PASSWORD}
    )
    response = client.get("/audit")
    assert response.status_code == 403
    return response.content.decode()


def test_boundary_condition_named_when_the_identity_policy_allows(client, alice):
    attachments.inline_policy_put(
        actor=system_actor(),
        identity=alice,
        name="audit",
        document=_doc({"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"}),
    )
    _boundary(alice, {"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    page = _audit_page(client)
    assert "Denied by a condition" in page and "AuditWithMFA" in page
    assert "permissions boundary" in page


def test_boundary_condition_not_named_when_nothing_else_allows(client, alice):
    # Meeting the boundary's condition would change nothing: no identity policy allows it.
    _boundary(alice, {"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    page = _audit_page(client)
    assert "Denied by a condition" not in page and "nothing allows it" in page


def test_a_boundary_does_not_hide_the_trust_condition_that_names_the_caller(client, alice):
    """A trust policy naming the user itself grants whatever the user's boundary says (AWS's
    evaluation logic), so the failed MFA condition is what would change the answer."""
    boundary = managed.policy_create(
        actor=system_actor(),
        account=alice.account,
        name="MqOnly",
        document=_doc({"Effect": "Allow", "Action": "mq:*", "Resource": "*"}),
    )
    attachments.permissions_boundary_put(actor=system_actor(), identity=alice, policy=boundary)
    _role(alice.account, {"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    response = _switch(client)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Denied by a condition" in page
    assert "aws:MultiFactorAuthPresent Bool true" in page
