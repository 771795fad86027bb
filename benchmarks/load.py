"""Load: 50 concurrent clients for 60 s on the console (gunicorn, 2 workers) and a worker.

Run from the repository root: ``.venv/bin/python benchmarks/load.py`` (``--users``,
``--seconds`` to change the run). Everything runs privately: a PostgreSQL cluster, a Redis, the
console under gunicorn with 2 workers and a Celery worker, started in subprocesses on free
ports (tests/faults/services.py), with ``generate_world --size small``. Locust (headless, in
this process) drives a realistic mix: console list and detail pages (session), the simulator,
SigV4 REST API calls (requests-aws4auth), and one editor changing an inline policy every few
seconds, who then polls ``/api/v1/matrix/freshness/`` to time how long the matrix takes to be
current again. The last line of output is one JSON object:
``{"requests_per_s": …, "p50_ms": …, "p95_ms": …, "p99_ms": …, "errors": …}``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import gevent
from locust import (
    HttpUser,
    between,
    constant,
    events,
    task,
)  # patches the standard library (gevent)
from locust.env import Environment
from requests_aws4auth import AWS4Auth

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults.services import Stack  # noqa: E402

ACCOUNT = "999900000001"
ROOT_PASSWORD = "Bench-Passw0rd!"
SEED = """
import json
from accounts.actors import system_actor
from accounts.models import Account, IAMUser
from accounts.services.access_keys import access_key_create
from brokers.models import Broker
from policies.models import ManagedPolicy
account = Account.objects.get(account_id="ACCOUNT_ID")
key = access_key_create(actor=system_actor(), owner=account.root_user)
print(json.dumps({
    "key": key.as_aws_json(),
    "email": account.root_user.email,
    "users": list(IAMUser.objects.filter(account=account).order_by("name")
                  .values_list("name", flat=True)[:100]),
    "policies": list(ManagedPolicy.objects.filter(account=account)
                     .values_list("unique_id", flat=True)[:50]),
    "brokers": [[b.broker_id, b.arn] for b in Broker.objects.filter(account=account)[:30]],
}))
""".replace("ACCOUNT_ID", ACCOUNT)
WORLD: dict = {}
FRESHNESS: list[float] = []  # seconds from each edit until the matrix was current again
SIGNED_IN: list[int] = []  # one entry per console user that finished signing in


def _auth() -> AWS4Auth:
    key = WORLD["key"]
    return AWS4Auth(key["AccessKeyId"], key["SecretAccessKey"], "us-east-1", "execute-api")


class ConsoleUser(HttpUser):
    """A person in the console and a script on the API, with think time between actions."""

    wait_time = between(0.5, 2.0)
    weight = 49

    def on_start(self) -> None:
        self.auth = _auth()
        self.client.get("/signin", name="/signin")
        token = self.client.cookies.get("csrftoken")
        self.client.post(
            "/signin",
            data={
                "as": "root",
                "email": WORLD["email"],
                "password": ROOT_PASSWORD,
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": f"{self.host}/signin"},
            name="/signin [POST]",
        )
        SIGNED_IN.append(1)

    @task(6)
    def list_page(self) -> None:
        path = random.choice(["/users", "/policies", "/brokers", "/groups", "/roles", "/audit"])
        self.client.get(path, name=f"page {path}")

    @task(4)
    def detail_page(self) -> None:
        kind = random.choice(["user", "policy", "broker"])
        if kind == "user":
            self.client.get(f"/users/{random.choice(WORLD['users'])}", name="page /users/<name>")
        elif kind == "policy":
            self.client.get(
                f"/policies/{random.choice(WORLD['policies'])}", name="page /policies/<id>"
            )
        else:
            self.client.get(
                f"/brokers/{random.choice(WORLD['brokers'])[0]}", name="page /brokers/<id>"
            )

    @task(2)
    def simulate(self) -> None:
        broker = random.choice(WORLD["brokers"])
        user = random.choice(WORLD["users"])
        body = {
            "PolicySourceArn": f"arn:aws:iam::{ACCOUNT}:user/{user}",
            "ActionNames": ["mq:RebootBroker", "mq:DescribeBroker", "mq:UpdateBroker"],
            "ResourceArns": [broker[1]],
        }
        self.client.post("/api/v1/simulate/", json=body, auth=self.auth, name="api simulate")

    @task(4)
    def api_call(self) -> None:
        broker = random.choice(WORLD["brokers"])[0]
        name, path = random.choice(
            [
                ("api users", "/api/v1/users/?page_size=20"),
                ("api brokers", "/api/v1/brokers/"),
                ("api policies", "/api/v1/policies/?page_size=20"),
                ("api caller-identity", "/api/v1/caller-identity/"),
                ("api brokers/<id>", f"/api/v1/brokers/{broker}/"),
            ]
        )
        self.client.get(path, auth=self.auth, name=name)


class PolicyEditor(HttpUser):
    """Changes an inline policy every few seconds, then times the matrix catching up."""

    wait_time = between(2.0, 4.0)
    weight = 1
    fixed_count = 1

    def on_start(self) -> None:
        self.auth = _auth()
        self.user = WORLD["users"][0]
        self.turn = 0

    @task
    def edit(self) -> None:
        self.turn += 1
        actions = ["mq:DescribeBroker", "mq:RebootBroker", "mq:ListBrokers"][: 1 + self.turn % 3]
        document = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
        }
        before = self.client.get(
            "/api/v1/matrix/freshness/", auth=self.auth, name="api matrix freshness"
        ).json()["version"]
        started = time.monotonic()
        self.client.put(
            f"/api/v1/users/{self.user}/inline-policies/load-edit/",
            json={"PolicyDocument": json.dumps(document)},
            auth=self.auth,
            name="api edit inline policy",
        )
        while time.monotonic() - started < 30:
            state = self.client.get(
                "/api/v1/matrix/freshness/", auth=self.auth, name="api matrix freshness"
            ).json()
            if state["current"] and state["version"] != before:
                FRESHNESS.append(time.monotonic() - started)
                return
            gevent.sleep(0.1)
        FRESHNESS.append(float("inf"))


def _wait_until_current(stack: Stack, timeout: float = 300) -> float:
    import requests

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        response = requests.get(
            f"{stack.base_url}/api/v1/matrix/freshness/", auth=_auth(), timeout=10
        )
        if response.ok and response.json()["current"]:
            return time.monotonic() - started
        time.sleep(1)
    raise RuntimeError("the initial matrix did not become current")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--no-think", action="store_true", help="no pause between a client's requests (capacity)"
    )
    args = parser.parse_args(argv)
    if args.no_think:
        ConsoleUser.wait_time = constant(0)
    stack = Stack("load")
    try:
        stack.manage("generate_world", "--size", "small", "--account-id", ACCOUNT)
        WORLD.update(stack.run_python(SEED))
        stack.start_web()
        stack.start_worker(concurrency=2)
        initial = _wait_until_current(stack)
        print(
            f"world: {len(WORLD['users'])} users sampled, {len(WORLD['brokers'])} brokers; "
            f"initial matrix current after {initial:.1f} s"
        )
        env = Environment(
            user_classes=[ConsoleUser, PolicyEditor], events=events, host=stack.base_url
        )
        runner = env.create_local_runner()
        runner.start(args.users, spawn_rate=args.users / 5)
        # Measure the steady mix, not 50 simultaneous sign-ins (argon2 is slow on purpose).
        deadline = time.monotonic() + 120
        while len(SIGNED_IN) < args.users - 1 and time.monotonic() < deadline:
            gevent.sleep(0.5)
        gevent.sleep(5)
        env.stats.reset_all()
        FRESHNESS.clear()
        gevent.sleep(args.seconds)
        total = env.stats.total
        seconds = max(1.0, total.last_request_timestamp - total.start_time)
        result = {
            "requests_per_s": round(total.num_requests / seconds, 1),
            "p50_ms": total.get_response_time_percentile(0.5),
            "p95_ms": total.get_response_time_percentile(0.95),
            "p99_ms": total.get_response_time_percentile(0.99),
            "errors": total.num_failures,
        }
        runner.quit()
        for name, entry in sorted(env.stats.entries.items()):
            print(
                f"{name[1]:>6} {name[0]:<32} {entry.num_requests:>6} req  "
                f"p50 {entry.get_response_time_percentile(0.5):>5} ms  "
                f"p95 {entry.get_response_time_percentile(0.95):>5} ms  "
                f"fail {entry.num_failures}"
            )
        for error in env.stats.errors.values():
            print(f"error: {error.method} {error.name}: {error.error} x{error.occurrences}")
        late = [s for s in FRESHNESS if s > 2.0]
        print(
            f"freshness: {len(FRESHNESS)} edits, matrix current after "
            f"max {max(FRESHNESS, default=0):.2f} s, "
            f"median {sorted(FRESHNESS)[len(FRESHNESS) // 2] if FRESHNESS else 0:.2f} s; "
            f"{len(late)} edits over 2 s"
        )
        print(f"{args.users} users for {args.seconds} s, {total.num_requests} requests")
        print(json.dumps(result))
        return result
    finally:
        stack.close()


if __name__ == "__main__":
    main()
