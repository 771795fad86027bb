"""A real Celery worker process consumes tasks from the real Redis and writes PostgreSQL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.tasks import audit_retention_sweep
from tests.factories import AuditEventFactory


@pytest.mark.worker
def test_real_worker_runs_audit_retention_sweep(celery_worker, settings):
    old = AuditEventFactory()
    recent = AuditEventFactory()
    retention = settings.MQIAM["AUDIT_RETENTION_DAYS"]
    AuditEvent.objects.filter(pk=old.pk).update(time=timezone.now() - timedelta(days=retention + 1))

    result = audit_retention_sweep.delay()
    assert result.get(timeout=20) == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    # Running it again deletes nothing more: the task is idempotent.
    assert audit_retention_sweep.delay().get(timeout=20) == 0


@pytest.mark.worker
def test_healthz_sees_the_worker_heartbeat(celery_worker, client):
    body = client.get("/healthz").json()
    assert body == {"database": "ok", "redis": "ok", "worker": "ok"}
