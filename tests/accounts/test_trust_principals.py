"""Trust policies bind the users and roles they name to unique ids (hardening item 8)."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps

from accounts.actors import system_actor
from accounts.models import Role
from accounts.services import roles, users
from accounts.services.trust_principals import role_trust_policy_resolved
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
ACCOUNT = "111122223333"
OTHER = "444455556666"


def _trust(*principals: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"}
        ],
    }


@pytest.fixture
def setup():
    account = AccountFactory(account_id=ACCOUNT)
    other = AccountFactory(account_id=OTHER)
    bob = users.user_create(actor=system_actor(), account=account, name="bob", path="/ops/")
    carol = users.user_create(actor=system_actor(), account=other, name="carol")
    helper = roles.role_create(
        actor=system_actor(), account=account, name="helper", trust_policy=_trust(bob.arn)
    )
    return account, bob, carol, helper


def test_saving_records_the_unique_ids_of_named_users_and_roles(setup):
    account, bob, carol, helper = setup
    role = roles.role_create(
        actor=system_actor(),
        account=account,
        name="ops",
        trust_policy=_trust(
            bob.arn,
            carol.arn,
            helper.arn,
            f"arn:aws:iam::{OTHER}:root",
            f"arn:aws:iam::{ACCOUNT}:user/nobody-yet",
        ),
    )
    assert role.trust_principal_ids == {
        bob.arn: bob.unique_id,
        carol.arn: carol.unique_id,
        helper.arn: helper.unique_id,
    }
    assert role_trust_policy_resolved(role) == role.trust_policy  # all alive: unchanged text


def test_a_deleted_or_recreated_principal_is_shown_and_evaluated_by_its_old_id(setup):
    account, bob, carol, _helper = setup
    role = roles.role_create(
        actor=system_actor(), account=account, name="ops", trust_policy=_trust(bob.arn, carol.arn)
    )
    old_id = bob.unique_id
    users.user_delete(actor=system_actor(), user=bob)
    users.user_create(actor=system_actor(), account=account, name="bob", path="/ops/")
    resolved = json.loads(role_trust_policy_resolved(Role.objects.get(pk=role.pk)))
    assert resolved["Statement"][0]["Principal"]["AWS"] == [old_id, carol.arn]
    # Saving the policy again binds the ARN to the new user, as re-saving does in AWS.
    roles.role_trust_policy_update(actor=system_actor(), role=role, trust_policy=_trust(bob.arn))
    role.refresh_from_db()
    assert role.trust_principal_ids[bob.arn] != old_id
    assert role_trust_policy_resolved(role) == role.trust_policy


def test_the_console_trust_tab_shows_the_old_id(client, setup):
    from tests.factories import RootUserFactory

    account, bob, _carol, helper = setup
    old_id = bob.unique_id
    users.user_delete(actor=system_actor(), user=bob)
    root = RootUserFactory(account=account)
    response = client.post(
        "/signin", {"as": "root", "email": root.email, "password": "Root-Passw0rd"}
    )
    assert response.status_code == 302
    page = client.get(f"/roles/{helper.name}?tab=trust")
    assert page.status_code == 200
    assert old_id.encode() in page.content and bob.arn.encode() not in page.content


def test_the_migration_binds_existing_trust_policies(setup):
    _account, bob, _carol, helper = setup
    Role.objects.filter(pk=helper.pk).update(trust_principal_ids={})
    migration = importlib.import_module("accounts.migrations.0004_role_trust_principal_ids")
    migration.record_trust_principal_ids(apps, None)
    helper.refresh_from_db()
    assert helper.trust_principal_ids == {bob.arn: bob.unique_id}
