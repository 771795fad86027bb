"""Principals deleted while the real worker recomputes the matrix: every chunk finishes and the
matrix converges to what the engine says (it used to stay stale: the chunk failed with
KeyError when a principal vanished between its two reads, until the claim lease ran out).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.actors import system_actor
from accounts.services import groups, users
from brokers.services.tags import tags_create
from policies.effective import queries
from policies.effective.compute import compute_for, subjects_for, to_bytes
from policies.effective.verify import verify_sample
from policies.models import (
    EffectivePermission,
    MatrixResource,
    PrincipalProvenance,
    RecomputeJob,
)
from policies.services import attachments, managed
from tests.factories import AccountFactory, BrokerFactory
from tests.support import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ACTOR = system_actor()
KEPT, DELETED = 40, 40


def _stored(account) -> set[tuple]:
    return {
        (r.principal_kind, r.principal_id, r.action, bytes(r.allowed), bytes(r.conditional))
        for r in EffectivePermission.objects.filter(account=account)
        if bytes(r.allowed) or bytes(r.conditional) or bytes(r.explicit_deny)
    }


def _fresh(account) -> set[tuple]:
    resources = list(MatrixResource.objects.filter(account=account, deleted_at__isnull=True))
    return {
        (r.subject.kind, r.subject.pk, r.action, to_bytes(r.allowed), to_bytes(r.conditional))
        for r in compute_for(account, subjects_for(account), resources)
        if r.allowed or r.conditional or r.explicit_deny
    }


def test_principals_deleted_while_recomputes_run_leave_a_converged_matrix(worker_factory):
    # A claim lease far longer than the test: a failed chunk would leave the matrix stale.
    worker_factory({"MQIAM_MATRIX_CLAIM_LEASE_S": "600"}, concurrency=2)
    account = AccountFactory(account_id="111122223333")
    broker = BrokerFactory(account=account, name="orders", tags={"team": "payments"})
    kept = [
        users.user_create(actor=ACTOR, account=account, name=f"keep{i}", tags={"team": "payments"})
        for i in range(KEPT)
    ]
    doomed = [
        users.user_create(actor=ACTOR, account=account, name=f"gone{i}", tags={"team": "payments"})
        for i in range(DELETED)
    ]
    policy = managed.policy_create(
        actor=ACTOR,
        account=account,
        name="Operators",
        document={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["mq:RebootBroker", "mq:DescribeBroker"],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}
                    },
                }
            ],
        },
    )
    ops = groups.group_create(actor=ACTOR, account=account, name="ops")
    for user in kept:
        groups.group_member_add(actor=ACTOR, group=ops, user=user)
    attachments.policy_attach(actor=ACTOR, policy=policy, identity=ops)
    wait_until(lambda: queries.freshness(account.pk).current, 120, message="never current")

    # Broker tag changes recompute every principal, over and over, while the doomed users
    # are deleted one by one (each deletion recomputes that user too).
    stop = threading.Event()
    errors: list[Exception] = []

    def churn() -> None:
        try:
            round_ = 0
            while not stop.is_set():
                round_ += 1
                tags_create(actor=ACTOR, resource=broker, tags={"round": str(round_)})
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=churn)
    thread.start()
    try:
        for user in doomed:
            users.user_delete(actor=ACTOR, user=user)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert errors == []

    # Converges well within the lease: no chunk failed and left its changes claimed.
    wait_until(
        lambda: queries.freshness(account.pk).current,
        120,
        interval=0.2,
        message="the matrix did not converge (a recompute chunk failed?)",
    )
    assert (
        not RecomputeJob.objects.filter(account=account)
        .exclude(status=RecomputeJob.Status.DONE)
        .exists()
    )
    gone = [u.pk for u in doomed]
    assert not EffectivePermission.objects.filter(principal_kind="user", principal_id__in=gone)
    assert not PrincipalProvenance.objects.filter(principal_kind="user", principal_id__in=gone)
    # The stored matrix equals a fresh computation, and sampled cells equal the engine.
    assert _stored(account) == _fresh(account)
    assert len({pk for _kind, pk, *_ in _stored(account)}) == KEPT
    checked, mismatches = verify_sample(account, samples=400, seed=7)
    assert checked > 50 and mismatches == []
