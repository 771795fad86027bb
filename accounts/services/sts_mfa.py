"""SerialNumber/TokenCode at STS (GetSessionToken, AssumeRole): throttled and audited.

The same budget as console sign-in (``AXES_FAILURE_LIMIT`` wrong codes per
``AXES_COOLOFF_TIME``), counted on the audit trail as ``rate_limits`` counts: every wrong
code is an audit row, so the counter is shared by every process and exact. The budget is per
principal, whatever the source address: only the holder of the principal's own signing key
can spend it, so no stranger can use it to lock the principal out. Once it is spent, codes
are refused without being checked until the oldest failure leaves the window; refusals are
audited but do not count, so the window is not renewed by further attempts.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import ValidationError
from accounts.models import AuditEvent, MFADevice
from accounts.principals import ROOT, USER, Principal
from accounts.services import mfa
from accounts.services.rate_limits import Throttling

WRONG_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
FAILURE_CODE = "InvalidAuthenticationCode"


class StsMfaRejected(mfa.InvalidAuthenticationCode):
    """A wrong code: AWS's AccessDenied (403); ``audit`` is what was recorded."""

    code = "AccessDenied"

    def __init__(self, message: str, audit: dict):
        super().__init__(message)
        self.audit = audit


class StsMfaThrottled(Throttling):
    """Too many wrong codes: refused unchecked (429); ``audit`` is what was recorded."""

    def __init__(self, message: str, audit: dict):
        super().__init__(message)
        self.audit = audit


def _device(principal: Principal, serial: str) -> MFADevice | None:
    owner = {USER: "user_id", ROOT: "root_user_id"}.get(principal.kind)
    if owner is None:
        return None
    candidates = MFADevice.objects.select_related("account").filter(**{owner: principal.pk})
    return next((d for d in candidates if d.serial_number == serial), None)


def sts_mfa_failures(principal: Principal) -> int:
    """Wrong STS MFA codes of ``principal`` within the cool-off window."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AuditEvent.objects.filter(
        principal_arn=principal.arn,
        action__startswith="sts:",
        decision=AuditEvent.Decision.ERROR,
        error_code=FAILURE_CODE,
        time__gte=since,
    ).count()


def sts_mfa_verify(
    *, actor: Actor, principal: Principal, action: str, serial: str | None, code: str | None
) -> bool:
    """True for a current code of the caller's own device; no serial and code: False.

    Raises StsMfaThrottled once the principal's budget of wrong codes is spent, and
    StsMfaRejected for a wrong code or a device that is not the caller's (audited).
    """
    if not serial and not code:
        return False
    if not (serial and code):
        raise ValidationError("SerialNumber and TokenCode must be given together.")
    audit = {
        "actor": actor,
        "action": action,
        "resource_arn": serial,
        "account_id": principal.account_id,
        "parameters": {"SerialNumber": serial},
        "decision": AuditEvent.Decision.ERROR,
    }
    limit = settings.AXES_FAILURE_LIMIT
    # One transaction of its own (callers run it outside theirs): the failure's audit row is
    # committed even though the call fails, and concurrent guesses of one principal queue on
    # the lock, so none can take a slot another has already spent.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"sts-mfa:{principal.arn}"],
            )
        if sts_mfa_failures(principal) >= limit:
            minutes = int(settings.AXES_COOLOFF_TIME / timedelta(minutes=1))
            message = (
                f"Too many invalid MFA codes for {principal.arn}: at most {limit} per "
                f"{minutes} minutes. Retry later."
            )
            audit.update(error_code="Throttling", message=message)
            audit_record(**audit)
            error: Exception = StsMfaThrottled(message, audit)
        else:
            device = _device(principal, serial)
            if device is not None and mfa.mfa_code_verify(device=device, code=code):
                return True
            audit.update(error_code=FAILURE_CODE, message=WRONG_CODE)
            audit_record(**audit)
            error = StsMfaRejected(WRONG_CODE, audit)
    raise error
