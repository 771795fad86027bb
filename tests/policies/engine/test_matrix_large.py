"""A larger generated account, every cell compared with evaluate() (brute force, run once).

50 principals (users, role sessions, some with a boundary) draw on 40 shared documents;
38 actions are evaluated on 60 resources. Documents are shared, so most principals are
served from cached bit sets: this checks the caches as much as the computation.
"""

from __future__ import annotations

import random
from typing import Any

from policies.engine import PolicySet, Request, clear_caches, evaluate
from policies.engine.matrix import (
    MatrixAction,
    MatrixResource,
    clear_matrix_caches,
    evaluate_matrix,
    matrix_world,
)

from .test_matrix import assert_sources_consistent

ACCOUNT = "111122223333"
OTHER = "999988887777"
TEAMS = ["payments", "search", "ledger", "ops"]
STAGES = ["prod", "test"]
REGIONS = ["us-east-1", "eu-west-1"]
UNKNOWN = frozenset(
    {"aws:SourceIp", "aws:MultiFactorAuthPresent", "aws:CurrentTime", "aws:RequestTag/*"}
)
MQ = [
    "CreateBroker", "CreateConfiguration", "CreateReplicaBroker", "CreateTags", "CreateUser",
    "DeleteBroker", "DeleteConfiguration", "DeleteTags", "DeleteUser", "DescribeBroker",
    "DescribeBrokerEngineTypes", "DescribeBrokerInstanceOptions", "DescribeConfiguration",
    "DescribeConfigurationRevision", "DescribeSharedResources", "DescribeUser", "ListBrokers",
    "ListConfigurationRevisions", "ListConfigurations", "ListTags", "ListUsers", "Promote",
    "RebootBroker", "UpdateBroker", "UpdateBrokerAccessConfiguration", "UpdateConfiguration",
    "UpdateUser",
]  # fmt: skip
STAR = {"CreateBroker", "CreateConfiguration", "DescribeBrokerEngineTypes",
        "DescribeBrokerInstanceOptions", "ListBrokers", "ListConfigurations"}  # fmt: skip
CONFIG = {"DeleteConfiguration", "DescribeConfiguration", "DescribeConfigurationRevision",
          "ListConfigurationRevisions", "UpdateConfiguration"}  # fmt: skip
BOTH = {"CreateTags", "DeleteTags", "ListTags"}
IAM = ["iam:ListUsers", "iam:ListRoles", "iam:GetAccountSummary", "iam:ListPolicies",
       "iam:GetUser", "iam:ListGroups", "iam:GetAccountPasswordPolicy",
       "iam:ListAccountAliases", "iam:GenerateCredentialReport",
       "iam:GetCredentialReport", "iam:ListMFADevices"]  # fmt: skip
ACTION_PATTERNS = [
    "mq:*", "mq:Describe*", "mq:List*", "mq:*Broker", "mq:Reboot*", "mq:*User*",
    "mq:*Tags", "mq:*Configuration*", "mq:Update*", "mq:Create*", "mq:Delete*",
    "iam:List*", "iam:Get*", "iam:*", "*",
]  # fmt: skip
CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
    {"StringEquals": {"aws:ResourceTag/stage": ["test"]}},
    {"StringNotEquals": {"aws:ResourceTag/stage": "prod"}},
    {"StringLike": {"aws:ResourceTag/team": "pay*"}},
    {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}},
    {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
    {"StringEquals": {"aws:PrincipalTag/team": "ops"}},
    {"Null": {"aws:ResourceTag/team": "true"}},
    {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
    {"ForAnyValue:StringEquals": {"aws:ResourceTag/team": ["search", "ledger"]}},
]


def _resources(rng: random.Random) -> list[MatrixResource]:
    out = [MatrixResource(0, "*", {"aws:ResourceAccount": ACCOUNT})]
    for i in range(1, 60):
        region = rng.choice(REGIONS)
        account = OTHER if i % 17 == 0 else ACCOUNT
        context: dict[str, Any] = {"aws:RequestedRegion": region}
        if rng.random() < 0.85:
            context["aws:ResourceTag/team"] = rng.choice(TEAMS)
        if rng.random() < 0.7:
            context["aws:ResourceTag/stage"] = rng.choice(STAGES)
        if i < 45:
            team = context.get("aws:ResourceTag/team", "shared")
            arn = f"arn:aws:mq:{region}:{account}:broker:{team}-{i}:b-{i:04d}"
        else:
            arn = f"arn:aws:mq:{region}:{account}:configuration:c-{i:04d}"
        out.append(MatrixResource(i * 2, arn, context))  # positions with gaps
    return out


def _actions(resources: list[MatrixResource]) -> list[MatrixAction]:
    brokers = tuple(r.position for r in resources if ":broker:" in r.arn)
    configs = tuple(r.position for r in resources if ":configuration:" in r.arn)
    out = []
    for name in MQ:
        if name in STAR:
            positions: tuple[int, ...] = (0,)
        elif name in CONFIG:
            positions = configs
        elif name in BOTH:
            positions = tuple(sorted(brokers + configs))
        else:
            positions = brokers
        out.append(MatrixAction(f"mq:{name}", positions))
    return out + [MatrixAction(name, (0,)) for name in IAM]


def _pattern(rng: random.Random) -> str:
    return rng.choice(
        [
            "*",
            "*",
            "arn:aws:mq:*:*:broker:*",
            f"arn:aws:mq:eu-west-1:{ACCOUNT}:*",
            f"arn:aws:mq:*:*:broker:{rng.choice(TEAMS)}-*",
            "arn:aws:mq:*:*:configuration:*",
            "arn:aws:mq:*:*:broker:${aws:PrincipalTag/team}-*",
            "arn:aws:mq:*:*:broker:${aws:username}*",
        ]
    )


def _document(rng: random.Random) -> dict[str, Any]:
    statements = []
    for _ in range(rng.randint(2, 6)):
        st: dict[str, Any] = {
            "Effect": "Deny" if rng.random() < 0.12 else "Allow",
            "Action": rng.sample(ACTION_PATTERNS, rng.randint(1, 3)),
        }
        patterns = [_pattern(rng) for _ in range(rng.randint(1, 2))]
        st["NotResource" if rng.random() < 0.05 else "Resource"] = patterns
        if rng.random() < 0.3:
            st["Sid"] = f"S{rng.randrange(100)}"
        if rng.random() < 0.55:
            st["Condition"] = rng.choice(CONDITIONS)
        statements.append(st)
    return {"Version": "2012-10-17", "Statement": statements}


def _principals(rng: random.Random, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i in range(50):
        tags = {"aws:PrincipalTag/team": rng.choice(TEAMS)} if rng.random() < 0.8 else {}
        if i % 5 == 4:
            role = f"arn:aws:iam::{ACCOUNT}:role/r{i}"
            principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/r{i}/matrix"
            context = {"aws:PrincipalArn": role, **tags}
        else:
            principal = f"arn:aws:iam::{ACCOUNT}:user/{TEAMS[i % 4]}{i}"
            context = {"aws:username": f"{TEAMS[i % 4]}{i}", "aws:PrincipalArn": principal, **tags}
        boundary = rng.choice(documents[:5]) if rng.random() < 0.25 else None
        identity = tuple(rng.sample(documents, rng.randint(1, 6)))
        out.append(
            {
                "principal": principal,
                "context": context,
                "policies": PolicySet(identity=identity, boundary=boundary),
            }
        )
    return out


def test_every_cell_of_a_generated_account_equals_evaluate():
    rng = random.Random(1128)
    resources = _resources(rng)
    actions = _actions(resources)
    documents = [_document(rng) for _ in range(40)]
    principals = _principals(rng, documents)
    by_position = {r.position: r for r in resources}
    clear_caches()
    clear_matrix_caches()
    first = [
        evaluate_matrix(**p, unknown_keys=UNKNOWN, actions=actions, resources=resources)
        for p in principals
    ]
    counts: dict[str, int] = {}
    for subject, rows in zip(principals, first, strict=True):
        assert_sources_consistent({**subject, "actions": actions}, rows)
        for action, row in zip(actions, rows, strict=True):
            for p in action.positions:
                resource = by_position[p]
                request = Request(
                    subject["principal"],
                    action.name,
                    resource.arn,
                    {**subject["context"], **resource.context},
                    UNKNOWN,
                )
                expected = evaluate(request, subject["policies"]).value
                assert row.decision(p) == expected, (subject["principal"], action.name, p)
                counts[expected] = counts.get(expected, 0) + 1
    # Every kind of decision occurs, so the comparison means something.
    assert min(counts.get(v, 0) for v in ("allowed", "conditional", "explicitDeny")) > 100
    clear_matrix_caches()
    world = matrix_world(actions, resources)  # a new world: nothing cached
    again = [evaluate_matrix(**p, unknown_keys=UNKNOWN, world=world) for p in reversed(principals)]
    assert list(reversed(again)) == first  # cold caches, another order: the same rows
