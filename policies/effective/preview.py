"""Blast radius: the matrix cells a change would gain or lose, computed before it is saved.

The change is applied for real inside a savepoint — the very service that would save it —
the affected principals are recomputed from that state, and the savepoint is rolled back.
Because the same code computes the preview and the later recompute, saving the change
produces exactly the previewed diff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import Account
from policies.effective.actions import matrix_action
from policies.effective.compute import ComputedRow, compute_for, subjects_for
from policies.models import MatrixResource, PermissionChange
from policies.services.matrix import _principal_keys_for, all_principal_keys

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


def blast_radius(account: Account, apply_change: Callable[[], object]) -> BlastRadius:
    """Apply ``apply_change`` in a savepoint, diff the affected principals, roll back."""
    resources = {
        r.position: r
        for r in MatrixResource.objects.filter(account=account, deleted_at__isnull=True)
    }
    with transaction.atomic():
        savepoint = transaction.savepoint()
        try:
            first_new = (
                PermissionChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
            )
            apply_change()
            changes = list(PermissionChange.objects.filter(account=account, id__gt=first_new))
            keys: set[tuple[str, int]] = set()
            for change in changes:
                if change.scope == PermissionChange.Scope.ACCOUNT:
                    keys = all_principal_keys(account)
                    break
                keys |= _principal_keys_for(account, change)
            after_subjects = subjects_for(
                account,
                user_ids=[pk for k, pk in keys if k == "user"],
                role_ids=[pk for k, pk in keys if k == "role"],
            )
            after = _cells(
                compute_for(account, after_subjects, list(resources.values())), resources
            )
        finally:
            transaction.savepoint_rollback(savepoint)
        before_subjects = subjects_for(
            account,
            user_ids=[pk for k, pk in keys if k == "user"],
            role_ids=[pk for k, pk in keys if k == "role"],
        )
        before = _cells(compute_for(account, before_subjects, list(resources.values())), resources)
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
