"""``manage.py simulate``: one output line per case, in order, nothing else on stdout."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"
CASE = {
    "id": "c1",
    "principal": "arn:aws:iam::111122223333:user/alice",
    "action": "mq:RebootBroker",
    "resource": "arn:aws:mq:us-east-1:111122223333:broker:orders:b-1",
    "context": {"aws:username": "alice"},
    "identity_policies": [
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "mq:*", "Resource": "*"}],
        }
    ],
    "permissions_boundary": None,
    "session_policy": None,
    "scps": [],
    "rcps": [],
    "resource_policy": None,
    "expected": "allowed",
    "tags": [],
}


def simulate(tmp_path: Path, lines: list[str], *args: str) -> list[dict]:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    call_command("simulate", str(path), *args, stdout=out)
    text = out.getvalue()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_sample_file_agrees_with_expected(tmp_path):
    lines = SAMPLE.read_text().splitlines()
    out = simulate(tmp_path, lines)
    expected = [json.loads(line) for line in lines]
    assert [o["id"] for o in out] == [e["id"] for e in expected]
    assert all(set(o) == {"id", "decision"} for o in out)
    assert [o["decision"] for o in out] == [e["expected"] for e in expected]


def test_bad_cases_yield_error_lines_and_the_run_goes_on(tmp_path):
    bad_policy = dict(CASE, id="c2", identity_policies=[{"Statement": {"Effect": "Maybe"}}])
    lines = [
        json.dumps(CASE),
        "this is not json",
        json.dumps(bad_policy),
        json.dumps({"id": "c3"}),
        "[1, 2]",
        "",
        json.dumps(dict(CASE, id="c4")),
    ]
    out = simulate(tmp_path, lines)
    assert out[0] == {"id": "c1", "decision": "allowed"}
    assert out[1]["id"] is None and "error" in out[1]
    assert out[2] == {
        "id": "c2",
        "error": "identity_policies[0].Statement.Effect: must be Allow or Deny",
    }
    assert out[3]["id"] == "c3" and out[3]["error"] == "principal: must be a string"
    assert out[4]["id"] is None and "error" in out[4]
    assert out[5] == {"id": "c4", "decision": "allowed"}
    assert len(out) == 6  # the blank line is not a case


def test_byte_order_mark_and_crlf(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(CASE).encode() + b"\r\n" + b"\r\n")
    out = io.StringIO()
    call_command("simulate", str(path), stdout=out)
    assert out.getvalue() == '{"id":"c1","decision":"allowed"}\n'


def test_explain_adds_the_explanation(tmp_path):
    (line,) = simulate(tmp_path, [json.dumps(CASE)], "--explain")
    assert line["decision"] == "allowed"
    explanation = line["explanation"]
    assert explanation["decision"] == "allowed"
    assert explanation["layers"][0]["statements"][0]["applies"] == "true"


def test_standard_input(monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO((json.dumps(CASE) + "\n").encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    out = io.StringIO()
    call_command("simulate", "-", stdout=out)
    assert json.loads(out.getvalue()) == {"id": "c1", "decision": "allowed"}


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError):
        call_command("simulate", str(tmp_path / "absent.jsonl"), stdout=io.StringIO())


def test_many_cases_keep_their_order(tmp_path):
    lines = [
        json.dumps(dict(CASE, id=f"n{i}", action="iam:GetUser" if i % 3 else CASE["action"]))
        for i in range(1500)
    ]
    out = simulate(tmp_path, lines)
    assert [o["id"] for o in out] == [f"n{i}" for i in range(1500)]
    assert [o["decision"] for o in out[:3]] == ["allowed", "implicitDeny", "implicitDeny"]
