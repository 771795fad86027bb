"""Action and resource matching rules (IAM JSON policy elements: Action, Resource)."""

from __future__ import annotations

import pytest

from policies.engine.matching import ACTION, ARN, LIKE, RESOURCE, compile_any, compile_pattern

BROKER = "arn:aws:mq:us-east-1:111122223333:broker:orders:b-1234"


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("mq:RebootBroker", "mq:rebootbroker", True),
        ("MQ:REBOOTBROKER", "mq:rebootbroker", True),
        ("mq:*", "mq:rebootbroker", True),
        ("mq:*", "iam:getuser", False),
        ("*", "iam:getuser", True),
        ("mq:Reboot*", "mq:rebootbroker", True),
        ("mq:*Broker", "mq:rebootbroker", True),
        ("mq:*Broker", "mq:listbrokers", False),
        ("mq:*Broker*", "mq:listbrokers", True),
        ("mq:Re?ootBroker", "mq:rebootbroker", True),
        ("mq:Re?ootBroker", "mq:reboootbroker", False),
        ("mq:Update?", "mq:updateuser", False),
        ("mq:*User", "mq:updateuser", True),
        ("mq", "mq:listbrokers", False),
        ("mq:List*", "mqx:listbrokers", False),
    ],
)
def test_action_patterns(pattern, action, expected):
    assert bool(compile_pattern(pattern, ACTION)(action)) is expected


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        ("*", BROKER, True),
        ("*", "*", True),
        (BROKER, BROKER, True),
        (BROKER.upper(), BROKER, False),  # resources are case-sensitive
        ("arn:aws:mq:*", BROKER, True),  # a * ending a segment spans colons
        ("arn:aws:mq:*", "*", False),
        ("arn:aws:mq:*:111122223333:broker:*", BROKER, True),
        ("arn:aws:mq:*:111122223333:broker:orders:*", BROKER, True),
        ("arn:aws:mq:*:111122223333:broker:ord*:b-1234", BROKER, True),
        ("arn:aws:mq:*:111122223333:broker:o*s:b-1234", BROKER, True),
        ("arn:aws:mq:*:111122223333:broker:o*4", BROKER, False),  # mid-segment * stops at :
        ("arn:aws:mq:us-east-?:111122223333:broker:orders:b-1234", BROKER, True),
        ("arn:aws:mq:us-east-1:111122223333:broker?orders:b-1234", BROKER, False),
        ("arn:aws:mq:*:*:broker:*", BROKER, True),
        ("arn:aws:mq:*:444455556666:broker:*", BROKER, False),
        ("arn:aws:mq:us-east-1:111122223333:broker:Orders:*", BROKER, False),
        ("arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:user/a/b/c", True),
        ("arn:aws:iam::111122223333:user/*/admin", "arn:aws:iam::111122223333:user/x/admin", True),
        ("arn:aws:iam::*:role/ops/*", "arn:aws:iam::111122223333:role/ops/r", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt", True),
        ("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/a", False),
    ],
)
def test_resource_patterns(pattern, resource, expected):
    assert bool(compile_pattern(pattern, RESOURCE)(resource)) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*", "anything:at/all", True),
        ("a*c", "a:b/c", True),
        ("a?c", "a:c", True),
        ("", "", True),
        ("", "x", False),
    ],
)
def test_like_patterns_span_every_character(pattern, value, expected):
    assert bool(compile_pattern(pattern, LIKE)(value)) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/a:b", True),
        ("arn:aws:*:*:*:*", BROKER, True),
        ("arn:*:mq:*:111122223333:*", BROKER, True),
        ("arn:aws:mq:*:1111*:broker:*", BROKER, True),
        ("arn:aws:mq:us-*-1:111122223333:broker:orders:b-1234", BROKER, True),
        ("arn:aws:mq:*", BROKER, True),  # fewer than six parts: a plain wildcard string
        ("*", BROKER, True),
        ("arn:aws:mq:*:111122223333:broker:orders", BROKER, False),
    ],
)
def test_arn_patterns(pattern, value, expected):
    assert bool(compile_pattern(pattern, ARN)(value)) is expected


def test_compile_any_is_an_or():
    match = compile_any(("mq:List*", "mq:describebroker", "iam:get?ser"), ACTION)
    assert match("mq:listbrokers")
    assert match("mq:describebroker")
    assert match("iam:getuser")
    assert not match("mq:rebootbroker")
    assert not compile_any((), ACTION)("mq:x")
