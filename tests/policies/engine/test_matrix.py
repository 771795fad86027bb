"""evaluate_matrix equals evaluate() cell by cell, and names the statements behind each cell."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.engine import PolicySet, Request, compile_policy_set, evaluate
from policies.engine.matrix import (
    ActionRow,
    ConditionRequirement,
    MatrixAction,
    MatrixResource,
    clear_matrix_caches,
    evaluate_matrix,
    matrix_world,
)
from policies.engine.matrix.core import _per_cell

A = "111122223333"
B = "444455556666"
USER = f"arn:aws:iam::{A}:user/olivia"
ROLE = f"arn:aws:iam::{A}:role/Ops"
SESSION = f"arn:aws:sts::{A}:assumed-role/Ops/matrix"
PRINCIPALS = [
    USER,
    f"arn:aws:iam::{A}:user/team/bob",
    ROLE,
    SESSION,
    f"arn:aws:iam::{A}:root",
    f"arn:aws:sts::{A}:federated-user/fed",
    f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForMQ/x",
    "mq.amazonaws.com",
]
PRINCIPAL_ARNS = {
    SESSION: ROLE,
    PRINCIPALS[6]: f"arn:aws:iam::{A}:role/aws-service-role/mq.amazonaws.com/AWSServiceRoleForMQ",
}
ACTIONS = [
    "mq:RebootBroker",
    "mq:DescribeBroker",
    "mq:ListBrokers",
    "mq:UpdateConfiguration",
    "mq:CreateTags",
    "iam:ListUsers",
    "iam:GetUser",
    "sts:AssumeRole",
]
ACTION_PATTERNS = [
    "*",
    "mq:*",
    "mq:Describe*",
    "mq:List*",
    "mq:*Broker",
    "mq:Reboot?roker",
    "MQ:DESCRIBEBROKER",
    "mq:*Configuration",
    "iam:List*",
    "iam:*",
    "sts:*",
]
RESOURCE_PATTERNS = [
    "*",
    "arn:aws:mq:*",
    "arn:aws:mq:*:*:broker:*",
    f"arn:aws:mq:us-east-1:{A}:*",
    "arn:aws:mq:*:*:configuration:*",
    "arn:aws:mq:*:*:broker:blue*",
    "arn:aws:mq:*:*:broker:${aws:PrincipalTag/team}-*",
    "arn:aws:mq:*:*:broker:${aws:PrincipalTag/team, 'blue'}-*",
    "arn:aws:mq:*:*:broker:${aws:username}*",
    f"arn:aws:iam::{A}:user/${{aws:username}}",
    "arn:aws:mq:*:*:broker:${aws:ResourceTag/team}-*",
    "arn:aws:mq:*:*:broker:${aws:SourceIp}*",
    "arn:aws:mq:eu-west-1:*:broker:*",
]
TEAMS = ["blue", "red", "green"]
CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
    {"StringEqualsIfExists": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
    {"StringNotEquals": {"aws:ResourceTag/team": "red"}},
    {"StringLike": {"aws:ResourceTag/team": ["b*", "gr??n"]}},
    {"ForAnyValue:StringEquals": {"aws:ResourceTag/team": ["blue", "green"]}},
    {"ForAllValues:StringEquals": {"aws:ResourceTag/team": ["blue"]}},
    {"Null": {"aws:ResourceTag/team": "true"}},
    {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
    {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "RED"}},
    {"Null": {"aws:PrincipalTag/team": "false"}},
    {"StringEquals": {"aws:RequestedRegion": ["us-east-1"]}},
    {"StringNotEqualsIfExists": {"aws:RequestedRegion": "eu-west-1"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
    {"StringEquals": {"aws:ResourceTag/team": "${aws:username}"}},
    {
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"},
    },
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/*"}},
    {"StringEquals": {"aws:PrincipalTag/team": "${aws:ResourceTag/team}"}},
    {"StringLike": {"aws:ResourceTag/team": "${aws:RequestedRegion, 'b'}*"}},
    {"StringEquals": {"aws:ResourceAccount": A}},
]
UNKNOWN = [
    "aws:SourceIp",
    "aws:MultiFactorAuthPresent",
    "aws:CurrentTime",
    "aws:ResourceTag/*",
    "aws:PrincipalTag/team",
    "aws:RequestedRegion",
    "aws:username",
]


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


@st.composite
def statements(draw: Any, named: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    if draw(st.booleans()):
        out["Sid"] = f"S{draw(st.integers(0, 99))}"
    key = "NotAction" if draw(st.integers(0, 6)) == 0 else "Action"
    out[key] = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2))
    key = "NotResource" if draw(st.integers(0, 6)) == 0 else "Resource"
    out[key] = draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2))
    if draw(st.integers(0, 2)):
        out["Condition"] = draw(st.sampled_from(CONDITIONS))
    if named:
        out["Principal"] = draw(
            st.sampled_from(["*", {"AWS": A}, {"AWS": USER}, {"AWS": ROLE}, {"AWS": B}])
        )
    return out


def documents(named: bool = False) -> Any:
    return st.builds(
        lambda sts, version: doc(*sts, version=version),
        st.lists(statements(named), min_size=1, max_size=4),
        st.sampled_from(["2012-10-17", "2012-10-17", "2008-10-17"]),
    )


@st.composite
def resource_lists(draw: Any) -> list[MatrixResource]:
    count = draw(st.integers(1, 12))
    positions = draw(st.permutations(range(count + 3)))[:count]
    out = []
    for i, position in enumerate(positions):
        kind = draw(st.sampled_from(["broker", "broker", "configuration", "star", "other"]))
        region = draw(st.sampled_from(["us-east-1", "eu-west-1"]))
        account = A if draw(st.integers(0, 5)) else B
        team = draw(st.sampled_from(TEAMS))
        if kind == "broker":
            arn = f"arn:aws:mq:{region}:{account}:broker:{team}-{i}:b-{i}"
        elif kind == "configuration":
            arn = f"arn:aws:mq:{region}:{account}:configuration:c-{i}"
        elif kind == "star":
            arn = "*"
        else:
            arn = f"arn:aws:iam::{A}:user/{draw(st.sampled_from(['olivia', 'bob']))}"
        context: dict[str, Any] = {}
        if draw(st.booleans()):
            context["aws:ResourceTag/team"] = draw(st.sampled_from([*TEAMS, ["blue", "red"]]))
        if draw(st.booleans()):
            context["aws:RequestedRegion"] = region
        if draw(st.integers(0, 3)) == 0:
            context["aws:ResourceAccount"] = draw(st.sampled_from([A, B]))
        if draw(st.integers(0, 9)) == 0:  # keys spelt otherwise, or a principal key
            key = draw(st.sampled_from(["AWS:ResourceTag/Team", "aws:PrincipalTag/team"]))
            context[key] = draw(st.sampled_from(TEAMS))
        out.append(MatrixResource(position, arn, context))
    return out


@st.composite
def worlds(draw: Any) -> dict[str, Any]:
    resources = draw(resource_lists())
    positions = [r.position for r in resources]
    actions = [
        MatrixAction(name, tuple(sorted(draw(st.sets(st.sampled_from(positions))))))
        for name in draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=5, unique=True))
    ]
    principal = draw(st.sampled_from(PRINCIPALS))
    context: dict[str, Any] = {"aws:PrincipalArn": PRINCIPAL_ARNS.get(principal, principal)}
    if draw(st.booleans()):
        context["aws:username"] = draw(st.sampled_from(["olivia", "blue", "bob"]))
    if draw(st.booleans()):
        context["aws:PrincipalTag/team"] = draw(st.sampled_from(TEAMS))
    if draw(st.booleans()):
        context["aws:SourceIp"] = "10.1.2.3"
    if draw(st.integers(0, 4)) == 0:
        context["aws:ResourceAccount"] = A
    rare = draw(st.integers(0, 9))
    policies = PolicySet(
        identity=tuple(draw(st.lists(documents(), min_size=2, max_size=6))),
        boundary=draw(st.none() | documents()),
        session=draw(documents()) if rare == 0 else None,
        scps=draw(scp_paths()) if rare == 1 else (),
        rcps=((draw(documents(named=True)),),) if rare == 2 else (),
        resource=draw(documents(named=True)) if rare == 3 else None,
    )
    unknown = frozenset(draw(st.sets(st.sampled_from(UNKNOWN))))
    return {
        "principal": principal,
        "context": context,
        "unknown_keys": unknown,
        "policies": policies,
        "actions": actions,
        "resources": resources,
    }


def scp_paths() -> Any:
    """1-3 levels of 0-2 SCPs (an empty level denies everything)."""
    level = st.lists(st.one_of(documents(), st.just(doc(stmt_all()))), max_size=2).map(tuple)
    return st.lists(level, min_size=1, max_size=3).map(tuple)


def stmt_all() -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "*", "Resource": "*"}


def brute_force(world: dict[str, Any]) -> list[dict[int, str]]:
    """Every cell by evaluate(), as the contract states it."""
    by_position = {r.position: r for r in world["resources"]}
    out = []
    for action in world["actions"]:
        cells = {}
        for p in action.positions:
            resource = by_position[p]
            request = Request(
                world["principal"],
                action.name,
                resource.arn,
                {**world["context"], **resource.context},
                world["unknown_keys"],
            )
            cells[p] = evaluate(request, world["policies"]).value
        out.append(cells)
    return out


def assert_equal_to_evaluate(world: dict[str, Any], rows: tuple[ActionRow, ...]) -> None:
    expected = brute_force(world)
    assert [r.action for r in rows] == [a.name for a in world["actions"]]
    for action, row, cells in zip(world["actions"], rows, expected, strict=True):
        inside = sum(1 << p for p in action.positions)
        for bits in (row.allowed, row.conditional, row.explicit_deny):
            assert bits & ~inside == 0
        assert row.allowed & row.conditional == 0
        assert row.allowed & row.explicit_deny == 0
        assert row.conditional & row.explicit_deny == 0
        got = {p: row.decision(p) for p in action.positions}
        assert got == cells, action.name


def assert_sources_consistent(world: dict[str, Any], rows: tuple[ActionRow, ...]) -> None:
    iam = not world["principal"].endswith(":root") and "." not in world["principal"]
    for action, row in zip(world["actions"], rows, strict=True):
        inside = sum(1 << p for p in action.positions)
        allow_true = 0
        any_bits = 0
        deny_true = 0
        for source in row.sources:
            assert source.true_bits & source.unknown_bits == 0
            assert (source.true_bits | source.unknown_bits) & ~inside == 0
            assert source.true_bits | source.unknown_bits
            assert bool(source.conditions) <= bool(source.unknown_bits)
            if source.unknown_bits:
                assert source.conditions, source
            any_bits |= source.true_bits | source.unknown_bits
            if source.effect == "Allow" and source.layer in ("identity", "resource"):
                allow_true |= source.true_bits
            if source.effect == "Deny":
                deny_true |= source.true_bits
        if iam:
            assert row.allowed & ~allow_true == 0
        assert row.conditional & ~any_bits == 0
        assert row.explicit_deny & ~deny_true == 0


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(worlds())
def test_matrix_equals_evaluate_cell_by_cell(world):
    rows = evaluate_matrix(**world)
    assert_equal_to_evaluate(world, rows)
    assert_sources_consistent(world, rows)
    # The per-cell path (used for unusual contexts) agrees on decisions and on sources.
    reference = _per_cell(
        matrix_world(world["actions"], world["resources"]),
        compile_policy_set(world["policies"]),
        world["principal"],
        world["context"],
        world["unknown_keys"],
    )
    assert rows == reference


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.data())
def test_cached_bit_sets_serve_other_principals_exactly(world, data):
    """Principals sharing documents reuse cached entries; each still equals evaluate()."""
    evaluate_matrix(**world)
    other = dict(world)
    other["context"] = {
        **world["context"],
        "aws:PrincipalTag/team": data.draw(st.sampled_from(TEAMS)),
        "aws:username": data.draw(st.sampled_from(["olivia", "red"])),
    }
    other["principal"] = data.draw(st.sampled_from(PRINCIPALS))
    assert_equal_to_evaluate(other, evaluate_matrix(**other))
    clear_matrix_caches()
    assert_equal_to_evaluate(other, evaluate_matrix(**other))


# Hand-written policies: decisions, provenance and conditions.

BLUE = f"arn:aws:mq:us-east-1:{A}:broker:orders:b-1"
RED = f"arn:aws:mq:us-east-1:{A}:broker:events:b-2"
UNTAGGED = f"arn:aws:mq:eu-west-1:{A}:broker:scratch:b-3"
FOREIGN = f"arn:aws:mq:us-east-1:{B}:broker:theirs:b-4"
CONFIG = f"arn:aws:mq:us-east-1:{A}:configuration:c-1"
RESOURCES = [
    MatrixResource(0, "*", {"aws:ResourceAccount": A}),
    MatrixResource(1, BLUE, {"aws:ResourceTag/team": "payments"}),
    MatrixResource(2, RED, {"aws:ResourceTag/team": "search"}),
    MatrixResource(3, UNTAGGED, {}),
    MatrixResource(4, FOREIGN, {"aws:ResourceTag/team": "payments"}),
    MatrixResource(7, CONFIG, {"aws:ResourceTag/team": "payments"}),
]
BROKERS = (1, 2, 3, 4)
MATRIX_ACTIONS = [
    MatrixAction("mq:ListBrokers", (0,)),
    MatrixAction("mq:RebootBroker", BROKERS),
    MatrixAction("mq:DescribeBroker", BROKERS),
    MatrixAction("mq:DeleteBroker", BROKERS),
    MatrixAction("mq:UpdateConfiguration", (7,)),
    MatrixAction("iam:ListUsers", (0,)),
]
OPERATOR = {  # config/demo.py's BrokerOperatorByTeam
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ListEverything",
            "Effect": "Allow",
            "Action": [
                "mq:ListBrokers",
                "mq:ListConfigurations",
                "mq:DescribeBrokerEngineTypes",
                "mq:DescribeBrokerInstanceOptions",
            ],
            "Resource": "*",
        },
        {
            "Sid": "OperateOwnTeamsBrokers",
            "Effect": "Allow",
            "Action": ["mq:DescribeBroker", "mq:RebootBroker", "mq:ListUsers", "mq:DescribeUser"],
            "Resource": "arn:aws:mq:*:*:broker:*:*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        },
    ],
}
FULL_ACCESS = doc(  # AmazonMQFullAccess (v6), its mq statement and one for another service
    {"Effect": "Allow", "Action": ["mq:*", "ec2:DescribeVpcs"], "Resource": "*"},
    {
        "Effect": "Allow",
        "Action": ["logs:CreateLogGroup"],
        "Resource": ["arn:aws:logs:*:*:log-group:/aws/amazonmq/*"],
    },
)
READ_ONLY_BOUNDARY = doc(
    {"Sid": "ReadOnly", "Effect": "Allow", "Action": ["mq:Describe*", "mq:List*"], "Resource": "*"}
)
MFA_ALLOW = doc(
    {
        "Sid": "DeleteWithMfa",
        "Effect": "Allow",
        "Action": "mq:DeleteBroker",
        "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    }
)
OFFICE_ONLY = doc(
    {
        "Sid": "OfficeOnly",
        "Effect": "Deny",
        "Action": "mq:Reboot*",
        "Resource": "*",
        "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    }
)
OLIVIA = {"aws:username": "olivia", "aws:PrincipalTag/team": "payments", "aws:PrincipalArn": USER}
CALL_KEYS = frozenset({"aws:SourceIp", "aws:MultiFactorAuthPresent", "aws:CurrentTime"})


def matrix(identity, boundary=None, principal=USER, context=OLIVIA, unknown=CALL_KEYS):
    world = {
        "principal": principal,
        "context": context,
        "unknown_keys": unknown,
        "policies": PolicySet(identity=tuple(identity), boundary=boundary),
        "actions": MATRIX_ACTIONS,
        "resources": RESOURCES,
    }
    rows = evaluate_matrix(**world)
    assert_equal_to_evaluate(world, rows)
    return {row.action: row for row in rows}


def cells(row: ActionRow, positions=BROKERS) -> dict[int, str]:
    return {p: row.decision(p) for p in positions}


def labels(row: ActionRow, position: int) -> list[str]:
    return [f"{s.layer}[{s.policy}].{s.sid or s.statement}" for s in row.sources_at(position)]


def test_abac_policy_allows_own_team_brokers_only():
    rows = matrix([OPERATOR])
    assert cells(rows["mq:RebootBroker"]) == {
        1: "allowed",
        2: "implicitDeny",
        3: "implicitDeny",
        4: "implicitDeny",  # the payments broker of another account
    }
    assert labels(rows["mq:RebootBroker"], 1) == ["identity[0].OperateOwnTeamsBrokers"]
    assert labels(rows["mq:RebootBroker"], 2) == []
    assert rows["mq:ListBrokers"].allowed == 1
    assert labels(rows["mq:ListBrokers"], 0) == ["identity[0].ListEverything"]
    assert rows["mq:DeleteBroker"].allowed == 0 and rows["mq:DeleteBroker"].sources == ()
    assert rows["mq:UpdateConfiguration"].allowed == 0


def test_abac_policy_is_conditional_when_the_team_tag_is_unknown():
    rows = matrix([OPERATOR], unknown=CALL_KEYS | {"aws:ResourceTag/*"})
    row = rows["mq:RebootBroker"]
    assert cells(row) == {1: "conditional", 2: "conditional", 3: "conditional", 4: "implicitDeny"}
    (source,) = row.sources
    # The statement's own reach includes the foreign broker, which the account rule denies.
    assert source.unknown_bits == 0b11110 and source.true_bits == 0
    assert source.conditions == (
        ConditionRequirement("StringEquals", "aws:ResourceTag/team", ("${aws:PrincipalTag/team}",)),
    )


def test_full_access_allows_every_mq_action_in_the_account():
    rows = matrix([OPERATOR, FULL_ACCESS])
    for name in ("mq:RebootBroker", "mq:DescribeBroker", "mq:DeleteBroker"):
        assert cells(rows[name]) == {1: "allowed", 2: "allowed", 3: "allowed", 4: "implicitDeny"}
    assert rows["mq:UpdateConfiguration"].allowed == 1 << 7
    assert labels(rows["mq:UpdateConfiguration"], 7) == ["identity[1].0"]
    assert labels(rows["mq:RebootBroker"], 1) == [
        "identity[0].OperateOwnTeamsBrokers",
        "identity[1].0",
    ]
    assert rows["iam:ListUsers"].allowed == 0


def test_boundary_limits_full_access_to_describe_and_list():
    rows = matrix([FULL_ACCESS], boundary=READ_ONLY_BOUNDARY)
    describe = rows["mq:DescribeBroker"]
    assert cells(describe) == {1: "allowed", 2: "allowed", 3: "allowed", 4: "implicitDeny"}
    assert labels(describe, 2) == ["identity[0].0", "boundary[0].ReadOnly"]
    reboot = rows["mq:RebootBroker"]
    assert reboot.allowed == 0 and reboot.conditional == 0
    assert labels(reboot, 1) == ["identity[0].0"]  # granted, but outside the boundary
    assert rows["mq:ListBrokers"].allowed == 1


def test_mfa_conditioned_allow_is_conditional_with_its_requirement():
    rows = matrix([MFA_ALLOW, OPERATOR])
    row = rows["mq:DeleteBroker"]
    assert cells(row) == {1: "conditional", 2: "conditional", 3: "conditional", 4: "implicitDeny"}
    (source,) = row.sources
    assert (source.sid, source.effect, source.unknown_bits) == ("DeleteWithMfa", "Allow", 0b11110)
    assert source.conditions == (
        ConditionRequirement("Bool", "aws:MultiFactorAuthPresent", ("true",)),
    )
    assert source.conditions[0].label() == "Bool aws:MultiFactorAuthPresent = true"
    known = matrix(
        [MFA_ALLOW], context={**OLIVIA, "aws:MultiFactorAuthPresent": "true"}, unknown=frozenset()
    )
    assert cells(known["mq:DeleteBroker"])[1] == "allowed"
    assert known["mq:DeleteBroker"].sources[0].conditions == ()


def test_conditional_deny_names_its_condition():
    rows = matrix([FULL_ACCESS, OFFICE_ONLY])
    row = rows["mq:RebootBroker"]
    # Allowed unless the deny applies; on the foreign broker denied either way.
    assert cells(row) == {1: "conditional", 2: "conditional", 3: "conditional", 4: "conditional"}
    deny = [s for s in row.sources if s.effect == "Deny"]
    assert [(s.sid, s.unknown_bits) for s in deny] == [("OfficeOnly", 0b11110)]
    assert deny[0].conditions[0].to_dict() == {
        "operator": "NotIpAddress",
        "key": "aws:SourceIp",
        "values": ["10.0.0.0/8"],
    }
    assert rows["mq:DescribeBroker"].allowed == 0b1110


def test_resource_pattern_with_an_unknown_variable_is_a_resource_requirement():
    own = doc(
        {
            "Effect": "Allow",
            "Action": "mq:DescribeBroker",
            "Resource": "arn:aws:mq:*:*:broker:${aws:username}*",
        },
        {"Effect": "Allow", "Action": "mq:DescribeBroker", "Resource": BLUE},
    )
    rows = matrix([own], unknown=CALL_KEYS | {"aws:username"})
    row = rows["mq:DescribeBroker"]
    assert cells(row) == {1: "allowed", 2: "conditional", 3: "conditional", 4: "implicitDeny"}
    first = row.sources[0]
    assert first.true_bits == 0 and first.unknown_bits == 0b11110
    assert first.conditions == (
        ConditionRequirement("Resource", "resource", ("arn:aws:mq:*:*:broker:${aws:username}*",)),
    )


def test_role_sessions_root_and_explicit_deny():
    session = {"aws:PrincipalArn": ROLE, "aws:PrincipalTag/team": "search"}
    rows = matrix([OPERATOR], principal=SESSION, context=session)
    assert cells(rows["mq:RebootBroker"])[2] == "allowed"
    rows = matrix([FULL_ACCESS], principal=f"arn:aws:iam::{A}:root", context={})
    assert cells(rows["mq:DeleteBroker"]) == {
        1: "allowed",
        2: "allowed",
        3: "allowed",
        4: "implicitDeny",
    }
    assert rows["iam:ListUsers"].allowed == 1 and rows["iam:ListUsers"].sources == ()
    deny_all = doc({"Sid": "Stop", "Effect": "Deny", "Action": "mq:Delete*", "Resource": "*"})
    rows = matrix([FULL_ACCESS, deny_all])
    assert rows["mq:DeleteBroker"].explicit_deny == 0b11110
    assert labels(rows["mq:DeleteBroker"], 4) == ["identity[0].0", "identity[1].Stop"]


# The API around the computation.


def test_a_prepared_world_gives_the_same_rows():
    world = matrix_world(MATRIX_ACTIONS, RESOURCES)
    args = {
        "principal": USER,
        "context": OLIVIA,
        "unknown_keys": CALL_KEYS,
        "policies": compile_policy_set(PolicySet(identity=(OPERATOR, MFA_ALLOW))),
    }
    rows = evaluate_matrix(**args, world=world)
    assert rows == evaluate_matrix(**args, actions=MATRIX_ACTIONS, resources=RESOURCES)
    with pytest.raises(ValueError, match="either world"):
        evaluate_matrix(**args, world=world, actions=MATRIX_ACTIONS)


@pytest.mark.parametrize(
    ("actions", "resources", "message"),
    [
        ([MatrixAction("mq:RebootBroker", (5,))], RESOURCES, "no resource at position 5"),
        ([], [MatrixResource(0, "*"), MatrixResource(0, BLUE)], "unique"),
        ([], [MatrixResource(-1, "*")], "non-negative"),
    ],
)
def test_bad_positions_are_rejected(actions, resources, message):
    with pytest.raises(ValueError, match=message):
        evaluate_matrix(
            principal=USER,
            context={},
            unknown_keys=(),
            policies=PolicySet(),
            actions=actions,
            resources=resources,
        )


def test_changed_resource_contexts_are_never_served_from_the_cache():
    tags = {"aws:ResourceTag/team": "payments"}
    resources = [MatrixResource(1, BLUE, tags)]
    actions = [MatrixAction("mq:RebootBroker", (1,))]
    args = {
        "principal": USER,
        "context": OLIVIA,
        "unknown_keys": CALL_KEYS,
        "policies": PolicySet(identity=(OPERATOR,)),
    }
    assert evaluate_matrix(**args, actions=actions, resources=resources)[0].allowed == 2
    tags["aws:ResourceTag/team"] = "search"  # mutated in place: the content differs now
    assert evaluate_matrix(**args, actions=actions, resources=resources)[0].allowed == 0


@pytest.mark.parametrize(
    ("context", "resource_context"),
    [
        pytest.param(
            {"aws:PrincipalTag/team": "payments", "AWS:PRINCIPALTAG/TEAM": "search"},
            {},
            id="principal-keys-differing-in-case",
        ),
        pytest.param(OLIVIA, {"aws:ResourceTag/team": None}, id="none-value"),
        pytest.param(
            OLIVIA,
            {"aws:ResourceTag/Team": "search", "aws:resourcetag/team": "payments"},
            id="resource-keys-differing-in-case",
        ),
        pytest.param(OLIVIA, {"aws:PrincipalTag/team": "search"}, id="resource-sets-principal-key"),
        pytest.param(OLIVIA, {"aws:userid": "AIDA:x"}, id="resource-sets-caller-key"),
        pytest.param(OLIVIA, {"aws:ResourceTag/team": ["payments", "x"]}, id="list-value"),
        pytest.param(OLIVIA, {"aws:ResourceTag/team": 7}, id="number-value"),
    ],
)
def test_unusual_contexts_still_equal_evaluate(context, resource_context):
    world = {
        "principal": USER,
        "context": context,
        "unknown_keys": CALL_KEYS,
        "policies": PolicySet(identity=(OPERATOR, MFA_ALLOW, OFFICE_ONLY)),
        "actions": MATRIX_ACTIONS,
        "resources": [*RESOURCES, MatrixResource(9, BLUE, resource_context)],
    }
    world["actions"] = [MatrixAction(a.name, (*a.positions, 9)) for a in MATRIX_ACTIONS]
    assert_equal_to_evaluate(world, evaluate_matrix(**world))


def test_rows_serialise_for_storage():
    rows = matrix([MFA_ALLOW])
    source = rows["mq:DeleteBroker"].sources[0]
    assert source.to_dict() == {
        "layer": "identity",
        "level": None,
        "policy": 0,
        "statement": 0,
        "sid": "DeleteWithMfa",
        "effect": "Allow",
        "true": "0",
        "unknown": "1e",
        "conditions": [
            {"operator": "Bool", "key": "aws:MultiFactorAuthPresent", "values": ["true"]}
        ],
    }
    assert source.ref.label() == "identity[0].Statement[0] (DeleteWithMfa)"
