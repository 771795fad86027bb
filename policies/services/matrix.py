"""Recomputing the effective-permissions matrix from the outbox (the worker's business logic).

Idempotent and safe to run twice or concurrently: outbox rows are claimed with
``SKIP LOCKED`` and a lease; each chunk locks its principals (advisory locks, in a fixed
order) before reading their policies, so a later computation never loses to an earlier one;
and a chunk replaces its principals' rows wholesale.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Account, Group, GroupMembership, IAMUser, Role
from policies.effective.compute import compute_principals, subjects_for
from policies.effective.outbox import record
from policies.effective.resources import matrix_state_for, resources_in_sync, sync_resources
from policies.effective.store import delete_rows_for_missing, replace_rows
from policies.models import (
    EffectivePermission,
    ManagedPolicy,
    MatrixResource,
    MatrixState,
    PermissionChange,
    PolicyAttachment,
    PrincipalProvenance,
    RecomputeJob,
)

CLAIM_BATCH = 10_000
CHUNK_SIZE = 200
MIN_CHUNK = 25
Scope = PermissionChange.Scope


def claim_lease() -> timedelta:
    """How long a claim holds before another recompute may take the changes over."""
    return timedelta(seconds=settings.MQIAM["MATRIX_CLAIM_LEASE_S"])


@dataclass(frozen=True)
class RecomputePlan:
    """What one recompute covers: claimed outbox rows and the principals they affect."""

    job_id: int | None
    change_ids: tuple[int, ...]
    keys: tuple[tuple[str, int], ...]
    full: bool


def matrix_claim(*, account: Account, now=None) -> list[PermissionChange]:
    """Claim this account's pending outbox rows not claimed by a live recompute."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            PermissionChange.objects.select_for_update(skip_locked=True)
            .filter(account=account, processed_at__isnull=True)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - claim_lease()))
            .order_by("id")[:CLAIM_BATCH]
        )
        if rows:
            PermissionChange.objects.filter(pk__in=[r.pk for r in rows]).update(
                claimed_at=now, attempts=F("attempts") + 1
            )
    return rows


def _principal_keys_for(account: Account, change: PermissionChange) -> set[tuple[str, int]]:
    """The users and roles a change may affect, from the current state of the account."""
    if change.scope == Scope.PRINCIPAL:
        parts = change.target.split(":", 5)
        kind = parts[5].partition("/")[0] if len(parts) == 6 else ""
        name = change.target.rsplit("/", 1)[-1]
        model = IAMUser if kind == "user" else Role if kind == "role" else None
        if model is None:
            return set()
        found = [
            o
            for o in model.objects.filter(account=account, name__iexact=name).select_related(
                "account"
            )
            if o.arn == change.target
        ]
        if not found:
            # Deleted or renamed away: its stored rows go (the chunk drops missing keys).
            return set(
                EffectivePermission.objects.filter(account=account, principal_arn=change.target)
                .values_list("principal_kind", "principal_id")
                .distinct()
            )
        return {(kind, o.pk) for o in found}
    if change.scope == Scope.GROUP:
        group = next(
            (
                g
                for g in Group.objects.filter(
                    account=account, name__iexact=change.target.rsplit("/", 1)[-1]
                ).select_related("account")
                if g.arn == change.target
            ),
            None,
        )
        if group is None:
            return set()
        return {
            ("user", pk)
            for pk in GroupMembership.objects.filter(group=group).values_list("user_id", flat=True)
        }
    if change.scope == Scope.POLICY:
        policy = next(
            (
                p
                for p in ManagedPolicy.objects.filter(
                    name=change.target.rsplit("/", 1)[-1]
                ).select_related("account")
                if p.arn == change.target
            ),
            None,
        )
        if policy is None:
            return set()
        keys: set[tuple[str, int]] = set()
        for a in PolicyAttachment.objects.filter(policy=policy).filter(
            Q(user__account=account) | Q(group__account=account) | Q(role__account=account)
        ):
            if a.user_id:
                keys.add(("user", a.user_id))
            elif a.role_id:
                keys.add(("role", a.role_id))
            else:
                keys |= {
                    ("user", pk)
                    for pk in GroupMembership.objects.filter(group_id=a.group_id).values_list(
                        "user_id", flat=True
                    )
                }
        keys |= {
            ("user", pk)
            for pk in IAMUser.objects.filter(
                account=account, permissions_boundary=policy
            ).values_list("pk", flat=True)
        }
        keys |= {
            ("role", pk)
            for pk in Role.objects.filter(account=account, permissions_boundary=policy).values_list(
                "pk", flat=True
            )
        }
        return keys
    return set()


def all_principal_keys(account: Account) -> set[tuple[str, int]]:
    return {
        ("user", pk) for pk in IAMUser.objects.filter(account=account).values_list("pk", flat=True)
    } | {("role", pk) for pk in Role.objects.filter(account=account).values_list("pk", flat=True)}


def matrix_plan(*, account: Account) -> RecomputePlan | None:
    """Claim pending changes, sync resources if needed, and list the principals to redo."""
    changes = matrix_claim(account=account)
    state = matrix_state_for(account)
    never_computed = state.computed_at is None
    if not changes and not never_computed:
        return None
    full = (
        never_computed
        or any(c.scope == Scope.ACCOUNT for c in changes)
        or not resources_in_sync(account)
    )
    if full:
        sync_resources(account)
        keys = all_principal_keys(account)
    else:
        keys = set()
        for change in changes:
            keys |= _principal_keys_for(account, change)
    job = RecomputeJob.objects.create(
        account=account,
        status=RecomputeJob.Status.RUNNING,
        full=full,
        total=len(keys),
        change_ids=[c.pk for c in changes],
        started_at=timezone.now(),
    )
    return RecomputePlan(job.pk, tuple(c.pk for c in changes), tuple(sorted(keys)), full)


def chunk_keys(keys, *, parallelism: int, size: int = CHUNK_SIZE, smallest: int = MIN_CHUNK):
    """Chunks of at most ``size`` principals, at least ``parallelism`` of them when there are
    enough principals for chunks of ``smallest`` (below that, a round trip costs more than
    sharing saves)."""
    keys = list(keys)
    count = max(1, math.ceil(len(keys) / size), min(parallelism, len(keys) // smallest))
    step = max(1, math.ceil(len(keys) / count))
    return [keys[i : i + step] for i in range(0, len(keys), step)]


def _lock_principals(keys) -> None:
    """Advisory locks per principal, in a fixed order (no deadlock between chunks)."""
    lock_ids = sorted({zlib.crc32(f"matrix:{kind}:{pk}".encode()) for kind, pk in keys})
    if not lock_ids:
        return
    with connection.cursor() as cursor:
        # One statement takes them all, in the order of the sorted array.
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(id)) FROM unnest(%s::bigint[]) AS id", [lock_ids]
        )


def matrix_recompute_chunk(*, account: Account, keys, job_id: int | None = None) -> int:
    """Recompute and store the rows of these principals; returns how many principals."""
    keys = [tuple(k) for k in keys]
    with transaction.atomic():
        _lock_principals(keys)
        subjects = subjects_for(
            account,
            user_ids=[pk for kind, pk in keys if kind == "user"],
            role_ids=[pk for kind, pk in keys if kind == "role"],
        )
        resources = list(MatrixResource.objects.filter(account=account, deleted_at__isnull=True))
        principals = compute_principals(account, subjects, resources)
        # Gone before or while its policies were read: its rows go (replace_rows deletes the
        # rows of every subject and writes those of the principals computed).
        found = {(p.subject.kind, p.subject.pk) for p in principals}
        missing = [k for k in keys if k not in found]
        replace_rows(account.pk, subjects, principals, timezone.now())
        if missing:
            for kind, pk in missing:
                EffectivePermission.objects.filter(principal_kind=kind, principal_id=pk).delete()
                PrincipalProvenance.objects.filter(principal_kind=kind, principal_id=pk).delete()
        if job_id and keys:
            # In the chunk's own transaction, so progress counts each chunk exactly once.
            job = RecomputeJob.objects.select_for_update().filter(pk=job_id).first()
            chunk = f"{keys[0][0]}:{keys[0][1]}"
            if job is not None and chunk not in job.chunks_done:
                job.chunks_done = [*job.chunks_done, chunk]
                job.done = min(job.total, job.done + len(keys))
                job.save(update_fields=["chunks_done", "done"])
    return len(keys)


def matrix_finish(*, account: Account, plan_change_ids, job_id: int | None, full: bool) -> None:
    """Mark the claimed changes done and bump the matrix version, once per job."""
    now = timezone.now()
    with transaction.atomic():
        if job_id:
            # The job's transition to DONE happens once: a redelivered finish stops here.
            finished = (
                RecomputeJob.objects.filter(pk=job_id)
                .exclude(status=RecomputeJob.Status.DONE)
                .update(status=RecomputeJob.Status.DONE, finished_at=now, done=F("total"))
            )
            if not finished:
                return
        # Not only after a full recompute: a principal deleted during any job may have left
        # rows or provenance its own change cannot find (see delete_rows_for_missing).
        delete_rows_for_missing(account.pk)
        PermissionChange.objects.filter(
            pk__in=list(plan_change_ids), processed_at__isnull=True
        ).update(processed_at=now)
        MatrixState.objects.filter(account=account).update(
            version=F("version") + 1, computed_at=now
        )


def accounts_needing_sweep(*, older_than: timedelta) -> list[int]:
    """Accounts with changes pending longer than ``older_than`` (their task was lost)."""
    cutoff = timezone.now() - older_than
    return list(
        PermissionChange.objects.filter(processed_at__isnull=True, created_at__lt=cutoff)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=timezone.now() - claim_lease()))
        .values_list("account_id", flat=True)
        .distinct()
    )


def fail_lost_jobs() -> int:
    """Mark running jobs whose lease ran out as failed (their changes get claimed again)."""
    cutoff = timezone.now() - claim_lease()
    return RecomputeJob.objects.filter(
        status=RecomputeJob.Status.RUNNING, started_at__lt=cutoff
    ).update(
        status=RecomputeJob.Status.FAILED,
        finished_at=timezone.now(),
        error="lost: its worker stopped before finishing",
    )


def reconcile_accounts() -> list[int]:
    """Record a change for accounts whose resources drifted or whose matrix never ran."""
    touched = []
    pending = set(
        PermissionChange.objects.filter(processed_at__isnull=True).values_list(
            "account_id", flat=True
        )
    )
    states = {s.account_id: s for s in MatrixState.objects.all()}
    for account in Account.objects.exclude(pk__in=pending):
        state = states.get(account.pk)
        if state is None or state.computed_at is None or not resources_in_sync(account):
            with transaction.atomic():
                record(account, Scope.ACCOUNT, "", "reconcile")
            touched.append(account.pk)
    return touched
