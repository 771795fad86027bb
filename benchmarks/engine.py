"""Engine benchmark: warm decisions per second, and ``manage.py simulate`` over 3,000 cases.

Run from the repository root: ``.venv/bin/python benchmarks/engine.py``. The last line of
output is one JSON object: ``{"warm_decisions_per_s": ..., "simulate_3000_cases_s": ...}``.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policies.engine import (  # noqa: E402 - the path above makes the package importable
    PolicySet,
    Request,
    clear_caches,
    compile_policy_set,
    evaluate,
)

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
REGIONS = ["eu-central-1", "us-east-1", "ap-southeast-2"]
MQ_ACTIONS = [
    "mq:CreateBroker",
    "mq:DeleteBroker",
    "mq:DescribeBroker",
    "mq:ListBrokers",
    "mq:RebootBroker",
    "mq:UpdateBroker",
    "mq:CreateTags",
    "mq:DeleteTags",
    "mq:ListTags",
    "mq:CreateUser",
    "mq:DeleteUser",
    "mq:DescribeUser",
    "mq:ListUsers",
    "mq:UpdateUser",
    "mq:CreateConfiguration",
    "mq:DescribeConfiguration",
    "mq:ListConfigurations",
    "mq:UpdateConfiguration",
    "mq:DescribeConfigurationRevision",
    "mq:Promote",
]
IAM_ACTIONS = [
    "iam:CreateUser",
    "iam:DeleteUser",
    "iam:GetUser",
    "iam:ListUsers",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:AttachUserPolicy",
    "iam:PassRole",
    "iam:TagUser",
    "iam:GetPolicy",
    "iam:CreatePolicy",
    "iam:AddUserToGroup",
    "iam:RemoveUserFromGroup",
    "iam:ListGroups",
]
NO_RESOURCE = {
    "mq:CreateBroker",
    "mq:ListBrokers",
    "mq:CreateConfiguration",
    "mq:ListConfigurations",
}
ACTION_PATTERNS = [
    "mq:*",
    "mq:Describe*",
    "mq:List*",
    "mq:*Broker",
    "mq:Reboot?roker",
    "mq:*Tags",
    "mq:Create*",
    "mq:Update*",
    "iam:*",
    "iam:Get*",
    "iam:List*",
    "iam:*User*",
    "iam:PassRole",
    "iam:Create*",
    "*",
    "mq:Delete*",
    "mq:*User",
    "iam:*Policy",
]
TEAMS = ["apollo", "gemini", "mercury", "orion"]
STAGES = ["prod", "test", "canary"]


def brokers(rng: random.Random, n: int) -> list[str]:
    """Broker and configuration ARNs."""
    out = []
    for i in range(n):
        region = rng.choice(REGIONS)
        if i % 4 == 3:
            out.append(f"arn:aws:mq:{region}:{ACCOUNT}:configuration:c-{i:08x}-0000-4000-8000")
        else:
            name = f"{rng.choice(TEAMS)}-{i}"
            out.append(f"arn:aws:mq:{region}:{ACCOUNT}:broker:{name}:b-{i:08x}-0000-4000-8000")
    return out


def iam_resources(n: int) -> list[str]:
    return [f"arn:aws:iam::{ACCOUNT}:user/team/u{i}" for i in range(n)] + [
        f"arn:aws:iam::{ACCOUNT}:role/r{i}" for i in range(n)
    ]


def random_condition(rng: random.Random) -> dict[str, Any]:
    """A condition on tags, IPs, MFA or time, as in real console policies."""
    kind = rng.randrange(7)
    if kind == 0:
        return {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    if kind == 1:
        return {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}}
    if kind == 2:
        return {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    if kind == 3:
        return {"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}
    if kind == 4:
        return {"StringLike": {"aws:ResourceTag/stage": ["te*", "can?ry"]}}
    if kind == 5:
        return {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "stage"]}}
    return {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}


def random_statement(rng: random.Random, resources: list[str]) -> dict[str, Any]:
    """One statement with wildcard actions/resources and, often, a condition."""
    st: dict[str, Any] = {
        "Effect": "Deny" if rng.random() < 0.12 else "Allow",
        "Action": rng.sample(ACTION_PATTERNS, rng.randint(1, 3)),
    }
    r = rng.random()
    if r < 0.3:
        st["Resource"] = "*"
    elif r < 0.6:
        st["Resource"] = f"arn:aws:mq:*:{ACCOUNT}:broker:{rng.choice(TEAMS)}-*"
    elif r < 0.8:
        st["Resource"] = [rng.choice(resources), f"arn:aws:iam::{ACCOUNT}:user/team/*"]
    else:
        st["Resource"] = f"arn:aws:mq:{rng.choice(REGIONS)}:*:*"
    if rng.random() < 0.6:
        st["Condition"] = random_condition(rng)
    return st


def random_policy(rng: random.Random, resources: list[str], statements: int) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [random_statement(rng, resources) for _ in range(statements)],
    }


def random_context(rng: random.Random, principal: str, team: str) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "aws:PrincipalArn": principal,
        "aws:PrincipalType": "User",
        "aws:PrincipalAccount": ACCOUNT,
        "aws:username": principal.rsplit("/", 1)[-1],
        "aws:CurrentTime": "2026-03-15T08:30:00Z",
        "aws:SecureTransport": "true",
        "aws:SourceIp": rng.choice(["203.0.113.7", "192.0.2.10", "2001:db8::1"]),
        "aws:PrincipalTag/team": team,
        "aws:ResourceTag/team": rng.choice(TEAMS),
        "aws:ResourceTag/stage": rng.choice(STAGES),
    }
    if rng.random() < 0.5:
        ctx["aws:MultiFactorAuthPresent"] = rng.choice(["true", "false"])
        ctx["aws:MultiFactorAuthAge"] = str(rng.randrange(7200))
    if rng.random() < 0.3:
        ctx["aws:TagKeys"] = rng.sample(["team", "stage", "owner"], rng.randint(0, 2))
    return ctx


def warm(requests_total: int = 100_000) -> float:
    """Decisions per second over 20 principals sharing ~100 policies (~400 statements)."""
    rng = random.Random(7)
    resources = brokers(rng, 60) + iam_resources(10)
    pool = [random_policy(rng, resources, rng.randint(2, 6)) for _ in range(100)]
    principals = []
    for i in range(20):
        arn = f"arn:aws:iam::{ACCOUNT}:user/u{i}"
        identity = tuple(rng.sample(pool, 5))
        boundary = rng.choice(pool) if i % 5 == 0 else None
        scps = ((pool[0],),) if i % 4 == 0 else ()
        principals.append((arn, rng.choice(TEAMS), PolicySet(identity, boundary, None, scps)))
    statements = sum(len(p["Statement"]) for p in pool)
    clear_caches()
    compiled = [compile_policy_set(ps) for _, _, ps in principals]
    actions = MQ_ACTIONS + IAM_ACTIONS
    requests = []
    for _ in range(5_000):
        i = rng.randrange(20)
        arn, team, _ps = principals[i]
        action = rng.choice(actions)
        if action in NO_RESOURCE:
            resource = "*"
        elif action.startswith("iam:"):
            resource = rng.choice(resources[-20:])
        else:
            resource = rng.choice(resources[:60])
        requests.append((Request(arn, action, resource, random_context(rng, arn, team)), i))
    work = [(req, compiled[i]) for req, i in requests] * (requests_total // len(requests))
    for req, cset in work[:20_000]:  # warm every cache the steady state would have
        evaluate(req, cset)
    start = time.perf_counter()
    for req, cset in work:
        evaluate(req, cset)
    elapsed = time.perf_counter() - start
    rate = len(work) / elapsed
    print(
        f"warm: {len(work):,} decisions in {elapsed:.3f} s = {rate:,.0f} decisions/s "
        f"(20 principals, 100 policies, {statements} statements)"
    )
    return rate


PRINCIPALS = [
    (f"arn:aws:iam::{ACCOUNT}:user/maria", "User", f"arn:aws:iam::{ACCOUNT}:user/maria"),
    (f"arn:aws:iam::{ACCOUNT}:user/tom", "User", f"arn:aws:iam::{ACCOUNT}:user/tom"),
    (
        f"arn:aws:sts::{ACCOUNT}:assumed-role/BrokerAdmin/maria-cli",
        "AssumedRole",
        f"arn:aws:iam::{ACCOUNT}:role/BrokerAdmin",
    ),
    (
        f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/ReadOnly/sam",
        "AssumedRole",
        f"arn:aws:iam::{OTHER_ACCOUNT}:role/ReadOnly",
    ),
    (f"arn:aws:iam::{ACCOUNT}:root", "Account", f"arn:aws:iam::{ACCOUNT}:root"),
]


def random_case(rng: random.Random, n: int) -> dict[str, Any]:
    """A case shaped like ../shared/cases/sample.jsonl, with freshly drawn policies."""
    principal, ptype, parn = rng.choice(PRINCIPALS)
    account = parn.split(":")[4]
    action = rng.choice(MQ_ACTIONS + IAM_ACTIONS)
    owner = ACCOUNT if rng.random() < 0.8 else OTHER_ACCOUNT
    if action in NO_RESOURCE:
        resource = "*"
    elif action.startswith("iam:"):
        resource = f"arn:aws:iam::{owner}:user/u{n}"
    else:
        resource = f"arn:aws:mq:eu-central-1:{owner}:broker:{rng.choice(TEAMS)}-{n}:b-{n:08x}"
    ctx = random_context(rng, parn, rng.choice(TEAMS))
    ctx["aws:PrincipalType"] = ptype
    ctx["aws:PrincipalAccount"] = account
    if ptype != "User":
        ctx.pop("aws:username")
    resources = [resource, f"arn:aws:mq:*:{owner}:broker:*"]
    root = ptype == "Account"

    def doc(k: int) -> dict[str, Any]:
        return random_policy(rng, resources, k)

    resource_policy = None
    if rng.random() < 0.16:
        resource_policy = doc(rng.randint(1, 3))
        for st in resource_policy["Statement"]:
            st["Principal"] = {"AWS": rng.choice([account, parn, principal, "*"])}
    # Mixture measured on the sample: mostly one small identity policy, a few big cases.
    identity = [doc(rng.choice((1, 1, 2, 3))) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
    scps = []
    if rng.random() < 0.2:
        scps = [[doc(rng.randint(1, 2))] for _ in range(rng.randint(1, 2))]
    return {
        "id": f"b{n:05d}",
        "principal": principal,
        "action": action,
        "resource": resource,
        "context": ctx,
        "identity_policies": [] if root else identity,
        "permissions_boundary": doc(2) if not root and rng.random() < 0.1 else None,
        "session_policy": doc(1) if ptype == "AssumedRole" and rng.random() < 0.15 else None,
        "scps": scps,
        "rcps": [[doc(1)]] if rng.random() < 0.06 else [],
        "resource_policy": resource_policy,
        "expected": "implicitDeny",
        "tags": ["benchmark"],
    }


def cold(cases: int = 3_000) -> float:
    """Wall time of ``manage.py simulate`` over ``cases`` distinct cases, start-up included."""
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.jsonl"
        with path.open("w") as out:
            for n in range(cases):
                out.write(json.dumps(random_case(rng, n)) + "\n")
        command = [sys.executable, str(ROOT / "manage.py"), "simulate", str(path)]
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)  # warm OS caches
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            done = subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
            best = min(best, time.perf_counter() - start)
        lines = done.stdout.decode().splitlines()
        errors = sum(1 for line in lines if '"error"' in line)
        startup = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, str(ROOT / "manage.py"), "simulate", "-"],
                cwd=ROOT,
                input=b"",
                capture_output=True,
                check=True,
            )
            startup = min(startup, time.perf_counter() - start)
    print(
        f"cold: simulate over {cases:,} distinct cases: {best:.3f} s wall "
        f"(start-up alone {startup:.3f} s; {len(lines)} lines, {errors} errors; "
        f"{cases / max(best - startup, 1e-9):,.0f} cases/s after start-up)"
    )
    return best


if __name__ == "__main__":
    warm_rate = warm()
    cold_s = cold()
    print(
        json.dumps(
            {"warm_decisions_per_s": round(warm_rate), "simulate_3000_cases_s": round(cold_s, 3)}
        )
    )
