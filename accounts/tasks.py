"""Celery tasks of the accounts app (thin: they call services)."""

from django.conf import settings
from django.utils import timezone

from accounts.services.audit import audit_retention_apply
from accounts.services.credential_report import credential_report_build as build
from config.celery import app


@app.task(name="accounts.tasks.audit_retention_sweep")
def audit_retention_sweep() -> int:
    """Apply the configured audit retention (idempotent: deleting twice deletes nothing more)."""
    return audit_retention_apply(
        now=timezone.now(), retention_days=settings.MQIAM["AUDIT_RETENTION_DAYS"]
    )


@app.task(name="accounts.tasks.credential_report_build", acks_late=True)
def credential_report_build(report_pk: int) -> str:
    """Build a requested credential report (idempotent)."""
    return build(report_pk=report_pk).status
