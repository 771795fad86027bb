"""Expiry through the real worker and Redis: on time, and after the worker was down."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent
from config.celery import app
from policies.models import AccessRequest, InlinePolicy
from policies.services import requests as services
from policies.tasks import access_request_sweep
from tests.requests.conftest import ACTOR
from tests.support import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _granted(world):
    req = services.access_request_create(
        actor=ACTOR,
        principal=world.principal(world.alice),
        intent="operate-brokers",
        targets=[{"Arn": world.orders.arn}],
        duration_hours=1,
        justification="Reboot orders.",
    )
    return services.access_request_approve(
        actor=ACTOR,
        approver=world.principal(world.admin),
        access_request=req,
        authz=world.authz(world.admin),
    )


def _wait_status(req, status, timeout=30.0) -> bool:
    try:
        return wait_until(
            lambda: AccessRequest.objects.filter(pk=req.pk, status=status).exists(), timeout
        )
    except AssertionError:
        return False


def test_the_worker_revokes_at_the_expiry_moment(world, celery_worker):
    req = _granted(world)
    with transaction.atomic():
        # As if the grant were near its end: approval schedules a timed task for such grants.
        moment = timezone.now() + timedelta(seconds=3)
        AccessRequest.objects.filter(pk=req.pk).update(expires_at=moment)
        req.refresh_from_db()
        services.schedule_revocation(req)
    assert AccessRequest.objects.get(pk=req.pk).status == "approved"
    assert _wait_status(req, "expired"), "the worker did not revoke the grant"
    req.refresh_from_db()
    assert req.revoked_at >= moment
    assert not InlinePolicy.objects.filter(user=world.alice, name=req.policy_name).exists()
    assert AuditEvent.objects.filter(action="iam:DeleteUserPolicy").count() == 1


def test_the_sweep_revokes_what_expired_while_the_worker_was_down(world, worker_factory):
    req = _granted(world)
    AccessRequest.objects.filter(pk=req.pk).update(
        expires_at=timezone.now() - timedelta(minutes=10)
    )
    # No worker runs (none answers a ping), so nothing acts at the expiry moment.
    assert app.control.ping(timeout=0.5) == []
    assert AccessRequest.objects.get(pk=req.pk).status == "approved"
    assert InlinePolicy.objects.filter(user=world.alice, name=req.policy_name).exists()
    worker_factory()
    access_request_sweep.delay()  # what beat sends every 30 seconds
    assert _wait_status(req, "expired"), "the sweep did not revoke the grant"
    assert not InlinePolicy.objects.filter(user=world.alice, name=req.policy_name).exists()
    assert AuditEvent.objects.filter(action="console:ExpireAccessRequest").count() == 1
