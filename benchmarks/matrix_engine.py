"""Matrix benchmark: the full effective-permissions matrix of a large generated account.

Run from the repository root: ``.venv/bin/python benchmarks/matrix_engine.py``. The world is
shaped like ``generate_world --size large`` (5,000 users, 500 roles, 200 groups, 1,000
customer managed policies with 2-8 statements, 300 brokers, 50 configurations, with tags)
but built in memory; each principal's matrix is computed the way
``policies/effective/compute.py`` asks for it (two calls: the ``*`` actions, whose region is
unknown, and the resource actions). ``--processes 2`` also times the same work split over
two processes; ``--verify N`` checks N random cells against ``evaluate()``.

The last line of output is one JSON object:
``{"cells": ..., "seconds": ..., "cells_per_s": ..., "per_principal_ms": ...}``, where
``seconds`` is the CPU time of the one process (cold caches, everything included: hashing
and compiling the documents, recognising the world, building every row and its sources).
CPU time rather than wall time, because the machine this runs on is often shared.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policies.engine import PolicySet, Request, clear_caches, evaluate  # noqa: E402
from policies.engine.matrix import (  # noqa: E402
    MatrixAction,
    MatrixResource,
    clear_matrix_caches,
    evaluate_matrix,
    matrix_world,
)

ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-central-1", "ap-southeast-2"]
TEAMS = [f"team{i:02d}" for i in range(12)]
STAGES = ["prod", "staging", "dev"]
BROKER_ACTIONS = [
    "CreateReplicaBroker", "CreateUser", "DeleteBroker", "DeleteUser", "DescribeBroker",
    "DescribeSharedResources", "DescribeUser", "ListUsers", "Promote", "RebootBroker",
    "UpdateBroker", "UpdateBrokerAccessConfiguration", "UpdateUser",
]  # fmt: skip
BOTH_ACTIONS = ["CreateTags", "DeleteTags", "ListTags"]
CONFIG_ACTIONS = [
    "DeleteConfiguration", "DescribeConfiguration", "DescribeConfigurationRevision",
    "ListConfigurationRevisions", "UpdateConfiguration",
]  # fmt: skip
STAR_MQ = [
    "CreateBroker", "CreateConfiguration", "DescribeBrokerEngineTypes",
    "DescribeBrokerInstanceOptions", "ListBrokers", "ListConfigurations",
]  # fmt: skip
STAR_IAM = [
    "iam:ListUsers", "iam:ListGroups", "iam:ListRoles", "iam:ListPolicies",
    "iam:GetAccountSummary", "iam:GetAccountAuthorizationDetails",
    "iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:ListAccountAliases",
    "iam:GetAccountPasswordPolicy", "iam:UpdateAccountPasswordPolicy",
]  # fmt: skip
# As policies/effective/compute.py declares them: what depends on the call, not on who/what.
UNKNOWN_KEYS = frozenset(
    {
        "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp",
        "aws:SourceVpcArn", "aws:CurrentTime", "aws:EpochTime", "aws:SecureTransport",
        "aws:TokenIssueTime", "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge",
        "aws:RequestTag/*", "aws:TagKeys", "aws:CalledVia", "aws:CalledViaFirst",
        "aws:CalledViaLast", "aws:ViaAWSService", "aws:UserAgent", "aws:Referer",
        "aws:SourceIdentity", "aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID",
        "aws:SourceOrgPaths", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
        "aws:FederatedProvider", "aws:AssumedRoot", "aws:Ec2InstanceSourceVpc",
        "aws:Ec2InstanceSourcePrivateIPv4",
    }
)  # fmt: skip
STAR_UNKNOWN_KEYS = UNKNOWN_KEYS | {"aws:RequestedRegion"}
ACTION_PATTERNS = [
    "mq:*", "mq:Describe*", "mq:List*", "mq:*Broker", "mq:Reboot*", "mq:*User*",
    "mq:*Tags", "mq:*Configuration*", "mq:Update*", "mq:Create*", "mq:Delete*",
    "mq:DescribeBroker", "mq:RebootBroker", "mq:ListBrokers", "iam:List*", "iam:Get*",
    "iam:*", "*",
]  # fmt: skip
MANAGED = [
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["mq:*", "ec2:DescribeVpcs"], "Resource": "*"}],
    },
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["mq:Describe*", "mq:List*"], "Resource": "*"}],
    },
]


def resources_of(rng: random.Random) -> tuple[list[MatrixResource], dict[str, list[int]]]:
    """``*``, 300 brokers and 50 configurations with team/stage tags and regions."""
    out = [MatrixResource(0, "*", {"aws:ResourceAccount": ACCOUNT})]
    kinds: dict[str, list[int]] = {"star": [0], "broker": [], "configuration": []}
    for i in range(350):
        region = rng.choice(REGIONS)
        tags: dict[str, str] = {}
        if rng.random() < 0.9:
            tags["team"] = rng.choice(TEAMS)
        if rng.random() < 0.8:
            tags["stage"] = rng.choice(STAGES)
        if i < 300:
            name = f"{tags.get('team', 'shared')}-{rng.choice(STAGES)}-{i}"
            arn = f"arn:aws:mq:{region}:{ACCOUNT}:broker:{name}:b-{i:08x}-1111-2222-3333"
            kind = "broker"
        else:
            arn = f"arn:aws:mq:{region}:{ACCOUNT}:configuration:c-{i:08x}-1111-2222-3333"
            kind = "configuration"
        context = {f"aws:ResourceTag/{k}": v for k, v in tags.items()}
        context["aws:ResourceAccount"] = ACCOUNT
        context["aws:RequestedRegion"] = region
        kinds[kind].append(i + 1)
        out.append(MatrixResource(i + 1, arn, context))
    return out, kinds


def actions_of(kinds: dict[str, list[int]]) -> tuple[list[MatrixAction], list[MatrixAction]]:
    """The 38 actions: ``*`` actions and resource actions, as compute.py splits them."""
    brokers, configs = tuple(kinds["broker"]), tuple(kinds["configuration"])
    star = [MatrixAction(f"mq:{a}", (0,)) for a in STAR_MQ] + [
        MatrixAction(a, (0,)) for a in STAR_IAM
    ]
    other = (
        [MatrixAction(f"mq:{a}", brokers) for a in BROKER_ACTIONS]
        + [MatrixAction(f"mq:{a}", tuple(sorted(brokers + configs))) for a in BOTH_ACTIONS]
        + [MatrixAction(f"mq:{a}", configs) for a in CONFIG_ACTIONS]
    )
    return star, other


def condition(rng: random.Random) -> dict[str, Any]:
    """Tag, IP, MFA and region conditions, as customer policies write them."""
    kind = rng.randrange(8)
    if kind == 0:
        return {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    if kind == 1:
        return {"StringEquals": {"aws:ResourceTag/stage": rng.sample(STAGES, 2)}}
    if kind == 2:
        return {"StringLike": {"aws:ResourceTag/team": f"team0{rng.randrange(10)}*"}}
    if kind == 3:
        return {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}
    if kind == 4:
        return {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    if kind == 5:
        return {"StringEquals": {"aws:RequestedRegion": rng.choice(REGIONS)}}
    if kind == 6:
        return {"StringNotEquals": {"aws:ResourceTag/stage": "prod"}}
    return {"StringEquals": {"aws:PrincipalTag/team": rng.choice(TEAMS)}}


def resource_pattern(rng: random.Random) -> str:
    kind = rng.randrange(9)
    if kind < 3:
        return "*"
    if kind == 3:
        return "arn:aws:mq:*:*:broker:*"
    if kind == 4:
        return f"arn:aws:mq:{rng.choice(REGIONS)}:{ACCOUNT}:broker:*"
    if kind == 5:
        return f"arn:aws:mq:*:*:broker:{rng.choice(TEAMS)}-*"
    if kind == 6:
        return "arn:aws:mq:*:*:configuration:*"
    if kind == 7:
        return "arn:aws:mq:*:*:broker:${aws:PrincipalTag/team}-*"
    return f"arn:aws:mq:*:{ACCOUNT}:*"


def document(rng: random.Random) -> dict[str, Any]:
    """A customer managed policy: 2-8 statements with wildcards and, often, conditions."""
    statements = []
    for _ in range(rng.randint(2, 8)):
        st: dict[str, Any] = {
            "Effect": "Deny" if rng.random() < 0.1 else "Allow",
            "Action": rng.sample(ACTION_PATTERNS, rng.randint(1, 3)),
            "Resource": [resource_pattern(rng) for _ in range(rng.randint(1, 2))],
        }
        if rng.random() < 0.2:
            st["Sid"] = f"S{rng.randrange(1000)}"
        if rng.random() < 0.5:
            st["Condition"] = condition(rng)
        statements.append(st)
    return {"Version": "2012-10-17", "Statement": statements}


def principals_of(rng: random.Random) -> list[dict[str, Any]]:
    """5,000 users (via 200 groups and directly) and 500 roles, with their policy sets."""
    documents = [document(rng) for _ in range(1000)]
    pool = documents + MANAGED * 20
    boundaries = [
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": rng.sample(ACTION_PATTERNS, 3), "Resource": "*"}
            ],
        }
        for _ in range(10)
    ]
    groups = [rng.sample(pool, rng.randint(1, 2)) for _ in range(200)]
    out = []
    for i in range(5500):
        tags = {"team": rng.choice(TEAMS)} if rng.random() < 0.85 else {}
        if i < 5000:
            name = f"user{i:05d}"
            docs = [d for g in rng.sample(groups, rng.randint(0, 3)) for d in g]
            docs += rng.sample(pool, rng.randint(0 if docs else 1, 2))
            arn = f"arn:aws:iam::{ACCOUNT}:user/{name}"
            principal = arn
            context = {
                "aws:username": name,
                "aws:userid": f"AIDA{i:017d}",
                "aws:PrincipalArn": arn,
                "aws:PrincipalAccount": ACCOUNT,
                "aws:PrincipalType": "User",
            }
        else:
            name = f"role{i:04d}"
            docs = rng.sample(pool, rng.randint(1, 4))
            arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
            principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/matrix"
            context = {
                "aws:PrincipalArn": arn,
                "aws:PrincipalAccount": ACCOUNT,
                "aws:PrincipalType": "AssumedRole",
            }
        context.update({f"aws:PrincipalTag/{k}": v for k, v in tags.items()})
        boundary = rng.choice(boundaries) if rng.random() < 0.2 else None
        out.append(
            {
                "principal": principal,
                "context": context,
                "policies": PolicySet(identity=tuple(docs[:6]), boundary=boundary),
            }
        )
    return out


def run(
    principals: list[dict[str, Any]], world_args: Any, prepared: bool = False
) -> tuple[int, list[float]]:
    """Every principal's rows; returns the cell count and the seconds per principal.

    Like compute.py, each call passes the actions and resources (recognised by content);
    ``prepared`` passes ready worlds instead (``world=matrix_world(...)``).
    """
    resources, star, other = world_args
    worlds = {id(a): matrix_world(a, resources) for a in (star, other)} if prepared else {}
    cells = 0
    times = []
    for subject in principals:
        started = time.perf_counter()
        for actions, unknown in ((star, STAR_UNKNOWN_KEYS), (other, UNKNOWN_KEYS)):
            where: dict[str, Any] = (
                {"world": worlds[id(actions)]}
                if prepared
                else {"actions": actions, "resources": resources}
            )
            rows = evaluate_matrix(
                principal=subject["principal"],
                context=subject["context"],
                unknown_keys=unknown,
                policies=subject["policies"],
                **where,
            )
            assert len(rows) == len(actions)
        times.append(time.perf_counter() - started)
        cells += sum(len(a.positions) for a in star) + sum(len(a.positions) for a in other)
    return cells, times


def _half(args: Any) -> tuple[int, float]:
    principals, world_args = args
    started = time.process_time()
    cells, _times = run(principals, world_args)
    return cells, time.process_time() - started


def verify(principals: list[dict[str, Any]], world_args: Any, samples: int) -> int:
    """Check random cells against evaluate(); returns the number checked."""
    resources, star, other = world_args
    rng = random.Random(7)
    by_position = {r.position: r for r in resources}
    for _ in range(samples):
        subject = rng.choice(principals)
        actions, unknown = rng.choice(((star, STAR_UNKNOWN_KEYS), (other, UNKNOWN_KEYS)))
        rows = evaluate_matrix(
            principal=subject["principal"],
            context=subject["context"],
            unknown_keys=unknown,
            policies=subject["policies"],
            actions=actions,
            resources=resources,
        )
        index = rng.randrange(len(actions))
        p = rng.choice(actions[index].positions)
        res = by_position[p]
        request = Request(
            subject["principal"],
            actions[index].name,
            res.arn,
            {**subject["context"], **res.context},
            unknown,
        )
        expected = evaluate(request, subject["policies"]).value
        assert rows[index].decision(p) == expected, (subject["principal"], request)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--verify", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(20261128)
    resources, kinds = resources_of(rng)
    star, other = actions_of(kinds)
    principals = principals_of(rng)
    world_args = (resources, star, other)
    print(
        f"world: {sum(1 for p in principals if ':user/' in p['principal'])} users, "
        f"{sum(1 for p in principals if ':assumed-role/' in p['principal'])} roles, "
        f"{len(resources) - 1} resources + '*', {len(star) + len(other)} actions"
    )
    clear_caches()
    clear_matrix_caches()
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    cpu_started = time.process_time()
    first = time.perf_counter()
    run(principals[:1], world_args)
    cold_ms = (time.perf_counter() - first) * 1000
    cells, times = run(principals[1:], world_args)
    cells += sum(len(a.positions) for a in (*star, *other))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    per_ms = sorted(t * 1000 for t in times)
    print(f"cells: {cells:,} in {cpu:.2f} s CPU, {seconds:.2f} s wall (one core, cold caches)")
    print(f"cells/s: {cells / cpu:,.0f} (CPU time)")
    print(
        f"per principal (wall): mean {statistics.fmean(per_ms):.2f} ms, p50 "
        f"{per_ms[len(per_ms) // 2]:.2f} ms, p95 {per_ms[int(len(per_ms) * 0.95)]:.2f} ms, "
        f"first (cold) {cold_ms:.1f} ms"
    )
    print(f"peak RSS: {rss_after / 1024:.0f} MB (+{(rss_after - rss_before) / 1024:.0f} MB)")
    started = time.process_time()
    run(principals[:500], world_args)
    warm = (time.process_time() - started) * 1000 / 500
    print(f"warm rerun of 500 principals (every bit set cached): {warm:.2f} ms CPU each")
    started = time.process_time()
    run(principals[:500], world_args, prepared=True)
    warm = (time.process_time() - started) * 1000 / 500
    print(f"  the same with prepared worlds (world=): {warm:.2f} ms CPU each")
    if args.processes > 1:
        clear_caches()
        clear_matrix_caches()
        chunks = [principals[i :: args.processes] for i in range(args.processes)]
        started = time.perf_counter()
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(args.processes) as pool:
            results = pool.map(_half, [(c, world_args) for c in chunks])
        wall = time.perf_counter() - started
        total_cpu = sum(r[1] for r in results)
        print(
            f"{args.processes} processes: {wall:.2f} s wall, {total_cpu:.2f} s CPU in total "
            "(cold caches in each)"
        )
    if args.verify:
        checked = verify(principals, world_args, args.verify)
        print(f"verified {checked} random cells against evaluate()")
    print(
        json.dumps(
            {
                "cells": cells,
                "seconds": round(cpu, 3),
                "cells_per_s": round(cells / cpu),
                "per_principal_ms": round(cpu * 1000 / len(principals), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
