"""The matrix's columns: an account's resources with fixed bit positions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.identifiers import broker_arn, configuration_arn
from accounts.models import Account
from brokers.models import Broker, Configuration
from policies.models import MatrixResource, MatrixState

STAR = "*"


@dataclass(frozen=True)
class ResourceSnapshot:
    """What the matrix needs of a live resource."""

    arn: str
    kind: str
    name: str
    region: str
    tags: dict


def live_resources(account: Account) -> list[ResourceSnapshot]:
    """The account's brokers and configurations now, plus ``*``.

    Read as plain columns: every recompute compares them with the stored columns, and whole
    broker rows (settings, pending changes) cost ten times as much to load.
    """
    account_id = account.account_id
    snapshots = [ResourceSnapshot(STAR, MatrixResource.Kind.STAR, "*", "", {})]
    brokers = Broker.objects.filter(account=account).values_list(
        "broker_id", "name", "region", "tags"
    )
    for broker_id, name, region, tags in brokers:
        snapshots.append(
            ResourceSnapshot(
                broker_arn(region, account_id, name, broker_id),
                MatrixResource.Kind.BROKER,
                name,
                region,
                dict(tags),
            )
        )
    configurations = Configuration.objects.filter(account=account).values_list(
        "configuration_id", "name", "region", "tags"
    )
    for configuration_id, name, region, tags in configurations:
        snapshots.append(
            ResourceSnapshot(
                configuration_arn(region, account_id, configuration_id),
                MatrixResource.Kind.CONFIGURATION,
                name,
                region,
                dict(tags),
            )
        )
    return snapshots


def matrix_state_for(account: Account, *, lock: bool = False) -> MatrixState:
    state, _ = MatrixState.objects.get_or_create(account=account)
    if lock:
        state = MatrixState.objects.select_for_update().get(pk=state.pk)
    return state


def resources_in_sync(account: Account) -> bool:
    """Whether the stored columns match the live resources (arns and tags)."""
    stored = {
        (arn, tuple(sorted(tags.items())))
        for arn, tags in MatrixResource.objects.filter(
            account=account, deleted_at__isnull=True
        ).values_list("arn", "tags")
    }
    live = {(r.arn, tuple(sorted(r.tags.items()))) for r in live_resources(account)}
    return stored == live


def sync_resources(account: Account) -> list[MatrixResource]:
    """Give new resources the next free positions, retire gone ones, refresh tags.

    Positions are never reused, so a bitmap computed before a deletion can never be read
    against a different resource.
    """
    with transaction.atomic():
        state = matrix_state_for(account, lock=True)
        stored = {r.arn: r for r in MatrixResource.objects.filter(account=account)}
        live = {r.arn: r for r in live_resources(account)}
        now = timezone.now()
        new_rows = []
        for arn, snap in live.items():
            row = stored.get(arn)
            if row is None:
                new_rows.append(
                    MatrixResource(
                        account=account,
                        position=state.next_position,
                        arn=arn,
                        kind=snap.kind,
                        name=snap.name,
                        region=snap.region,
                        tags=snap.tags,
                    )
                )
                state.next_position += 1
            elif row.tags != snap.tags or row.deleted_at is not None or row.name != snap.name:
                row.tags, row.deleted_at, row.name = snap.tags, None, snap.name
                row.save(update_fields=["tags", "deleted_at", "name"])
        # One statement for a new account's hundreds of columns (one INSERT each took 0.3 s).
        MatrixResource.objects.bulk_create(new_rows)
        gone = [r.pk for arn, r in stored.items() if arn not in live and r.deleted_at is None]
        if gone:
            MatrixResource.objects.filter(pk__in=gone).update(deleted_at=now)
        state.save(update_fields=["next_position"])
    return list(MatrixResource.objects.filter(account=account, deleted_at__isnull=True))
