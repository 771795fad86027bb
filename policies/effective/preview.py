"""Blast radius: the matrix cells a change would gain or lose, computed before it is saved.

The change is applied for real inside a savepoint — the very service that would save it —
the affected principals are recomputed from that state, and the savepoint is rolled back.
Because the same code computes the preview and the later recompute, saving the change
produces exactly the previewed diff.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.actors import system_actor
from accounts.errors import IAMError
from accounts.models import Account
from config.queue import task
from policies.effective.actions import matrix_action
from policies.effective.changes import resolve
from policies.effective.compute import ComputedRow, compute_for, subjects_for
from policies.models import MatrixResource, PermissionChange, PreviewJob
from policies.services.matrix import _principal_keys_for, all_principal_keys, chunk_keys

log = logging.getLogger("mqiam.matrix")
CATEGORIES = ("allowed", "conditional", "explicitDeny")
RANK = {"implicitDeny": 0, "explicitDeny": 0, "conditional": 1, "allowed": 2}
PRODUCTION_TAG = ("env", "production")


@dataclass(frozen=True)
class CellChange:
    """One matrix cell whose decision the change would alter."""

    principal_arn: str
    action: str
    resource_arn: str
    resource_name: str
    before: str
    after: str
    production: bool

    @property
    def gained(self) -> bool:
        return RANK[self.after] > RANK[self.before]


@dataclass
class BlastRadius:
    """The diff a change makes: counts first, then the cells grouped by principal and action."""

    principals: int = 0
    changes: list[CellChange] = field(default_factory=list)

    @property
    def gained(self) -> list[CellChange]:
        return [c for c in self.changes if c.gained]

    @property
    def lost(self) -> list[CellChange]:
        return [c for c in self.changes if not c.gained]

    @property
    def production_gains(self) -> list[CellChange]:
        return [c for c in self.gained if c.production]

    def grouped(self) -> dict[str, dict[str, list[CellChange]]]:
        out: dict[str, dict[str, list[CellChange]]] = {}
        for change in self.changes:
            out.setdefault(change.principal_arn, {}).setdefault(change.action, []).append(change)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> BlastRadius:
        """The radius ``to_dict`` stored (a worker's result, read back for the page)."""
        fields = CellChange.__dataclass_fields__
        return cls(
            principals=data["principals"],
            changes=[
                CellChange(**{k: v for k, v in c.items() if k in fields}) for c in data["changes"]
            ],
        )

    def to_dict(self) -> dict:
        return {
            "principals": self.principals,
            "gained": len(self.gained),
            "lost": len(self.lost),
            "production_gains": len(self.production_gains),
            "changes": [c.__dict__ | {"gained": c.gained} for c in self.changes],
        }


def _cells(rows: list[ComputedRow], resources: dict[int, MatrixResource]) -> dict:
    cells = {}
    for row in rows:
        action = matrix_action(row.action)
        for position, resource in resources.items():
            if action is None or resource.kind not in action.kinds:
                continue
            bit = 1 << position
            value = (
                "explicitDeny"
                if row.explicit_deny & bit
                else "allowed"
                if row.allowed & bit
                else "conditional"
                if row.conditional & bit
                else "implicitDeny"
            )
            cells[(row.subject.arn, row.action, position)] = value
    return cells


def _apply_and_collect(
    account: Account, apply_change: Callable[[], object]
) -> set[tuple[str, int]]:
    """Apply the change (the caller rolls back) and return the principals it affects, read
    from the outbox rows the change wrote."""
    last = PermissionChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    apply_change()
    keys: set[tuple[str, int]] = set()
    for change in PermissionChange.objects.filter(account=account, id__gt=last):
        if change.scope == PermissionChange.Scope.ACCOUNT:
            return all_principal_keys(account)
        keys |= _principal_keys_for(account, change)
    return keys


class PreviewTooLarge(Exception):
    """The change touches more principals than a request should compute (the worker will)."""

    def __init__(self, principals: int):
        super().__init__(f"{principals} principals")
        self.principals = principals


Progress = Callable[[int, int], None]  # (principals done, principals to do: both phases)


def _compute_chunked(account, keys, resources, progress: Progress | None, offset: int, total: int):
    """The affected principals' rows, in the recompute's chunks (progress between them)."""
    rows = []
    done = offset
    for chunk in chunk_keys(sorted(keys), parallelism=1):
        subjects = subjects_for(
            account,
            user_ids=[pk for k, pk in chunk if k == "user"],
            role_ids=[pk for k, pk in chunk if k == "role"],
        )
        rows += compute_for(account, subjects, list(resources.values()))
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return _cells(rows, resources)


def blast_radius(
    account: Account,
    apply_change: Callable[[], object],
    progress: Progress | None = None,
    *,
    sync_limit: int | None = None,
) -> BlastRadius:
    """Apply ``apply_change`` in a savepoint, diff the affected principals, roll back.

    With ``sync_limit``, a change touching more principals raises ``PreviewTooLarge`` (after
    the rollback) instead of computing: the caller hands it to the worker. The change is
    applied once per call: its service may update the objects it was given in memory.
    """
    resources = {
        r.position: r
        for r in MatrixResource.objects.filter(account=account, deleted_at__isnull=True)
    }
    with transaction.atomic():
        savepoint = transaction.savepoint()
        try:
            keys = _apply_and_collect(account, apply_change)
            if sync_limit is not None and len(keys) > sync_limit:
                raise PreviewTooLarge(len(keys))
            total = 2 * len(keys)
            after = _compute_chunked(account, keys, resources, progress, 0, total)
        finally:
            transaction.savepoint_rollback(savepoint)
        before = _compute_chunked(account, keys, resources, progress, len(keys), total)
    radius = BlastRadius(principals=len(keys))
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, "implicitDeny"), after.get(key, "implicitDeny")
        if old == new:
            continue
        arn, action, position = key
        resource = resources[position]
        radius.changes.append(
            CellChange(
                arn,
                action,
                resource.arn,
                resource.name,
                old,
                new,
                resource.tags.get(PRODUCTION_TAG[0]) == PRODUCTION_TAG[1],
            )
        )
    return radius


def preview_limit() -> int:
    """Principals above which a preview is left to the worker instead of the request."""
    return settings.MQIAM["PREVIEW_SYNC_PRINCIPALS"]


def preview_job_start(*, account: Account, requested_by: str, change: dict, principals: int):
    """Queue a preview for the worker (sent when the caller's transaction commits)."""
    job = PreviewJob.objects.create(
        account=account, requested_by=requested_by, change=change, principals=principals
    )

    def send() -> None:
        preview_task = task("policies.tasks.matrix_preview")
        try:
            sent = preview_task.apply_async(args=[str(job.pk)], retry=False)
        except Exception:
            # Redis is down: a preview is worth nothing later, so say so now (the panel
            # stops polling) instead of leaving it queued forever.
            log.warning("could not queue preview %s", job.pk, exc_info=True)
            PreviewJob.objects.filter(pk=job.pk).update(
                status=PreviewJob.Status.FAILED,
                error="The worker could not be reached to compute this preview; try again "
                "in a moment.",
                finished_at=timezone.now(),
            )
            return
        PreviewJob.objects.filter(pk=job.pk).update(task_id=sent.id)

    transaction.on_commit(send)
    return job


def preview_job_run(job_id: str, progress: Progress | None = None) -> None:
    """The worker's side: resolve the change again, compute the radius, store it (once)."""
    job = PreviewJob.objects.filter(pk=job_id, status=PreviewJob.Status.QUEUED).first()
    if job is None:
        return  # done already (a redelivered task) or gone
    try:
        # Authorized when it was asked for; the change is rolled back, so no one's
        # identity goes into an audit record.
        resolved = resolve(job.account, system_actor(), job.change)
        radius = blast_radius(job.account, resolved.apply, progress)
    except (IAMError, ValueError) as error:
        job.status, job.error = PreviewJob.Status.FAILED, getattr(error, "message", str(error))
    except Exception:
        # Anything else ends the job too, so the page stops waiting (and it is logged).
        log.exception("preview %s failed", job.pk)
        job.status, job.error = PreviewJob.Status.FAILED, "The preview failed; try again."
    else:
        job.status, job.result = PreviewJob.Status.DONE, radius.to_dict()
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "result", "finished_at"])
