"""Broker creation: name rules and the service-linked role made with the first broker."""

import pytest

from accounts.actors import system_actor
from accounts.errors import EntityAlreadyExists, ValidationError
from accounts.models import AuditEvent, Role
from brokers.services import broker_create
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
ACTOR = system_actor()


def _create(account, name="orders", **kwargs):
    return broker_create(
        actor=ACTOR,
        account=account,
        name=name,
        engine_type="ACTIVEMQ",
        engine_version="5.18",
        deployment_mode="SINGLE_INSTANCE",
        host_instance_type="mq.t3.micro",
        **kwargs,
    )


def test_first_broker_creates_the_mq_service_linked_role_once():
    account = AccountFactory(account_id="111122223333")
    broker = _create(account, region="eu-west-1")
    assert broker.broker_id.startswith("b-") and len(broker.broker_id) == 38
    assert broker.arn == f"arn:aws:mq:eu-west-1:111122223333:broker:orders:{broker.broker_id}"
    role = Role.objects.get(account=account, is_service_linked=True)
    assert role.arn == (
        "arn:aws:iam::111122223333:role/aws-service-role/mq.amazonaws.com/AWSServiceRoleForAmazonMQ"
    )
    assert role.policy_attachments.get().policy.name == "AmazonMQServiceRolePolicy"
    _create(account, name="second")
    assert Role.objects.filter(account=account, is_service_linked=True).count() == 1
    assert AuditEvent.objects.filter(action="iam:CreateServiceLinkedRole").count() == 1


@pytest.mark.parametrize("name", ["", "x" * 51, "has space", "dot.name", "star*"])
def test_broker_name_rules(name):
    with pytest.raises(ValidationError):
        _create(AccountFactory(), name=name)


def test_broker_names_unique_per_account_and_region():
    account = AccountFactory()
    _create(account, name="orders", region="us-east-1")
    _create(account, name="orders", region="eu-west-1")
    with pytest.raises(EntityAlreadyExists):
        _create(account, name="ORDERS", region="us-east-1")
