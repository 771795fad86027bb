"""The matrix's upkeep: its churned tables are vacuumed by the worker, and the generated
benchmark world is what its size promises and computes to the engine's answers."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, GroupMembership, IAMUser, Role
from policies.effective import queries
from policies.effective.store import vacuum_if_bloated
from policies.effective.verify import verify_sample
from policies.models import EffectivePermission, MatrixResource, MatrixState, PrincipalProvenance
from policies.services.matrix import chunk_keys
from policies.tasks import matrix_recompute, matrix_sweep
from tests.factories import AccountFactory, EffectivePermissionFactory

pytestmark = pytest.mark.django_db(transaction=True)
TABLE = EffectivePermission._meta.db_table


def _dead_rows(table: str) -> int:
    with connection.cursor() as cursor:
        # Statistics reach shared memory when a backend goes idle: force it between queries.
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def test_a_churned_matrix_table_is_vacuumed_and_a_clean_one_left_alone():
    account = AccountFactory()
    EffectivePermissionFactory.create_batch(1500, account=account)
    EffectivePermission.objects.filter(account=account).delete()
    assert _dead_rows(TABLE) >= 1500

    with transaction.atomic():
        assert vacuum_if_bloated() == []  # VACUUM cannot run in a transaction: no attempt
    # The account's matrix is current, so the sweep has nothing to recompute: it only cleans.
    MatrixResource.objects.create(account=account, position=0, arn="*", kind="star")
    MatrixState.objects.create(account=account, computed_at=timezone.now(), next_position=1)
    assert matrix_sweep() == {"accounts": [], "vacuumed": [TABLE]}
    assert _dead_rows(TABLE) == 0
    assert vacuum_if_bloated() == []  # nothing left to reclaim


def test_the_small_generated_world_has_its_promised_shape_and_a_matrix_equal_to_the_engine():
    call_command("generate_world", "--size", "small", "--account-id", "999900000009")
    account = Account.objects.get(account_id="999900000009")
    assert IAMUser.objects.filter(account=account).count() == 200
    assert Role.objects.filter(account=account).count() == 20
    per_user = {}
    for user_id in GroupMembership.objects.filter(user__account=account).values_list(
        "user_id", flat=True
    ):
        per_user[user_id] = per_user.get(user_id, 0) + 1
    assert max(per_user.values()) <= 3

    matrix_recompute(account.pk)  # eagerly in this process: two chunks, finish, vacuum
    assert queries.freshness(account.pk).current
    assert PrincipalProvenance.objects.filter(account=account).count() == 220
    # Rows only where something reaches the cell; the rest reads as implicit deny.
    assert not EffectivePermission.objects.filter(
        account=account, allowed=b"", conditional=b"", explicit_deny=b"", details={}
    ).exists()
    checked, mismatches = verify_sample(account, samples=300, seed=11)
    assert checked >= 250 and mismatches == []

    with pytest.raises(Exception, match="pass --replace"):
        call_command("generate_world", "--size", "small", "--account-id", "999900000009")


@pytest.mark.parametrize(
    ("principals", "parallelism", "sizes"),
    [
        (0, 2, []),
        (30, 2, [30]),  # too small to be worth a round trip through Redis
        (101, 2, [51, 50]),  # a 100-principal change keeps both worker processes busy
        (101, 4, [26, 26, 26, 23]),
        (401, 2, [134, 134, 133]),  # never more than 200 per chunk
    ],
)
def test_a_recompute_is_split_into_chunks_every_worker_process_can_share(
    principals, parallelism, sizes
):
    keys = [("user", pk) for pk in range(principals)]
    chunks = chunk_keys(keys, parallelism=parallelism)
    assert [len(chunk) for chunk in chunks] == sizes
    assert [key for chunk in chunks for key in chunk] == keys
