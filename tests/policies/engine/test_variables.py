"""Policy variables (IAM User Guide, "IAM policy elements: Variables and tags")."""

from __future__ import annotations

from typing import Any

import pytest

from policies.engine import PolicySet, Request, evaluate
from policies.engine.variables import Literal, Var, parse_template

USER = "arn:aws:iam::111122223333:user/alice"
CONTEXT = {
    "aws:username": "alice",
    "aws:userid": "AIDAEXAMPLE",
    "aws:PrincipalTag/team": "blue",
    "aws:PrincipalTag/star": "a*",
    "aws:ResourceTag/team": "blue",
    "aws:TagKeys": ["team", "stage"],
}


def allowed(
    resource_element: Any,
    resource: str,
    condition: dict[str, Any] | None = None,
    version: str | None = "2012-10-17",
    context: dict[str, Any] | None = None,
) -> bool:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "*", "Resource": resource_element}
    if condition:
        statement["Condition"] = condition
    policy: dict[str, Any] = {"Statement": [statement]}
    if version:
        policy["Version"] = version
    request = Request(USER, "s3:GetObject", resource, CONTEXT if context is None else context)
    return evaluate(request, PolicySet(identity=(policy,))).value == "allowed"


@pytest.mark.parametrize(
    ("element", "resource", "expected"),
    [
        ("arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:s3:::bucket/alice/x", True),
        ("arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:s3:::bucket/bob/x", False),
        ("arn:aws:s3:::bucket/${AWS:UserName}/*", "arn:aws:s3:::bucket/alice/x", True),
        ("arn:aws:s3:::bucket/${aws:userid}", "arn:aws:s3:::bucket/AIDAEXAMPLE", True),
        ("arn:aws:s3:::bucket/${aws:PrincipalTag/team}", "arn:aws:s3:::bucket/blue", True),
        ("arn:aws:s3:::bucket/${aws:principaltag/TEAM}", "arn:aws:s3:::bucket/blue", True),
        # A substituted value is literal: its * is not a wildcard.
        ("arn:aws:s3:::bucket/${aws:PrincipalTag/star}", "arn:aws:s3:::bucket/abc", False),
        ("arn:aws:s3:::bucket/${aws:PrincipalTag/star}", "arn:aws:s3:::bucket/a*", True),
        # ${*}, ${?}, ${$} are the literal characters.
        ("arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/*", True),
        ("arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/x", False),
        ("arn:aws:s3:::bucket/${?}", "arn:aws:s3:::bucket/?", True),
        ("arn:aws:s3:::bucket/${?}", "arn:aws:s3:::bucket/x", False),
        ("arn:aws:s3:::bucket/${$}x", "arn:aws:s3:::bucket/$x", True),
        # Defaults apply when the key is missing (and only then).
        ("arn:aws:s3:::b/${aws:PrincipalTag/dept, 'none'}", "arn:aws:s3:::b/none", True),
        ("arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}", "arn:aws:s3:::b/blue", True),
        ("arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}", "arn:aws:s3:::b/none", False),
        ("arn:aws:s3:::b/${aws:PrincipalTag/x,'it''s'}", "arn:aws:s3:::b/it's", True),
        # An unresolvable variable without default makes that entry never match...
        ("arn:aws:s3:::b/${aws:PrincipalTag/dept}", "arn:aws:s3:::b/", False),
        (
            "arn:aws:s3:::b/${aws:PrincipalTag/dept}",
            "arn:aws:s3:::b/${aws:PrincipalTag/dept}",
            False,
        ),
        # ...while other entries still can.
        (
            ["arn:aws:s3:::b/${aws:PrincipalTag/dept}", "arn:aws:s3:::b/*"],
            "arn:aws:s3:::b/x",
            True,
        ),
        # Multi-valued keys never substitute.
        ("arn:aws:s3:::b/${aws:TagKeys}", "arn:aws:s3:::b/team", False),
        ("arn:aws:s3:::b/${aws:TagKeys, 'd'}", "arn:aws:s3:::b/d", True),
        # A malformed reference is plain text.
        ("arn:aws:s3:::b/${aws:username", "arn:aws:s3:::b/${aws:username", True),
    ],
)
def test_resource_variables(element, resource, expected):
    assert allowed(element, resource) is expected


@pytest.mark.parametrize("version", [None, "2008-10-17"], ids=["no-version", "version-2008"])
def test_variables_are_literal_text_without_version_2012(version):
    literal = "arn:aws:s3:::bucket/${aws:username}"
    assert allowed(literal, literal, version=version)
    assert not allowed(literal, "arn:aws:s3:::bucket/alice", version=version)
    condition = {"StringEquals": {"aws:username": "${aws:username}"}}
    assert not allowed("*", "arn:aws:s3:::b", condition, version=version)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}, True),
        ({"StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}, False),
        ({"StringLike": {"aws:username": "${aws:PrincipalTag/star}"}}, False),
        ({"StringLike": {"aws:username": "a${*}"}}, False),
        ({"StringLike": {"aws:username": "${aws:username}*"}}, True),
        ({"StringEqualsIgnoreCase": {"aws:username": "${aws:PrincipalTag/upper, 'ALICE'}"}}, True),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/${aws:username}"}}, True),
        (
            {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/${aws:userid}"}},
            False,
        ),
        ({"Bool": {"aws:SecureTransport": "${aws:PrincipalTag/secure, 'true'}"}}, True),
        # The variable's key is missing: that value matches nothing (NotEquals then holds).
        ({"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/dept}"}}, False),
        ({"StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/dept}"}}, True),
        # Variables are not substituted for Numeric/Date/IP operators.
        ({"NumericEquals": {"k:n": "${k:n}"}}, False),
    ],
)
def test_condition_variables(condition, expected):
    context = CONTEXT | {"aws:SecureTransport": "true", "aws:PrincipalArn": USER, "k:n": "1"}
    assert allowed("*", "arn:aws:s3:::b", condition, context=context) is expected


def test_parse_template_parts():
    assert parse_template("plain") is None
    assert parse_template("a/${aws:username}/b") == (
        "a/",
        Var("aws:username", None, "${aws:username}"),
        "/b",
    )
    assert parse_template("${*}") == (Literal("*"),)
    assert parse_template("${ aws:x , 'd' }") == (Var("aws:x", "d", "${ aws:x , 'd' }"),)
    assert parse_template("${a b}") is None
    assert parse_template("${}") is None
