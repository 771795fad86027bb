"""A forgiving view of a raw policy document: statements with the JSON path of every value.

The checks need paths into the JSON as written, and must run on documents that ``parse``
rejects, so this walks the raw value and skips whatever is malformed (the grammar check
reports that).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

VARIABLE = re.compile(r"\$\{[^}]*\}")
# ${*}, ${?} and ${$} are escapes for literal characters, not variables.
LITERAL_ESCAPES = frozenset({"${*}", "${?}", "${$}"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One string of an Action/Resource-like element and its JSON path."""

    value: str
    path: str


@dataclass(frozen=True, slots=True)
class ConditionEntry:
    """One key under one operator of a Condition block, with its values."""

    operator: str
    key: str
    values: tuple[tuple[Any, str], ...]  # (value, path)
    operator_path: str
    key_path: str
    raw: Any


@dataclass(slots=True)
class Statement:
    """The parts of one statement that the checks read; missing or malformed parts are empty."""

    index: int
    path: str
    raw: dict[str, Any]
    sid: Any = None
    effect: str | None = None
    action_key: str | None = None  # "Action" or "NotAction"
    actions: list[Entry] = field(default_factory=list)
    resource_key: str | None = None  # "Resource" or "NotResource"
    resources: list[Entry] = field(default_factory=list)
    principal_key: str | None = None  # "Principal" or "NotPrincipal"
    principal: Any = None
    conditions: list[ConditionEntry] = field(default_factory=list)

    @property
    def label(self) -> str:
        """How messages name the statement: its Sid, or its position."""
        if isinstance(self.sid, str) and self.sid:
            return f'statement "{self.sid}"'
        return f"statement {self.index + 1}"

    @property
    def has_condition(self) -> bool:
        """True when the statement carries a non-empty Condition element."""
        return bool(self.raw.get("Condition"))


def statements(document: Any) -> list[Statement]:
    """The statements of a raw document (object or list form), skipping non-objects."""
    if not isinstance(document, dict):
        return []
    raw = document.get("Statement")
    if isinstance(raw, dict):
        items = [(0, "Statement", raw)]
    elif isinstance(raw, list):
        items = [(i, f"Statement[{i}]", s) for i, s in enumerate(raw)]
    else:
        return []
    return [_statement(i, path, s) for i, path, s in items if isinstance(s, dict)]


def _statement(index: int, path: str, raw: dict[str, Any]) -> Statement:
    stmt = Statement(index=index, path=path, raw=raw, sid=raw.get("Sid"))
    effect = raw.get("Effect")
    stmt.effect = effect if effect in ("Allow", "Deny") else None
    for key in ("Action", "NotAction"):
        if key in raw:
            stmt.action_key = key
            stmt.actions = _entries(raw[key], f"{path}.{key}")
            break
    for key in ("Resource", "NotResource"):
        if key in raw:
            stmt.resource_key = key
            stmt.resources = _entries(raw[key], f"{path}.{key}")
            break
    for key in ("Principal", "NotPrincipal"):
        if key in raw:
            stmt.principal_key = key
            stmt.principal = raw[key]
            break
    condition = raw.get("Condition")
    if isinstance(condition, dict):
        stmt.conditions = list(_conditions(condition, f"{path}.Condition"))
    return stmt


def _entries(value: Any, path: str) -> list[Entry]:
    if isinstance(value, str):
        return [Entry(value, path)]
    if isinstance(value, list):
        return [Entry(v, f"{path}[{i}]") for i, v in enumerate(value) if isinstance(v, str)]
    return []


def _conditions(block: dict[str, Any], path: str) -> list[ConditionEntry]:
    found = []
    for operator, keys in block.items():
        if not isinstance(operator, str) or not isinstance(keys, dict):
            continue
        operator_path = f"{path}.{operator}"
        for key, raw in keys.items():
            if not isinstance(key, str):
                continue
            key_path = f"{operator_path}.{key}"
            if isinstance(raw, list):
                values = tuple((v, f"{key_path}[{i}]") for i, v in enumerate(raw))
            else:
                values = ((raw, key_path),)
            found.append(ConditionEntry(operator, key, values, operator_path, key_path, raw))
    return found


def has_variable(text: str) -> bool:
    """True when the string holds a policy variable (``${aws:username}``), not an escape."""
    return any(m.group(0) not in LITERAL_ESCAPES for m in VARIABLE.finditer(text))


def canonical(value: Any) -> Any:
    """A hashable, order-insensitive form of a JSON value, to compare conditions/principals."""
    if isinstance(value, dict):
        return frozenset((k, canonical(v)) for k, v in value.items())
    if isinstance(value, list):
        items = [canonical(v) for v in value]
        return items[0] if len(items) == 1 else frozenset(items)
    return value
