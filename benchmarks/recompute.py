"""Effective-permissions benchmark on the large generated world (issue 7).

Builds a dedicated database (``mqiam_bench``) with ``generate_world --size large``, starts a
real Celery worker with 2 processes and beat (as the Procfile runs them) on a Redis database
of its own, and measures:
full recompute wall time, change-to-visible latency of policy edits affecting ~100
principals (p50/p95 over 20 edits), the matrix's storage size, and who-can / what-can query
times. Prints its figures; the last line is one JSON object.

Run from the repository root: ``.venv/bin/python benchmarks/recompute.py``.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/mqiam_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "DJANGO_SETTINGS_MODULE": "config.settings.local",
    "DEBUG": "false",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)
sys.path.insert(0, str(REPO))


def manage(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def main() -> None:
    manage("ensure_database")
    manage("migrate", "--no-input")
    started = time.perf_counter()
    manage("generate_world", "--size", os.environ.get("BENCH_SIZE", "large"), "--replace")
    generate_s = time.perf_counter() - started
    print(f"generate_world: {generate_s:.1f} s")

    import django

    django.setup()
    from django.db import connection

    from accounts.actors import system_actor
    from accounts.models import Account, GroupMembership
    from config.celery import app
    from policies.effective import queries
    from policies.models import EffectivePermission, ManagedPolicy, MatrixResource
    from policies.services.managed import policy_version_create, policy_version_delete

    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=WARNING",
            "--concurrency=2",
            "--beat",  # as deployed (Procfile: worker and beat): the sweep keeps the tables clean
            "--schedule",
            "/tmp/mqiam-bench-celerybeat-schedule",
            "-Q",
            "default,recompute,brokers",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=REPO,
        env=ENV,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not app.control.ping(timeout=0.5):
            time.sleep(0.2)
        account = Account.objects.get(account_id="999900000001")
        from policies.tasks import matrix_recompute

        started = time.perf_counter()
        matrix_recompute.delay(account.pk)
        while not queries.freshness(account.pk).current:
            time.sleep(0.05)
        full_s = time.perf_counter() - started
        rows = EffectivePermission.objects.filter(account=account).count()
        resources = MatrixResource.objects.filter(account=account, deleted_at__isnull=True).count()
        print(f"full recompute: {full_s:.2f} s ({rows} rows, {resources} resources)")

        # A policy attached to groups whose members number about 100.
        best, best_gap = None, None
        for policy in ManagedPolicy.objects.filter(account=account):
            group_ids = list(
                policy.attachments.exclude(group=None).values_list("group_id", flat=True)
            )
            members = (
                GroupMembership.objects.filter(group_id__in=group_ids)
                .values("user_id")
                .distinct()
                .count()
            )
            direct = (
                policy.attachments.exclude(user=None).count()
                + policy.attachments.exclude(role=None).count()
            )
            gap = abs(members + direct - 100)
            if best_gap is None or gap < best_gap:
                best, best_gap = policy, gap
        policy = best
        member = GroupMembership.objects.filter(
            group_id__in=policy.attachments.exclude(group=None).values("group_id")
        ).first()
        affected = 100 - best_gap if best_gap is not None else 0
        broker = MatrixResource.objects.filter(account=account, kind="broker").first()
        marker = {"Effect": "Allow", "Action": "mq:Promote", "Resource": "*"}
        base = policy.default_version.document_json
        latencies = []
        actor = system_actor(account.account_id, via="benchmark")
        for i in range(20):
            grant = i % 2 == 0
            statements = list(base["Statement"]) + ([marker] if grant else [])
            document = {"Version": "2012-10-17", "Statement": statements}
            if policy.versions.count() >= 5:
                for old in policy.versions.filter(is_default=False).order_by("created_at")[:1]:
                    policy_version_delete(actor=actor, policy=policy, version_id=old.version_id)
            committed = time.perf_counter()
            policy_version_create(
                actor=actor, policy=policy, document=document, set_as_default=True
            )
            arn = member.user.arn
            while True:
                who = {
                    r["principal_arn"]
                    for r in queries.who_can(
                        account_pk=account.pk,
                        action="mq:Promote",
                        resource_arn=broker.arn,
                        with_sources=False,
                    )
                }
                if (arn in who) == grant:
                    break
                time.sleep(0.01)
            latencies.append(time.perf_counter() - committed)
            while not queries.freshness(account.pk).current:
                time.sleep(0.02)
        latencies.sort()
        p50 = statistics.median(latencies)
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(
            f"change visible: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
            f"(policy {policy.name}, ~{affected} principals)"
        )

        with connection.cursor() as cursor:
            # Replaced rows leave dead tuples until autovacuum: measure the live matrix.
            cursor.execute(
                "VACUUM (FULL, ANALYZE) policies_effectivepermission, policies_principalprovenance"
            )
            # VACUUM FULL leaves the visibility map empty; the worker's own VACUUM after a
            # recompute (store.vacuum_if_bloated) sets it, and who-can's index-only scan
            # depends on it: measure the queries in the state the worker maintains.
            cursor.execute("VACUUM (ANALYZE) policies_effectivepermission")
            cursor.execute(
                "SELECT pg_total_relation_size('policies_effectivepermission') + "
                "pg_total_relation_size('policies_principalprovenance')"
            )
            matrix_bytes = cursor.fetchone()[0]
        print(f"matrix size: {matrix_bytes / 1e6:.1f} MB")

        def timed(fn, repeat=30):
            samples = []
            for _ in range(repeat):
                start = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - start)
            return statistics.median(samples) * 1000

        brokers = list(MatrixResource.objects.filter(account=account, kind="broker")[:30])
        who_ms = timed(
            lambda: queries.who_can(
                account_pk=account.pk,
                action="mq:RebootBroker",
                resource_arn=brokers[0].arn,
                with_sources=False,
            )
        )
        who_paths_ms = timed(
            lambda: queries.who_can(
                account_pk=account.pk, action="mq:RebootBroker", resource_arn=brokers[0].arn
            )
        )
        user = member.user
        what_ms = timed(
            lambda: list(
                EffectivePermission.objects.filter(principal_kind="user", principal_id=user.pk)
            )
        )
        print(
            f"who-can query: {who_ms:.2f} ms ({who_paths_ms:.2f} ms with every path), "
            f"what-can query: {what_ms:.2f} ms"
        )
        print(
            json.dumps(
                {
                    "full_recompute_s": round(full_s, 2),
                    "change_visible_p50_s": round(p50, 3),
                    "change_visible_p95_s": round(p95, 3),
                    "matrix_bytes": matrix_bytes,
                    "who_can_ms": round(who_ms, 2),
                    "what_can_ms": round(what_ms, 2),
                }
            )
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
