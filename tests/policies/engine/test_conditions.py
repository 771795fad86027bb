"""Condition operators, one documented behaviour per row (IAM condition operator reference)."""

from __future__ import annotations

from typing import Any

import pytest

from policies.engine import PolicySet, Request, evaluate

USER = "arn:aws:iam::111122223333:user/alice"
BROKER = "arn:aws:mq:us-east-1:111122223333:broker:orders:b-1"


def holds(condition: dict[str, Any], context: dict[str, Any], version: str = "2012-10-17"):
    """Whether ``condition`` holds for ``context`` (via a one-statement Allow policy)."""
    policy = {
        "Version": version,
        "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition},
    }
    request = Request(USER, "mq:RebootBroker", BROKER, context)
    return evaluate(request, PolicySet(identity=(policy,))).value == "allowed"


def c(op: str, key: str, value: Any) -> dict[str, Any]:
    return {op: {key: value}}


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        # String: case-sensitive unless IgnoreCase; only *Like has wildcards.
        (c("StringEquals", "aws:username", "alice"), {"aws:username": "alice"}, True),
        (c("StringEquals", "aws:username", "alice"), {"aws:username": "Alice"}, False),
        (c("StringEquals", "aws:username", "al*"), {"aws:username": "alice"}, False),
        (c("StringEquals", "aws:username", "al*"), {"aws:username": "al*"}, True),
        (c("StringEquals", "aws:username", ["bob", "alice"]), {"aws:username": "alice"}, True),
        (c("StringNotEquals", "aws:username", ["bob", "carol"]), {"aws:username": "alice"}, True),
        (c("StringNotEquals", "aws:username", ["bob", "alice"]), {"aws:username": "alice"}, False),
        (c("StringEqualsIgnoreCase", "aws:username", "ALICE"), {"aws:username": "alice"}, True),
        (c("StringNotEqualsIgnoreCase", "aws:username", "ALICE"), {"aws:username": "Alice"}, False),
        (c("StringNotEqualsIgnoreCase", "aws:username", "bob"), {"aws:username": "Alice"}, True),
        (c("StringLike", "aws:username", "a*e"), {"aws:username": "alice"}, True),
        (c("StringLike", "aws:username", "al?ce"), {"aws:username": "alice"}, True),
        (c("StringLike", "aws:username", "al?ce"), {"aws:username": "allice"}, False),
        (c("StringLike", "aws:username", "A*"), {"aws:username": "alice"}, False),
        (c("StringLike", "s3:prefix", "home/*"), {"s3:prefix": "home/a/b:c"}, True),
        (c("StringLike", "aws:username", ["x*", "*ce"]), {"aws:username": "alice"}, True),
        (c("StringNotLike", "aws:username", ["x*", "*ce"]), {"aws:username": "alice"}, False),
        (c("StringNotLike", "aws:username", ["x*", "y*"]), {"aws:username": "alice"}, True),
        # Numeric: integers and decimals, compared as numbers.
        (
            c("NumericEquals", "aws:MultiFactorAuthAge", "10"),
            {"aws:MultiFactorAuthAge": "10"},
            True,
        ),
        (
            c("NumericEquals", "aws:MultiFactorAuthAge", 10),
            {"aws:MultiFactorAuthAge": "10.0"},
            True,
        ),
        (
            c("NumericNotEquals", "aws:MultiFactorAuthAge", "10"),
            {"aws:MultiFactorAuthAge": "11"},
            True,
        ),
        (
            c("NumericLessThan", "aws:MultiFactorAuthAge", "3600"),
            {"aws:MultiFactorAuthAge": "3599"},
            True,
        ),
        (
            c("NumericLessThan", "aws:MultiFactorAuthAge", "3600"),
            {"aws:MultiFactorAuthAge": "3600"},
            False,
        ),
        (c("NumericLessThanEquals", "k:n", "3600"), {"k:n": "3600"}, True),
        (c("NumericGreaterThan", "k:n", "1.5"), {"k:n": "1.75"}, True),
        (c("NumericGreaterThan", "k:n", "1.5"), {"k:n": "1.5"}, False),
        (c("NumericGreaterThanEquals", "k:n", "-2"), {"k:n": "-2"}, True),
        (c("NumericLessThan", "k:n", ["1", "100"]), {"k:n": "50"}, True),
        (c("NumericLessThan", "k:n", "10"), {"k:n": "ten"}, False),
        # Date: ISO 8601 (W3C profile) or epoch seconds, on either side.
        (
            c("DateLessThan", "aws:CurrentTime", "2026-01-01T00:00:00Z"),
            {"aws:CurrentTime": "2025-12-31T23:59:59Z"},
            True,
        ),
        (
            c("DateLessThan", "aws:CurrentTime", "2026-01-01"),
            {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
            False,
        ),
        (
            c("DateLessThanEquals", "aws:CurrentTime", "2026-01-01"),
            {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
            True,
        ),
        (
            c("DateEquals", "aws:CurrentTime", "2026-01-01T02:00:00+02:00"),
            {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
            True,
        ),
        (
            c("DateNotEquals", "aws:CurrentTime", "2026-01-01T00:00:00Z"),
            {"aws:CurrentTime": "2026-01-01T00:00:00.000Z"},
            False,
        ),
        (
            c("DateGreaterThan", "aws:EpochTime", "2026-01-01T00:00:00Z"),
            {"aws:EpochTime": "1767225601"},
            True,
        ),
        (
            c("DateGreaterThan", "aws:CurrentTime", "1767225600"),
            {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
            False,
        ),
        (
            c("DateGreaterThanEquals", "aws:CurrentTime", 1767225600),
            {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
            True,
        ),
        (
            c("DateLessThan", "aws:CurrentTime", "2026-03-15T08:30:00.5Z"),
            {"aws:CurrentTime": "2026-03-15T08:30:00Z"},
            True,
        ),
        (
            c("DateGreaterThan", "aws:TokenIssueTime", "2026-03-15T08:30:00-05:00"),
            {"aws:TokenIssueTime": "2026-03-15T13:30:01Z"},
            True,
        ),
        (c("DateLessThan", "aws:CurrentTime", "2026"), {"aws:CurrentTime": "2025-12-31"}, True),
        (
            c("DateLessThan", "aws:CurrentTime", "not a date"),
            {"aws:CurrentTime": "2025-12-31"},
            False,
        ),
        # Bool: "true"/"false", quoted or JSON literals.
        (c("Bool", "aws:SecureTransport", "true"), {"aws:SecureTransport": "true"}, True),
        (c("Bool", "aws:SecureTransport", True), {"aws:SecureTransport": "true"}, True),
        (c("Bool", "aws:SecureTransport", "false"), {"aws:SecureTransport": "true"}, False),
        (c("Bool", "aws:SecureTransport", "true"), {"aws:SecureTransport": True}, True),
        (c("Bool", "aws:MultiFactorAuthPresent", "false"), {}, False),
        # Binary: base64 bytes.
        (c("BinaryEquals", "k:blob", "QmluYXJ5VmFsdWU="), {"k:blob": "QmluYXJ5VmFsdWU="}, True),
        (c("BinaryEquals", "k:blob", "QmluYXJ5VmFsdWU="), {"k:blob": "b3RoZXI="}, False),
        # IP: CIDR, bare address = /32 or /128, IPv4 and IPv6, family mismatch never matches.
        (c("IpAddress", "aws:SourceIp", "203.0.113.0/24"), {"aws:SourceIp": "203.0.113.7"}, True),
        (c("IpAddress", "aws:SourceIp", "203.0.113.0/24"), {"aws:SourceIp": "203.0.114.7"}, False),
        (c("IpAddress", "aws:SourceIp", "203.0.113.7"), {"aws:SourceIp": "203.0.113.7"}, True),
        (c("IpAddress", "aws:SourceIp", "203.0.113.7"), {"aws:SourceIp": "203.0.113.8"}, False),
        (c("IpAddress", "aws:SourceIp", "2001:db8::/32"), {"aws:SourceIp": "2001:db8:1::5"}, True),
        (c("IpAddress", "aws:SourceIp", "2001:db8::/32"), {"aws:SourceIp": "203.0.113.7"}, False),
        (
            c("IpAddress", "aws:SourceIp", ["10.0.0.0/8", "2001:db8::/32"]),
            {"aws:SourceIp": "2001:db8::1"},
            True,
        ),
        (
            c("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"),
            {"aws:SourceIp": "198.51.100.1"},
            True,
        ),
        (
            c("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"),
            {"aws:SourceIp": "203.0.113.1"},
            False,
        ),
        (c("NotIpAddress", "aws:SourceIp", "0.0.0.0/0"), {"aws:SourceIp": "2001:db8::1"}, True),
        # ARN: six parts compared one by one; Equals and Like behave the same.
        (
            c("ArnEquals", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/*"),
            {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/a/b"},
            True,
        ),
        (
            c("ArnLike", "aws:SourceArn", "arn:aws:mq:*:111122223333:broker:*"),
            {"aws:SourceArn": "arn:aws:mq:eu-west-1:111122223333:broker:x:b-1"},
            True,
        ),
        (
            c("ArnLike", "aws:SourceArn", "arn:aws:mq:*:111122223333:broker:*"),
            {"aws:SourceArn": "arn:aws:mq:eu-west-1:999922223333:broker:x:b-1"},
            False,
        ),
        (
            c("ArnLike", "aws:SourceArn", "arn:aws:*:*:111122223333:*"),
            {"aws:SourceArn": "arn:aws:mq:a:b:c:111122223333:x"},
            False,
        ),
        (
            c("ArnLike", "aws:SourceArn", "arn:aws:iam::111122223333:user/?ob"),
            {"aws:SourceArn": "arn:aws:iam::111122223333:user/bob"},
            True,
        ),
        (
            c("ArnEquals", "aws:SourceArn", "arn:aws:iam::111122223333:user/bob"),
            {"aws:SourceArn": "arn:aws:iam::111122223333:user/Bob"},
            False,
        ),
        (
            c("ArnLike", "aws:SourceArn", "arn:aws:iam::111122223333:user/bob"),
            {"aws:SourceArn": "not-an-arn"},
            False,
        ),
        (
            c("ArnNotEquals", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/Admin"),
            {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/alice"},
            True,
        ),
        (
            c("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:user/*"),
            {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/alice"},
            False,
        ),
    ],
)
def test_operator(condition, context, expected):
    assert holds(condition, context) is expected


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        # A missing key: positive operators false, negated operators true.
        ("StringEquals", False),
        ("StringNotEquals", True),
        ("StringEqualsIgnoreCase", False),
        ("StringNotEqualsIgnoreCase", True),
        ("StringLike", False),
        ("StringNotLike", True),
        ("NumericEquals", False),
        ("NumericNotEquals", True),
        ("NumericLessThan", False),
        ("DateEquals", False),
        ("DateNotEquals", True),
        ("DateGreaterThan", False),
        ("Bool", False),
        ("BinaryEquals", False),
        ("IpAddress", False),
        ("NotIpAddress", True),
        ("ArnEquals", False),
        ("ArnLike", False),
        ("ArnNotEquals", True),
        ("ArnNotLike", True),
        # ...IfExists: a missing key makes the condition true, whatever the operator.
        ("StringEqualsIfExists", True),
        ("StringNotEqualsIfExists", True),
        ("NumericLessThanIfExists", True),
        ("DateLessThanIfExists", True),
        ("BoolIfExists", True),
        ("BinaryEqualsIfExists", True),
        ("IpAddressIfExists", True),
        ("NotIpAddressIfExists", True),
        ("ArnLikeIfExists", True),
        ("ArnNotLikeIfExists", True),
        # Set operators on a missing key: ForAllValues true, ForAnyValue false.
        ("ForAllValues:StringEquals", True),
        ("ForAllValues:StringNotEquals", True),
        ("ForAnyValue:StringEquals", False),
        ("ForAnyValue:StringNotLike", False),
        ("ForAnyValue:StringEqualsIfExists", True),
    ],
)
def test_missing_key(operator, expected):
    value = {"Bool": "true", "BinaryEquals": "QQ=="}.get(operator.removesuffix("IfExists"), "1")
    if "Ip" in operator:
        value = "10.0.0.0/8"
    if "Arn" in operator:
        value = "arn:aws:iam::1:user/x"
    assert holds(c(operator, "k:absent", value), {"k:present": "1"}) is expected


@pytest.mark.parametrize(
    ("operator", "context", "expected"),
    [
        ("StringEqualsIfExists", {"k:v": "yes"}, True),
        ("StringEqualsIfExists", {"k:v": "no"}, False),
        ("StringNotEqualsIfExists", {"k:v": "yes"}, False),
        ("StringNotEqualsIfExists", {"k:v": "no"}, True),
    ],
)
def test_if_exists_applies_the_operator_when_present(operator, context, expected):
    assert holds(c(operator, "k:v", "yes"), context) is expected


@pytest.mark.parametrize(
    ("value", "context", "expected"),
    [
        ("true", {}, True),
        ("true", {"aws:TokenIssueTime": "2026-01-01T00:00:00Z"}, False),
        ("false", {"aws:TokenIssueTime": "2026-01-01T00:00:00Z"}, True),
        ("false", {}, False),
        (True, {}, True),
        (["true", "false"], {}, True),
        ("true", {"aws:TokenIssueTime": []}, True),  # an empty list is no value
        ("false", {"aws:TokenIssueTime": ""}, True),  # an empty string is a value
    ],
)
def test_null(value, context, expected):
    assert holds(c("Null", "aws:TokenIssueTime", value), context) is expected


@pytest.mark.parametrize(
    ("operator", "policy", "request_keys", "expected"),
    [
        # ForAllValues: every request value must match some policy value; empty/absent = true.
        ("ForAllValues:StringEquals", ["a", "b"], ["a"], True),
        ("ForAllValues:StringEquals", ["a", "b"], ["a", "b"], True),
        ("ForAllValues:StringEquals", ["a", "b"], ["a", "c"], False),
        ("ForAllValues:StringEquals", ["a"], [], True),
        ("ForAllValues:StringEquals", ["a"], "", True),
        ("ForAllValues:StringEquals", ["a"], None, True),
        ("ForAllValues:StringLike", ["team*"], ["team", "teamlead"], True),
        ("ForAllValues:StringEqualsIgnoreCase", ["A"], ["a"], True),
        # ForAnyValue: at least one request value matches; empty/absent = false.
        ("ForAnyValue:StringEquals", ["a", "b"], ["c", "b"], True),
        ("ForAnyValue:StringEquals", ["a", "b"], ["c", "d"], False),
        ("ForAnyValue:StringEquals", ["a"], [], False),
        ("ForAnyValue:StringEquals", ["a"], None, False),
        ("ForAnyValue:StringLike", ["*"], ["x"], True),
        # Negated inner operators: "satisfies" = matches none of the policy values.
        ("ForAllValues:StringNotEquals", ["a", "b"], ["c", "d"], True),
        ("ForAllValues:StringNotEquals", ["a", "b"], ["c", "a"], False),
        ("ForAllValues:StringNotEquals", ["a"], [], True),
        ("ForAnyValue:StringNotEquals", ["a", "b"], ["a", "c"], True),
        ("ForAnyValue:StringNotEquals", ["a", "b"], ["a", "b"], False),
        ("ForAnyValue:StringNotLike", ["a*"], ["ab", "ac"], False),
        # A single string is a set of one.
        ("ForAllValues:StringEquals", ["a"], "a", True),
        ("ForAnyValue:StringEquals", ["a"], "b", False),
        # Unprefixed operators on a list: positive = any value matches, negated = none does.
        ("StringEquals", ["a"], ["b", "a"], True),
        ("StringEquals", ["a"], ["b", "c"], False),
        ("StringNotEquals", ["a"], ["b", "a"], False),
        ("StringNotEquals", ["a"], ["b", "c"], True),
        ("StringEquals", ["a"], [], False),
        ("StringNotEquals", ["a"], [], True),
    ],
)
def test_multivalued_keys(operator, policy, request_keys, expected):
    context = {} if request_keys is None else {"aws:TagKeys": request_keys}
    assert holds(c(operator, "aws:TagKeys", policy), context) is expected


def test_operators_and_keys_are_anded_values_ored():
    condition = {
        "StringEquals": {"aws:username": ["bob", "alice"], "aws:RequestedRegion": "us-east-1"},
        "Bool": {"aws:SecureTransport": "true"},
    }
    context = {"aws:username": "alice", "aws:RequestedRegion": "us-east-1"}
    assert holds(condition, context | {"aws:SecureTransport": "true"})
    assert not holds(condition, context | {"aws:SecureTransport": "false"})
    assert not holds(condition, context | {"aws:RequestedRegion": "eu-west-1"})


@pytest.mark.parametrize(
    ("policy_key", "context_key"),
    [
        ("aws:username", "AWS:UserName"),
        ("AWS:CURRENTTIME", "aws:CurrentTime"),
        ("aws:PrincipalTag/Team", "aws:principaltag/team"),
        ("aws:ResourceTag/costCenter", "aws:ResourceTag/CostCenter"),
        ("aws:RequestTag/Owner", "AWS:REQUESTTAG/OWNER"),
    ],
)
def test_condition_key_names_are_case_insensitive(policy_key, context_key):
    assert holds(c("StringEquals", policy_key, "v"), {context_key: "v"})
    assert not holds(c("StringEquals", policy_key, "V"), {context_key: "v"})


def test_numbers_and_booleans_as_json_literals():
    assert holds(c("NumericLessThan", "k:n", 5), {"k:n": "4"})
    assert holds(c("NumericEquals", "k:n", 2.5), {"k:n": "2.50"})
    assert holds(c("StringEquals", "k:n", 5), {"k:n": "5"})
    assert holds(c("Bool", "k:b", False), {"k:b": "false"})


def test_unparsable_policy_values_never_match():
    assert not holds(c("IpAddress", "aws:SourceIp", "not-an-ip"), {"aws:SourceIp": "1.2.3.4"})
    assert holds(c("NotIpAddress", "aws:SourceIp", "not-an-ip"), {"aws:SourceIp": "1.2.3.4"})
    assert not holds(c("NumericEquals", "k:n", "x"), {"k:n": "x"})
