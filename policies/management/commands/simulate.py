"""``manage.py simulate CASES.jsonl``: decide evaluation cases, one JSON line out per case."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError

from policies.engine import PolicyError, case_to_request, evaluate

try:
    import orjson

    def _dumps(value: Any) -> str:
        try:
            return orjson.dumps(value).decode()
        except TypeError:  # e.g. an id beyond 64-bit integers, which orjson refuses
            return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)

    def _loads(line: bytes) -> Any:
        return orjson.loads(line)

    _JSON_ERRORS: tuple[type[Exception], ...] = (orjson.JSONDecodeError,)
except ImportError:  # pragma: no cover - orjson is a dependency of policy_sentry

    def _dumps(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def _loads(line: bytes) -> Any:
        return json.loads(line)

    _JSON_ERRORS = (ValueError,)

_BATCH = 512  # lines written per stdout call: one call per case is measurably slower


class Command(BaseCommand):
    help = (
        "Evaluate JSON Lines cases (DESIGN.md case format) and print one line per case: "
        '{"id": ..., "decision": ...} or {"id": ..., "error": ...}.'
    )
    # Checks cost start-up time and this command touches neither models nor the database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("cases", help="path of a .jsonl file, or - for standard input")
        parser.add_argument(
            "--explain", action="store_true", help="include the explanation of each decision"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Start-up objects never become garbage: keep the collector from re-scanning them
        # for every batch of short-lived policy objects (a third of the run otherwise).
        threshold = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(50_000, 50, 100)
        try:
            self._handle(options["cases"], bool(options["explain"]))
        finally:
            gc.set_threshold(*threshold)
            gc.unfreeze()

    def _handle(self, path: str, explain: bool) -> None:
        """Read from ``path`` (or standard input for ``-``)."""
        if path == "-":
            self._run(sys.stdin.buffer, explain)
            return
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed below, after streaming
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        with stream:
            self._run(stream, explain)

    def _run(self, stream: BinaryIO, explain: bool) -> None:
        """Stream cases from ``stream`` to stdout in input order, in batches."""
        batch: list[str] = []
        for line in simulate_lines(stream, explain=explain):
            batch.append(line)
            if len(batch) >= _BATCH:
                self.stdout.write("\n".join(batch))
                batch = []
        if batch:
            self.stdout.write("\n".join(batch))


def simulate_lines(lines: Iterable[bytes], *, explain: bool = False) -> Iterator[str]:
    """One output line per non-blank input line; a bad case yields an ``error`` line."""
    first = True
    for raw in lines:
        if first:
            raw = raw.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
            first = False
        if not raw.strip():
            continue
        yield _dumps(simulate_one(raw, explain=explain))


def simulate_one(raw: bytes, *, explain: bool = False) -> dict[str, Any]:
    """The output object for one input line."""
    try:
        case = _loads(raw)
    except _JSON_ERRORS:
        return {"id": None, "error": "line is not valid JSON"}
    case_id = case.get("id") if isinstance(case, dict) else None
    try:
        request, policies = case_to_request(case)
        decision = evaluate(request, policies)
        out: dict[str, Any] = {"id": case_id, "decision": decision.value}
        if explain and decision.explanation is not None:
            out["explanation"] = decision.explanation.to_dict()
        return out
    except PolicyError as exc:
        return {"id": case_id, "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one unreadable case must not end the run
        return {"id": case_id, "error": f"cannot evaluate case: {type(exc).__name__}"}
