"""Answers from the matrix: what can a principal do, who can do an action on a resource."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import connection

from policies.effective.actions import matrix_action, matrix_actions
from policies.effective.compute import from_bytes
from policies.models import (
    EffectivePermission,
    MatrixResource,
    MatrixState,
    PermissionChange,
    PrincipalProvenance,
    RecomputeJob,
)

ALLOWED, CONDITIONAL, EXPLICIT_DENY, IMPLICIT_DENY = (
    "allowed",
    "conditional",
    "explicitDeny",
    "implicitDeny",
)


@dataclass(frozen=True)
class Freshness:
    """Whether the stored matrix reflects every committed change."""

    version: int
    computed_at: object
    pending: int
    job: RecomputeJob | None

    @property
    def current(self) -> bool:
        return self.pending == 0 and self.computed_at is not None

    @property
    def progress_percent(self) -> int:
        if self.job is None or not self.job.total:
            return 0
        return min(100, round(100 * self.job.done / self.job.total))


def freshness(account_pk: int) -> Freshness:
    state = MatrixState.objects.filter(account_id=account_pk).first()
    pending = PermissionChange.objects.filter(
        account_id=account_pk, processed_at__isnull=True
    ).count()
    job = RecomputeJob.objects.filter(
        account_id=account_pk, status=RecomputeJob.Status.RUNNING
    ).first()
    return Freshness(
        state.version if state else 0, state.computed_at if state else None, pending, job
    )


def stored_row(principal_kind: str, principal_id: int, action: str) -> EffectivePermission | None:
    """A principal's row for an action; None when nothing reaches it (it is not stored)."""
    return EffectivePermission.objects.filter(
        principal_kind=principal_kind, principal_id=principal_id, action=action
    ).first()


def cell_value(row: EffectivePermission | None, position: int) -> str:
    """The decision of one cell; a missing row is implicitly denied everywhere."""
    if row is None:
        return IMPLICIT_DENY
    bit = 1 << position
    if from_bytes(row.explicit_deny) & bit:
        return EXPLICIT_DENY
    if from_bytes(row.allowed) & bit:
        return ALLOWED
    if from_bytes(row.conditional) & bit:
        return CONDITIONAL
    return IMPLICIT_DENY


def _bits(value: str | None, mask: int) -> int:
    if not value:
        return 0
    return mask if value == "*" else int(value, 16)


def sources_at(
    details: dict | str | None, descriptors: list | str | None, position: int, mask: int
) -> list[dict]:
    """The statements that decide a cell: the row's references resolved to their sources.

    ``mask`` is the action's applicable positions (what ``*`` stands for in stored bits).
    """
    if isinstance(details, str):
        details = json.loads(details)
    if isinstance(descriptors, str):
        descriptors = json.loads(descriptors)
    bit = 1 << position
    out = []
    for ref in (details or {}).get("s", []):
        true = _bits(ref[1], mask)
        unknown = _bits(ref[2], mask) if len(ref) > 2 else 0
        if (true | unknown) & bit and ref[0] < len(descriptors or []):
            out.append({**descriptors[ref[0]], "definite": bool(true & bit)})
    return out


def action_mask(account_pk: int, action_name: str) -> int:
    """The bit set of the resources an action is evaluated on, in this account."""
    action = matrix_action(action_name)
    if action is None:
        return 0
    positions = MatrixResource.objects.filter(
        account_id=account_pk, deleted_at__isnull=True, kind__in=action.kinds
    ).values_list("position", flat=True)
    return sum(1 << p for p in positions)


def cell_sources(row: EffectivePermission | None, position: int) -> list[dict]:
    """The statements that decide a stored cell, with conditions for conditional ones."""
    if row is None:
        return []
    provenance = PrincipalProvenance.objects.filter(
        principal_kind=row.principal_kind, principal_id=row.principal_id
    ).first()
    return sources_at(
        row.details,
        provenance.sources if provenance else [],
        position,
        action_mask(row.account_id, row.action),
    )


@dataclass
class PrincipalMatrix:
    """A principal's rows decoded for display: actions x resources."""

    resources: list[MatrixResource]
    rows: list[dict] = field(default_factory=list)


def what_can(
    *,
    principal_kind: str,
    principal_id: int,
    account_pk: int,
    resource_kinds: set[str] | None = None,
) -> PrincipalMatrix:
    """Every action row of a principal with each resource's decision (one indexed query)."""
    resources = list(
        MatrixResource.objects.filter(account_id=account_pk, deleted_at__isnull=True).order_by(
            "position"
        )
    )
    if resource_kinds:
        resources = [r for r in resources if r.kind in resource_kinds]
    stored = {
        r.action: r
        for r in EffectivePermission.objects.filter(
            principal_kind=principal_kind, principal_id=principal_id
        )
    }
    result = PrincipalMatrix(resources)
    for action in matrix_actions():
        row = stored.get(action.name)
        cells = []
        for resource in resources:
            if resource.kind not in action.kinds:
                cells.append({"resource": resource, "value": None})
                continue
            value = cell_value(row, resource.position)
            cells.append({"resource": resource, "value": value})
        result.rows.append({"action": action, "cells": cells, "row": row})
    return result


def who_can(
    *,
    account_pk: int,
    action: str,
    resource_arn: str,
    include_conditional: bool = True,
    with_sources: bool = True,
) -> list[dict]:
    """Every principal allowed (or conditionally allowed) ``action`` on ``resource_arn``.

    One statement: the resource's bit position and an index-only scan over the
    (account, action) covering index testing that bit in each row. Sorted here rather than
    in SQL (a sort there cost more than the scan itself).
    """
    known = matrix_action(action)
    if known is None:
        return []
    table = EffectivePermission._meta.db_table
    provenance = PrincipalProvenance._meta.db_table
    resources = MatrixResource._meta.db_table
    sql = f"""
        SELECT {"e.details, p.sources" if with_sources else "NULL, NULL"},
               e.principal_kind, e.principal_id, e.principal_arn,
               CASE WHEN octet_length(e.allowed) > r.position / 8
                    THEN get_bit(e.allowed, r.position) ELSE 0 END AS allow,
               r.position
          FROM {resources} r
          JOIN {table} e ON e.account_id = r.account_id AND e.action = %(action)s
          {
        f"LEFT JOIN {provenance} p ON p.principal_kind = e.principal_kind AND "
        f"p.principal_id = e.principal_id"
        if with_sources
        else ""
    }
         WHERE r.account_id = %(account)s AND r.arn = %(arn)s AND r.deleted_at IS NULL
           AND (   (octet_length(e.allowed) > r.position / 8
                    AND get_bit(e.allowed, r.position) = 1)
                OR (%(cond)s AND octet_length(e.conditional) > r.position / 8
                    AND get_bit(e.conditional, r.position) = 1))
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "account": account_pk,
                "arn": resource_arn,
                "action": known.name,
                "cond": include_conditional,
            },
        )
        rows = cursor.fetchall()
    rows.sort(key=itemgetter(4))  # by ARN, as PostgreSQL's C collation would
    # One statement: the provenance comes with the bits, from the same snapshot of the rows
    # (a recompute replaces rows, so a second query could miss them).
    mask = action_mask(account_pk, known.name) if with_sources and rows else 0
    return [
        {
            "principal_kind": kind,
            "principal_id": pk,
            "principal_arn": arn,
            "principal_name": arn[arn.rfind("/") + 1 :],
            "decision": ALLOWED if allow else CONDITIONAL,
            "sources": sources_at(details, sources, position, mask) if with_sources else (),
        }
        for details, sources, kind, pk, arn, allow, position in rows
    ]


def matrix_row_count(account_pk: int) -> int:
    return EffectivePermission.objects.filter(account_id=account_pk).count()
