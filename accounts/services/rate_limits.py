"""Per-principal rate limits on sensitive actions, counted on the audit trail (AWS: Throttling).

The audit trail already holds one ``allowed`` row per performed action, written in the same
transaction, so it is the counter: shared by every web and worker process, exact, and with
no second store. A transaction-scoped advisory lock per (principal, action) makes concurrent
requests of one principal queue, so that two of them cannot both take the last slot.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.actors import Actor
from accounts.errors import IAMError
from accounts.models import AuditEvent


class Throttling(IAMError):
    """AWS's ``Throttling``: the caller exceeded a rate; it may retry later (HTTP 429)."""

    code = "Throttling"
    http_status = 429


def rate_limit_check(*, actor: Actor, action: str) -> None:
    """Raise Throttling when ``actor`` already did ``action`` its limit of times in the window.

    Limits come from ``settings.MQIAM_RATE_LIMITS`` (action -> (count, seconds)); the console
    itself (system actor: commands, tasks) is not limited. Call inside the service's
    transaction, before the action's own audit row is written.
    """
    limit = settings.MQIAM_RATE_LIMITS.get(action)
    if limit is None or actor.is_system:
        return
    count, seconds = limit
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"rate:{action}:{actor.arn}"],
        )
    since = timezone.now() - timedelta(seconds=seconds)
    done = AuditEvent.objects.filter(
        principal_arn=actor.arn,
        action=action,
        decision=AuditEvent.Decision.ALLOWED,
        time__gte=since,
    ).count()
    if done >= count:
        raise Throttling(
            f"Rate exceeded: at most {count} {action.partition(':')[2]} calls per "
            f"{seconds} seconds for {actor.arn}. Retry later."
        )
