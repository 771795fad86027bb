"""Fixtures of the access-request tests: an account with brokers, requesters and approvers."""

from __future__ import annotations

import json

import pytest

from accounts.actors import system_actor
from accounts.principals import principal_for_role_session, principal_for_user
from accounts.services import sts, users
from policies.context import request_context
from policies.requests.eligibility import PrincipalAuthorizer
from policies.services import attachments
from tests.factories import (
    AccountFactory,
    BrokerFactory,
    ConfigurationFactory,
    IAMUserFactory,
    RoleFactory,
    RootUserFactory,
)

ACCOUNT = "111122223333"
PASSWORD = "Corr3ct-Horse!"
ACTOR = system_actor()


def doc(*statements) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", condition=None) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def grant(identity, *statements, name="grant") -> None:
    attachments.inline_policy_put(
        actor=ACTOR, identity=identity, name=name, document=json.dumps(doc(*statements))
    )


class World:
    """Names of the fixture's objects, and principals built from them."""

    def __init__(self, **items):
        self.__dict__.update(items)

    def principal(self, user):
        return principal_for_user(user)

    def authz(self, user, now=None):
        return PrincipalAuthorizer(principal_for_user(user), now=now)


@pytest.fixture
def world(db):
    """alice asks; admin may grant to anyone; lead only to users tagged team=payments."""
    account = AccountFactory(account_id=ACCOUNT, alias="acme")
    root = RootUserFactory(account=account, email="root@acme.example")
    orders = BrokerFactory(
        account=account, name="orders", tags={"env": "production", "team": "payments"}
    )
    telemetry = BrokerFactory(account=account, name="telemetry", tags={"team": "iot"})
    config = ConfigurationFactory(account=account, name="orders-config", tags={"team": "payments"})
    made = {}
    for name, tags in (
        ("alice", {"team": "payments", "email": "alice@acme.example"}),
        ("bob", {"team": "iot"}),
        ("admin", {"email": "admin@acme.example"}),
        ("carol", {"email": "carol@acme.example"}),
        ("lead", {}),
        ("nobody", {}),
    ):
        user = IAMUserFactory(account=account, name=name, tags=tags)
        users.user_password_set(actor=ACTOR, user=user, password=PASSWORD)
        made[name] = user
    read = allow(["mq:DescribeBroker", "mq:ListBrokers"])
    grant(made["alice"], read)
    grant(made["bob"], read)
    approver = allow(
        ["iam:PutUserPolicy", "iam:PutRolePolicy", "iam:DeleteUserPolicy", "iam:DeleteRolePolicy"],
        f"arn:aws:iam::{ACCOUNT}:*",
    )
    grant(made["admin"], approver, read)
    grant(made["carol"], approver, read)
    grant(
        made["lead"],
        allow(
            ["iam:PutUserPolicy", "iam:DeleteUserPolicy"],
            f"arn:aws:iam::{ACCOUNT}:user/*",
            {"StringEquals": {"aws:ResourceTag/team": "payments"}},
        ),
    )
    return World(
        account=account, root=root, orders=orders, telemetry=telemetry, config=config, **made
    )


@pytest.fixture
def role_session(world):
    """A session of role Operator, assumed by bob: a role session as requester."""
    role = RoleFactory(account=world.account, name="Operator", tags={"team": "payments"})
    grant(role, allow(["mq:DescribeBroker", "mq:ListBrokers"]))
    grant(world.bob, allow("sts:AssumeRole", role.arn), name="assume")
    caller = principal_for_user(world.bob)
    new = sts.assume_role(
        actor=ACTOR, caller=caller, role=role, session_name="bob", context=request_context(caller)
    )
    return role, principal_for_role_session(new.session)


@pytest.fixture
def sign_in():
    def sign_in(client, user):
        response = client.post(
            "/signin",
            {"as": "user", "account": ACCOUNT, "username": user.name, "password": PASSWORD},
        )
        assert response.status_code == 302, response.content
        return client

    return sign_in
