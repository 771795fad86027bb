"""The matrix through the real worker and Redis: convergence, Redis down, worker killed."""

import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.actors import system_actor
from accounts.services import users
from policies.effective import queries
from policies.models import EffectivePermission, PermissionChange, PrincipalProvenance
from policies.services import attachments, managed
from tests.factories import AccountFactory, BrokerFactory
from tests.support import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ACTOR = system_actor()


def _doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


@contextmanager
def broker_unreachable(app):
    """Point the app's publisher at a port where no Redis listens, as if Redis were down."""
    good = app.conf.broker_url

    def reset_pools():
        from kombu import pools

        pools.reset()  # kombu keeps producer pools per connection, process-wide
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        yield
    finally:
        reset_pools()
        app.conf.broker_url = good


def _wait_current(account, timeout=30.0):
    try:
        return wait_until(lambda: queries.freshness(account.pk).current, timeout)
    except AssertionError:
        return False


def _cell(user, action, broker):
    resource = queries.MatrixResource.objects.filter(arn=broker.arn).first()
    if resource is None:
        return "implicitDeny"
    return queries.cell_value(queries.stored_row("user", user.pk, action), resource.position)


def _world():
    account = AccountFactory(account_id="111122223333")
    broker = BrokerFactory(account=account, name="orders", tags={"team": "payments"})
    alice = users.user_create(actor=ACTOR, account=account, name="alice")
    return account, broker, alice


def _grant_reboot(alice):
    attachments.inline_policy_put(
        actor=ACTOR,
        identity=alice,
        name="reboot",
        document=_doc({"Effect": "Allow", "Action": "mq:RebootBroker", "Resource": "*"}),
    )


def test_a_committed_change_reaches_the_matrix_through_the_worker(celery_worker):
    account, broker, alice = _world()
    assert _wait_current(account)
    assert _cell(alice, "mq:RebootBroker", broker) == "implicitDeny"
    _grant_reboot(alice)
    assert _wait_current(account)
    assert _cell(alice, "mq:RebootBroker", broker) == "allowed"


def test_changes_commit_while_redis_is_down_and_are_recomputed_later(worker_factory, settings):
    from config.celery import app

    account, broker, alice = _world()
    with broker_unreachable(app):
        started = time.monotonic()
        _grant_reboot(alice)  # commits; the enqueue fails and is only logged
        assert time.monotonic() - started < 5
    assert PermissionChange.objects.filter(processed_at=None).exists()
    assert _cell(alice, "mq:RebootBroker", broker) == "implicitDeny"
    worker_factory()
    from policies.tasks import matrix_sweep

    PermissionChange.objects.update(
        created_at=PermissionChange.objects.first().created_at.replace(year=2020)
    )
    matrix_sweep.delay()
    assert _wait_current(account)
    assert _cell(alice, "mq:RebootBroker", broker) == "allowed"


def test_work_of_a_killed_worker_is_redone(worker_factory):
    import zlib

    import psycopg

    from policies.tasks import matrix_recompute, matrix_sweep

    account, broker, alice = _world()
    for i in range(20):
        users.user_create(actor=ACTOR, account=account, name=f"user{i}")
    policy = managed.policy_create(
        actor=ACTOR,
        account=account,
        name="Reboot",
        document=_doc({"Effect": "Allow", "Action": "mq:RebootBroker", "Resource": "*"}),
    )
    attachments.policy_attach(actor=ACTOR, policy=policy, identity=alice)
    assert PermissionChange.objects.filter(processed_at=None).exists()
    # Hold alice's recompute lock from another connection: the worker claims the changes,
    # starts the chunk and blocks in the middle of it, where we kill it (SIGKILL).
    settings_dict = connection.settings_dict
    holder = psycopg.connect(
        dbname=settings_dict["NAME"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        autocommit=True,
    )
    lock = zlib.crc32(f"matrix:user:{alice.pk}".encode())
    holder.execute("SELECT pg_advisory_lock(%s)", [lock])
    lease = {"MQIAM_MATRIX_CLAIM_LEASE_S": "2"}
    try:
        worker = worker_factory(lease, concurrency=1)
        matrix_recompute.delay(account.pk)
        wait_until(
            lambda: holder.execute(
                "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone(),
            message="the worker never reached the middle of the recompute",
        )
        claimed = PermissionChange.objects.filter(claimed_at__isnull=False, processed_at=None)
        assert claimed.exists()
        worker.kill()
    finally:
        holder.execute("SELECT pg_advisory_unlock(%s)", [lock])
        holder.close()
    assert PermissionChange.objects.filter(processed_at=None).exists()
    assert _cell(alice, "mq:RebootBroker", broker) == "implicitDeny"
    worker_factory(lease)
    # The dead worker's claim lapses (the lease is 2 s): no claim younger than that is left.
    wait_until(
        lambda: (
            not PermissionChange.objects.filter(
                processed_at=None, claimed_at__gt=timezone.now() - timedelta(seconds=2.2)
            ).exists()
        ),
        message="the dead worker's claim did not lapse",
    )
    PermissionChange.objects.update(
        created_at=PermissionChange.objects.first().created_at.replace(year=2020)
    )
    matrix_sweep.delay()
    assert _wait_current(account, timeout=60)
    assert _cell(alice, "mq:RebootBroker", broker) == "allowed"
    # Every principal was computed (rows only for what reaches them; provenance for all).
    assert PrincipalProvenance.objects.filter(account=account).count() == 21


def test_two_overlapping_recomputes_give_the_result_of_one(transactional_db):
    from policies.services.matrix import all_principal_keys, matrix_recompute_chunk
    from policies.tasks import matrix_recompute

    account, _broker, alice = _world()
    for i in range(20):
        users.user_create(actor=ACTOR, account=account, name=f"user{i}")
    _grant_reboot(alice)
    matrix_recompute(account.pk)
    expected = sorted(
        (r.principal_arn, r.action, bytes(r.allowed))
        for r in EffectivePermission.objects.filter(account=account)
    )
    keys = sorted(all_principal_keys(account))
    errors = []

    def run(part):
        try:
            matrix_recompute_chunk(account=account, keys=part)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(keys[:15],)),
        threading.Thread(target=run, args=(keys[5:],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (
        sorted(
            (r.principal_arn, r.action, bytes(r.allowed))
            for r in EffectivePermission.objects.filter(account=account)
        )
        == expected
    )
