"""Hostile policy documents through parse, validate and evaluate: an answer, fast, never a crash.

The engine's own property tests (tests/policies/engine) check its logic on well-formed input;
these feed it what an attacker would: deep nesting, huge integers, unicode, wrong types for
every condition operator, and patterns with many wildcards against long request values (which
took exponential time in Python's backtracking ``re`` before the engine matched them with a
linear-time program).
"""

from __future__ import annotations

import re
import signal
import time
from contextlib import contextmanager, suppress

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.catalog import get_catalog
from policies.engine import PolicyError, PolicySet, Request, evaluate
from policies.engine.matching import (
    ARN,
    LIKE,
    RESOURCE,
    WildcardProgram,
    glob_regex,
    regex_matcher,
    wildcard_tokens,
)
from policies.engine.parse import BASE_OPERATORS, parse
from policies.engine.validate import KINDS, validate

CATALOG = get_catalog()
ACCOUNT = "111122223333"
LONG = "a" * 512
REQUEST = Request(
    f"arn:aws:iam::{ACCOUNT}:user/alice",
    "mq:CreateTags",
    f"arn:aws:mq:us-east-1:{ACCOUNT}:broker:{'a' * 50}:b-1",
    {
        "aws:RequestTag/team": LONG,
        "aws:username": LONG[:64],
        "aws:TagKeys": [LONG[:128]] * 10,
        "aws:SourceArn": f"arn:aws:iam::{ACCOUNT}:user/{LONG}",
    },
)
OPERATORS = sorted(
    f"{prefix}{base}{suffix}"
    for base in BASE_OPERATORS
    for prefix in ("", "ForAnyValue:", "ForAllValues:")
    for suffix in ("", "IfExists")
)
KEYS = ["aws:RequestTag/team", "aws:username", "aws:TagKeys", "aws:SourceArn", "aws:SourceIp"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


class TooSlow(Exception):
    """The engine took longer than the test allows for one document."""


@contextmanager
def time_limit(seconds: float):
    """Interrupt the block after ``seconds`` (re and the engine both check for signals)."""

    def expire(_signum, _frame):
        raise TooSlow(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_everything(document, kind: str = "identity") -> None:
    """Parse, validate (with the catalog) and evaluate in every layer; only PolicyError raises."""
    with suppress(PolicyError):
        parse(document)
    findings = validate(document, kind, catalog=CATALOG)
    assert isinstance(findings, list)
    for policies in (
        PolicySet(identity=(document,)),
        PolicySet(resource=document),
        PolicySet(scps=((document,),)),
        PolicySet(identity=(document,), boundary=document),
    ):
        try:
            decision = evaluate(REQUEST, policies)
        except PolicyError:
            continue
        assert decision.value in ("allowed", "explicitDeny", "implicitDeny")
        decision.to_dict(explain=True)


# Past str()'s digit limit (built lazily: hypothesis cannot even print such a constant).
HUGE_INTEGERS = st.integers(min_value=5000, max_value=5001).map(lambda n: 10**n)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    HUGE_INTEGERS,
    st.floats(),  # NaN and infinities included
    st.text(max_size=20),
    st.sampled_from(["*", "?", "${aws:username}", "${*}", "${", "\ud800", "\x00", "\u202e"]),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=6) | st.sampled_from(["Statement", "Effect"]), children)
    ),
    max_leaves=12,
)
odd_keys = HUGE_INTEGERS | st.sampled_from([None, 1.5, (1, 2), True, "Bogus", ""])


@st.composite
def hostile_documents(draw):
    """A well-formed skeleton with one hostile value or key planted somewhere."""
    statement = {"Effect": "Allow", "Action": "mq:*", "Resource": "*"}
    where = draw(
        st.sampled_from(
            [
                "Effect",
                "Action",
                "Resource",
                "Principal",
                "Sid",
                "Condition",
                "key",
                "top-key",
                "Version",
                "Statement",
            ]
        )
    )
    value = draw(json_values)
    document: dict = {"Version": "2012-10-17", "Statement": [statement]}
    if where == "Condition":
        statement["Condition"] = {
            draw(st.sampled_from(OPERATORS)): {draw(st.sampled_from(KEYS)): value}
        }
    elif where == "key":
        statement[draw(odd_keys)] = value
    elif where == "top-key":
        document[draw(odd_keys)] = value
    elif where in ("Version", "Statement"):
        document[where] = value
    else:
        statement[where] = value
    return document


@SETTINGS
@given(document=hostile_documents(), kind=st.sampled_from(sorted(KINDS)))
def test_hostile_values_give_a_result_or_a_policy_error(document, kind):
    with time_limit(5):
        run_everything(document, kind)


@SETTINGS
@given(depth=st.integers(min_value=900, max_value=5000), as_list=st.booleans())
def test_deep_nesting_is_refused_cleanly(depth, as_list):
    value: object = "mq:*"
    for _ in range(depth):
        value = [value] if as_list else {"Statement": value}
    for document in (
        value,
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": value}]},
    ):
        with time_limit(5):
            run_everything(document)


@SETTINGS
@given(
    unit=st.sampled_from(["*a", "*?", "?*", "*a*", "a*?*", "*:", "*a:"]),
    count=st.integers(min_value=8, max_value=60),
    end=st.sampled_from(["b", "", "x:*", "?"]),
    where=st.sampled_from(["Action", "Resource", "StringLike", "ArnLike"]),
)
def test_many_wildcards_against_long_values_stay_fast(unit, count, end, where):
    pattern = unit * count + end
    statement: dict = {"Effect": "Allow", "Action": "mq:*", "Resource": "*"}
    if where == "Action":
        statement["Action"] = f"mq:{pattern}"
    elif where == "Resource":
        statement["Resource"] = f"arn:aws:mq:*:*:broker:{pattern}"
    elif where == "StringLike":
        statement["Condition"] = {"StringLike": {"aws:RequestTag/team": pattern}}
    else:
        statement["Condition"] = {"ArnLike": {"aws:SourceArn": f"arn:aws:iam::*:{pattern}"}}
    document = {"Version": "2012-10-17", "Statement": [statement]}
    started = time.perf_counter()
    with time_limit(5):
        run_everything(document)
    assert time.perf_counter() - started < 1.0


@SETTINGS
@given(
    pattern=st.text(alphabet="ab:*?.\\[", max_size=12),
    value=st.text(alphabet="ab:*?.\\[\n", max_size=14),
    mode=st.sampled_from([LIKE, RESOURCE, ARN]),
)
def test_the_linear_matcher_agrees_with_the_regular_expression(pattern, value, mode):
    source = glob_regex((pattern,), mode)
    program = WildcardProgram(wildcard_tokens(source))
    assert program.fullmatch(value) == bool(re.fullmatch(source, value, re.DOTALL))


def test_patterns_that_could_backtrack_use_the_linear_matcher():
    matcher = regex_matcher(glob_regex(("*a*a*a*a*a*a*a*a*a*a*b",), LIKE))
    assert isinstance(getattr(matcher, "__self__", None), WildcardProgram)
    with time_limit(2):
        assert not matcher("a" * 512)
    assert matcher("a" * 10 + "b")


@pytest.mark.parametrize("text", ["[" * 100_000, '{"Statement": ' * 50_000, "\ud800", "\x00"])
def test_hostile_json_text_is_a_finding_or_a_policy_error(text):
    with time_limit(5):
        run_everything(text)
