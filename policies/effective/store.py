"""Writing and reading matrix rows (COPY for writes: ~50x faster than INSERTs).

Only rows with something in them are stored: a principal x action with no allowed,
conditional or denied cell and no statement reaching it is implicitly denied, which is what
every reader makes of a missing row (about half of a typical matrix).
"""

from __future__ import annotations

import orjson
from django.db import connection, transaction

from accounts.models import IAMUser, Role
from policies.effective.compute import ComputedPrincipal, to_bytes
from policies.models import EffectivePermission, PrincipalProvenance

_COLUMNS = (
    "account_id",
    "principal_kind",
    "principal_id",
    "principal_arn",
    "action",
    "allowed",
    "conditional",
    "explicit_deny",
    "details",
    "computed_at",
)


def replace_rows(account_pk: int, subjects, principals: list[ComputedPrincipal], now) -> None:
    """Replace the rows and provenance of ``subjects`` (call inside a transaction)."""
    keys = {(s.kind, s.pk) for s in subjects}
    for kind in ("user", "role"):
        ids = [pk for k, pk in keys if k == kind]
        if ids:
            EffectivePermission.objects.filter(principal_kind=kind, principal_id__any=ids).delete()
            PrincipalProvenance.objects.filter(principal_kind=kind, principal_id__any=ids).delete()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        table = EffectivePermission._meta.db_table
        with raw.copy(f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for principal in principals:
                subject = principal.subject
                for row in principal.rows:
                    if not (row.allowed or row.conditional or row.explicit_deny or row.details):
                        continue  # an absent row reads as implicitly denied everywhere
                    copy.write_row(
                        (
                            account_pk,
                            subject.kind,
                            subject.pk,
                            subject.arn,
                            row.action,
                            to_bytes(row.allowed),
                            to_bytes(row.conditional),
                            to_bytes(row.explicit_deny),
                            orjson.dumps(row.details).decode(),
                            now,
                        )
                    )
        table = PrincipalProvenance._meta.db_table
        with raw.copy(
            f"COPY {table} (account_id, principal_kind, principal_id, sources) FROM STDIN"
        ) as copy:
            for principal in principals:
                copy.write_row(
                    (
                        account_pk,
                        principal.subject.kind,
                        principal.subject.pk,
                        orjson.dumps(principal.sources).decode(),
                    )
                )


def delete_rows_for_missing(account_pk: int) -> int:
    """Drop the rows and provenance of principals that no longer exist (deleted users and
    roles); returns how many rows. No foreign key ties them to the principal, and a deleted
    principal's change cannot name its id (it is looked up by ARN in the rows, and a
    principal that nothing reaches has only provenance), so every finished job runs this
    anti-join."""
    deleted = 0
    with transaction.atomic():
        for kind, model in (("user", IAMUser), ("role", Role)):
            existing = model.objects.filter(account_id=account_pk).values("pk")
            deleted += (
                EffectivePermission.objects.filter(account_id=account_pk, principal_kind=kind)
                .exclude(principal_id__in=existing)
                .delete()[0]
            )
            PrincipalProvenance.objects.filter(account_id=account_pk, principal_kind=kind).exclude(
                principal_id__in=existing
            ).delete()
    return deleted


def matrix_tables() -> tuple[str, str]:
    return (EffectivePermission._meta.db_table, PrincipalProvenance._meta.db_table)


def vacuum_if_bloated(*, min_dead: int = 1000, dead_fraction: float = 0.2) -> list[str]:
    """VACUUM (ANALYZE) the matrix tables whose dead rows passed autovacuum's usual threshold.

    Every recompute replaces rows wholesale, so these tables churn by design. The worker
    cleans up after itself instead of depending on the server's autovacuum, which may be
    off (it is on this project's CI machine) and runs a minute behind at best; left alone,
    dead rows made each recompute chunk up to 3x slower. VACUUM cannot run in a transaction:
    inside one this does nothing. Returns the tables vacuumed.
    """
    if connection.in_atomic_block:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables"
            " WHERE relname = ANY(%s) AND n_dead_tup > %s + %s * n_live_tup ORDER BY relname",
            [list(matrix_tables()), min_dead, dead_fraction],
        )
        tables = [name for (name,) in cursor.fetchall()]
        for table in tables:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
    return tables
