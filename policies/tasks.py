"""Celery tasks of the effective-permissions worker (thin: they call policies.services.matrix).

The recompute task claims the outbox, then fans out chunks of principals to the workers as a
chord whose callback marks the claimed changes done. Every task is idempotent; a lost chunk
leaves its changes claimed until the lease ends, and the sweep starts them again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import chord
from django.conf import settings

from accounts.models import Account
from config.celery import app
from policies.effective import store
from policies.effective.preview import preview_job_run
from policies.requests import expiry
from policies.requests.notify import send_emails
from policies.services import matrix

log = logging.getLogger("mqiam.matrix")
SWEEP_AFTER = timedelta(seconds=20)


@app.task(name="policies.tasks.matrix_recompute", acks_late=True)
def matrix_recompute(account_id: int) -> dict:
    """Recompute what the account's pending changes affect."""
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        return {"skipped": "no such account"}
    plan = matrix.matrix_plan(account=account)
    if plan is None:
        return {"principals": 0}
    chunks = matrix.chunk_keys(plan.keys, parallelism=settings.MQIAM["MATRIX_PARALLELISM"])
    finish = matrix_finish.si(account_id, list(plan.change_ids), plan.job_id, plan.full)
    if len(chunks) <= 1:
        # One chunk: do it here and save a round trip through Redis.
        matrix.matrix_recompute_chunk(
            account=account, keys=chunks[0] if chunks else [], job_id=plan.job_id
        )
        finish.apply()
    else:
        chord(
            [
                matrix_recompute_chunk.si(account_id, [list(k) for k in chunk], plan.job_id)
                for chunk in chunks
            ]
        )(finish)
    return {"principals": len(plan.keys), "chunks": len(chunks), "full": plan.full}


@app.task(name="policies.tasks.matrix_recompute_chunk", acks_late=True)
def matrix_recompute_chunk(account_id: int, keys: list, job_id: int | None) -> int:
    """Recompute one chunk of principals (replaces their rows)."""
    account = Account.objects.get(pk=account_id)
    return matrix.matrix_recompute_chunk(account=account, keys=keys, job_id=job_id)


@app.task(name="policies.tasks.matrix_finish", acks_late=True)
def matrix_finish(account_id: int, change_ids: list, job_id: int | None, full: bool) -> None:
    """Mark a recompute's changes done and bump the matrix version."""
    account = Account.objects.get(pk=account_id)
    matrix.matrix_finish(account=account, plan_change_ids=change_ids, job_id=job_id, full=full)
    if full:
        # A full recompute just replaced every row: clean up now, after the commit that made
        # the new matrix visible (no reader waits). Smaller changes are left to the sweep, so
        # a vacuum never holds up the next change's chunks.
        _vacuum_matrix()


@app.task(bind=True, name="policies.tasks.matrix_preview", acks_late=True)
def matrix_preview(self, job_id: str) -> None:
    """Compute a blast radius too large for the request; progress goes to the task's state."""

    def progress(done: int, total: int) -> None:
        self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    preview_job_run(job_id, progress)


def _vacuum_matrix() -> list[str]:
    vacuumed = store.vacuum_if_bloated()
    if vacuumed:
        log.info("vacuumed %s", ", ".join(vacuumed))
    return vacuumed


@app.task(name="policies.tasks.matrix_sweep")
def matrix_sweep() -> dict:
    """Redo work whose task was lost (Redis or the worker was down); reconcile resources."""
    matrix.fail_lost_jobs()
    touched = matrix.reconcile_accounts()
    pending = set(matrix.accounts_needing_sweep(older_than=SWEEP_AFTER)) | set(touched)
    for account_id in pending:
        matrix_recompute.delay(account_id)
    return {"accounts": sorted(pending), "vacuumed": _vacuum_matrix()}


# -- access requests (thin: policies.requests.expiry and .notify do the work) ---------------


@app.task(bind=True, name="policies.tasks.access_request_expire", acks_late=True)
def access_request_expire(self, pk: int) -> bool:
    """Revoke one grant at its expiry (idempotent: a no-op if late or already done)."""
    if expiry.access_request_expire(pk=pk):
        return True
    early = expiry.seconds_until_due(pk=pk)
    if early is not None:  # delivered a little before its moment: try again then
        raise self.retry(countdown=max(0.5, early), max_retries=5)
    return False


@app.task(name="policies.tasks.access_request_notify_approvers", acks_late=True)
def access_request_notify_approvers(pk: int) -> int:
    """Notify the approvers IAM allows to decide a new request (once per round)."""
    return expiry.notify_approvers(pk=pk)


@app.task(name="policies.tasks.access_request_send_emails", acks_late=True)
def access_request_send_emails(ids: list) -> int:
    """Email the given notifications that are not emailed yet."""
    return send_emails(ids)


@app.task(name="policies.tasks.access_request_sweep")
def access_request_sweep() -> dict:
    """Beat: revoke expired grants, expire stale requests, warn, redo lost notices."""
    return expiry.sweep()
