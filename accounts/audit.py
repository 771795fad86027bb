"""Writing the audit trail; call inside the service's transaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from accounts.actors import Actor
from accounts.models import AuditEvent

# Parameter names whose values must never reach the audit trail (or any log).
_SECRET_NAME = re.compile(r"pass(word)?|secret|token|seed|private|credential", re.IGNORECASE)
REDACTED = "***"

# The effective-permissions matrix (``policies.effective.outbox.capture``), registered by
# ``PoliciesConfig.ready``. The identity core does not import the matrix (an import contract,
# docs/architecture.md): the matrix hooks itself in here, and ``audit_record`` calls it inside
# the writing transaction, so no decision-changing event commits without its outbox rows.
_change_capture: list[Callable[[AuditEvent], None]] = []


def register_change_capture(capture: Callable[[AuditEvent], None]) -> None:
    """Install the one callable that turns an audit event into outbox rows (idempotent)."""
    if _change_capture and _change_capture[0] is not capture:
        raise RuntimeError("a change capture is already registered")
    _change_capture[:] = [capture]


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
    change in the effective-permissions outbox (the registered change capture).
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
    if not _change_capture:
        # Never silently skip it: the matrix would go stale with nothing pending to redo it.
        raise RuntimeError("no change capture registered (is the policies app installed?)")
    _change_capture[0](event)
    return event
