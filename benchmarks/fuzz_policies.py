"""Fuzz the policy engine: generated and mutated documents through parse, validate, evaluate.

Run from the repository root: ``.venv/bin/python benchmarks/fuzz_policies.py`` (100,000
documents; ``--documents N`` for another count, ``--seed`` to replay). Families: random JSON,
deep nesting, huge strings, unicode (lone surrogates, NUL, bidi), wrong types in every
element, every condition operator with wrong value types, many-wildcard patterns against long
request values, JSON text (bad UTF-8 and syntax), and mutations of the sample cases in
tests/policies/engine/data/sample.jsonl.

A crash is any exception other than ``PolicyError`` (``validate`` must never raise); a slow
input is one whose parse + validate + evaluate takes more than ``--slow-ms`` (50 ms) in the
best of three timings (the machine is shared: a single timing is noisy). Memory growth is
measured with tracemalloc over a second pass once the engine's bounded caches are warm. The
last line of output is one JSON object: ``{"documents": …, "crashes": …, "slow": …}``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import gc
import json
import random
import resource
import signal
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policies.catalog import get_catalog  # noqa: E402 - the path above makes it importable
from policies.engine import PolicyError, PolicySet, Request, case_to_request, evaluate  # noqa: E402
from policies.engine.parse import BASE_OPERATORS, parse  # noqa: E402
from policies.engine.validate import KINDS, validate  # noqa: E402

SAMPLES = ROOT / "tests" / "policies" / "engine" / "data" / "sample.jsonl"
KIND_LIST = sorted(KINDS)
ELEMENTS = [
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
]
OPERATORS = [
    *sorted(
        f"{prefix}{base}{suffix}"
        for base in BASE_OPERATORS
        for prefix in ("", "ForAnyValue:", "ForAllValues:")
        for suffix in ("", "IfExists")
    ),
    *["Bogus", "StringEquals:", ":", "ForAnyValue:", "IfExists", "nullifexists", ""],
]
KEYS = [
    "aws:SourceIp",
    "aws:username",
    "aws:TagKeys",
    "aws:RequestTag/team",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalArn",
    "aws:SourceArn",
    "aws:PrincipalTag/${aws:username}",
    "mq:Nope",
    "iam:PassedToService",
    "s3:x-amz-acl",
]
WORDS = [
    "*",
    "?",
    "mq:*",
    "mq:ListBrokers",
    "mq:RebootBroker",
    "iam:PassRole",
    "iam:Pass*",
    "sts:AssumeRole",
    "foo:Bar",
    "arn:aws:mq:*:*:broker:*",
    "arn:aws:iam::111122223333:root",
    "arn:aws:mq:us-east-1:111122223333:broker:orders:b-1",
    "${aws:username}",
    "${*}",
    "${aws:PrincipalTag/team, 'x'}",
    "${",
    "10.0.0.0/8",
    "::1/128",
    "2026-01-01T00:00:00Z",
    "1767225600",
    "true",
    "QUJD",
    "111122223333",
    "o-*",
    "",
]
WEIRD = [
    "\x00",
    "\ud800",
    "\udfff",
    "\u202e",
    "\u0301",
    "\ufeff",
    "😀",
    "İ",
    "ß",
    "\n",
    "\\",
    '"',
    "\u2028",
    "ǅ",
    "ﬁ",
]
ACCOUNT = "111122223333"
LONG = "a" * 512  # as long as a user-controlled request value gets (tags 256, paths 512)
REQUESTS = [
    Request(
        f"arn:aws:iam::{ACCOUNT}:user/alice",
        "mq:RebootBroker",
        f"arn:aws:mq:us-east-1:{ACCOUNT}:broker:orders:b-1",
        {
            "aws:username": "alice",
            "aws:SourceIp": "203.0.113.9",
            "aws:TagKeys": ["team"],
            "aws:CurrentTime": "2026-03-01T00:00:00Z",
            "aws:MultiFactorAuthPresent": "true",
        },
    ),
    Request(
        f"arn:aws:sts::{ACCOUNT}:assumed-role/Ops/{'a' * 60}",
        "mq:CreateTags",
        f"arn:aws:mq:us-east-1:{ACCOUNT}:broker:{'a' * 50}:b-{'a' * 36}",
        {
            "aws:RequestTag/team": LONG,
            "aws:TagKeys": [LONG[:128]] * 50,
            "aws:PrincipalTag/team": LONG[:256],
            "aws:username": LONG[:64],
            "aws:SourceArn": f"arn:aws:iam::{ACCOUNT}:user/{LONG}",
        },
    ),
    Request(
        f"arn:aws:iam::{ACCOUNT}:root",
        "iam:CreateUser",
        f"arn:aws:iam::{ACCOUNT}:user/{'a/' * 250}{'a' * 60}",
        {"aws:EpochTime": "9" * 40},
    ),
    Request(
        "arn:aws:iam::444455556666:user/bob",
        "sts:AssumeRole",
        f"arn:aws:iam::{ACCOUNT}:role/Ops",
        {"aws:SourceIp": "2001:db8::5"},
    ),
]


class Timeout(Exception):
    """One input ran past the hard per-document limit."""


_armed = False


def _alarm(_signum, _frame):
    if _armed:  # a late signal after the input finished must not escape
        raise Timeout


class Generator:
    """Documents of every hostile family, reproducible from a seed."""

    def __init__(self, rng: random.Random, samples: list[dict]):
        self.rng = rng
        self.samples = samples
        # (name, maker, weight): huge inputs are costly to build and check, so rarer.
        self.families = [
            ("random-json", self.random_json_doc, 12),
            ("deep-nesting", self.deep, 6),
            ("huge-strings", self.huge, 3),
            ("unicode", self.unicode_doc, 12),
            ("wrong-types", self.wrong_types, 15),
            ("operators", self.operators, 15),
            ("wildcards", self.wildcards, 10),
            ("json-text", self.json_text, 7),
            ("sample-mutation", self.sample_mutation, 12),
            ("valid", self.valid, 8),
        ]
        self.weights = [w for _, _, w in self.families]

    def next(self) -> tuple[str, Any]:
        name, make, _ = self.rng.choices(self.families, self.weights)[0]
        return name, make()

    # --- building blocks ------------------------------------------------------------
    def scalar(self) -> Any:
        r = self.rng
        return r.choice(
            [
                None,
                True,
                False,
                r.randint(-(2**70), 2**70),
                r.random() * 1e300,
                float("nan"),
                float("inf"),
                -0.0,
                10 ** r.randint(1, 5000),
                self.text(),
                r.choice(WORDS),
                r.choice(WORDS),
                "",
            ]
        )

    def text(self, size: int = 12) -> str:
        r = self.rng
        pool = [chr(r.randint(0, 0x10FFFF)) for _ in range(4)] + WEIRD + list("ab*?:/${}")
        return "".join(r.choice(pool) for _ in range(r.randint(0, size)))

    def json_value(self, depth: int = 3) -> Any:
        r = self.rng
        if depth <= 0 or r.random() < 0.4:
            return self.scalar()
        if r.random() < 0.5:
            return [self.json_value(depth - 1) for _ in range(r.randint(0, 4))]
        keys = [*ELEMENTS, *OPERATORS[:5], "Version", "Statement", "AWS", self.text(6)]
        return {r.choice(keys): self.json_value(depth - 1) for _ in range(r.randint(0, 4))}

    def statement(self) -> dict:
        r = self.rng
        st: dict[str, Any] = {"Effect": r.choice(["Allow", "Deny"])}
        st[r.choice(["Action", "NotAction"])] = r.sample(WORDS, r.randint(1, 3))
        if r.random() < 0.8:
            st[r.choice(["Resource", "NotResource"])] = r.choice(WORDS)
        if r.random() < 0.5:
            st["Condition"] = {r.choice(OPERATORS[:-7]): {r.choice(KEYS): r.choice(WORDS)}}
        if r.random() < 0.3:
            st[r.choice(["Principal", "NotPrincipal"])] = r.choice(
                ["*", {"AWS": r.choice(WORDS)}, {"Service": "mq.amazonaws.com"}]
            )
        return st

    def document(self, statements: int = 0) -> dict:
        count = statements or self.rng.randint(1, 4)
        return {"Version": "2012-10-17", "Statement": [self.statement() for _ in range(count)]}

    def plant(self, value: Any) -> dict:
        """A valid document with ``value`` at a random element of a random statement."""
        doc = self.document()
        st = self.rng.choice(doc["Statement"])
        where = self.rng.choice([*ELEMENTS, "Condition-value", "Condition-key", "Principal-AWS"])
        if where == "Condition-value":
            st["Condition"] = {self.rng.choice(OPERATORS): {self.rng.choice(KEYS): value}}
        elif where == "Condition-key":
            st["Condition"] = {"StringLike": {value if isinstance(value, str) else "k": "v"}}
        elif where == "Principal-AWS":
            st["Principal"] = {"AWS": value}
        else:
            st[where] = value
        return doc

    # --- families -------------------------------------------------------------------
    def random_json_doc(self) -> Any:
        if self.rng.random() < 0.3:
            return self.json_value(4)
        return {"Version": self.json_value(1), "Statement": self.json_value(4)}

    def deep(self) -> Any:
        depth = self.rng.choice([50, 200, 900, 1000, 3000, 20000])
        value: Any = self.rng.choice(WORDS)
        for _ in range(depth):
            value = [value] if self.rng.random() < 0.5 else {"Statement": value}
        return value if self.rng.random() < 0.2 else self.plant(value)

    def huge(self) -> Any:
        # Up to the console's request size limit (1 MB), most at IAM's policy sizes.
        size = self.rng.choices([1_000, 10_000, 100_000, 1_000_000], [50, 35, 12, 3])[0]
        piece = self.rng.choice(["a", "*", "?", "${aws:username}", "mq:*", ":", "😀", "*a"])
        value: Any = (piece * (size // len(piece)))[:size]
        if self.rng.random() < 0.3:
            value = [self.rng.choice(WORDS)] * min(size, 100_000)
        return self.plant(value)

    def unicode_doc(self) -> Any:
        doc = self.plant(self.text(40))
        if self.rng.random() < 0.5:
            doc["Statement"][0][self.text(8)] = self.text(8)
        return doc

    def wrong_types(self) -> Any:
        doc = self.plant(self.json_value(2))
        if self.rng.random() < 0.1:  # keys JSON cannot hold, from Python callers
            odd = self.rng.choice([10**5000, None, 1.5, (1, 2), True])
            self.rng.choice([doc, doc["Statement"][0], {"Condition": {}}])[odd] = "x"
        return doc

    def operators(self) -> Any:
        r = self.rng
        wrong = r.choice(
            [
                {},
                {"a": 1},
                [[1]],
                [None],
                None,
                float("nan"),
                10**400,
                1e308,
                True,
                "not-a-value",
                "",
                ["", None],
                list(range(2000)),
                "::::",
                "1e999",
                "2026-13-45T99:99:99Z",
                "300.1.1.1/99",
                "=====",
                "-0",
                "0x10",
            ]
        )
        doc = self.document(1)
        doc["Statement"][0]["Condition"] = {r.choice(OPERATORS): {r.choice(KEYS): wrong}}
        return doc

    def wildcards(self) -> Any:
        r = self.rng
        unit = r.choice(["*a", "*?", "?*", "*:", "*a*", "a*?*"])
        pattern = unit * r.randint(3, 40) + r.choice(["b", "", "*", "?", "x:*"])
        where = r.choice(["Action", "Resource", "NotResource", "like", "arn"])
        doc = self.document(1)
        st = doc["Statement"][0]
        if where == "like":
            st["Condition"] = {"StringLike": {r.choice(KEYS): pattern}}
        elif where == "arn":
            st["Condition"] = {"ArnLike": {"aws:SourceArn": "arn:aws:*:" + pattern}}
        else:
            st[where] = ("mq:" if where == "Action" else "arn:aws:mq:*:*:broker:") + pattern
        return doc

    def json_text(self) -> Any:
        text = json.dumps(self.document(), ensure_ascii=self.rng.random() < 0.5)
        cut = self.rng.randint(0, len(text))
        choice = self.rng.random()
        if choice < 0.3:
            return text[:cut]
        if choice < 0.6:
            return text.encode()[:cut] + bytes([self.rng.randint(0x80, 0xFF)]) + text.encode()
        return "[" * 100_000 if choice < 0.7 else text

    def sample_mutation(self) -> Any:
        case = copy.deepcopy(self.rng.choice(self.samples))
        for _ in range(self.rng.randint(1, 4)):
            self.mutate(case)
        return {"case": case}

    def mutate(self, node: Any) -> None:
        r = self.rng
        for _ in range(6):
            if not isinstance(node, (dict, list)) or not node:
                return
            key = r.choice(list(node)) if isinstance(node, dict) else r.randrange(len(node))
            if r.random() < 0.35 or not isinstance(node[key], (dict, list)):
                op = r.random()
                if op < 0.2 and isinstance(node, dict):
                    del node[key]
                elif op < 0.4 and isinstance(node[key], list):
                    node[key] = node[key] * r.randint(2, 50)
                elif op < 0.6 and isinstance(node[key], str):
                    node[key] = r.choice(["*", "?", node[key] * 3, node[key] + self.text(5)])
                else:
                    node[key] = self.json_value(2)
                return
            node = node[key]

    def valid(self) -> Any:
        return self.document(self.rng.randint(1, 20))


def run_one(name: str, doc: Any, kind: str, request: Request, catalog) -> str | None:
    """Parse, validate and evaluate one input; the crash description, or None."""
    try:
        if name == "sample-mutation":
            case = doc["case"]
            try:
                case_request, policies = case_to_request(case)
                evaluate(case_request, policies).to_dict(explain=True)
            except PolicyError:
                pass
            docs = case.get("identity_policies")
            for d in docs[:3] if isinstance(docs, list) else []:
                validate(d, kind, catalog=catalog)
            return None
        with contextlib.suppress(PolicyError):
            parse(doc)
        findings = validate(doc, kind, catalog=catalog)
        assert isinstance(findings, list)
        layer = {
            "resource": "resource",
            "trust": "resource",
            "scp": "scps",
            "rcp": "rcps",
            "boundary": "boundary",
            "session": "session",
        }.get(kind, "identity")
        policies = {
            "identity": PolicySet(identity=(doc,)),
            "resource": PolicySet(resource=doc),
            "scps": PolicySet(scps=((doc,),)),
            "rcps": PolicySet(rcps=((doc,),)),
            "boundary": PolicySet(identity=(doc,), boundary=doc),
            "session": PolicySet(identity=(doc,), session=doc),
        }[layer]
        try:
            evaluate(request, policies).to_dict(explain=True)
            unknown = Request(
                request.principal,
                request.action,
                request.resource,
                {},
                unknown_keys=frozenset(k.lower() for k in KEYS),
            )
            evaluate(unknown, policies)
        except PolicyError:
            pass
    except Timeout:
        raise
    except Exception as error:  # noqa: BLE001 - anything but PolicyError is the finding
        return f"{type(error).__name__}: {str(error)[:200]}"
    return None


def timed(name, doc, kind, request, catalog, limit_s: float) -> tuple[float, str | None]:
    """(milliseconds, crash or None) for one input, interrupted after ``limit_s``."""
    global _armed
    _armed = True
    signal.setitimer(signal.ITIMER_REAL, limit_s)
    started = time.perf_counter()
    try:
        crash = run_one(name, doc, kind, request, catalog)
    except Timeout:
        return limit_s * 1000, None
    finally:
        _armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
    return (time.perf_counter() - started) * 1000, crash


def describe(doc: Any) -> str:
    try:
        text = json.dumps(doc, ensure_ascii=True, default=repr)
    except (ValueError, RecursionError):
        text = repr(type(doc))
    return text if len(text) <= 240 else text[:240] + f"… ({len(text)} chars)"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--slow-ms", type=float, default=50.0)
    parser.add_argument("--limit-s", type=float, default=2.0, help="hard cap per input")
    parser.add_argument("--memory-documents", type=int, default=20_000)
    args = parser.parse_args(argv)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    signal.signal(signal.SIGALRM, _alarm)
    catalog = get_catalog()
    samples = [json.loads(line) for line in SAMPLES.read_text().splitlines() if line.strip()]
    rng = random.Random(args.seed)
    gen = Generator(rng, samples)
    crashes: list[dict] = []
    slow: list[dict] = []
    families: Counter[str] = Counter()
    durations: list[float] = []
    started = time.perf_counter()
    for index in range(args.documents):
        name, doc = gen.next()
        kind, request = rng.choice(KIND_LIST), rng.choice(REQUESTS)
        families[name] += 1
        ms, crash = timed(name, doc, kind, request, catalog, args.limit_s)
        if crash:
            crashes.append({"index": index, "family": name, "error": crash, "input": describe(doc)})
            print("CRASH", json.dumps(crashes[-1], ensure_ascii=True), flush=True)
        # Best of up to three more runs (one for an input that hit the hard cap): a pause of
        # the collector or of a busy neighbour must not count as a slow input.
        for _ in range(1 if ms >= args.limit_s * 1000 else 3):
            if ms <= args.slow_ms:
                break
            ms = min(ms, timed(name, doc, kind, request, catalog, args.limit_s)[0])
        if ms > args.slow_ms:
            slow.append(
                {
                    "index": index,
                    "family": name,
                    "ms": round(ms, 1),
                    "kind": kind,
                    "input": describe(doc),
                }
            )
        durations.append(ms)
        if (index + 1) % 10_000 == 0:
            print(
                f"{index + 1} documents, {len(crashes)} crashes, {len(slow)} slow, "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
    elapsed = time.perf_counter() - started
    memory = measure_memory(gen, rng, catalog, args)
    durations.sort()
    for family in sorted({entry["family"] for entry in slow}):
        worst = sorted((e for e in slow if e["family"] == family), key=lambda e: -e["ms"])
        for entry in worst[:5]:
            print("SLOW", json.dumps(entry, ensure_ascii=True))
    print(f"families: {dict(sorted(families.items()))}")
    by_family = Counter(entry["family"] for entry in slow)
    print(f"slow by family: {dict(sorted(by_family.items()))}")
    print(
        f"elapsed {elapsed:.1f} s; per document p50 {durations[len(durations) // 2]:.2f} ms, "
        f"p99 {durations[int(len(durations) * 0.99)]:.2f} ms, max {durations[-1]:.1f} ms"
    )
    print(f"memory: {json.dumps(memory)}")
    result = {"documents": args.documents, "crashes": len(crashes), "slow": len(slow)}
    print(json.dumps(result))
    return result


def measure_memory(gen: Generator, rng: random.Random, catalog, args) -> dict:
    """Traced memory at each quarter of a second pass (the caches are warm and bounded)."""
    tracemalloc.start()
    quarters = []
    for _ in range(4):
        for _ in range(args.memory_documents // 4):
            name, doc = gen.next()
            timed(name, doc, rng.choice(KIND_LIST), rng.choice(REQUESTS), catalog, args.limit_s)
        gc.collect()
        quarters.append(round(tracemalloc.get_traced_memory()[0] / 2**20, 1))
    tracemalloc.stop()
    return {
        "traced_mib_by_quarter": quarters,
        "growth_last_half_mib": round(quarters[3] - quarters[1], 1),
        "over_documents": args.memory_documents,
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    main()
