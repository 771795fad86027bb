"""Broker transitions survive Redis down at commit and a worker killed holding their task.

The matrix has the same tests (tests/policies/test_matrix_worker.py); these cover the other
kind of worker task, broker state transitions, with the real Redis and real workers.
"""

from __future__ import annotations

import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from brokers import services
from brokers.models import Broker
from brokers.tasks import broker_transition_sweep
from tests.brokers.conftest import ACTOR, make_broker
from tests.factories import AccountFactory
from tests.policies.test_matrix_worker import broker_unreachable
from tests.support import wait_until, workers_idle

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _state(pk) -> str:
    broker = Broker.objects.filter(pk=pk).first()
    return broker.state if broker else "GONE"


def _overdue(broker) -> None:
    """As if the transition's moment were long past (the sweep waits out a grace period)."""
    Broker.objects.filter(pk=broker.pk).update(
        transition_due_at=timezone.now() - timedelta(hours=1)
    )


def test_a_reboot_while_redis_is_down_answers_normally(settings):
    from config.celery import app

    settings.MQIAM = {**settings.MQIAM, "BROKER_TRANSITION_DELAY_S": 0.5}
    broker = make_broker(AccountFactory())
    app.conf.task_always_eager = False  # a real publish, to no Redis
    try:
        with broker_unreachable(app):
            services.broker_reboot(actor=ACTOR, broker=broker)
    finally:
        app.conf.task_always_eager = True


def test_a_reboot_commits_while_redis_is_down_and_the_sweep_finishes_it(worker_factory, settings):
    from config.celery import app

    settings.MQIAM = {**settings.MQIAM, "BROKER_TRANSITION_DELAY_S": 0.5}
    broker = make_broker(AccountFactory())
    with broker_unreachable(app):
        started = time.monotonic()
        services.broker_reboot(actor=ACTOR, broker=broker)  # commits; no task enqueued
        assert time.monotonic() - started < 5
    assert _state(broker.pk) == "REBOOT_IN_PROGRESS"
    worker_factory()
    # The worker is up and holds nothing, and the queues are empty: no task exists, so
    # nothing moves the broker until the sweep.
    wait_until(lambda: workers_idle(app), message="the worker did not come up idle")
    assert _state(broker.pk) == "REBOOT_IN_PROGRESS"
    _overdue(broker)
    assert broker_transition_sweep.delay().get(timeout=20)["finished"] == 1
    wait_until(lambda: _state(broker.pk) == "RUNNING", message="the transition did not finish")


def test_a_worker_killed_holding_a_transition_is_redone_by_the_sweep(worker_factory, settings):
    from config.celery import app

    # A long countdown: the worker receives the task at once and holds it, unacknowledged.
    settings.MQIAM = {**settings.MQIAM, "BROKER_TRANSITION_DELAY_S": 30}
    worker = worker_factory(concurrency=1)
    broker = make_broker(AccountFactory())
    services.broker_reboot(actor=ACTOR, broker=broker)
    # The worker has received the transition and holds it (scheduled, unacknowledged).
    wait_until(
        lambda: any((app.control.inspect(timeout=1.0).scheduled() or {}).values()),
        message="the worker never received the transition",
    )
    worker.kill(signal.SIGKILL)
    assert _state(broker.pk) == "REBOOT_IN_PROGRESS"  # the killed worker finished nothing
    worker_factory(concurrency=1)
    _overdue(broker)
    assert broker_transition_sweep.delay().get(timeout=20)["finished"] == 1
    wait_until(lambda: _state(broker.pk) == "RUNNING", message="the transition did not finish")
