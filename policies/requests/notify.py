"""Notifications about access requests: in-app rows, and email through Django's framework.

A notification row is written in the decision's transaction; its email is sent by a task
after commit, and the sweep sends any email whose task was lost (``emailed_at`` is unset).
Recipients are principal ARNs (a user, a role — seen by every session of it — or root);
an address comes from the root user's email, or a user's or role's ``email`` tag.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from config.queue import task
from policies.models import AccessRequest, Notification

log = logging.getLogger("mqiam.requests")
EMAIL_RETRY_AFTER = timedelta(seconds=60)


def email_of(identity) -> str:
    """The address in the identity's email tag (the tag key is a setting), or ''."""
    tag = settings.MQIAM.get("ACCESS_REQUEST_EMAIL_TAG", "email")
    value = str((getattr(identity, "tags", None) or {}).get(tag, "")).strip()
    return value if "@" in value and len(value) <= 254 else ""


def requester_recipient(access_request: AccessRequest) -> tuple[str, str]:
    """Where decisions go: the requesting user, or the role (any of its sessions)."""
    return access_request.requester_principal_arn, email_of(access_request.identity)


def notify(
    *,
    access_request: AccessRequest,
    recipients: Iterable[tuple[str, str]],
    text: str,
    link: str = "",
) -> list[Notification]:
    """Write one notification per distinct recipient; email those with an address on commit."""
    link = link or access_request.get_absolute_url()
    seen: set[str] = set()
    rows = []
    for arn, email in recipients:
        if arn in seen:
            continue
        seen.add(arn)
        rows.append(
            Notification(
                account_id=access_request.account_id,
                recipient_arn=arn,
                text=text[:500],
                link=link,
                access_request=access_request,
                email=email or "",
            )
        )
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.email]
    if ids:
        transaction.on_commit(partial(enqueue_emails, ids))
    return created


def notify_requester(access_request: AccessRequest, text: str) -> list[Notification]:
    return notify(
        access_request=access_request, recipients=[requester_recipient(access_request)], text=text
    )


def enqueue(name: str, *, kwargs: dict, **options) -> None:
    """Send task ``name`` to the worker; if Redis is down the access-request sweep redoes it."""
    worker_task = task(name)
    try:
        worker_task.apply_async(kwargs=kwargs, queue="default", retry=False, **options)
    except Exception:
        log.warning("could not enqueue %s %s; the sweep will", name, kwargs, exc_info=True)


def enqueue_emails(ids: list[int]) -> None:
    """Hand the emails to the worker (after commit)."""
    enqueue("policies.tasks.access_request_send_emails", kwargs={"ids": ids})


def send_emails(ids: Iterable[int] | None = None) -> int:
    """Send each unsent email once (rows locked while sending); return how many were sent."""
    base = settings.MQIAM.get("CONSOLE_URL", "").rstrip("/")
    queryset = Notification.objects.filter(emailed_at__isnull=True).exclude(email="")
    if ids is None:
        queryset = queryset.filter(created_at__lte=timezone.now() - EMAIL_RETRY_AFTER)
    else:
        queryset = queryset.filter(pk__in=list(ids))
    sent = 0
    for pk in list(queryset.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            row = (
                Notification.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, emailed_at__isnull=True)
                .first()
            )
            if row is None:
                continue
            send_mail(
                subject=f"[MQ IAM] {row.text[:120]}",
                message=f"{row.text}\n\n{base}{row.link}\n",
                from_email=None,
                recipient_list=[row.email],
            )
            row.emailed_at = timezone.now()
            row.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def mark_read(principal, access_request: AccessRequest) -> None:
    """Seeing a request's page reads the principal's notifications about it."""
    Notification.objects.filter(
        recipient_arn=principal.principal_arn, access_request=access_request, read_at__isnull=True
    ).update(read_at=timezone.now())


def unread_count(principal) -> int:
    """The navigation badge: unread notifications addressed to the principal."""
    return Notification.objects.filter(
        recipient_arn=principal.principal_arn, read_at__isnull=True
    ).count()
