"""Condition operators: compiled once per condition entry, evaluated per request.

``evaluate`` answers True, False or None (unknown: the request declares a key it depends on
unknown). Semantics (IAM User Guide, condition operators and multivalued keys):

* values listed for a key are ORed; a negated operator (``StringNotEquals``, ``NotIpAddress``,
  ``ArnNotLike``...) holds when the request value matches none of them;
* a missing key makes a positive operator false and a negated one true, ``...IfExists``
  true, ``ForAllValues`` true and ``ForAnyValue`` false; an empty list counts as missing;
* ``ForAnyValue``/``ForAllValues`` test each request value; a single string is a set of one;
* an unprefixed operator on a list-valued key: positive holds when any value matches,
  negated when no value matches (i.e. the negation of the positive result);
* policy variables apply to String, Arn and Bool values under Version 2012-10-17 only.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from policies.engine.matching import ARN, LIKE, compile_any, match_parts, regex_matcher
from policies.engine.matching import glob_regex as _glob_regex
from policies.engine.model import ConditionEntry, Request
from policies.engine.values import (
    in_network,
    parse_address,
    parse_base64,
    parse_date,
    parse_network,
    parse_number,
)
from policies.engine.variables import UNKNOWN, Var, flatten, parse_template, resolve

# Each operator as (family, negated, comparison); a negated operator uses its positive twin.
_OPERATORS: dict[str, tuple[str, bool, Callable[[Any, Any], bool] | None]] = {
    "StringEquals": ("eq", False, None),
    "StringNotEquals": ("eq", True, None),
    "StringEqualsIgnoreCase": ("eq_ic", False, None),
    "StringNotEqualsIgnoreCase": ("eq_ic", True, None),
    "StringLike": ("like", False, None),
    "StringNotLike": ("like", True, None),
    "NumericEquals": ("num", False, operator.eq),
    "NumericNotEquals": ("num", True, operator.eq),
    "NumericLessThan": ("num", False, operator.lt),
    "NumericLessThanEquals": ("num", False, operator.le),
    "NumericGreaterThan": ("num", False, operator.gt),
    "NumericGreaterThanEquals": ("num", False, operator.ge),
    "DateEquals": ("date", False, operator.eq),
    "DateNotEquals": ("date", True, operator.eq),
    "DateLessThan": ("date", False, operator.lt),
    "DateLessThanEquals": ("date", False, operator.le),
    "DateGreaterThan": ("date", False, operator.gt),
    "DateGreaterThanEquals": ("date", False, operator.ge),
    "Bool": ("bool", False, None),
    "BinaryEquals": ("binary", False, None),
    "IpAddress": ("ip", False, None),
    "NotIpAddress": ("ip", True, None),
    "ArnEquals": ("arn", False, None),
    "ArnLike": ("arn", False, None),
    "ArnNotEquals": ("arn", True, None),
    "ArnNotLike": ("arn", True, None),
    "Null": ("null", False, None),
}
VARIABLE_FAMILIES = frozenset({"eq", "eq_ic", "like", "arn", "bool"})
NEGATED_OPERATORS = frozenset(name for name, (_f, neg, _c) in _OPERATORS.items() if neg)

Match = Callable[[str], Any]


def _never(_value: str) -> bool:
    return False


def is_negated(base: str) -> bool:
    """Whether ``base`` is a negated operator (its values are NORed)."""
    return base in NEGATED_OPERATORS


class CompiledCondition:
    """One condition entry with its values parsed and its matcher built."""

    __slots__ = (
        "dynamic",
        "entry",
        "family",
        "for_all",
        "for_any",
        "if_exists",
        "key",
        "keys",
        "match",
        "negated",
        "null_values",
    )

    def __init__(self, entry: ConditionEntry, variables: bool) -> None:
        family, negated, compare = _OPERATORS[entry.base]
        self.entry = entry
        self.family = family
        self.negated = negated
        self.key = entry.key.lower()
        self.if_exists = entry.if_exists
        self.for_all = entry.set_op == "ForAllValues"
        self.for_any = entry.set_op == "ForAnyValue"
        self.null_values = tuple(v.lower() for v in entry.values) if family == "null" else ()
        static: list[str] = []
        dynamic: list[tuple[Any, ...]] = []
        escaped: list[tuple[Any, ...]] = []
        for value in entry.values:
            template = parse_template(value) if variables and family in VARIABLE_FAMILIES else None
            if template is None:
                static.append(value)
            elif any(isinstance(p, Var) for p in template):
                dynamic.append(template)
            else:
                escaped.append(template)
        self.dynamic = tuple(dynamic)
        self.keys = (self.key, *(p.key for t in dynamic for p in t if isinstance(p, Var)))
        self.match = _static_matcher(family, compare, static, escaped)

    def evaluate(self, request: Request) -> bool | None:
        """The condition's outcome for ``request``: True, False or None (unknown)."""
        if request.three_valued and any(request.is_unknown(k) for k in self.keys):
            return None
        value = request.context.get(self.key)
        if self.family == "null":
            absent = value is None or value == ()
            return any((v == "true") == absent for v in self.null_values if v in _BOOLS)
        if value == "" and (self.for_all or self.for_any):
            value = ()  # an empty string is a null data set for the set operators
        if value is None or value == ():
            if self.if_exists or self.for_all:
                return True
            if self.for_any:
                return False
            return self.negated
        match = self.match
        if self.dynamic:
            match = self._with_dynamic(request)
        negated = self.negated
        if isinstance(value, str):
            hit = bool(match(value))
            return hit != negated
        if self.for_all:
            return all(bool(match(v)) != negated for v in value)
        if self.for_any:
            return any(bool(match(v)) != negated for v in value)
        hit = any(match(v) for v in value)
        return hit != negated

    def _with_dynamic(self, request: Request) -> Match:
        """The matcher extended by this request's substituted variable values."""
        resolved = []
        for template in self.dynamic:
            parts = resolve(template, request.context)
            if parts is None or parts is UNKNOWN:
                continue  # an unresolvable variable without default matches nothing
            resolved.append(parts)
        static = self.match
        if not resolved:
            return static
        family = self.family
        if family in ("like", "arn"):
            mode = LIKE if family == "like" else ARN

            def match(value: str) -> bool:
                return bool(static(value)) or any(match_parts(p, mode, value) for p in resolved)

            return match
        texts = [flatten(p) for p in resolved]
        if family == "eq":
            extra = frozenset(texts)
            return lambda value: value in extra or static(value)
        lowered = frozenset(t.lower() for t in texts)
        return lambda value: value.lower() in lowered or static(value)

    def request_value(self, request: Request) -> Any:
        """The request's value for this condition's key (for explanations)."""
        return request.context.get(self.key)


_BOOLS = frozenset({"true", "false"})


def _static_matcher(
    family: str,
    compare: Callable[[Any, Any], bool] | None,
    values: list[str],
    escaped: list[tuple[Any, ...]],
) -> Match:
    """Matcher for values known at compile time (``escaped`` hold ``${*}``-style literals)."""
    if family == "null":
        return _never
    if family in ("eq", "eq_ic", "bool"):
        texts = values + [flatten(t) for t in escaped]
        if family == "eq":
            return frozenset(texts).__contains__
        lowered = frozenset(t.lower() for t in texts)
        return lambda value: value.lower() in lowered
    if family in ("like", "arn"):
        mode = LIKE if family == "like" else ARN
        base = compile_any(tuple(values), mode)
        if not escaped:
            return base
        extra = [regex_matcher(_glob_regex(t, mode)) for t in escaped]
        return lambda value: base(value) or any(m(value) for m in extra)
    if family == "num":
        return _typed(parse_number, compare, values)
    if family == "date":
        return _typed(parse_date, compare, values)
    if family == "ip":
        networks = tuple(n for n in (parse_network(v) for v in values) if n is not None)

        def ip_match(value: str) -> bool:
            address = parse_address(value)
            return address is not None and any(in_network(address, n) for n in networks)

        return ip_match
    if family == "binary":
        blobs = frozenset(b for b in (parse_base64(v) for v in values) if b is not None)

        def binary_match(value: str) -> bool:
            return parse_base64(value) in blobs

        return binary_match
    raise AssertionError(family)  # pragma: no cover - every family is listed above


def _typed(
    parser: Callable[[str], Any], compare: Callable[[Any, Any], bool] | None, values: list[str]
) -> Match:
    """Matcher comparing parsed request values to parsed policy values with ``compare``."""
    assert compare is not None
    parsed = tuple(p for p in (parser(v) for v in values) if p is not None)

    def match(value: str) -> bool:
        got = parser(value)
        return got is not None and any(compare(got, p) for p in parsed)

    return match
