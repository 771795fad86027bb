"""Broker, user, configuration and tag services: Amazon MQ's behaviour, audit, enqueueing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, Role
from brokers import services
from brokers.errors import BadRequest, Conflict, NotFound
from brokers.models import Broker, BrokerUser, Configuration
from brokers.services.lifecycle import (
    broker_maintenance_sweep,
    broker_transition_complete,
    broker_transition_sweep,
    transition_progress,
)
from brokers.services.updates import broker_update
from tests.brokers.conftest import ACTOR, BROKER_PASSWORD, make_broker
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    return AccountFactory(account_id="111122223333")


def test_first_broker_creates_the_mq_service_linked_role_once(account):
    broker = make_broker(account, region="eu-west-1", running=False)
    assert broker.broker_id.startswith("b-") and len(broker.broker_id) == 38
    assert broker.arn == f"arn:aws:mq:eu-west-1:111122223333:broker:orders:{broker.broker_id}"
    assert broker.state == "CREATION_IN_PROGRESS"
    role = Role.objects.get(account=account, is_service_linked=True)
    assert role.arn == (
        "arn:aws:iam::111122223333:role/aws-service-role/mq.amazonaws.com/AWSServiceRoleForAmazonMQ"
    )
    assert role.policy_attachments.get().policy.name == "AmazonMQServiceRolePolicy"
    make_broker(account, name="second")
    assert Role.objects.filter(account=account, is_service_linked=True).count() == 1
    assert AuditEvent.objects.filter(action="iam:CreateServiceLinkedRole").count() == 1


def test_create_audits_enqueues_after_commit_and_fills_amazon_mq_defaults(
    account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        broker = make_broker(account, running=False, tags={"team": "payments"})
    assert len(callbacks) >= 1  # the transition task is sent only once the row is committed
    audit = AuditEvent.objects.get(action="mq:CreateBroker", resource_arn=broker.arn)
    assert audit.after["BrokerState"] == "CREATION_IN_PROGRESS"
    assert audit.request_parameters["Tags"] == {"team": "payments"}
    assert broker.storage_type == "EFS" and broker.storage_size == 20
    assert broker.engine_version == "5.18" and broker.auto_minor_version_upgrade
    assert len(broker.subnet_ids) == 1 and broker.subnet_ids[0].startswith("subnet-")
    # Amazon MQ gives an ActiveMQ broker its own default configuration (revision 1).
    assert broker.configuration.name == "orders-configuration"
    assert broker.configuration_revision == 1
    user = BrokerUser.objects.get(broker=broker)
    assert user.applied and user.pending_change == "" and user.password != BROKER_PASSWORD
    assert broker.instances() == []  # no endpoints while creating


def test_broker_names_unique_per_account_and_region(account):
    make_broker(account, name="orders", region="us-east-1")
    make_broker(account, name="orders", region="eu-west-1")
    with pytest.raises(Conflict):
        make_broker(account, name="ORDERS", region="us-east-1")


def test_creator_request_id_makes_create_idempotent(account):
    first = make_broker(account, creator_request_id="req-1", running=False)
    again = make_broker(account, creator_request_id="req-1", running=False)
    assert again.pk == first.pk and Broker.objects.count() == 1


def test_rabbitmq_broker_needs_one_admin_and_gets_no_default_configuration(account):
    with pytest.raises(BadRequest):
        make_broker(account, engine="RABBITMQ", users=[])
    broker = make_broker(
        account, engine="RABBITMQ", users=[{"username": "admin", "password": BROKER_PASSWORD}]
    )
    assert broker.configuration is None and broker.storage_type == "EBS"
    assert [i["endpoints"] for i in broker.instances()] == [
        [f"amqps://{broker.broker_id}.mq.us-east-1.amazonaws.com:5671"]
    ]


def test_active_standby_broker_has_two_instances(account):
    broker = make_broker(
        account, deployment_mode="ACTIVE_STANDBY_MULTI_AZ", host_instance_type="mq.m5.large"
    )
    assert len(broker.subnet_ids) == 2
    instances = broker.instances()
    assert [i["consoleURL"].split(".")[0] for i in instances] == [
        f"https://{broker.broker_id}-1",
        f"https://{broker.broker_id}-2",
    ]
    assert instances[0]["endpoints"][0].startswith(f"ssl://{broker.broker_id}-1.mq.us-east-1.")


@pytest.mark.parametrize("operation", ["reboot", "delete", "update"])
def test_a_broker_that_is_not_running_refuses(account, operation):
    broker = make_broker(account, running=False)
    with pytest.raises(BadRequest) as error:
        if operation == "reboot":
            services.broker_reboot(actor=ACTOR, broker=broker)
        elif operation == "delete":
            services.broker_delete(actor=ACTOR, broker=broker)
        else:
            broker_update(actor=ACTOR, broker=broker, host_instance_type="mq.m5.large")
    assert error.value.code == "BadRequestException"
    assert error.value.error_attribute == "broker-id"
    assert f"Broker [{broker.broker_id}] is in state [CREATION_IN_PROGRESS]" in error.value.message
    assert "RUNNING" in error.value.message


def test_user_changes_stay_pending_until_the_reboot_completes(account):
    broker = make_broker(account)
    services.broker_user_create(
        actor=ACTOR,
        broker=broker,
        username="app",
        password=BROKER_PASSWORD,
        console_access=True,
        groups=["consumers"],
    )
    services.broker_user_update(actor=ACTOR, broker=broker, username="admin", groups=["ops"])
    services.broker_user_create(
        actor=ACTOR, broker=broker, username="gone", password=BROKER_PASSWORD
    )
    services.broker_user_delete(actor=ACTOR, broker=broker, username="gone")  # never applied
    users = {u.username: u for u in BrokerUser.objects.filter(broker=broker)}
    assert set(users) == {"admin", "app"}
    assert (users["app"].pending_change, users["app"].applied) == ("CREATE", False)
    assert (users["admin"].pending_change, users["admin"].groups) == ("UPDATE", [])
    assert users["admin"].pending_groups == ["ops"]
    services.broker_user_delete(actor=ACTOR, broker=broker, username="admin")
    assert BrokerUser.objects.get(broker=broker, username="admin").pending_change == "DELETE"

    rebooting = services.broker_reboot(actor=ACTOR, broker=broker)
    assert rebooting.state == "REBOOT_IN_PROGRESS"
    assert broker_transition_complete(broker_pk=broker.pk, token=rebooting.transition_token) == (
        "RUNNING"
    )
    app = BrokerUser.objects.get(broker=broker)
    assert (app.username, app.applied, app.pending_change) == ("app", True, "")
    assert (app.console_access, app.groups) == (True, ["consumers"])
    assert AuditEvent.objects.filter(action="mq:CreateUser").count() == 2


def test_user_rules_conflicts_and_engine(account):
    broker = make_broker(account)
    with pytest.raises(Conflict):
        services.broker_user_create(
            actor=ACTOR, broker=broker, username="admin", password=BROKER_PASSWORD
        )
    with pytest.raises(BadRequest):
        services.broker_user_create(actor=ACTOR, broker=broker, username="x", password="short")
    with pytest.raises(NotFound):
        services.broker_user_update(actor=ACTOR, broker=broker, username="nobody", groups=[])
    rabbit = make_broker(
        account,
        name="rabbit",
        engine="RABBITMQ",
        users=[{"username": "admin", "password": BROKER_PASSWORD}],
    )
    with pytest.raises(BadRequest, match="RabbitMQ management API"):
        services.broker_user_create(
            actor=ACTOR, broker=rabbit, username="app", password=BROKER_PASSWORD
        )


def test_transition_tokens_make_tasks_idempotent(account):
    broker = make_broker(account, running=False)
    token = broker.transition_token
    assert broker_transition_complete(broker_pk=broker.pk, token="stale") is None
    assert broker_transition_complete(broker_pk=broker.pk, token=token) == "RUNNING"
    assert broker_transition_complete(broker_pk=broker.pk, token=token) is None  # twice: no-op
    broker.refresh_from_db()
    assert broker.state == "RUNNING" and broker.transition_token == ""
    assert transition_progress(broker) == 100


def test_delete_goes_through_deletion_in_progress(account):
    broker = make_broker(account)
    deleting = services.broker_delete(actor=ACTOR, broker=broker)
    assert deleting.state == "DELETION_IN_PROGRESS"
    with pytest.raises(BadRequest):
        services.broker_reboot(actor=ACTOR, broker=deleting)
    assert broker_transition_complete(broker_pk=broker.pk, token=deleting.transition_token) == (
        "DELETED"
    )
    assert not Broker.objects.filter(pk=broker.pk).exists()
    assert Configuration.objects.filter(name="orders-configuration").exists()  # configs stay


def test_sweep_finishes_transitions_whose_task_was_lost(account, settings):
    settings.MQIAM = {**settings.MQIAM, "BROKER_TRANSITION_DELAY_S": 1}
    broker = make_broker(account, running=False)
    assert broker_transition_sweep() == 0  # not overdue yet
    Broker.objects.filter(pk=broker.pk).update(
        transition_due_at=timezone.now() - timedelta(minutes=1)
    )
    assert broker_transition_sweep() == 1
    assert Broker.objects.get(pk=broker.pk).state == "RUNNING"


def test_update_applies_some_settings_at_once_and_queues_the_rest(account):
    broker = make_broker(account, engine_version="5.17.6", auto_minor_version_upgrade=False)
    updated = broker_update(
        actor=ACTOR,
        broker=broker,
        engine_version="5.18",
        host_instance_type="mq.m5.large",
        maintenance_window={"dayOfWeek": "MONDAY", "timeOfDay": "04:00", "timeZone": "UTC"},
        logs={"general": True},
        auto_minor_version_upgrade=True,
    )
    assert updated.maintenance_day == "MONDAY" and updated.auto_minor_version_upgrade
    assert updated.pending == {
        "engineVersion": "5.18",
        "hostInstanceType": "mq.m5.large",
        "logs": {"general": True, "audit": False},
    }
    assert updated.engine_version == "5.17.6"
    # Setting the current value again withdraws that pending change.
    updated = broker_update(actor=ACTOR, broker=updated, host_instance_type="mq.t3.micro")
    assert "hostInstanceType" not in updated.pending
    updated = services.broker_reboot(actor=ACTOR, broker=updated)
    broker_transition_complete(broker_pk=broker.pk)
    updated.refresh_from_db()
    assert (updated.engine_version, updated.host_instance_type) == ("5.18", "mq.t3.micro")
    assert updated.logs_general and updated.pending == {}
    with pytest.raises(BadRequest, match="cannot be downgraded"):
        broker_update(actor=ACTOR, broker=updated, engine_version="5.17.6")


def test_rabbitmq_cannot_change_security_groups_or_shrink_to_micro(account):
    rabbit = make_broker(
        account,
        engine="RABBITMQ",
        host_instance_type="mq.m5.large",
        users=[{"username": "admin", "password": BROKER_PASSWORD}],
    )
    with pytest.raises(BadRequest, match="Changing security groups is not supported"):
        broker_update(actor=ACTOR, broker=rabbit, security_groups=["sg-0123456789abcdef0"])
    with pytest.raises(BadRequest, match=r"mq\.t3\.micro"):
        broker_update(actor=ACTOR, broker=rabbit, host_instance_type="mq.t3.micro")


def test_configuration_revisions_and_applying_one_to_a_broker(account):
    configuration = services.configuration_create(
        actor=ACTOR, account=account, name="shared", engine_type="ACTIVEMQ"
    )
    (first,) = configuration.revisions.all()
    assert first.description == "Auto-generated default for shared on ActiveMQ 5.18"
    data = '<broker xmlns="http://activemq.apache.org/schema/core"><plugins/></broker>'
    second = services.configuration_update(
        actor=ACTOR, configuration=configuration, data=data, description="no plugins"
    )
    assert (second.revision, configuration.latest_revision) == (2, 2)
    broker = make_broker(account)
    updated = broker_update(
        actor=ACTOR, broker=broker, configuration={"id": configuration.configuration_id}
    )
    assert updated.pending["configuration"] == {"id": configuration.configuration_id, "revision": 2}
    with pytest.raises(Conflict, match="is in use"):
        services.configuration_delete(actor=ACTOR, configuration=configuration)
    services.broker_reboot(actor=ACTOR, broker=updated)
    broker_transition_complete(broker_pk=broker.pk)
    updated.refresh_from_db()
    assert (updated.configuration, updated.configuration_revision) == (configuration, 2)
    assert updated.configuration_history[0]["revision"] == 1
    with pytest.raises(NotFound):
        broker_update(
            actor=ACTOR,
            broker=updated,
            configuration={"id": configuration.configuration_id, "revision": 9},
        )


def test_configuration_engine_must_match_the_broker(account):
    rabbit_config = services.configuration_create(
        actor=ACTOR, account=account, name="rabbit", engine_type="RABBITMQ"
    )
    with pytest.raises(BadRequest, match="is for RabbitMQ"):
        make_broker(account, configuration={"id": rabbit_config.configuration_id})


def test_unused_configuration_can_be_deleted(account):
    configuration = services.configuration_create(
        actor=ACTOR, account=account, name="spare", engine_type="RABBITMQ", tags={"team": "x"}
    )
    services.configuration_delete(actor=ACTOR, configuration=configuration)
    assert not Configuration.objects.filter(pk=configuration.pk).exists()
    assert AuditEvent.objects.filter(action="mq:DeleteConfiguration").exists()


def test_tags_create_and_delete_by_arn(account):
    broker = make_broker(account, tags={"team": "payments"})
    found = services.resource_for_arn(account, broker.arn)
    assert found == broker
    assert services.tags_create(actor=ACTOR, resource=found, tags={"env": "prod"}) == {
        "team": "payments",
        "env": "prod",
    }
    assert services.tags_delete(actor=ACTOR, resource=found, keys=["team", "absent"]) == {
        "env": "prod"
    }
    with pytest.raises(NotFound):
        services.resource_for_arn(account, broker.arn.replace(broker.broker_id, "b-missing"))
    with pytest.raises(BadRequest):
        services.resource_for_arn(account, "arn:aws:sqs:us-east-1:111122223333:queue")


def test_maintenance_window_applies_pending_changes(account, settings):
    broker = make_broker(account)
    now = timezone.now()
    broker_update(
        actor=ACTOR,
        broker=broker,
        maintenance_window={
            "dayOfWeek": now.strftime("%A").upper(),
            "timeOfDay": (now - timedelta(minutes=5)).strftime("%H:%M"),
            "timeZone": "UTC",
        },
    )
    assert broker_maintenance_sweep(now=now) == 0  # nothing pending: no reboot
    services.broker_user_create(
        actor=ACTOR, broker=broker, username="late", password=BROKER_PASSWORD
    )
    assert broker_maintenance_sweep(now=now) == 1
    assert Broker.objects.get(pk=broker.pk).state == "REBOOT_IN_PROGRESS"
    broker_transition_complete(broker_pk=broker.pk)
    assert BrokerUser.objects.get(broker=broker, username="late").applied
    assert broker_maintenance_sweep(now=now) == 0  # once per window
