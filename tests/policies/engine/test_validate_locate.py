"""locate(text, path) and validate_text(): pointing findings at the editor's lines."""

from __future__ import annotations

import pytest

from policies.engine.validate import Severity, locate, validate_text

TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": ["mq:ListBrokers", "mq:DescribeBroker"],
      "Resource": "*"
    },
    {
      "Effect": "Deny",
      "Action": "mq:DeleteBroker",
      "Resource": "*",
      "Condition": {
        "StringLike": {"aws:RequestTag/cost.center": ["a", "b[0]"]},
        "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}
      }
    }
  ]
}"""


@pytest.mark.parametrize(
    ("path", "position"),
    [
        ("", (1, 1)),
        ("Version", (2, 3)),
        ("Statement", (3, 3)),
        ("Statement[0]", (4, 5)),
        ("Statement[0].Sid", (5, 7)),
        ("Statement[0].Action[1]", (7, 36)),
        ("Statement[1].Resource", (13, 7)),
        ("Statement[1].Condition.StringLike", (15, 9)),
        # keys holding dots and brackets still resolve
        ("Statement[1].Condition.StringLike.aws:RequestTag/cost.center", (15, 24)),
        ("Statement[1].Condition.StringLike.aws:RequestTag/cost.center[1]", (15, 60)),
        ("Statement[1].Condition.IpAddress.aws:SourceIp", (16, 23)),
    ],
)
def test_locate_points_at_the_value_or_key(path, position):
    assert locate(TEXT, path) == position


@pytest.mark.parametrize(
    ("path", "position"),
    [
        ("Statement[7]", (3, 3)),  # no such statement: the Statement key
        ("Statement[0].Principal", (4, 5)),  # missing element: its statement
        ("Nope.Deeper", (1, 1)),
    ],
)
def test_locate_falls_back_to_the_deepest_existing_ancestor(path, position):
    assert locate(TEXT, path) == position


def test_locate_tolerates_broken_text():
    broken = '{"Statement": [ {"Effect": "Allow" "Action": "mq:*",, ]\n  "Resource": '
    assert locate(broken, "Statement[0].Action") == (1, 36)
    assert locate(broken, "Statement[0].Resource") == (1, 17)


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_locate_without_json_value_is_none(text):
    assert locate(text, "Statement") is None


def test_locate_counts_columns_in_characters():
    text = '{"Sid": "é€", "Statement": 1}'
    assert locate(text, "Statement") == (1, 15)


def test_validate_text_reports_json_syntax_error_with_position():
    (finding,) = validate_text('{"Version": "2012-10-17",\n  "Statement": [}', "identity")
    assert finding.severity is Severity.ERROR and finding.code == "JSON_SYNTAX_ERROR"
    assert "line 2" in finding.message


def test_validate_text_validates_the_document():
    text = '{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}'
    findings = validate_text(text, "identity")
    assert {"MISSING_VERSION", "FULL_ACCESS"} <= {f.code for f in findings}


def test_validate_text_refuses_a_document_past_iam_s_parameter_length_unread():
    body = '{"Version": "2012-10-17", "Statement": []}'
    at_limit = body + " " * (131072 - len(body))
    assert "POLICY_DOCUMENT_TOO_LONG" not in {f.code for f in validate_text(at_limit, "identity")}
    # One character more; not even JSON, which shows the text is refused before parsing.
    (finding,) = validate_text(at_limit + "{", "identity")
    assert finding.severity is Severity.ERROR and finding.code == "POLICY_DOCUMENT_TOO_LONG"
    assert "131,073" in finding.message
