"""Checking stored matrix cells against a fresh engine evaluation of the same triple."""

from __future__ import annotations

import random
from dataclasses import dataclass

from policies.effective.actions import matrix_action
from policies.effective.compute import (
    STAR_UNKNOWN_KEYS,
    UNKNOWN_KEYS,
    resource_context,
    subjects_for,
)
from policies.effective.queries import cell_value
from policies.engine import Request, evaluate
from policies.models import EffectivePermission, MatrixResource
from policies.selectors import gather_policies_bulk


@dataclass(frozen=True)
class Mismatch:
    principal_arn: str
    action: str
    resource_arn: str
    stored: str
    engine: str


def verify_sample(account, *, samples: int = 500, seed: int | None = None) -> tuple[int, list]:
    """Compare ``samples`` random stored cells with ``evaluate``; returns (checked, mismatches)."""
    rng = random.Random(seed)
    resources = {
        r.position: r
        for r in MatrixResource.objects.filter(account=account, deleted_at__isnull=True)
    }
    ids = list(EffectivePermission.objects.filter(account=account).values_list("id", flat=True))
    if not ids or not resources:
        return 0, []
    chosen = EffectivePermission.objects.filter(id__in=rng.sample(ids, min(samples, len(ids))))
    rows = list(chosen)
    subjects = {
        (s.kind, s.pk): s
        for s in subjects_for(
            account,
            user_ids={r.principal_id for r in rows if r.principal_kind == "user"},
            role_ids={r.principal_id for r in rows if r.principal_kind == "role"},
        )
    }
    gathered = gather_policies_bulk(
        account.pk,
        user_ids=[pk for kind, pk in subjects if kind == "user"],
        role_ids=[pk for kind, pk in subjects if kind == "role"],
    )
    checked, mismatches = 0, []
    for row in rows:
        subject = subjects.get((row.principal_kind, row.principal_id))
        action = matrix_action(row.action)
        if subject is None or action is None:
            continue
        candidates = [r for r in resources.values() if r.kind in action.kinds]
        if not candidates:
            continue
        resource = rng.choice(candidates)
        unknown = STAR_UNKNOWN_KEYS if resource.kind == "star" else UNKNOWN_KEYS
        request = Request(
            principal=subject.request_principal,
            action=row.action,
            resource=resource.arn,
            unknown_keys=unknown,
            context={**subject.context, **resource_context(resource, account.account_id)},
        )
        engine = evaluate(request, gathered[(subject.kind, subject.pk)].policy_set).value
        stored = cell_value(row, resource.position)
        checked += 1
        if engine != stored:
            mismatches.append(Mismatch(subject.arn, row.action, resource.arn, stored, engine))
    return checked, mismatches
