"""Invariants of the evaluator, checked on generated policy sets (hypothesis)."""

from __future__ import annotations

import contextlib
import copy
import random
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from policies.engine import PolicyError, PolicySet, Request, evaluate
from policies.engine.compile import action_matches
from policies.engine.parse import parse

A = "111122223333"
B = "444455556666"
PRINCIPALS = [
    f"arn:aws:iam::{A}:user/alice",
    f"arn:aws:sts::{A}:assumed-role/Ops/alice",
    f"arn:aws:iam::{A}:root",
    f"arn:aws:sts::{B}:assumed-role/Auditor/bob",
]
ROLE_OF = {
    PRINCIPALS[1]: f"arn:aws:iam::{A}:role/Ops",
    PRINCIPALS[3]: f"arn:aws:iam::{B}:role/Auditor",
}
ACTIONS = ["mq:RebootBroker", "mq:ListBrokers", "mq:CreateTags", "iam:GetUser", "sts:AssumeRole"]
ACTION_PATTERNS = [
    "*",
    "mq:*",
    "mq:Reboot*",
    "mq:List*",
    "iam:*",
    "mq:Create?ags",
    "iam:GetUser",
    "MQ:REBOOTBROKER",
    "mq:*Broker*",
    "sts:*",
]
RESOURCES = [
    f"arn:aws:mq:us-east-1:{A}:broker:blue-orders:b-1",
    f"arn:aws:mq:eu-west-1:{B}:broker:red-events:b-2",
    "*",
    f"arn:aws:iam::{A}:user/alice",
]
RESOURCE_PATTERNS = [
    "*",
    "arn:aws:mq:*",
    f"arn:aws:mq:*:{A}:broker:*",
    RESOURCES[0],
    RESOURCES[1],
    "arn:aws:iam::*:user/*",
    "arn:aws:mq:*:*:broker:${aws:PrincipalTag/team}-*",
    "arn:aws:mq:us-east-?:*:broker:*",
    "arn:aws:mq:*:*:broker:blue*",
]
KEY_VALUES = {
    "aws:SourceIp": ["203.0.113.9", "198.51.100.1", "2001:db8::5"],
    "aws:MultiFactorAuthPresent": ["true", "false"],
    "aws:PrincipalTag/team": ["blue", "red"],
    "aws:ResourceTag/team": ["blue", "red"],
    "aws:CurrentTime": ["2025-06-01T00:00:00Z", "2027-06-01T00:00:00Z"],
    "aws:TagKeys": [["team"], ["team", "stage"], []],
    "aws:PrincipalOrgID": ["o-mine", "o-other"],
}
CONDITIONS = [
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"NotIpAddressIfExists": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"Null": {"aws:MultiFactorAuthPresent": "true"}},
    {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringLike": {"aws:ResourceTag/team": "b*"}},
    {"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "owner"]}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": "stage"}},
    {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "StringLike": {"aws:PrincipalTag/team": "*"}},
]
PRINCIPAL_ELEMENTS = [
    "*",
    {"AWS": A},
    {"AWS": B},
    {"AWS": f"arn:aws:iam::{A}:root"},
    {"AWS": PRINCIPALS[0]},
    {"AWS": PRINCIPALS[1]},
    {"AWS": ROLE_OF[PRINCIPALS[1]]},
    {"AWS": ROLE_OF[PRINCIPALS[3]]},
    {"AWS": "*"},
]


@st.composite
def statements(draw: Any, resource_policy: bool = False) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    actions = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2))
    statement["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = actions
    resources = draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2))
    statement["NotResource" if draw(st.integers(0, 6)) == 0 else "Resource"] = resources
    if draw(st.booleans()):
        statement["Condition"] = draw(st.sampled_from(CONDITIONS))
    if resource_policy:
        element = draw(st.sampled_from(PRINCIPAL_ELEMENTS))
        if statement["Effect"] == "Deny" and draw(st.integers(0, 4)) == 0:
            statement["NotPrincipal"] = element if element != "*" else {"AWS": A}
        else:
            statement["Principal"] = element
    return statement


def documents(resource_policy: bool = False, max_statements: int = 3) -> Any:
    return st.lists(statements(resource_policy), min_size=1, max_size=max_statements).map(
        lambda sts: {"Version": "2012-10-17", "Statement": sts}
    )


@st.composite
def scenarios(draw: Any) -> tuple[Request, PolicySet]:
    principal = draw(st.sampled_from(PRINCIPALS))
    context: dict[str, Any] = {"aws:PrincipalArn": ROLE_OF.get(principal, principal)}
    for key, values in KEY_VALUES.items():
        if draw(st.booleans()):
            context[key] = draw(st.sampled_from(values))
    request = Request(
        principal, draw(st.sampled_from(ACTIONS)), draw(st.sampled_from(RESOURCES)), context
    )
    session = draw(st.none() | documents()) if ":assumed-role/" in principal else None
    policies = PolicySet(
        identity=tuple(draw(st.lists(documents(), max_size=3))),
        boundary=draw(st.none() | documents()),
        session=session,
        scps=tuple(
            tuple(lv) for lv in draw(st.lists(st.lists(documents(), max_size=2), max_size=2))
        ),
        rcps=tuple(
            tuple(lv) for lv in draw(st.lists(st.lists(documents(True), max_size=1), max_size=2))
        ),
        resource=draw(st.none() | documents(True)),
    )
    return request, policies


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _documents_of(policies: PolicySet) -> list[dict[str, Any]]:
    docs = [*policies.identity, policies.boundary, policies.session, policies.resource]
    docs += [d for level in (*policies.scps, *policies.rcps) for d in level]
    return [d for d in docs if d is not None]


def _with_statement(policies: PolicySet, target: int, statement: dict[str, Any]) -> PolicySet:
    """``policies`` with ``statement`` appended to its ``target``-th existing document."""
    copied = copy.deepcopy(policies)
    docs = _documents_of(copied)
    docs[target % len(docs)]["Statement"].append(statement)
    return copied


@SETTINGS
@given(scenarios(), st.integers(0, 50), statements(), statements(True))
def test_adding_a_deny_never_turns_a_denial_into_an_allow(scenario, target, plain, named):
    request, policies = scenario
    assume(_documents_of(policies))
    before = evaluate(request, policies).value
    docs = _documents_of(policies)
    statement = named if docs[target % len(docs)] in _principal_docs(policies) else plain
    statement = dict(statement, Effect="Deny")
    after = evaluate(request, _with_statement(policies, target, statement)).value
    if before != "allowed":
        assert after != "allowed"
    if before == "explicitDeny":
        assert after == "explicitDeny"


def _principal_docs(policies: PolicySet) -> list[dict[str, Any]]:
    return [d for d in [policies.resource, *(d for lv in policies.rcps for d in lv)] if d]


@SETTINGS
@given(scenarios(), st.integers(0, 50), statements(), statements(True))
def test_adding_an_allow_never_turns_an_allow_into_a_denial(scenario, target, plain, named):
    request, policies = scenario
    assume(_documents_of(policies))
    before = evaluate(request, policies).value
    docs = _documents_of(policies)
    statement = named if docs[target % len(docs)] in _principal_docs(policies) else plain
    statement = dict(statement, Effect="Allow")
    statement.pop("NotPrincipal", None)
    if statement is named or "Principal" in statement:
        statement.setdefault("Principal", "*")
    after = evaluate(request, _with_statement(policies, target, statement)).value
    if before == "allowed":
        assert after == "allowed"


@SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_statement_and_policy_order_never_matter(scenario, rnd: random.Random):
    request, policies = scenario
    before = evaluate(request, policies).value
    shuffled = copy.deepcopy(policies)
    for document in _documents_of(shuffled):
        rnd.shuffle(document["Statement"])
    identity = list(shuffled.identity)
    rnd.shuffle(identity)
    scps = [list(level) for level in shuffled.scps]
    for level in scps:
        rnd.shuffle(level)
    rnd.shuffle(scps)
    reordered = PolicySet(
        tuple(identity),
        shuffled.boundary,
        shuffled.session,
        tuple(tuple(level) for level in scps),
        shuffled.rcps,
        shuffled.resource,
    )
    assert evaluate(request, reordered).value == before


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(ACTION_PATTERNS)
        | st.from_regex(r"[a-z*?]{1,4}:[A-Za-z*?]{0,8}", fullmatch=True),
        min_size=1,
        max_size=3,
    ),
    # sts:AssumeRole* also needs a trust policy, so identity policies alone never decide it.
    st.sampled_from([a for a in ACTIONS if a != "sts:AssumeRole"])
    | st.from_regex(r"[a-z]{1,4}:[A-Za-z]{0,8}", fullmatch=True),
)
def test_not_action_matches_exactly_what_action_does_not(patterns, action):
    statement = {"Effect": "Allow", "Action": patterns, "Resource": "*"}
    negated = {"Effect": "Allow", "NotAction": patterns, "Resource": "*"}
    plain = parse({"Statement": statement}).statements[0]
    inverse = parse({"Statement": negated}).statements[0]
    assert action_matches(plain, action.lower()) != action_matches(inverse, action.lower())
    request = Request(PRINCIPALS[0], action, "*", {})
    allowed = evaluate(request, PolicySet(identity=({"Statement": statement},))).allowed
    inverse_allowed = evaluate(request, PolicySet(identity=({"Statement": negated},))).allowed
    assert allowed != inverse_allowed


@SETTINGS
@given(scenarios())
def test_explanation_agrees_with_the_decision(scenario):
    request, policies = scenario
    decision = evaluate(request, policies)
    explanation = decision.explanation
    assert explanation.decision == decision.value
    results = {layer.result for layer in explanation.layers}
    if decision.value == "explicitDeny":
        assert "deny" in results and explanation.deciding
        assert all(ref.layer for ref in explanation.deciding)
    if decision.value == "allowed":
        assert all(layer.result != "deny" for layer in explanation.layers)


@SETTINGS
@given(scenarios(), st.sets(st.sampled_from(sorted(KEY_VALUES)), min_size=1), st.data())
def test_three_valued_agrees_with_every_completion(scenario, unknown, data):
    request, policies = scenario
    three = evaluate(
        Request(
            request.principal,
            request.action,
            request.resource,
            request.context,
            unknown_keys=frozenset(unknown),
        ),
        policies,
    )
    base = {k: v for k, v in request.context.items() if k not in {u.lower() for u in unknown}}
    outcomes = set()
    for _ in range(6):
        completion = dict(base)
        for key in unknown:
            choice = data.draw(st.sampled_from([None, *KEY_VALUES[key]]))
            if choice is not None:
                completion[key] = choice
        two = evaluate(
            Request(request.principal, request.action, request.resource, completion), policies
        ).value
        outcomes.add(two)
        if three.value == "conditional":
            assert two in three.possible
        else:
            assert two == three.value
    if three.value == "conditional":
        assert three.requirements


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=15,
    )
)
def test_evaluate_yields_a_decision_or_a_policy_error(junk):
    request = Request(PRINCIPALS[0], ACTIONS[0], RESOURCES[0], {})
    for policies in (
        PolicySet(identity=(junk,)),
        PolicySet(resource=junk),
        PolicySet(scps=((junk,),)),
    ):
        with contextlib.suppress(PolicyError):
            assert evaluate(request, policies).value in ("allowed", "explicitDeny", "implicitDeny")
