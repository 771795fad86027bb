"""Three-valued evaluation: unknown context keys give ``conditional``, never a guess."""

from __future__ import annotations

from typing import Any

import pytest

from policies.engine import PolicySet, Request, evaluate

USER = "arn:aws:iam::111122223333:user/alice"
BROKER = "arn:aws:mq:us-east-1:111122223333:broker:orders:b-1"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
OFFICE = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def stmt(effect: str = "Allow", condition: dict[str, Any] | None = None, **extra: Any):
    out: dict[str, Any] = {"Effect": effect, "Action": "mq:*", "Resource": "*", **extra}
    if condition:
        out["Condition"] = condition
    return out


def run(policies: PolicySet, unknown: set[str], context: dict[str, Any] | None = None):
    request = Request(USER, "mq:RebootBroker", BROKER, context or {}, frozenset(unknown))
    return evaluate(request, policies)


@pytest.mark.parametrize(
    ("identity", "unknown", "value", "possible"),
    [
        pytest.param(
            (doc(stmt(condition=MFA)),),
            {"aws:MultiFactorAuthPresent"},
            "conditional",
            {"allowed", "implicitDeny"},
            id="allow-depends",
        ),
        pytest.param(
            (doc(stmt(condition=MFA)),),
            {"aws:SourceIp"},
            "implicitDeny",
            {"implicitDeny"},
            id="unrelated-unknown-key",
        ),
        pytest.param(
            (doc(stmt(), stmt("Deny", OFFICE)),),
            {"aws:SourceIp"},
            "conditional",
            {"allowed", "explicitDeny"},
            id="deny-depends",
        ),
        pytest.param(
            (doc(stmt("Deny", OFFICE)),),
            {"aws:SourceIp"},
            "conditional",
            {"explicitDeny", "implicitDeny"},
            id="denied-either-way",
        ),
        pytest.param(
            (doc(stmt(), stmt(condition=MFA)),),
            {"aws:MultiFactorAuthPresent"},
            "allowed",
            {"allowed"},
            id="decided-without-the-key",
        ),
        pytest.param(
            (doc(stmt(), stmt("Deny"), stmt(condition=MFA)),),
            {"aws:MultiFactorAuthPresent"},
            "explicitDeny",
            {"explicitDeny"},
            id="deny-regardless",
        ),
        pytest.param(
            (doc(stmt(condition={"StringEquals": {"aws:ResourceTag/team": "blue"}})),),
            {"aws:ResourceTag/*"},
            "conditional",
            {"allowed", "implicitDeny"},
            id="prefix-family",
        ),
        pytest.param(
            (doc(stmt(condition={"StringEquals": {"aws:ResourceTag/Team": "blue"}})),),
            {"AWS:RESOURCETAG/team"},
            "conditional",
            {"allowed", "implicitDeny"},
            id="case-insensitive",
        ),
        pytest.param(
            (doc(stmt(condition={"Null": {"aws:TokenIssueTime": "true"}})),),
            {"aws:TokenIssueTime"},
            "conditional",
            {"allowed", "implicitDeny"},
            id="null-operator",
        ),
        pytest.param(
            (
                doc(
                    stmt(
                        condition={
                            "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}
                        }
                    )
                ),
            ),
            {"aws:PrincipalTag/*"},
            "conditional",
            {"allowed", "implicitDeny"},
            id="variable-key-unknown",
        ),
        pytest.param(
            (doc(stmt(Resource="arn:aws:mq:*:*:broker:${aws:PrincipalTag/team}*")),),
            {"aws:PrincipalTag/team"},
            "conditional",
            {"allowed", "implicitDeny"},
            id="resource-variable-unknown",
        ),
    ],
)
def test_three_valued(identity, unknown, value, possible):
    decision = run(PolicySet(identity=identity), unknown)
    assert decision.value == value
    assert decision.possible == frozenset(possible)


def test_an_unknown_key_overrides_a_supplied_value():
    policies = PolicySet(identity=(doc(stmt(condition=MFA)),))
    context = {"aws:MultiFactorAuthPresent": "true"}
    assert run(policies, set(), context).value == "allowed"
    assert run(policies, {"aws:MultiFactorAuthPresent"}, context).value == "conditional"


def test_requirements_name_the_deciding_conditions():
    policies = PolicySet(identity=(doc(stmt(Sid="MfaOnly", condition=MFA), stmt("Deny", OFFICE)),))
    decision = run(policies, {"aws:MultiFactorAuthPresent", "aws:SourceIp"})
    assert decision.value == "conditional"
    by_sid = {r.statement.statement: r for r in decision.requirements}
    grant, block = by_sid[0], by_sid[1]
    assert grant.must_hold and grant.effect == "Allow" and grant.statement.sid == "MfaOnly"
    assert [(c.operator, c.key, c.values) for c in grant.conditions] == [
        ("Bool", "aws:MultiFactorAuthPresent", ("true",))
    ]
    assert not block.must_hold and block.effect == "Deny"
    assert block.conditions[0].operator == "IpAddress"
    assert decision.to_dict()["requirements"][0]["conditions"][0]["outcome"] == "unknown"


def test_boundary_and_scp_unknowns_propagate():
    policies = PolicySet(
        identity=(doc(stmt()),),
        boundary=doc(stmt(condition=OFFICE)),
        scps=((doc(stmt(condition=MFA)),),),
    )
    decision = run(policies, {"aws:SourceIp"}, {"aws:MultiFactorAuthPresent": "true"})
    assert decision.value == "conditional"
    assert {r.statement.layer for r in decision.requirements} == {"boundary"}
    decision = run(policies, {"aws:SourceIp"}, {"aws:MultiFactorAuthPresent": "false"})
    assert decision.value == "implicitDeny"


def test_resource_policy_unknowns():
    grant = doc(dict(stmt(condition=OFFICE), Principal={"AWS": USER}))
    decision = run(PolicySet(resource=grant), {"aws:SourceIp"})
    assert decision.value == "conditional"
    assert decision.requirements[0].statement.layer == "resource"
