"""The one context builder: which resource keys an action receives is the catalog's data."""

from __future__ import annotations

import pytest

from accounts.actors import system_actor
from policies.catalog import get_catalog
from policies.context import (
    ResourceFacts,
    complete_context,
    resource_context,
    resource_type_context,
)
from policies.services import attachments, managed
from tests.factories import AccountFactory, BrokerFactory, IAMUserFactory

ACCOUNT = "111122223333"


def test_every_mq_action_on_a_broker_or_configuration_lists_the_resource_tag_key():
    """What lets the matrix share one resource context among all the actions of a resource."""
    catalog = get_catalog()
    checked = 0
    for action in catalog.service("mq").actions.values():
        if {r.name for r in action.resource_types} & {"brokers", "configurations"}:
            assert catalog.action_supports_key(action, "aws:ResourceTag/team"), action.name
            checked += 1
    assert checked > 10


def test_the_matrix_context_equals_the_enforcement_context_for_every_mq_action():
    arn = f"arn:aws:mq:us-east-1:{ACCOUNT}:broker:orders:b-1"
    facts = ResourceFacts(tags={"team": "payments"})
    shared = resource_type_context(arn, facts)
    for action in get_catalog().service("mq").actions.values():
        if "brokers" in {r.name for r in action.resource_types}:
            assert resource_context(action.full_name, arn, facts) == shared, action.name


@pytest.mark.django_db
def test_iam_resources_give_their_tags_and_boundary_to_the_actions_that_list_them():
    account = AccountFactory(account_id=ACCOUNT)
    boundary = managed.policy_create(
        actor=system_actor(),
        account=account,
        name="Boundary",
        document={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        },
    )
    user = IAMUserFactory(account=account, name="bob", tags={"team": "payments"})
    attachments.permissions_boundary_put(actor=system_actor(), identity=user, policy=boundary)

    put = resource_context("iam:PutUserPolicy", user.arn)
    assert put["iam:PermissionsBoundary"] == boundary.arn
    assert put["aws:ResourceTag/team"] == put["iam:ResourceTag/team"] == "payments"
    assert put["aws:ResourceAccount"] == ACCOUNT
    # CreateAccessKey does not list iam:PermissionsBoundary, so it does not receive it.
    assert "iam:PermissionsBoundary" not in resource_context("iam:CreateAccessKey", user.arn)
    # The boundary being set (a request parameter) wins over the one the user has now.
    other = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    completed = complete_context(
        "iam:PutUserPermissionsBoundary",
        user.arn,
        {"iam:PermissionsBoundary": other, "aws:ResourceTag/team": "forged"},
    )
    assert completed["iam:PermissionsBoundary"] == other
    assert completed["aws:ResourceTag/team"] == "payments"


@pytest.mark.django_db
def test_a_resource_that_does_not_exist_has_no_resource_side_but_its_account():
    AccountFactory(account_id=ACCOUNT)
    assert resource_context("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/nobody") == {
        "aws:ResourceAccount": ACCOUNT
    }
    assert resource_context("mq:ListBrokers", "*") == {}


@pytest.mark.django_db
def test_broker_tags_come_from_the_broker():
    account = AccountFactory(account_id=ACCOUNT)
    broker = BrokerFactory(account=account, tags={"env": "prod"})
    assert resource_context("mq:RebootBroker", broker.arn)["aws:ResourceTag/env"] == "prod"
