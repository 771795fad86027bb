"""Authorization overhead per request (issue 4), plus SigV4 verification and catalog load.

``authorize()`` as the console calls it on every page and API request: gather the caller's
policies (one SQL round trip) and evaluate with the engine, warm caches. Runs against a
dedicated database with the demo world. Last line: one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV = {
    **os.environ,
    "DATABASE_URL": os.environ.get(
        "BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/mqiam_bench_authz"
    ),
    "DJANGO_SETTINGS_MODULE": "config.settings.local",
    "DEBUG": "false",
    "LOG_LEVEL": "WARNING",
    "CELERY_TASK_ALWAYS_EAGER": "true",
}
os.environ.update(ENV)
sys.path.insert(0, str(REPO))


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    for args in (["ensure_database"], ["migrate", "--no-input"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=REPO, env=ENV, check=True, capture_output=True
        )
    import django

    django.setup()
    from accounts.models import IAMUser
    from accounts.principals import principal_for_user
    from policies.authorization import authorize
    from policies.catalog import load_catalog
    from policies.context import request_context

    olivia = IAMUser.objects.select_related("account").get(
        name="olivia", account__account_id="111122223333"
    )
    alice = IAMUser.objects.select_related("account").get(
        name="alice", account__account_id="111122223333"
    )
    broker = "arn:aws:mq:us-east-1:111122223333:broker:orders:b-00000000-0000-0000-0000-0"
    cases = [
        (principal_for_user(olivia), "mq:RebootBroker", broker),
        (principal_for_user(alice), "mq:DeleteBroker", broker),
        (principal_for_user(olivia), "iam:ListUsers", "*"),
    ]
    samples: dict[str, list[float]] = {"allowed": [], "denied": []}
    for _ in range(300):  # warm caches
        for principal, action, resource in cases:
            authorize(
                principal,
                action,
                resource,
                request_context(principal, source_ip="10.0.0.1"),
            )
    for _ in range(3000):
        for principal, action, resource in cases:
            context = request_context(principal, source_ip="10.0.0.1")
            started = time.perf_counter()
            result = authorize(principal, action, resource, context)
            elapsed = time.perf_counter() - started
            samples["allowed" if result.allowed else "denied"].append(elapsed)
    every = samples["allowed"] + samples["denied"]
    p50, p99 = percentile(every, 0.5) * 1000, percentile(every, 0.99) * 1000
    print(
        f"authorize(): p50 {p50:.3f} ms, p99 {p99:.3f} ms over {len(every)} calls "
        f"({len(samples['allowed'])} allowed, {len(samples['denied'])} denied with "
        f"explanation)"
    )

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from accounts.sigv4 import parse_sigv4, verify

    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:8000/",
        data=b"Action=ListUsers&Version=2010-05-08",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    SigV4Auth(Credentials("AKIAEXAMPLE000000000", "s" * 40), "iam", "us-east-1").add_auth(request)
    headers = dict(request.headers)
    headers["host"] = "127.0.0.1:8000"
    from datetime import UTC, datetime

    sigv4 = []
    for _ in range(5000):
        started = time.perf_counter()
        verify(parse_sigv4("POST", "/", "", headers, request.body, datetime.now(UTC)), "s" * 40)
        sigv4.append(time.perf_counter() - started)
    sigv4_ms = statistics.median(sigv4) * 1000
    print(f"SigV4 parse + verify: median {sigv4_ms * 1000:.0f} µs")

    started = time.perf_counter()
    load_catalog()
    catalog_s = time.perf_counter() - started
    print(f"catalog load: {catalog_s:.2f} s")
    print(
        json.dumps(
            {
                "authorize_p50_ms": round(p50, 3),
                "authorize_p99_ms": round(p99, 3),
                "sigv4_verify_ms": round(sigv4_ms, 3),
                "catalog_load_s": round(catalog_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
