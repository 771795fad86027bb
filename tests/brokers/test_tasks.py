"""State transitions through a real Celery worker on the real Redis and PostgreSQL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from brokers import services
from brokers.models import Broker, BrokerUser
from brokers.tasks import broker_transition_sweep, broker_transition_task
from tests.brokers.conftest import ACTOR, BROKER_PASSWORD, make_broker
from tests.factories import AccountFactory
from tests.support import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fast(settings):
    settings.MQIAM = {**settings.MQIAM, "BROKER_TRANSITION_DELAY_S": 0.3}


def _wait_for(predicate, timeout=20.0):
    return wait_until(
        predicate, timeout, message="the worker did not finish the transition in time"
    )


def _state(pk):
    broker = Broker.objects.filter(pk=pk).first()
    return broker.state if broker else "GONE"


def test_worker_takes_a_new_broker_to_running(celery_worker, fast):
    broker = make_broker(AccountFactory(), running=False)
    assert _state(broker.pk) == "CREATION_IN_PROGRESS"
    _wait_for(lambda: _state(broker.pk) == "RUNNING")
    done = AuditEvent.objects.get(action="mq:CreateBroker", request_parameters__phase="completed")
    assert done.principal_arn.endswith("system/console") and done.after["BrokerState"] == "RUNNING"


def test_worker_reboot_applies_pending_user_changes(celery_worker, fast):
    broker = make_broker(AccountFactory())
    services.broker_user_create(
        actor=ACTOR, broker=broker, username="app", password=BROKER_PASSWORD, groups=["apps"]
    )
    services.broker_user_delete(actor=ACTOR, broker=broker, username="admin")
    services.broker_reboot(actor=ACTOR, broker=broker)
    assert _state(broker.pk) == "REBOOT_IN_PROGRESS"
    _wait_for(lambda: _state(broker.pk) == "RUNNING")
    (user,) = BrokerUser.objects.filter(broker=broker)
    assert (user.username, user.applied, user.pending_change, user.groups) == (
        "app",
        True,
        "",
        ["apps"],
    )


def test_worker_deletes_the_broker(celery_worker, fast):
    broker = make_broker(AccountFactory())
    services.broker_delete(actor=ACTOR, broker=broker)
    _wait_for(lambda: _state(broker.pk) == "GONE")
    assert not BrokerUser.objects.filter(broker_id=broker.pk).exists()


def test_duplicate_task_delivery_does_nothing_twice(celery_worker, settings):
    settings.MQIAM = {**settings.MQIAM, "BROKER_TRANSITION_DELAY_S": 30}  # the task waits
    broker = make_broker(AccountFactory(), running=False)
    token = broker.transition_token
    assert broker_transition_task.delay(broker_pk=broker.pk, token=token).get(timeout=20) == (
        "RUNNING"
    )
    assert broker_transition_task.delay(broker_pk=broker.pk, token=token).get(timeout=20) is None
    assert _state(broker.pk) == "RUNNING"


def test_beat_sweep_finishes_a_transition_whose_task_was_lost(celery_worker, fast):
    broker = make_broker(AccountFactory())
    # As if the reboot's task had been lost with Redis: the state moved, no task exists.
    Broker.objects.filter(pk=broker.pk).update(
        state="REBOOT_IN_PROGRESS",
        transition_token="lost",
        transition_due_at=timezone.now() - timedelta(minutes=5),
    )
    result = broker_transition_sweep.delay().get(timeout=20)
    assert result == {"finished": 1, "maintenance_reboots": 0}
    assert _state(broker.pk) == "RUNNING"
