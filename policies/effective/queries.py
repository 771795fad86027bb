"""Answers from the matrix: what can a principal do, who can do an action on a resource."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import connection

from policies.effective.actions import matrix_action, matrix_actions
from policies.effective.compute import from_bytes
from policies.models import (
    EffectivePermission,
    MatrixResource,
    MatrixState,
    PermissionChange,
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


def cell_value(row: EffectivePermission, position: int) -> str:
    bit = 1 << position
    if from_bytes(row.explicit_deny) & bit:
        return EXPLICIT_DENY
    if from_bytes(row.allowed) & bit:
        return ALLOWED
    if from_bytes(row.conditional) & bit:
        return CONDITIONAL
    return IMPLICIT_DENY


def cell_sources(row: EffectivePermission, position: int) -> list[dict]:
    """The statements that decide a cell (provenance), with conditions for conditional ones."""
    return sources_at(row.details, position)


def sources_at(details: dict | str | None, position: int) -> list[dict]:
    """``cell_sources`` over a row's stored ``details`` (a dict, or its JSON text)."""
    if isinstance(details, str):
        details = json.loads(details)
    bit = 1 << position
    out = []
    for source in (details or {}).get("sources", []):
        true = int(source.get("true") or "0", 16)
        unknown = int(source.get("unknown") or "0", 16)
        if (true | unknown) & bit:
            out.append({**source, "definite": bool(true & bit)})
    return out


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
            value = cell_value(row, resource.position) if row else IMPLICIT_DENY
            cells.append({"resource": resource, "value": value})
        result.rows.append({"action": action, "cells": cells, "row": row})
    return result


def who_can(
    *, account_pk: int, action: str, resource_arn: str, include_conditional: bool = True
) -> list[dict]:
    """Every principal allowed (or conditionally allowed) ``action`` on ``resource_arn``.

    One query over the (account, action) index testing one bit per row.
    """
    resource = MatrixResource.objects.filter(
        account_id=account_pk, arn=resource_arn, deleted_at__isnull=True
    ).first()
    known = matrix_action(action)
    if resource is None or known is None:
        return []
    position = resource.position
    table = EffectivePermission._meta.db_table
    sql = f"""
        SELECT details, principal_kind, principal_id, principal_arn,
               CASE WHEN octet_length(explicit_deny) > %(byte)s
                    THEN get_bit(explicit_deny, %(bit)s) ELSE 0 END AS deny,
               CASE WHEN octet_length(allowed) > %(byte)s
                    THEN get_bit(allowed, %(bit)s) ELSE 0 END AS allow,
               CASE WHEN octet_length(conditional) > %(byte)s
                    THEN get_bit(conditional, %(bit)s) ELSE 0 END AS cond
          FROM {table}
         WHERE account_id = %(account)s AND action = %(action)s
           AND (   (octet_length(allowed) > %(byte)s AND get_bit(allowed, %(bit)s) = 1)
                OR (%(cond)s AND octet_length(conditional) > %(byte)s
                    AND get_bit(conditional, %(bit)s) = 1))
         ORDER BY principal_arn
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "byte": position // 8,
                "bit": position,
                "account": account_pk,
                "action": known.name,
                "cond": include_conditional,
            },
        )
        rows = cursor.fetchall()
    # One statement: the provenance comes with the bits, from the same snapshot of the rows
    # (a recompute replaces rows, so a second query could miss them).
    return [
        {
            "principal_kind": kind,
            "principal_id": pk,
            "principal_arn": arn,
            "principal_name": arn.rsplit("/", 1)[-1],
            "decision": ALLOWED if allow else CONDITIONAL,
            "sources": sources_at(details, position),
        }
        for details, kind, pk, arn, _deny, allow, _cond in rows
    ]


def matrix_row_count(account_pk: int) -> int:
    return EffectivePermission.objects.filter(account_id=account_pk).count()
