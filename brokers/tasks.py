"""Celery tasks of the brokers app: thin, idempotent, re-fetching rows by id."""

from __future__ import annotations

from django.db import OperationalError

from brokers.services import lifecycle
from config.celery import app


@app.task(
    name="brokers.tasks.broker_transition_task",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def broker_transition_task(*, broker_pk: int, token: str) -> str | None:
    """Finish one broker's transition if ``token`` still owns it (safe to run twice)."""
    return lifecycle.broker_transition_complete(broker_pk=broker_pk, token=token)


@app.task(name="brokers.tasks.broker_transition_sweep")
def broker_transition_sweep() -> dict:
    """Finish transitions whose task was lost; start maintenance-window reboots."""
    return {
        "finished": lifecycle.broker_transition_sweep(),
        "maintenance_reboots": lifecycle.broker_maintenance_sweep(),
    }
