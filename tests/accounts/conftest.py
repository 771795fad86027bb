"""Fixtures of the users, groups and roles tests: the acme account, alice, signed-in clients."""

from __future__ import annotations

import pytest

from accounts.actors import system_actor
from accounts.services import users
from brokers.services import ensure_mq_service_linked_role
from tests.accounts.support import ACCOUNT, PASSWORD
from tests.factories import AccountFactory, IAMUserFactory, RootUserFactory


def _sign_in_alice(client):
    response = client.post(
        "/signin", {"as": "user", "account": ACCOUNT, "username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def _sign_in_root(client, account):
    RootUserFactory(account=account, email="root@acme.example")
    response = client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def account():
    return AccountFactory(account_id=ACCOUNT, alias="acme")


@pytest.fixture
def alice(account):
    user = IAMUserFactory(account=account, name="alice")
    users.user_password_set(actor=system_actor(), user=user, password=PASSWORD)
    return user


@pytest.fixture
def alice_api(api_client, alice):
    return _sign_in_alice(api_client)


@pytest.fixture
def root_api(api_client, account):
    return _sign_in_root(api_client, account)


@pytest.fixture
def alice_client(client, alice):
    return _sign_in_alice(client)


@pytest.fixture
def root_client(client, account):
    return _sign_in_root(client, account)


@pytest.fixture
def slr(account):
    return ensure_mq_service_linked_role(actor=system_actor(), account=account)
