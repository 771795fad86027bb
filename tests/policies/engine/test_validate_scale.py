"""Validation of large documents: refused for size before parsing, otherwise the same findings
as the definitions (redundancy by every pair, a location per finding). Results only: the timing
is ``benchmarks/validate.py``'s.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.catalog import get_catalog
from policies.engine.validate import Locator, locate, policy_size, size_limit, validate_text
from policies.engine.validation import validate
from policies.engine.validation.document import statements
from policies.engine.validation.globs import Budget, GlobSet
from policies.engine.validation.report import Report
from policies.engine.validation.size import size_lower_bound
from policies.engine.validation.structure import (
    _comparable,
    _Shape,
    check_entries,
    check_redundant_statements,
)
from policies.summary import editor_report

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def catalog():
    return get_catalog()


def _thousand(statement=None) -> list[dict[str, Any]]:
    statement = statement or (
        lambda i: {
            "Sid": f"S{i}",
            "Effect": "Allow",
            "Action": ["mq:DescribeBroker", "mq:RebootBroker"],
            "Resource": f"arn:aws:mq:us-east-1:{ACCOUNT}:broker:orders{i}:*",
        }
    )
    return [statement(i) for i in range(1000)]


def test_a_1000_statement_identity_policy_is_only_refused_for_its_size(catalog):
    document = {"Version": "2012-10-17", "Statement": _thousand()}
    limit = size_limit("identity")
    for findings in (
        validate_text(json.dumps(document, indent=2), "identity", catalog=catalog),
        validate(document, "identity", catalog=catalog),
    ):
        assert [(f.code, f.path) for f in findings] == [("POLICY_SIZE_EXCEEDED", "")]
        assert f"{limit:,}" in findings[0].message


@pytest.mark.parametrize(
    ("kind", "entity"),
    [("identity", None), ("identity", "user"), ("identity", "role"), ("trust", None)],
)
def test_an_oversized_text_is_refused_before_it_is_parsed(catalog, kind, entity):
    # The text is not even JSON (it is cut short): parsing it would give a syntax error.
    text = json.dumps({"Version": "2012-10-17", "Statement": _thousand()})[:-40]
    findings = validate_text(text, kind, catalog=catalog, entity=entity)
    assert [f.code for f in findings] == ["POLICY_SIZE_EXCEEDED"]
    assert f"{size_limit(kind, entity):,}" in findings[0].message


def test_the_editor_does_not_summarize_an_oversized_document(catalog):
    text = json.dumps({"Version": "2012-10-17", "Statement": _thousand()}, indent=2)
    report = editor_report(text, "identity", catalog)
    assert [f.code for f in report.findings] == ["POLICY_SIZE_EXCEEDED"]
    assert report.summary is None
    assert report.size == policy_size(json.loads(text))


def test_a_1000_statement_resource_policy_gets_every_finding_located(catalog):
    # No IAM size limit for resource policies, so every check runs: each statement names an
    # unknown action, and statements 500-999 repeat statements 0-499.
    def statement(i: int) -> dict[str, Any]:
        return {
            "Effect": "Allow",
            "Principal": "*",
            "Action": f"mq:Reboot{i % 500}",
            "Resource": "*",
        }

    items = _thousand(statement)
    lines = [json.dumps(s, separators=(",", ":")) for s in items]
    text = '{"Version":"2012-10-17","Statement":[\n' + ",\n".join(lines) + "\n]}"
    report = editor_report(text, "resource", catalog)
    unknown = [f for f in report.findings if f.code == "UNKNOWN_ACTION"]
    redundant = [f for f in report.findings if f.code == "REDUNDANT_STATEMENT"]
    assert [f.path for f in unknown] == [f"Statement[{i}].Action" for i in range(1000)]
    assert [(f.line, f.column) for f in unknown] == [
        (i + 2, lines[i].index('"Action"') + 1) for i in range(1000)
    ]
    assert [f.path for f in redundant] == [f"Statement[{i}]" for i in range(500, 1000)]
    assert all(
        f"statement {i - 499} already allows" in redundant[i - 500].message
        for i in range(500, 1000)
    )


def test_one_locator_answers_as_locate_does():
    document = {"Version": "2012-10-17", "Statement": _thousand()[:40]}
    text = json.dumps(document, indent=3)
    locator = Locator(text)
    paths = [f"Statement[{i}].Resource" for i in range(40)] + ["Version", "Statement[3].Action[1]"]
    assert [locator.locate(p) for p in paths] == [locate(text, p) for p in paths]
    for path in paths:
        line, column = locator.locate(path)
        assert (
            locator.offset(line, column)
            == len("\n".join(text.split("\n")[: line - 1]) + "\n") + column - 1
        )


# -- the size bound is a lower bound -----------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.sampled_from([None, 0, 2]), st.booleans())
def test_the_size_read_from_the_text_never_exceeds_the_size(value, indent, ascii_only):
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    assert size_lower_bound(text) <= policy_size(json.loads(text))


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1.000000000000000000000000000000000000e+0000000000000000001}',
        '{"a": "\\u0041\\u0042\\u0043\\ud83d\\ude00\\/\\/"}',
        '{"a": -0, "b": 1E+00000000000000000000000000000002}',
    ],
)
def test_escapes_and_long_numbers_do_not_break_the_bound(text):
    assert size_lower_bound(text) <= policy_size(json.loads(text))


# -- redundancy: the index gives what comparing every pair gives ---------------------------------


def _pairwise(document: Any) -> list[tuple[str, str]]:
    """The definition: a statement is redundant when another one covers it (of two equivalent
    statements, the later is reported), naming the first such statement in document order."""
    stmts = [s for s in statements(document) if _comparable(s)]
    shapes = {id(s): _Shape(s) for s in stmts}
    found = []
    for later in stmts:
        for other in stmts:
            if other is later or not shapes[id(other)].covers(shapes[id(later)]):
                continue
            if later.index < other.index and shapes[id(later)].covers(shapes[id(other)]):
                continue
            found.append((later.path, other.label))
            break
    return found


ACTIONS = ["mq:DescribeBroker", "mq:Describe*", "mq:*", "MQ:describebroker", "mq:RebootBroker"]
RESOURCES = [
    "*",
    f"arn:aws:mq:us-east-1:{ACCOUNT}:broker:a:*",
    f"arn:aws:mq:us-east-1:{ACCOUNT}:broker:*",
    f"arn:aws:mq:*:{ACCOUNT}:broker:a:b-1",
]
statement_strategy = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "Action": st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3),
        "Resource": st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2),
    },
    optional={
        "Condition": st.sampled_from(
            [{"Bool": {"aws:SecureTransport": "true"}}, {"Bool": {"aws:SecureTransport": "false"}}]
        ),
        "Sid": st.sampled_from(["A", "B"]),
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(statement_strategy, min_size=1, max_size=12))
def test_redundant_statements_are_those_of_the_pairwise_definition(items):
    document = {"Version": "2012-10-17", "Statement": items}
    report = Report()
    check_redundant_statements(statements(document), report)
    expected = _pairwise(document)
    assert [f.path for f in report] == [path for path, _label in expected]
    for finding, (_path, label) in zip(report, expected, strict=True):
        assert f"{label} already" in finding.message


# -- hostile wildcards: containment work is bounded per document --------------------------------


def test_thousands_of_wildcards_sharing_a_head_get_their_findings(catalog):
    # Every pair shares the literal head "mq:": comparing them all was 186 s for 6,000.
    actions = [f"mq:*x{i}" for i in range(1500)]
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": actions, "Resource": "*"}],
    }
    findings = validate(document, "resource", catalog=catalog)
    # No MQ action ends in x<digits>: each entry matches nothing, and none covers another.
    assert [(f.code, f.path) for f in findings] == [
        ("ACTION_WILDCARD_MATCHES_NOTHING", f"Statement[0].Action[{i}]") for i in range(1500)
    ]


def test_a_spent_budget_finds_no_coverer_and_never_a_wrong_one():
    patterns = ["mq:Describe*", "mq:DescribeBroker", "mq:List*"]
    assert GlobSet(patterns, fold=True, budget=Budget()).coverer("mq:DescribeBroker") == (
        "mq:describe*"
    )
    spent = Budget(cells=0)
    assert spent.spent
    assert GlobSet(patterns, fold=True, budget=spent).coverer("mq:DescribeBroker") is None
    # Under a spent budget the document is still validated, with fewer suggestions only.
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": patterns, "Resource": "*"}],
    }
    report = Report()
    report._budget = Budget(cells=0)
    check_entries(statements(document)[0], report)
    assert list(report) == []
    fresh = Report()
    check_entries(statements(document)[0], fresh)
    assert [(f.code, f.path) for f in fresh] == [("REDUNDANT_ACTION", "Statement[0].Action[1]")]
