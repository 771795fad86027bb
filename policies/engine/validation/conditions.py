"""Checks of Condition blocks: operators, value shapes, key types and key support."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from policies.engine.catalog import Action, Catalog, ConditionKey
from policies.engine.validation.document import ConditionEntry, Statement, has_variable
from policies.engine.validation.findings import shown
from policies.engine.validation.globs import could_be_arn
from policies.engine.validation.report import Report

_FAMILIES = {
    "String": (
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
    ),
    "Numeric": (
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
    ),
    "Date": (
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
    ),
    "Bool": ("Bool",),
    "Binary": ("BinaryEquals",),
    "IPAddress": ("IpAddress", "NotIpAddress"),
    "ARN": ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"),
    "Null": ("Null",),
}
_OPERATORS = {op: family for family, ops in _FAMILIES.items() for op in ops}
_SET_PREFIXES = frozenset({"ForAnyValue", "ForAllValues"})
# Key types each operator family may compare; String operators also read ARNs as text.
_ACCEPTS = {"String": {"String", "ARN"}, "ARN": {"ARN", "String"}}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_EPOCH = re.compile(r"-?\d{1,12}")
# W3C profile of ISO 8601: YYYY, YYYY-MM, YYYY-MM-DD, or a date with hh:mm[:ss[.s]] and a zone.
_DATE = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(?:Z|[+-](\d{2}):(\d{2}))?)?)?)?"
)
# Tag keys are global but only present for the actions that document them.
_ACTION_SCOPED = ("aws:requesttag/", "aws:resourcetag/", "aws:tagkeys")
_SHAPES = {
    "Numeric": "a number",
    "Date": "a date (ISO 8601, e.g. 2026-01-31T12:00:00Z) or epoch seconds",
    "Bool": '"true" or "false"',
    "Null": '"true" or "false"',
    "IPAddress": "an IPv4/IPv6 address or CIDR range",
    "Binary": "base64-encoded bytes",
    "ARN": "an ARN",
}


@dataclass(frozen=True, slots=True)
class Operator:
    """A condition operator split into its set prefix, base operator, family and IfExists."""

    name: str
    set_prefix: str | None
    base: str
    family: str
    if_exists: bool


def parse_operator(name: str) -> Operator | None:
    """Split ``ForAnyValue:StringLikeIfExists`` and the like; None for unknown operators.

    Operator names are matched exactly, as IAM does (``stringequals`` is not an operator).
    """
    set_prefix, sep, rest = name.partition(":")
    if not sep:
        set_prefix, rest = "", name
    elif set_prefix not in _SET_PREFIXES:
        return None
    if_exists = rest.endswith("IfExists")
    base = rest.removesuffix("IfExists")
    family = _OPERATORS.get(base)
    if family is None or (family == "Null" and (if_exists or set_prefix)):
        return None
    return Operator(name, set_prefix or None, base, family, if_exists)


def check_conditions(
    stmt: Statement,
    catalog: Catalog | None,
    actions: tuple[Action, ...] | None,
    report: Report,
) -> None:
    """Operators, value shapes and, with a catalog, keys and their types."""
    bad_operators: set[str] = set()
    patterns = tuple(sorted({e.value.lower() for e in stmt.actions}))
    for entry in stmt.conditions:
        operator = parse_operator(entry.operator)
        if operator is None:
            if entry.operator_path not in bad_operators:
                bad_operators.add(entry.operator_path)
                _report_operator(entry, report)
            continue
        if ":" not in entry.key:
            report.error(
                "INVALID_CONDITION_KEY",
                f'"{entry.key}" is not a condition key: keys are prefix:name '
                "(aws:SourceIp, mq:...).",
                entry.key_path,
            )
            continue
        _check_values(entry, operator, report)
        if catalog is not None:
            _check_key(entry, operator, catalog, actions, patterns, report)


def _report_operator(entry: ConditionEntry, report: Report) -> None:
    name = entry.operator
    if name.removeprefix("ForAnyValue:").removeprefix("ForAllValues:") == "NullIfExists":
        report.error(
            "NULL_WITH_IF_EXISTS",
            "Null cannot take IfExists: Null itself tests whether the key exists.",
            entry.operator_path,
        )
        return
    report.error(
        "INVALID_CONDITION_OPERATOR",
        f'"{name}" is not a condition operator (e.g. StringEquals, ArnLike, IpAddress, '
        "optionally with ForAnyValue:/ForAllValues: and IfExists).",
        entry.operator_path,
    )


def _check_values(entry: ConditionEntry, operator: Operator, report: Report) -> None:
    family = operator.family
    for value, path in entry.values:
        if isinstance(value, (dict, list)) or value is None:
            continue  # a grammar error
        if family == "String":
            continue
        text = value if isinstance(value, str) else None
        if text is not None and has_variable(text) and family in ("Numeric", "Date", "IPAddress"):
            report.error(
                "INVALID_CONDITION_VALUE",
                f'"{text}": policy variables are not supported with {operator.base}.',
                path,
            )
            continue
        if not _value_fits(family, value):
            text = value if isinstance(value, str) else shown(value)
            report.error(
                "INVALID_CONDITION_VALUE",
                f'"{text}" is not valid for {operator.base} on {entry.key}: expected '
                f"{_SHAPES[family]}.",
                path,
            )


def _value_fits(family: str, value: Any) -> bool:
    if isinstance(value, bool):
        return family in ("Bool", "Null")
    if isinstance(value, (int, float)):
        return family in ("Numeric", "Date")
    text = str(value)
    if family == "Numeric":
        return bool(_NUMBER.fullmatch(text))
    if family == "Date":
        return bool(_EPOCH.fullmatch(text)) or _is_date(text)
    if family == "Bool":
        return text.lower() in ("true", "false") or has_variable(text)
    if family == "Null":
        return text.lower() in ("true", "false")
    if family == "IPAddress":
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            return False
        return True
    if family == "Binary":
        try:
            base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return False
        return True
    if family == "ARN":
        return could_be_arn(text, resource=False)
    return True


def _is_date(text: str) -> bool:
    match = _DATE.fullmatch(text)
    if not match:
        return False
    year, month, day, hour, minute, second, tz_hour, tz_minute = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
        if hour is not None:
            datetime(2000, 1, 1, int(hour), int(minute), int(second or 0))
        if tz_hour is not None and (int(tz_hour) > 23 or int(tz_minute) > 59):
            return False
    except ValueError:
        return False
    return True


def _check_key(
    entry: ConditionEntry,
    operator: Operator,
    catalog: Catalog,
    actions: tuple[Action, ...] | None,
    entry_patterns: tuple[str, ...],
    report: Report,
) -> None:
    key = entry.key
    definition = catalog.condition_key(key)
    if definition is None:
        _report_unknown_key(key, entry.key_path, catalog, report)
        return
    if (
        actions is not None
        and operator.family != "Null"
        and not _supported(key, catalog, actions, entry_patterns)
    ):
        report.warning(
            "UNSUPPORTED_CONDITION_KEY",
            f"No action of the statement carries {key}: it is never in the request, so this "
            f"condition is always {'true' if _true_when_absent(operator) else 'false'} (the key "
            "is neither a global key nor one of the actions' keys).",
            entry.key_path,
        )
    _check_type(entry, operator, definition, report)
    if key.lower() in catalog.sensitive_keys:
        _check_sensitive(entry, operator, report)


def _true_when_absent(operator: Operator) -> bool:
    # IAM's rule for a missing key: IfExists and negated operators are true, ForAllValues is
    # true on an empty set, the positive operators are false.
    if operator.set_prefix == "ForAllValues":
        return True
    if operator.set_prefix == "ForAnyValue":
        return False
    return operator.if_exists or "Not" in operator.base


def _report_unknown_key(key: str, path: str, catalog: Catalog, report: Report) -> None:
    prefix = key.partition(":")[0].lower()
    if prefix == "aws":
        report.warning(
            "UNKNOWN_GLOBAL_CONDITION_KEY",
            f"{key} is not a global condition key the catalog knows; check the spelling.",
            path,
        )
    elif catalog.service(prefix) is not None:
        report.error(
            "UNKNOWN_CONDITION_KEY",
            f"{key} is not a condition key of {catalog.services[prefix].name} ({prefix}).",
            path,
        )


def _supported(
    key: str, catalog: Catalog, actions: tuple[Action, ...], patterns: tuple[str, ...]
) -> bool:
    lowered = key.lower()
    if catalog.is_global_key(key) and not lowered.startswith(_ACTION_SCOPED):
        return True

    def compute() -> bool:
        return any(catalog.action_supports_key(a, key) for a in actions)

    # Keyed by the statement's patterns: hashing thousands of expanded actions would cost more.
    return catalog.cached(("supports", patterns, lowered), compute)


def _check_type(
    entry: ConditionEntry, operator: Operator, definition: ConditionKey, report: Report
) -> None:
    if operator.family == "Null" or not definition.type:
        return
    accepted = _ACCEPTS.get(operator.family, {operator.family})
    key_types = definition.base_types
    if not key_types & accepted:
        shown = definition.type + (f" (or {', '.join(definition.also)})" if definition.also else "")
        if operator.family == "String":
            report.warning(
                "STRING_OPERATOR_ON_TYPED_KEY",
                f"{entry.key} is of type {shown}; {operator.base} compares it as text. Use "
                f"{_family_hint(definition)} operators.",
                entry.key_path,
            )
        else:
            report.error(
                "CONDITION_TYPE_MISMATCH",
                f"{operator.base} cannot be used with {entry.key}, which is of type {shown}; "
                f"use {_family_hint(definition)} operators.",
                entry.key_path,
            )
    if definition.multivalued and operator.set_prefix is None:
        report.warning(
            "MISSING_SET_OPERATOR",
            f"{entry.key} can hold several values: use ForAnyValue:{operator.name} or "
            f"ForAllValues:{operator.name} to say how they are compared.",
            entry.key_path,
        )
    elif not definition.multivalued and operator.set_prefix is not None:
        report.warning(
            "SET_OPERATOR_ON_SINGLE_VALUED_KEY",
            f"{entry.key} is single-valued: {operator.set_prefix}: is meant for multivalued "
            f"keys and changes the result when the key is absent; use {operator.base} alone.",
            entry.key_path,
        )


def _family_hint(definition: ConditionKey) -> str:
    names = {"IPAddress": "IpAddress", "ARN": "Arn", "Binary": "BinaryEquals"}
    return "/".join(sorted(names.get(t, t) for t in definition.base_types))


def _check_sensitive(entry: ConditionEntry, operator: Operator, report: Report) -> None:
    # Like operators (and ARN operators, where Equals also reads wildcards) on keys that
    # fence an account or organization open the fence to anyone matching the pattern.
    if not (operator.family == "ARN" or operator.base in ("StringLike", "StringNotLike")):
        return
    for value, path in entry.values:
        if isinstance(value, str) and ("*" in value or "?" in value):
            report.security(
                "SENSITIVE_KEY_WITH_WILDCARD",
                f'{entry.key} is compared with the wildcard pattern "{value}": any account or '
                "organization matching it passes. Use exact values with StringEquals.",
                path,
            )
