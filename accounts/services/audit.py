"""Audit trail housekeeping."""

from __future__ import annotations

from datetime import datetime, timedelta

from accounts.models import AuditEvent


def audit_retention_apply(*, now: datetime, retention_days: int) -> int:
    """Delete audit events older than the retention period; returns how many were deleted."""
    if retention_days <= 0:
        return 0
    deleted, _ = AuditEvent.objects.filter(time__lt=now - timedelta(days=retention_days)).delete()
    return deleted
