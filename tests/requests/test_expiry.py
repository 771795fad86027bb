"""Expiry, enforced twice: the policy's aws:CurrentTime condition and the sweep's revocation."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import AuditEvent
from policies.authorization import authorize
from policies.context import request_context
from policies.models import AccessRequest, AccessRequestSettings, InlinePolicy, PermissionChange
from policies.requests import expiry
from policies.services import requests as services
from policies.services.attachments import inline_policy_delete
from tests.requests.conftest import ACTOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(world):
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


def _can_reboot(world, at) -> bool:
    principal = world.principal(world.alice)
    context = request_context(principal, now=at)
    return authorize(principal, "mq:RebootBroker", world.orders.arn, context).allowed


def test_granted_user_can_act_before_expiry_and_not_after(world, granted):
    start = granted.approved_at
    assert _can_reboot(world, start + timedelta(minutes=59))
    # Past the expiry the policy's own condition already denies, before any sweep ran.
    assert not _can_reboot(world, granted.expires_at + timedelta(seconds=1))
    assert expiry.revoke_expired(granted.expires_at - timedelta(seconds=1)) == []
    assert expiry.revoke_expired(granted.expires_at + timedelta(seconds=1)) == [granted.request_id]
    # Revoked: now nothing allows it, whatever the time.
    assert not _can_reboot(world, start + timedelta(minutes=30))


def test_revocation_is_idempotent_audited_and_recomputes_the_matrix(world, granted):
    later = granted.expires_at + timedelta(minutes=5)
    assert expiry.revoke_expired(later) == [granted.request_id]
    assert expiry.revoke_expired(later) == []
    granted.refresh_from_db()
    assert granted.status == "expired" and granted.revoked_at is not None
    assert not InlinePolicy.objects.filter(user=world.alice, name=granted.policy_name).exists()
    deleted = AuditEvent.objects.get(action="iam:DeleteUserPolicy")
    assert deleted.principal_arn == "arn:aws:iam::aws:system/console"
    assert deleted.request_parameters["PolicyName"] == granted.policy_name
    assert AuditEvent.objects.filter(action="console:ExpireAccessRequest").count() == 1
    # The audit trail recorded the change in the effective-permissions outbox.
    assert PermissionChange.objects.filter(
        scope="principal", target=world.alice.arn, reason="iam:DeleteUserPolicy"
    ).exists()
    assert granted.events.filter(verb="expired").exists()


def test_a_policy_removed_by_hand_still_closes_the_request(world, granted):
    inline_policy_delete(actor=ACTOR, identity=world.alice, name=granted.policy_name)
    assert expiry.revoke_expired(granted.expires_at + timedelta(seconds=1)) == [granted.request_id]
    granted.refresh_from_db()
    assert granted.status == "expired"


def test_unanswered_requests_expire_after_the_accounts_limit(world):
    AccessRequestSettings.objects.create(account=world.account, pending_expiry_days=2)
    req = services.access_request_create(
        actor=ACTOR,
        principal=world.principal(world.alice),
        intent="operate-brokers",
        targets=[{"Arn": world.orders.arn}],
        duration_hours=1,
        justification="Reboot orders.",
    )
    assert expiry.expire_stale(timezone.now() + timedelta(days=1)) == []
    assert expiry.expire_stale(timezone.now() + timedelta(days=2, minutes=1)) == [req.request_id]
    req.refresh_from_db()
    assert req.status == "expired"
    assert AuditEvent.objects.filter(action="console:ExpireAccessRequest").exists()


def test_the_requester_is_warned_once_before_expiry(world, granted):
    mail.outbox.clear()
    assert granted.warn_at == granted.expires_at - timedelta(minutes=15)
    assert expiry.warn_expiring(granted.warn_at - timedelta(seconds=1)) == []
    assert expiry.warn_expiring(granted.warn_at) == [granted.request_id]
    assert expiry.warn_expiring(granted.warn_at) == []
    warning = granted.notifications.get(text__contains="ends at")
    assert warning.recipient_arn == world.alice.arn and warning.email == "alice@acme.example"


def test_sweep_sends_emails_whose_task_was_lost(world, granted):
    from policies.models import Notification

    Notification.objects.update(emailed_at=None)
    mail.outbox.clear()
    result = expiry.sweep(timezone.now() + timedelta(minutes=5))
    assert result["emails"] == 0  # too recent: their own task may still be on its way
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    result = expiry.sweep()
    assert result["emails"] == len(mail.outbox) > 0


def test_sweep_notifies_approvers_when_the_task_was_lost(world):
    req = services.access_request_create(
        actor=ACTOR,
        principal=world.principal(world.alice),
        intent="operate-brokers",
        targets=[{"Arn": world.orders.arn}],
        duration_hours=1,
        justification="Reboot orders.",
    )
    assert req.approvers_notified_at is None  # on_commit never ran in this test
    AccessRequest.objects.filter(pk=req.pk).update(updated_at=timezone.now() - timedelta(minutes=2))
    result = expiry.sweep()
    assert result["notified"] == [4]
    assert expiry.sweep()["notified"] == []
