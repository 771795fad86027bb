"""The shared sample cases (AWS's documented behaviour): the engine must agree with all 85."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.engine import case_to_request, evaluate

HERE = Path(__file__).parent
CANDIDATES = (
    HERE / "data" / "sample.jsonl",  # the copy kept in the repository, for clean clones
    Path(__file__).parents[3].parent / "shared/cases/sample.jsonl",
)
SAMPLE = next((p for p in CANDIDATES if p.exists()), None)


def _cases() -> list[dict]:
    if SAMPLE is None:
        return []
    return [json.loads(line) for line in SAMPLE.read_text().splitlines() if line.strip()]


CASES = _cases()


@pytest.mark.skipif(SAMPLE is None, reason="sample.jsonl not found (tests/policies/engine/data)")
def test_sample_file_has_85_cases():
    assert len(CASES) == 85


@pytest.mark.skipif(SAMPLE is None, reason="sample.jsonl not found (tests/policies/engine/data)")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_sample_case_decision(case):
    request, policies = case_to_request(case)
    decision = evaluate(request, policies)
    assert decision.value == case["expected"], decision.explanation.reason


@pytest.mark.skipif(SAMPLE is None, reason="sample.jsonl not found (tests/policies/engine/data)")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_sample_case_explanation_agrees(case):
    request, policies = case_to_request(case)
    decision = evaluate(request, policies)
    assert decision.explanation.decision == decision.value
    json.dumps(decision.to_dict(explain=True))  # JSON-ready all the way down
