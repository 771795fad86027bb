"""Reads of the accounts app, narrowed to what the principal's account holds."""

from __future__ import annotations

from accounts.models import AuditEvent
from accounts.principals import Principal


def audit_event_list(*, principal: Principal):
    """The audit events of the principal's account, newest first."""
    return AuditEvent.objects.filter(account_id=principal.account_id).order_by("-time", "-id")
