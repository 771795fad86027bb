"""parse(): the policy grammar, and errors that name the JSON path of the fault."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.engine import Policy, PolicyError, PrincipalSpec, parse

STATEMENT = {"Effect": "Allow", "Action": "mq:*", "Resource": "*"}


def policy(*statements: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements), **top}


def test_full_grammar():
    parsed = parse(
        {
            "Version": "2012-10-17",
            "Id": "5a0b9f3e",
            "Statement": [
                {
                    "Sid": "S1",
                    "Effect": "Deny",
                    "NotPrincipal": {"AWS": ["111122223333", "arn:aws:iam::1:user/a"]},
                    "NotAction": ["iam:*", "sts:*"],
                    "NotResource": "arn:aws:mq:*",
                    "Condition": {
                        "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b"]},
                        "Bool": {"aws:SecureTransport": False},
                        "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
                        "Null": {"aws:TokenIssueTime": "true"},
                    },
                },
                {"Effect": "Allow", "Principal": "*", "Action": "mq:List*"},
            ],
        }
    )
    assert isinstance(parsed, Policy)
    assert parsed.version == "2012-10-17" and parsed.id == "5a0b9f3e"
    first, second = parsed.statements
    assert first.sid == "S1" and first.is_deny and first.not_action and first.not_resource
    assert first.actions == ("iam:*", "sts:*") and first.resources == ("arn:aws:mq:*",)
    assert first.not_principal and first.principal == PrincipalSpec(
        aws=("111122223333", "arn:aws:iam::1:user/a")
    )
    ops = {(c.operator, c.base, c.set_op, c.if_exists, c.key, c.values) for c in first.conditions}
    assert ops == {
        (
            "ForAnyValue:StringLikeIfExists",
            "StringLike",
            "ForAnyValue",
            True,
            "aws:TagKeys",
            ("a*", "b"),
        ),
        ("Bool", "Bool", None, False, "aws:SecureTransport", ("false",)),
        ("NumericLessThan", "NumericLessThan", None, False, "aws:MultiFactorAuthAge", ("3600",)),
        ("Null", "Null", None, False, "aws:TokenIssueTime", ("true",)),
    }
    assert second.principal == PrincipalSpec(wildcard=True) and second.resources is None
    assert parsed.digest and len(parsed.digest) == 64


@pytest.mark.parametrize(
    "document",
    [
        {"Statement": STATEMENT},
        {"Version": "2008-10-17", "Statement": [STATEMENT]},
        json.dumps(policy(STATEMENT)),
        json.dumps(policy(STATEMENT)).encode(),
        policy(dict(STATEMENT, Principal={"Service": "mq.amazonaws.com"})),
        policy(dict(STATEMENT, Principal={"Federated": "cognito-identity.amazonaws.com"})),
        policy(dict(STATEMENT, Principal={"CanonicalUser": ["79a59df9"]})),
        policy(dict(STATEMENT, Principal={"AWS": "*"})),
        policy(dict(STATEMENT, Condition={})),
        policy(dict(STATEMENT, Condition={"StringEquals": {}})),
        policy(dict(STATEMENT, Condition={"StringEquals": {"k": []}})),
        policy(dict(STATEMENT, Condition={"NumericEquals": {"k": 1.5}})),
        policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "1"}}),
        policy(),
    ],
)
def test_accepts(document):
    assert isinstance(parse(document), Policy)


def test_parse_is_idempotent_on_policies():
    parsed = parse(policy(STATEMENT))
    assert parse(parsed) is parsed


def test_equal_content_has_equal_digest():
    a = parse({"Version": "2012-10-17", "Statement": [STATEMENT]})
    b = parse(
        '{"Statement": [{"Resource": "*", "Action": "mq:*", "Effect": "Allow"}], '
        '"Version": "2012-10-17"}'
    )
    assert a.digest == b.digest
    assert parse(policy(dict(STATEMENT, Action="mq:List*"))).digest != a.digest


@pytest.mark.parametrize(
    ("document", "path", "reason"),
    [
        ([], "", "policy document must be a JSON object"),
        ("not json", "", "not valid JSON"),
        ("[1, 2]", "", "policy document must be a JSON object"),
        (42, "", "policy document must be a JSON object"),
        ({}, "", "missing Statement"),
        ({"Version": "2012-10-17", "Statement": [], "Foo": 1}, "Foo", "unknown element"),
        ({"Version": "2020-01-01", "Statement": []}, "Version", "must be 2012-10-17 or 2008-10-17"),
        ({"Id": 5, "Statement": []}, "Id", "must be a string"),
        ({"Statement": "x"}, "Statement", "must be an object or a list of objects"),
        ({"Statement": ["x"]}, "Statement[0]", "statement must be a JSON object"),
        (policy(STATEMENT, {"Action": "*", "Resource": "*"}), "Statement[1]", "missing Effect"),
        ({"Statement": {"Action": "*"}}, "Statement", "missing Effect"),
        (policy(dict(STATEMENT, Effect="allow")), "Statement[0].Effect", "must be Allow or Deny"),
        (policy(dict(STATEMENT, Sid=1)), "Statement[0].Sid", "must be a string"),
        (policy(dict(STATEMENT, Foo=1)), "Statement[0].Foo", "unknown element"),
        (
            policy({"Effect": "Allow", "Resource": "*"}),
            "Statement[0]",
            "missing Action or NotAction",
        ),
        (
            policy(dict(STATEMENT, NotAction="x")),
            "Statement[0]",
            "Action and NotAction are mutually exclusive",
        ),
        (
            policy(dict(STATEMENT, NotResource="x")),
            "Statement[0]",
            "Resource and NotResource are mutually exclusive",
        ),
        (
            policy(dict(STATEMENT, Action=5)),
            "Statement[0].Action",
            "must be a string or a list of strings",
        ),
        (policy(dict(STATEMENT, Action=["a", 5])), "Statement[0].Action[1]", "must be a string"),
        (
            policy(dict(STATEMENT, Resource={"a": 1})),
            "Statement[0].Resource",
            "must be a string or a list of strings",
        ),
        (
            policy(dict(STATEMENT, Principal="arn:aws:iam::1:root")),
            "Statement[0].Principal",
            'must be "*" or an object of principal types',
        ),
        (
            policy(dict(STATEMENT, Principal={"User": "x"})),
            "Statement[0].Principal.User",
            "unknown principal type",
        ),
        (
            policy(dict(STATEMENT, Principal={"AWS": [1]})),
            "Statement[0].Principal.AWS[0]",
            "must be a string",
        ),
        (
            policy(dict(STATEMENT, Principal="*", NotPrincipal="*")),
            "Statement[0]",
            "Principal and NotPrincipal are mutually exclusive",
        ),
        (
            policy(dict(STATEMENT, Condition=[])),
            "Statement[0].Condition",
            "must be an object of condition operators",
        ),
        (
            policy(dict(STATEMENT, Condition={"StringEqual": {}})),
            "Statement[0].Condition.StringEqual",
            "unknown condition operator",
        ),
        (
            policy(dict(STATEMENT, Condition={"ForSomeValues:StringEquals": {}})),
            "Statement[0].Condition.ForSomeValues:StringEquals",
            "unknown condition operator",
        ),
        (
            policy(dict(STATEMENT, Condition={"NullIfExists": {}})),
            "Statement[0].Condition.NullIfExists",
            "unknown condition operator",
        ),
        (
            policy(dict(STATEMENT, Condition={"stringequals": {}})),
            "Statement[0].Condition.stringequals",
            "unknown condition operator",
        ),
        (
            policy(dict(STATEMENT, Condition={"StringLike": "x"})),
            "Statement[0].Condition.StringLike",
            "must be an object of condition keys",
        ),
        (
            policy(
                STATEMENT, STATEMENT, dict(STATEMENT, Condition={"StringLike": {"s3:prefix": {}}})
            ),
            "Statement[2].Condition.StringLike.s3:prefix",
            "value must be a string or list of strings",
        ),
        (
            policy(dict(STATEMENT, Condition={"StringLike": {"k": [None]}})),
            "Statement[0].Condition.StringLike.k",
            "value must be a string or list of strings",
        ),
        (
            policy(dict(STATEMENT, Condition={"StringLike": {"k": [["x"]]}})),
            "Statement[0].Condition.StringLike.k",
            "value must be a string or list of strings",
        ),
    ],
)
def test_errors_name_the_path(document, path, reason):
    with pytest.raises(PolicyError) as info:
        parse(document)
    assert info.value.path == path
    assert info.value.reason.startswith(reason)
    assert str(info.value) == (f"{path}: {info.value.reason}" if path else info.value.reason)


def test_error_text_format():
    document = policy(STATEMENT, STATEMENT, dict(STATEMENT, Condition={"StringLike": {"k": {}}}))
    with pytest.raises(PolicyError, match=r"^Statement\[2\]\.Condition\.StringLike\.k: value must"):
        parse(document)


def test_deep_nesting_and_huge_inputs_are_policy_errors():
    deep: Any = "x"
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(PolicyError):
        parse(policy(dict(STATEMENT, Action=deep)))
    with pytest.raises(PolicyError):
        parse("[" * 100_000 + "]" * 100_000)
    huge = "a" * 1_000_000
    assert parse(policy(dict(STATEMENT, Resource=huge))).statements[0].resources == (huge,)
    with pytest.raises(PolicyError):
        parse(policy(dict(STATEMENT, Condition={"NumericEquals": {"k": 10**5000}})))


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)
KEYS = st.sampled_from(
    [
        "Version",
        "Id",
        "Statement",
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
        "AWS",
        "Service",
        "StringLike",
        "ForAnyValue:StringEquals",
        "Null",
        "aws:TagKeys",
        "Allow",
        "Deny",
        "*",
        "2012-10-17",
    ]
)
GRAMMARISH = st.recursive(
    st.none() | st.booleans() | st.integers() | KEYS | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(JSON, GRAMMARISH, st.dictionaries(KEYS, GRAMMARISH, max_size=4)))
def test_any_json_yields_a_policy_or_a_policy_error(document):
    try:
        result = parse(document)
    except PolicyError:
        return
    assert isinstance(result, Policy)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60) | st.binary(max_size=60))
def test_any_text_yields_a_policy_or_a_policy_error(text):
    with contextlib.suppress(PolicyError):
        parse(text)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        KEYS,
        st.one_of(GRAMMARISH, st.just([STATEMENT]), st.just(STATEMENT)),
        max_size=4,
    )
)
def test_statement_level_fuzz(top):
    document = {"Statement": [dict(STATEMENT, **{k: v for k, v in top.items()})]}
    try:
        parse(document)
    except PolicyError as exc:
        assert exc.path.startswith("Statement") or exc.path == ""
