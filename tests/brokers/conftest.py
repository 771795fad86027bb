"""Fixtures of the broker tests: an account, IAM users with policies, boto3 mq clients."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config

from accounts.actors import system_actor
from accounts.services import access_keys, users
from policies.services import attachments
from tests.factories import AccountFactory, IAMUserFactory

ACCOUNT = "111122223333"
PASSWORD = "Corr3ct-Horse!"
ACTOR = system_actor()
BROKER_PASSWORD = "Broker-Passw0rd-1"


def doc(*statements) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", condition=None) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def grant(user, *statements, name="grant") -> None:
    attachments.inline_policy_put(
        actor=ACTOR, identity=user, name=name, document=json.dumps(doc(*statements))
    )


@pytest.fixture(autouse=True)
def aws_managed_policies(request):
    """Transactional tests flush the data migration's AWS managed policies: load them again."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction")
    if transactional or "transactional_db" in request.fixturenames:
        from policies.aws_managed import sync_aws_managed_policies
        from policies.models import ManagedPolicy, PolicyVersion

        request.getfixturevalue("transactional_db")
        sync_aws_managed_policies(ManagedPolicy, PolicyVersion)


@pytest.fixture
def account():
    return AccountFactory(account_id=ACCOUNT, alias="acme")


@pytest.fixture
def make_user(account):
    """An IAM user with a console password and the given policy statements."""

    def make(name, *statements, tags=None):
        user = IAMUserFactory(account=account, name=name, tags=tags or {})
        users.user_password_set(actor=ACTOR, user=user, password=PASSWORD)
        if statements:
            grant(user, *statements)
        return user

    return make


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


@pytest.fixture
def mq_client(live_server):
    """A boto3 ``mq`` client for a user, pointed at the live console and nothing else."""

    def make(user, region="us-east-1"):
        key = access_keys.access_key_create(actor=ACTOR, owner=user)
        return boto3.client(
            "mq",
            endpoint_url=live_server.url,
            region_name=region,
            aws_access_key_id=key.key.access_key_id,
            aws_secret_access_key=key.secret_access_key,
            config=Config(retries={"max_attempts": 1}),
        )

    return make


def activemq_spec(name="orders", **overrides) -> dict:
    """CreateBroker arguments (boto3 names) of a small valid ActiveMQ broker."""
    spec = {
        "BrokerName": name,
        "EngineType": "ACTIVEMQ",
        "EngineVersion": "5.18",
        "DeploymentMode": "SINGLE_INSTANCE",
        "HostInstanceType": "mq.t3.micro",
        "PubliclyAccessible": False,
        "AutoMinorVersionUpgrade": True,
        "Users": [{"Username": "admin", "Password": BROKER_PASSWORD, "ConsoleAccess": True}],
    }
    spec.update(overrides)
    return spec


def make_broker(account, name="orders", *, engine="ACTIVEMQ", running=True, **overrides):
    """A broker made by the service (default: a small ActiveMQ broker), RUNNING by default."""
    from brokers.models import Broker
    from brokers.services import broker_create

    spec = {
        "engine_type": engine,
        "deployment_mode": "SINGLE_INSTANCE",
        "host_instance_type": "mq.t3.micro",
        "users": [{"username": "admin", "password": BROKER_PASSWORD, "consoleAccess": True}],
    }
    spec.update(overrides)
    broker = broker_create(actor=ACTOR, account=account, name=name, **spec)
    if running:
        Broker.objects.filter(pk=broker.pk).update(
            state="RUNNING", transition_due_at=None, transition_token=""
        )
        broker.refresh_from_db()
    return broker
