"""Writing the audit trail; call inside the service's transaction."""

from __future__ import annotations

import re
from typing import Any

from accounts.actors import Actor
from accounts.models import AuditEvent

# Parameter names whose values must never reach the audit trail (or any log).
_SECRET_NAME = re.compile(r"pass(word)?|secret|token|seed|private|credential", re.IGNORECASE)
REDACTED = "***"


def redact(value: Any) -> Any:
    """A copy of ``value`` with every secret-looking field replaced by ``***``."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and _SECRET_NAME.search(k) else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def audit_record(
    *,
    actor: Actor,
    action: str,
    resource_arn: str = "",
    account_id: str | None = None,
    parameters: dict | None = None,
    before: Any = None,
    after: Any = None,
    decision: str = AuditEvent.Decision.ALLOWED,
    error_code: str = "",
    message: str = "",
) -> AuditEvent:
    """Write one audit event for ``actor`` performing ``action`` on ``resource_arn``.

    In the same transaction, an event that can change what principals may do also records the
    change in the effective-permissions outbox (``policies.effective.outbox``).
    """
    event = AuditEvent.objects.create(
        account_id=account_id if account_id is not None else actor.account_id,
        principal_arn=actor.arn,
        action=action,
        resource_arn=resource_arn,
        source_ip=actor.source_ip,
        user_agent=actor.user_agent,
        request_id=actor.request_id,
        decision=decision,
        error_code=error_code,
        message=message,
        request_parameters=redact(parameters or {}),
        before=redact(before),
        after=redact(after),
    )
    from policies.effective.outbox import capture  # policies depends on accounts, not back

    capture(event)
    return event
