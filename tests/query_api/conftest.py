"""boto3 IAM and STS clients against the live test server, for callers with various rights."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config

from accounts.actors import system_actor
from accounts.services import access_keys
from policies.services import attachments
from tests.factories import AccountFactory, IAMUserFactory, RootUserFactory

ACCOUNT = "111122223333"
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
# One attempt only: a server error must fail the test at once, not after botocore's retries.
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})


def make_client(live_server, service: str, key_id: str, secret: str, token: str | None = None):
    """A boto3 client of ``service`` signing with the given credentials."""
    return boto3.client(
        service,
        endpoint_url=live_server.url,
        region_name="us-east-1",
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=NO_RETRIES,
    )


def client_for(live_server, service: str, new_key):
    """A client signing with a freshly created access key (``NewAccessKey``)."""
    return make_client(live_server, service, new_key.key.access_key_id, new_key.secret_access_key)


def allow(user, name: str = "allow", *statements: dict) -> None:
    """Give ``user`` an inline policy (allow-all unless statements are given)."""
    document = {"Version": "2012-10-17", "Statement": list(statements)} if statements else ALLOW_ALL
    attachments.inline_policy_put(
        actor=system_actor(), identity=user, name=name, document=json.dumps(document)
    )


@pytest.fixture
def account():
    from policies.aws_managed import sync_aws_managed_policies
    from policies.models import ManagedPolicy, PolicyVersion

    # Transactional tests truncate every table, the migration's AWS managed policies too.
    sync_aws_managed_policies(ManagedPolicy, PolicyVersion)
    account = AccountFactory(account_id=ACCOUNT, alias="acme")
    RootUserFactory(account=account)
    return account


@pytest.fixture
def root_key(account):
    return access_keys.access_key_create(actor=system_actor(), owner=account.root_user)


@pytest.fixture
def admin(account):
    user = IAMUserFactory(account=account, name="admin")
    allow(user)
    return user


@pytest.fixture
def admin_key(admin):
    return access_keys.access_key_create(actor=system_actor(), owner=admin)


@pytest.fixture
def nobody(account):
    return IAMUserFactory(account=account, name="nobody")


@pytest.fixture
def nobody_key(nobody):
    return access_keys.access_key_create(actor=system_actor(), owner=nobody)


@pytest.fixture
def iam(live_server, admin_key):
    """IAM as an administrator (allow-all identity policy)."""
    return client_for(live_server, "iam", admin_key)


@pytest.fixture
def root_iam(live_server, root_key):
    return client_for(live_server, "iam", root_key)


@pytest.fixture
def denied_iam(live_server, nobody_key):
    """IAM as a user without any policy: every operation is AccessDenied."""
    return client_for(live_server, "iam", nobody_key)


@pytest.fixture
def sts(live_server, admin_key):
    return client_for(live_server, "sts", admin_key)


def error_of(excinfo) -> tuple[str, str, int]:
    """(Error.Code, Error.Message, HTTP status) of a botocore ClientError."""
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def denied_message(user: str, action: str, resource: str) -> str:
    """AWS's implicit-deny message for ``user`` of the test account."""
    return (
        f"User: arn:aws:iam::{ACCOUNT}:user/{user} is not authorized to perform: {action} "
        f"on resource: {resource} because no identity-based policy allows the {action} action"
    )


@pytest.fixture
def user_client(live_server, account):
    """``user_client(name, *statements, service="iam")``: a new user with an inline policy."""

    def build(name: str, *statements: dict, service: str = "iam"):
        user = IAMUserFactory(account=account, name=name)
        if statements:
            allow(user, "inline", *statements)
        return client_for(
            live_server, service, access_keys.access_key_create(actor=system_actor(), owner=user)
        )

    return build
