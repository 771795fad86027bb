"""Checking stored matrix cells against a fresh engine evaluation of the same triple."""

from __future__ import annotations

import random
from dataclasses import dataclass

from policies.effective.actions import matrix_action, matrix_actions
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
from policies.services.matrix import all_principal_keys


@dataclass(frozen=True)
class Mismatch:
    principal_arn: str
    action: str
    resource_arn: str
    stored: str
    engine: str


def verify_sample(account, *, samples: int = 500, seed: int | None = None) -> tuple[int, list]:
    """Compare ``samples`` random cells with ``evaluate``; returns (checked, mismatches).

    Cells are drawn over every principal x action, stored or not: a missing row stands for
    implicit deny and is checked like any other.
    """
    rng = random.Random(seed)
    resources = {
        r.position: r
        for r in MatrixResource.objects.filter(account=account, deleted_at__isnull=True)
    }
    principals = sorted(all_principal_keys(account))
    if not principals or not resources:
        return 0, []
    actions = [a.name for a in matrix_actions()]
    cells = [(rng.choice(principals), rng.choice(actions)) for _ in range(samples)]
    stored_rows = {
        (r.principal_kind, r.principal_id, r.action): r
        for r in EffectivePermission.objects.filter(
            account=account, principal_id__in={pk for (_, pk), _ in cells}
        )
    }
    subjects = {
        (s.kind, s.pk): s
        for s in subjects_for(
            account,
            user_ids={pk for (kind, pk), _ in cells if kind == "user"},
            role_ids={pk for (kind, pk), _ in cells if kind == "role"},
        )
    }
    gathered = gather_policies_bulk(
        account.pk,
        user_ids=[pk for kind, pk in subjects if kind == "user"],
        role_ids=[pk for kind, pk in subjects if kind == "role"],
    )
    checked, mismatches = 0, []
    for (kind, pk), action_name in cells:
        subject = subjects.get((kind, pk))
        action = matrix_action(action_name)
        if subject is None or action is None:
            continue
        candidates = [r for r in resources.values() if r.kind in action.kinds]
        if not candidates:
            continue
        resource = rng.choice(candidates)
        unknown = STAR_UNKNOWN_KEYS if resource.kind == "star" else UNKNOWN_KEYS
        request = Request(
            principal=subject.request_principal,
            action=action_name,
            resource=resource.arn,
            unknown_keys=unknown,
            context={**subject.context, **resource_context(resource, account.account_id)},
        )
        engine = evaluate(request, gathered[(subject.kind, subject.pk)].policy_set).value
        row = stored_rows.get((kind, pk, action_name))
        stored = cell_value(row, resource.position)
        checked += 1
        if engine != stored:
            mismatches.append(Mismatch(subject.arn, action_name, resource.arn, stored, engine))
    return checked, mismatches
