"""Fixtures and helpers shared by the policy page and API tests (no tests of its own)."""

from __future__ import annotations

import json

import pytest

from accounts.actors import system_actor
from accounts.services import groups, roles, users
from accounts.services.accounts import account_create
from policies.services import attachments, managed

ACCOUNT = "111122223333"
PASSWORD = "Corr3ct-Horse!"
ROOT_EMAIL = "root@acme.example"
ROOT_PASSWORD = "Root-Passw0rd!"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
ACTOR = system_actor(ACCOUNT)


def doc(*statements) -> dict:
    """A 2012-10-17 policy document of these statements."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", condition=None) -> dict:
    """An Allow statement."""
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def denial(action: str, resource: str) -> str:
    """AWS's implicit-deny message for alice."""
    return (
        f"User: {ALICE} is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action"
    )


def grant(user, *statements, name="grant") -> None:
    """Give ``user`` an inline policy of these statements."""
    attachments.inline_policy_put(actor=ACTOR, identity=user, name=name, document=doc(*statements))


def sign_in(client, name: str = "alice") -> None:
    """Sign the test client in as an IAM user of the account."""
    response = client.post(
        "/signin", {"as": "user", "account": ACCOUNT, "username": name, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content


def sign_in_root(client) -> None:
    """Sign the test client in as the account's root user."""
    response = client.post(
        "/signin", {"as": "root", "email": ROOT_EMAIL, "password": ROOT_PASSWORD}
    )
    assert response.status_code == 302, response.content


def ensure_aws_managed_policies() -> None:
    """The migration loads them, but a transactional test's flush removes them again."""
    from policies.aws_managed import sync_aws_managed_policies
    from policies.models import ManagedPolicy, PolicyVersion

    if not ManagedPolicy.objects.filter(is_aws_managed=True).exists():
        sync_aws_managed_policies(ManagedPolicy, PolicyVersion)


@pytest.fixture
def account():
    ensure_aws_managed_policies()
    return account_create(
        actor=ACTOR,
        account_id=ACCOUNT,
        alias="acme",
        root_email=ROOT_EMAIL,
        root_password=ROOT_PASSWORD,
    )


@pytest.fixture
def alice(account):
    return users.user_create(
        actor=ACTOR, account=account, name="alice", password=PASSWORD, tags={"team": "ops"}
    )


@pytest.fixture
def team_policy(account):
    """A customer managed policy under /team/ (what limited permissions allow)."""
    return managed.policy_create(
        actor=ACTOR,
        account=account,
        name="TeamBrokers",
        path="/team/",
        description="Brokers of the team",
        document=doc(allow(["mq:Describe*", "mq:List*"])),
        tags={"team": "ops"},
    )


@pytest.fixture
def other_policy(account):
    """A customer managed policy outside /team/."""
    return managed.policy_create(
        actor=ACTOR, account=account, name="OtherPolicy", document=doc(allow("mq:ListBrokers"))
    )


@pytest.fixture
def readers(account):
    return groups.group_create(actor=ACTOR, account=account, name="Readers")


@pytest.fixture
def deployer(account):
    return roles.role_create(
        actor=ACTOR,
        account=account,
        name="Deployer",
        trust_policy=json.dumps(
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "sts:AssumeRole",
                }
            )
        ),
        tags={"team": "ops"},
    )
