"""Validation benchmark: what ``POST /api/v1/policies/validate/`` costs on a 100 KB document.

Run from the repository root: ``.venv/bin/python benchmarks/validate.py``. Pure engine (no
Django, no database). Each case builds a document of about 100 KB and times ``editor_report``
(the endpoint's work: ``validate_text`` with the catalog, every finding located, the summary),
first call and then the median of warm calls (wall clock, and CPU time, which other processes
on a shared machine cannot inflate); the anchor is ``json.loads`` of the same text, timed in
batches between the runs, so figures from different machines and loads can be compared.

Cases:
- ``findings``: a resource policy (no IAM size limit, so every check runs) whose every
  statement has findings (an unknown action, a redundant entry), so every finding is located;
- ``near_identical``: a resource policy of near-identical statements without findings (the
  redundant-statement check compares statements);
- ``identity_oversize``: the same 100 KB as an identity policy (6,144-character quota): refused
  before it is parsed.

The last line of output is one JSON object: ``{"validate_100kb_ms": ...,
"validate_100kb_cpu_ms": ..., ..., "anchor_json_loads_ms": ...}`` where ``validate_100kb_ms``
is the slowest case's warm median (``_cpu_ms``: the same in CPU time).
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


def _time(call: Callable[[], Any], repeat: int = 1) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds per call (CPU time is what a shared machine's other
    processes cannot inflate)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        call()
    return (
        (time.perf_counter() - wall) * 1000 / repeat,
        (time.process_time() - cpu) * 1000 / repeat,
    )


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

        first, _first_cpu = _time(run)
        walls, cpus = [], []
        for _ in range(WARM_RUNS):
            wall, cpu = _time(run)
            walls.append(wall)
            cpus.append(cpu)
            # The anchor between the runs, over a batch as long as a validation: it meets
            # the same load as they do.
            anchors.append(_time(lambda t=text: json.loads(t), repeat=100)[0])
        warm, warm_cpu = statistics.median(walls), statistics.median(cpus)
        findings = len(report.findings) if report else 0
        print(
            f"{name:18} {kind:9} {len(text):>7,} chars  {findings:>4} findings  "
            f"first {first:8.1f} ms  warm median {warm:8.1f} ms (CPU {warm_cpu:6.1f} ms)"
        )
        results[f"{name}_first_ms"] = round(first, 1)
        results[f"{name}_ms"] = round(warm, 1)
        results[f"{name}_cpu_ms"] = round(warm_cpu, 1)
    anchor = statistics.median(anchors)
    print(f"anchor: json.loads of the same documents, median {anchor:.3f} ms")
    results = {
        "validate_100kb_ms": max(results["findings_ms"], results["near_identical_ms"]),
        "validate_100kb_cpu_ms": max(results["findings_cpu_ms"], results["near_identical_cpu_ms"]),
        **results,
        "anchor_json_loads_ms": round(anchor, 3),
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
