"""validate() on arbitrary input: always a list of findings, never an exception."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.catalog import get_catalog
from policies.engine.validate import KINDS, Finding, locate, policy_size, validate, validate_text

CATALOG = get_catalog()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)

# Pieces that steer random documents into the validator's deeper paths.
words = st.sampled_from(
    [
        "*",
        "mq:*",
        "mq:ListBrokers",
        "mq:RebootBroker",
        "iam:PassRole",
        "iam:Pass*",
        "s3:Get?bject",
        "sts:AssumeRole",
        "foo:Bar",
        "arn:aws:mq:*:*:broker:*",
        "arn:aws:mq:us-east-1:111122223333:configuration:c-1",
        "arn:aws:iam::111122223333:role/*",
        "arn:aws:s3:::b/${aws:username}/*",
        "${*}${?}${",
        "arn:*",
        "10.0.0.0/8",
        "2026-01-01T00:00:00Z",
        "true",
        "o-*",
        "",
    ]
)
strings = words | st.text(max_size=10)
string_or_list = strings | st.lists(strings, max_size=4)
operators = st.sampled_from(
    [
        "StringEquals",
        "StringLike",
        "ForAnyValue:StringEquals",
        "ForAllValues:StringLike",
        "NumericLessThan",
        "DateGreaterThan",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "ArnLike",
        "Null",
        "NullIfExists",
        "StringEqualsIfExists",
        "Bogus",
    ]
)
keys = st.sampled_from(
    [
        "aws:SourceIp",
        "aws:username",
        "aws:TagKeys",
        "aws:ResourceTag/team",
        "aws:PrincipalOrgID",
        "aws:EpochTime",
        "mq:Nope",
        "iam:PassedToService",
        "nokey",
    ]
)
conditions = st.dictionaries(
    operators,
    st.dictionaries(keys, scalars | st.lists(scalars | words, max_size=3), max_size=3),
    max_size=3,
)
principals = st.sampled_from(["*", {"AWS": "*"}, {"AWS": ["111122223333", "x*"]}]) | json_values
statement = st.fixed_dictionaries(
    {},
    optional={
        "Sid": strings | json_values,
        "Effect": st.sampled_from(["Allow", "Deny", "allow"]) | json_values,
        "Action": string_or_list,
        "NotAction": string_or_list,
        "Resource": string_or_list | json_values,
        "NotResource": string_or_list,
        "Principal": principals,
        "NotPrincipal": principals,
        "Condition": conditions | json_values,
    },
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "Version": st.sampled_from(["2012-10-17", "2008-10-17", "1"]) | json_values,
        "Statement": statement | st.lists(statement | json_values, max_size=4) | json_values,
        "Id": strings,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=json_values | documents, kind=st.sampled_from(sorted(KINDS)))
def test_validate_never_raises(document, kind):
    for catalog in (None, CATALOG):
        findings = validate(document, kind, catalog=catalog)
        assert isinstance(findings, list)
        assert all(isinstance(f, Finding) for f in findings)
        for finding in findings:
            assert isinstance(finding.to_dict()["message"], str)
    assert policy_size(document) >= 0


@settings(max_examples=200, deadline=None)
@given(document=documents, kind=st.sampled_from(sorted(KINDS)))
def test_every_finding_path_locates_in_the_text(document, kind):
    text = json.dumps(document, indent=2)
    for finding in validate(document, kind, catalog=CATALOG):
        position = locate(text, finding.path)
        assert position is not None
        line, column = position
        assert 1 <= line <= text.count("\n") + 1 and column >= 1


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60), path=st.text(max_size=20))
def test_locate_and_validate_text_tolerate_any_text(text, path):
    position = locate(text, path)
    assert position is None or (position[0] >= 1 and position[1] >= 1)
    assert isinstance(validate_text(text, "identity"), list)
