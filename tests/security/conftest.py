"""Two accounts with the same kinds of objects, their roots and admins, signed API calls."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from accounts.actors import system_actor
from accounts.services import access_keys, groups, roles, users
from policies.services import attachments, managed
from tests.factories import AccountFactory, RootUserFactory

ACTOR = system_actor()
PASSWORD = "Corr3ct-Horse!"
ROOT_PASSWORD = "Root-Passw0rd"  # tests.factories.RootUserFactory's
BROKER_PASSWORD = "Broker-Passw0rd-1"
A, B = "111122223333", "739214582036"
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
READ_MQ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "mq:Describe*", "Resource": "*"}],
}


def trust(account_id: str) -> dict:
    """A trust policy letting every principal of ``account_id`` assume the role."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


@dataclass
class Tenant:
    """One account's objects, named alike in every account (so a name alone is ambiguous)."""

    account: object
    root: object
    admin: object
    alice: object
    group: object
    role: object
    shared_role: object
    policy: object
    broker: object
    configuration: object
    keys: dict = field(default_factory=dict)

    @property
    def account_id(self) -> str:
        return self.account.account_id


def build_tenant(account_id: str, alias: str, *, trusted: str | None = None) -> Tenant:
    """An account with root, an admin (``*`` on ``*``), a user, group, roles, policy, broker."""
    from brokers.models import Broker
    from brokers.services import broker_create, configuration_create

    account = AccountFactory(account_id=account_id, alias=alias)
    root = RootUserFactory(account=account, email=f"root@{alias}.example")
    admin = users.user_create(actor=ACTOR, account=account, name="admin", password=PASSWORD)
    attachments.inline_policy_put(
        actor=ACTOR, identity=admin, name="all", document=json.dumps(ALLOW_ALL)
    )
    alice = users.user_create(
        actor=ACTOR, account=account, name="alice", password=PASSWORD, tags={"team": "blue"}
    )
    group = groups.group_create(actor=ACTOR, account=account, name="ops")
    groups.group_member_add(actor=ACTOR, group=group, user=alice)
    role = roles.role_create(
        actor=ACTOR, account=account, name="deployer", trust_policy=trust(account_id)
    )
    # The cross-account trust: B's "shared" role may be assumed from A (when ``trusted``).
    shared_role = roles.role_create(
        actor=ACTOR, account=account, name="shared", trust_policy=trust(trusted or account_id)
    )
    attachments.inline_policy_put(
        actor=ACTOR, identity=shared_role, name="read", document=json.dumps(READ_MQ)
    )
    policy = managed.policy_create(
        actor=ACTOR, account=account, name="readers", document=json.dumps(READ_MQ)
    )
    attachments.policy_attach(actor=ACTOR, policy=policy, identity=alice)
    broker = broker_create(
        actor=ACTOR,
        account=account,
        name="orders",
        engine_type="ACTIVEMQ",
        deployment_mode="SINGLE_INSTANCE",
        host_instance_type="mq.t3.micro",
        users=[{"username": "admin", "password": BROKER_PASSWORD, "consoleAccess": True}],
    )
    Broker.objects.filter(pk=broker.pk).update(
        state="RUNNING", transition_due_at=None, transition_token=""
    )
    broker.refresh_from_db()
    configuration = configuration_create(
        actor=ACTOR, account=account, name="orders-config", engine_type="ACTIVEMQ"
    )
    return Tenant(
        account, root, admin, alice, group, role, shared_role, policy, broker, configuration
    )


@pytest.fixture
def aws_managed():
    from policies.aws_managed import sync_aws_managed_policies
    from policies.models import ManagedPolicy, PolicyVersion

    sync_aws_managed_policies(ManagedPolicy, PolicyVersion)


@pytest.fixture
def tenants(db, aws_managed):
    """Accounts A and B; B's role "shared" trusts account A (the cross-account trust)."""
    a = build_tenant(A, "alpha")
    b = build_tenant(B, "bravo", trusted=A)
    for tenant in (a, b):
        tenant.keys["root"] = access_keys.access_key_create(actor=ACTOR, owner=tenant.root)
        tenant.keys["admin"] = access_keys.access_key_create(actor=ACTOR, owner=tenant.admin)
    return a, b


def sign_headers(
    method: str,
    path: str,
    new_key,
    *,
    service: str,
    body: bytes = b"",
    content_type: str = "",
    region: str = "us-east-1",
    token=None,
) -> dict:
    """The SigV4 headers a real client sends, as Django test-client keyword arguments."""
    key_id = getattr(getattr(new_key, "key", None), "access_key_id", None) or new_key[0]
    secret = getattr(new_key, "secret_access_key", None) or new_key[1]
    headers = {"Content-Type": content_type} if content_type else {}
    request = AWSRequest(method=method, url=f"http://testserver{path}", data=body, headers=headers)
    SigV4Auth(Credentials(key_id, secret, token), service, region).add_auth(request)
    return {
        "HTTP_" + name.upper().replace("-", "_"): value
        for name, value in request.headers.items()
        if name.lower() not in ("content-type", "content-length")
    }


def signed(
    client,
    method: str,
    path: str,
    new_key,
    *,
    service: str = "execute-api",
    body: bytes = b"",
    content_type: str = "application/json",
    **extra,
):
    """A SigV4-signed request through the Django test client."""
    headers = sign_headers(
        method,
        path,
        new_key,
        service=service,
        body=body,
        content_type=content_type if body else "",
        **extra,
    )
    return client.generic(method, path, data=body, content_type=content_type, **headers)


def sign_in(client, tenant: Tenant, who: str = "root"):
    """A console session of the tenant's root (by email) or of one of its users."""
    if who == "root":
        data = {"as": "root", "email": tenant.root.email, "password": ROOT_PASSWORD}
    else:
        data = {"as": "user", "account": tenant.account_id, "username": who, "password": PASSWORD}
    response = client.post("/signin", data)
    assert response.status_code == 302, response.content[:500]
    return client
