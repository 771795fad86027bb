"""Writing and reading matrix rows (COPY for writes: ~50x faster than INSERTs)."""

from __future__ import annotations

import orjson
from django.db import connection, transaction

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


def delete_rows_for_missing(account_pk: int, existing_keys: set[tuple[str, int]]) -> int:
    """Drop the rows of principals that no longer exist (deleted users and roles)."""
    stale = (
        EffectivePermission.objects.filter(account_id=account_pk)
        .values_list("principal_kind", "principal_id")
        .distinct()
    )
    gone = [key for key in stale if key not in existing_keys]
    deleted = 0
    with transaction.atomic():
        for kind, pk in gone:
            deleted += EffectivePermission.objects.filter(
                principal_kind=kind, principal_id=pk
            ).delete()[0]
            PrincipalProvenance.objects.filter(principal_kind=kind, principal_id=pk).delete()
    return deleted
