"""PostgreSQL restarted while the console serves: clean 503s, no partial writes, recovery.

A private cluster, a private Redis and the console under gunicorn (2 workers) in
subprocesses (tests/faults/services.py): the machine's shared PostgreSQL is never touched.
Clients read and write through the REST API (SigV4) and a console page (session) while the
cluster is stopped for a few seconds and started again.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

import pytest
import requests
from requests_aws4auth import AWS4Auth

from tests.faults.services import SEED, Stack
from tests.support import wait_until

OUTAGE_S = 3.0
DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "mq:Describe*", "Resource": "*"}],
}


@pytest.fixture(scope="module")
def stack():
    stack = Stack("pgrestart")
    try:
        stack.key = stack.run_python(SEED)
        stack.start_web()
        yield stack
    finally:
        stack.close()


def _auth(key: dict) -> AWS4Auth:
    return AWS4Auth(key["AccessKeyId"], key["SecretAccessKey"], "us-east-1", "execute-api")


def _session(stack) -> requests.Session:
    session = requests.Session()
    session.get(f"{stack.base_url}/signin", timeout=10)
    response = session.post(
        f"{stack.base_url}/signin",
        data={
            "as": "user",
            "account": "111122223333",
            "username": "admin",
            "password": "Admin-Passw0rd-1",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{stack.base_url}/signin"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:300]
    return session


class Hammer:
    """Client threads doing reads and multi-row writes until stopped; every answer recorded."""

    def __init__(self, stack):
        self.stack = stack
        self.stop = threading.Event()
        self.results: list[tuple[float, str, int, str, str]] = []
        self.lock = threading.Lock()
        self.counter = 0
        self.session = _session(stack)  # signed in before the outage can begin

    def succeeded_since(self, moment: float) -> bool:
        """True when every kind of request has had a success answered after ``moment``."""
        with self.lock:
            done = {k for at, k, s, _, _ in self.results if s in (200, 201) and at > moment}
        return done >= {"api-read", "api-write", "page"}

    def record(self, kind: str, response: requests.Response | None, error: str = "") -> None:
        with self.lock:
            if response is None:
                self.results.append((time.monotonic(), kind, 0, "", error))
            else:
                self.results.append(
                    (
                        time.monotonic(),
                        kind,
                        response.status_code,
                        response.headers.get("Content-Type", ""),
                        response.text,
                    )
                )

    def reads(self) -> None:
        auth = _auth(self.stack.key)
        while not self.stop.is_set():
            try:
                response = requests.get(
                    f"{self.stack.base_url}/api/v1/users/", auth=auth, timeout=15
                )
                self.record("api-read", response)
            except requests.RequestException as error:
                self.record("api-read", None, repr(error))
            time.sleep(0.05)

    def writes(self) -> None:
        auth = _auth(self.stack.key)
        while not self.stop.is_set():
            with self.lock:
                self.counter += 1
                name = f"p{self.counter:05d}"
            body = {
                "PolicyName": name,
                "PolicyDocument": json.dumps(DOCUMENT),
                "Tags": [{"Key": "run", "Value": "faults"}],
            }
            try:
                response = requests.post(
                    f"{self.stack.base_url}/api/v1/policies/", json=body, auth=auth, timeout=15
                )
                self.record("api-write", response)
            except requests.RequestException as error:
                self.record("api-write", None, repr(error))
            time.sleep(0.05)

    def pages(self) -> None:
        while not self.stop.is_set():
            try:
                self.record("page", self.session.get(f"{self.stack.base_url}/users", timeout=15))
            except requests.RequestException as error:
                self.record("page", None, repr(error))
            time.sleep(0.1)


def test_requests_fail_cleanly_during_a_restart_and_the_console_recovers(stack):
    hammer = Hammer(stack)
    threads = [
        threading.Thread(target=target, daemon=True)
        for target in (hammer.reads, hammer.reads, hammer.writes, hammer.pages)
    ]
    for thread in threads:
        thread.start()
    # Every kind of request has succeeded before the outage begins.
    wait_until(lambda: hammer.succeeded_since(0.0), 30, message="the console never answered")
    stack.cluster.stop("fast")
    down_at = time.monotonic()
    time.sleep(OUTAGE_S)  # the fault itself: PostgreSQL stays down this long (not a wait)
    stack.cluster.start()
    up_at = time.monotonic()
    # Until every kind has succeeded again after the restart (a second past it, as asserted).
    wait_until(lambda: hammer.succeeded_since(up_at + 1), 60, message="the console did not recover")
    hammer.stop.set()
    for thread in threads:
        thread.join(timeout=30)

    statuses = Counter((kind, status) for _, kind, status, _, _ in hammer.results)
    print("answers:", dict(statuses))
    # Every answer is a success or a clean 503: never a 500, never a dropped connection.
    for at, kind, status, content_type, body in hammer.results:
        assert status in (200, 201, 503), (kind, status, body[:300])
        if status == 503:
            assert down_at - 1 <= at <= up_at + 5, "a 503 outside the outage"
            if kind == "page":
                assert "briefly unavailable" in body and content_type.startswith("text/html")
            else:
                assert json.loads(body)["error"]["code"] == "ServiceUnavailable"
    assert any(status == 503 for _, _, status, _, _ in hammer.results), "no request hit the outage"
    # Recovered without a restart of the console: every kind succeeds after the cluster is up.
    for kind in ("api-read", "api-write", "page"):
        assert any(
            k == kind and s in (200, 201) and at > up_at + 1 for at, k, s, _, _ in hammer.results
        ), f"{kind} did not recover"


def test_no_partial_writes_after_the_restart(stack):
    """Each CreatePolicy is all-or-nothing: policy, default version, tag and audit row."""
    check = """
import json
from accounts.models import AuditEvent
from policies.models import ManagedPolicy
created = ManagedPolicy.objects.filter(account__account_id="111122223333", path="/")
policies = {p.name: p for p in created.prefetch_related("versions")}
audited = set(AuditEvent.objects.filter(action="iam:CreatePolicy").values_list(
    "resource_arn", flat=True))
print(json.dumps({
    "policies": len(policies),
    "without_default_version": [n for n, p in policies.items()
                                if sum(v.is_default for v in p.versions.all()) != 1],
    "without_tag": [n for n, p in policies.items() if p.tags != {"run": "faults"}],
    "without_audit": [n for n, p in policies.items() if p.arn not in audited],
    "audit_without_policy": sorted(audited - {p.arn for p in policies.values()}),
}))
"""
    report = stack.run_python(check)
    assert report["policies"] > 0
    assert report["without_default_version"] == []
    assert report["without_tag"] == []
    assert report["without_audit"] == []
    assert report["audit_without_policy"] == []
