"""A real Celery worker process consumes tasks from the real Redis and writes PostgreSQL."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.tasks import audit_retention_sweep
from config.celery import app
from tests.conftest import REPO
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


def _routed_queues(app) -> dict[str, str]:
    """The queue each of the project's tasks is routed to."""
    app.loader.import_default_modules()
    return {
        name: app.amqp.router.route({}, name)["queue"].name
        for name in app.tasks
        if not name.startswith("celery.")
    }


def test_a_worker_started_without_queues_consumes_every_routed_queue():
    # A fresh process, as `celery -A config worker` starts: without -Q a worker consumes the
    # queues declared when it starts (in this process, routing may have created more).
    code = "import json; from config.celery import app; print(json.dumps(sorted(app.amqp.queues)))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        check=True,
    )
    consumed = set(json.loads(out.stdout.strip().splitlines()[-1]))
    routed = _routed_queues(app)
    assert {"default", "recompute", "brokers"} <= set(routed.values())
    assert set(routed.values()) <= consumed, {n: q for n, q in routed.items() if q not in consumed}


@pytest.mark.worker
def test_the_real_worker_without_queues_listens_on_every_routed_queue(celery_worker):
    replies = app.control.inspect(timeout=5).active_queues() or {}
    listened = {q["name"] for queues in replies.values() for q in queues}
    assert set(_routed_queues(app).values()) <= listened
