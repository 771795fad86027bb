"""The scheduled half of expiry: revoke grants past their end, expire stale requests, warn.

Each step is idempotent and works from the database alone, so the periodic sweep redoes
whatever a lost or late task did not: a grant whose revocation task never ran (worker or
Redis down at the moment) is revoked by the next sweep. The other half of expiry needs no
worker at all: the policy's own ``DateLessThan aws:CurrentTime`` condition.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.actors import Actor, system_actor
from accounts.audit import audit_record
from policies.models import AccessRequest, AccessRequestEvent
from policies.requests.eligibility import eligible_approvers
from policies.requests.notify import notify, notify_requester, send_emails
from policies.requests.rules import request_settings
from policies.services.requests import end_grant

Status = AccessRequest.Status
RENOTIFY_AFTER = timedelta(seconds=60)


def expiry_actor(account_id: str) -> Actor:
    """The console acting on its schedule (audited as such)."""
    return system_actor(account_id, via="access-request-expiry")


def access_request_expire(*, pk: int, now: datetime | None = None) -> bool:
    """Revoke one grant if its time is up; False when it is not (yet), or already done."""
    now = now or timezone.now()
    with transaction.atomic():
        req = (
            AccessRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("account", "user__account", "role__account")
            .filter(pk=pk, status=Status.APPROVED, expires_at__lte=now)
            .first()
        )
        if req is None:
            return False
        actor = expiry_actor(req.account.account_id)
        end_grant(req, actor, Status.EXPIRED, f"Expired at {req.expires_at:%Y-%m-%d %H:%M} UTC.")
        audit_record(
            actor=actor,
            action="console:ExpireAccessRequest",
            resource_arn=req.identity.arn,
            account_id=req.account.account_id,
            parameters={"AccessRequestId": req.request_id, "PolicyName": req.policy_name},
        )
    return True


def seconds_until_due(*, pk: int) -> float | None:
    """How long until an approved grant's expiry (None: no such grant, or no expiry)."""
    expires_at = (
        AccessRequest.objects.filter(pk=pk, status=Status.APPROVED)
        .values_list("expires_at", flat=True)
        .first()
    )
    if expires_at is None:
        return None
    return max(0.0, (expires_at - timezone.now()).total_seconds())


def revoke_expired(now: datetime | None = None) -> list[str]:
    """Every grant past its expiry, revoked (one transaction each)."""
    now = now or timezone.now()
    due = AccessRequest.objects.filter(status=Status.APPROVED, expires_at__lte=now)
    done = []
    for pk, request_id in due.values_list("pk", "request_id"):
        if access_request_expire(pk=pk, now=now):
            done.append(request_id)
    return done


def expire_stale(now: datetime | None = None) -> list[str]:
    """Open requests nobody decided within the account's limit: expired, requester told."""
    now = now or timezone.now()
    done = []
    open_requests = AccessRequest.objects.filter(status__in=AccessRequest.OPEN)
    for account_pk in open_requests.values_list("account", flat=True).distinct():
        first = open_requests.filter(account=account_pk).select_related("account").first()
        days = request_settings(first.account).pending_expiry_days
        cutoff = now - timedelta(days=days)
        for pk in open_requests.filter(account=account_pk, submitted_at__lte=cutoff).values_list(
            "pk", flat=True
        ):
            with transaction.atomic():
                req = (
                    AccessRequest.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("account", "user__account", "role__account")
                    .filter(pk=pk, status__in=AccessRequest.OPEN, submitted_at__lte=cutoff)
                    .first()
                )
                if req is None:
                    continue
                actor = expiry_actor(req.account.account_id)
                req.status, req.decided_at = Status.EXPIRED, now
                req.save()
                message = f"Not decided within {days} days."
                AccessRequestEvent.objects.create(
                    access_request=req, verb="expired", actor_arn=actor.arn, message=message
                )
                audit_record(
                    actor=actor,
                    action="console:ExpireAccessRequest",
                    resource_arn=req.identity.arn,
                    account_id=req.account.account_id,
                    parameters={"AccessRequestId": req.request_id, "Reason": message},
                )
                notify_requester(req, f"{req.request_id} expired: {message}")
                done.append(req.request_id)
    return done


def warn_expiring(now: datetime | None = None) -> list[str]:
    """Tell requesters their grant ends soon (once per expiry), with a way to extend it."""
    now = now or timezone.now()
    due = AccessRequest.objects.filter(
        status=Status.APPROVED, warn_at__lte=now, expiry_warned_at__isnull=True, expires_at__gt=now
    )
    done = []
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            req = (
                AccessRequest.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("account", "user", "role")
                .filter(pk=pk, expiry_warned_at__isnull=True)
                .first()
            )
            if req is None:
                continue
            req.expiry_warned_at = now
            req.save(update_fields=["expiry_warned_at", "updated_at"])
            notify_requester(
                req,
                f"{req.request_id}: your access ends at {req.expires_at:%Y-%m-%d %H:%M} UTC. "
                "Ask to extend it if you still need it.",
            )
            done.append(req.request_id)
    return done


def notify_approvers(*, pk: int, now: datetime | None = None) -> int:
    """Tell every eligible approver about a request awaiting review (once per round)."""
    with transaction.atomic():
        req = (
            AccessRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("account", "user__account", "role__account")
            .filter(pk=pk, approvers_notified_at__isnull=True)
            .first()
        )
        if req is None or not req.awaiting_review:
            return 0
        approvers = eligible_approvers(req, now=now)
        what = "extension of " if req.extension_pending else ""
        text = (
            f"{req.requester_arn} asks for an {what}access request "
            f"{req.request_id}: {req.justification[:200]}"
        )
        notify(
            access_request=req,
            recipients=approvers,
            text=text,
            link=f"{req.get_absolute_url()}/review",
        )
        req.approvers_notified_at = now or timezone.now()
        req.save(update_fields=["approvers_notified_at", "updated_at"])
    return len(approvers)


def sweep(now: datetime | None = None) -> dict:
    """Everything due: revocations, stale requests, warnings, lost notices and emails."""
    now = now or timezone.now()
    result = {
        "revoked": revoke_expired(now),
        "expired": expire_stale(now),
        "warned": warn_expiring(now),
    }
    lost = AccessRequest.objects.filter(
        Q(status=Status.PENDING) | Q(status=Status.APPROVED, extension_hours__isnull=False),
        approvers_notified_at__isnull=True,
        updated_at__lte=now - RENOTIFY_AFTER,
    )
    result["notified"] = [
        notify_approvers(pk=pk, now=now) for pk in lost.values_list("pk", flat=True)
    ]
    result["emails"] = send_emails()
    return result
