"""Validation benchmark: what ``POST /api/v1/policies/validate/`` costs on a 100 KB document.

Run from the repository root: ``.venv/bin/python benchmarks/validate.py``. Pure engine (no
Django, no database). Each case builds a document of about 100 KB and times ``editor_report``
(the endpoint's work: ``validate_text`` with the catalog, every finding located, the summary),
first call and then the median of warm calls; the anchor is ``json.loads`` of the same text in
the same run, so figures from different machines can be compared.

Cases:
- ``findings``: a resource policy (no IAM size limit, so every check runs) whose every
  statement has findings (an unknown action, a redundant entry), so every finding is located;
- ``near_identical``: a resource policy of near-identical statements without findings (the
  redundant-statement check compares statements);
- ``identity_oversize``: the same 100 KB as an identity policy (6,144-character quota): refused
  before it is parsed.

The last line of output is one JSON object: ``{"validate_100kb_ms": ..., ...,
"anchor_json_loads_ms": ...}`` where ``validate_100kb_ms`` is the slowest case's warm median.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policies.catalog import get_catalog  # noqa: E402 - the path above makes it importable
from policies.summary import editor_report  # noqa: E402

TARGET = 100_000  # characters
ACCOUNT = "123456789012"
WARM_RUNS = 5


def _document(statement: Callable[[int], dict[str, Any]]) -> str:
    statements: list[dict[str, Any]] = []
    text = ""
    while len(text) < TARGET:
        statements.append(statement(len(statements)))
        text = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)
    return text


def _with_findings(i: int) -> dict[str, Any]:
    return {
        "Sid": f"S{i}",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app{i}"},
        "Action": ["mq:DescribeBroker", "mq:RebootBrokers", "mq:Describe*"],
        "Resource": [
            f"arn:aws:mq:us-east-1:{ACCOUNT}:broker:orders{i}:b-{i:08d}",
            f"arn:aws:mq:us-east-1:{ACCOUNT}:configuration:c-*",
        ],
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": f"team{i}"}},
    }


def _near_identical(i: int) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": ["mq:DescribeBroker", "mq:RebootBroker"],
        "Resource": f"arn:aws:mq:us-east-1:{ACCOUNT}:broker:orders{i}:*",
    }


def _time(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    catalog = get_catalog()
    cases = {
        "findings": (_document(_with_findings), "resource"),
        "near_identical": (_document(_near_identical), "resource"),
        "identity_oversize": (_document(_near_identical), "identity"),
    }
    results: dict[str, float] = {}
    anchors = []
    for name, (text, kind) in cases.items():
        report = None

        def run(text: str = text, kind: str = kind) -> None:
            nonlocal report
            report = editor_report(text, kind, catalog)

        first = _time(run)
        warm = statistics.median(_time(run) for _ in range(WARM_RUNS))
        anchor = statistics.median(_time(lambda t=text: json.loads(t)) for _ in range(WARM_RUNS))
        anchors.append(anchor)
        findings = len(report.findings) if report else 0
        print(
            f"{name:18} {kind:9} {len(text):>7,} chars  {findings:>4} findings  "
            f"first {first:8.1f} ms  warm median {warm:8.1f} ms  json.loads {anchor:5.2f} ms"
        )
        results[f"{name}_first_ms"] = round(first, 1)
        results[f"{name}_ms"] = round(warm, 1)
    results = {
        "validate_100kb_ms": max(results["findings_ms"], results["near_identical_ms"]),
        **results,
        "anchor_json_loads_ms": round(statistics.median(anchors), 2),
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
