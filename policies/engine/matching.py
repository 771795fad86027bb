"""Wildcard matching for actions, resources, StringLike and ARN values.

Every matcher is a callable returning a truthy value on a match. Plain patterns take fast
paths (equality, prefix, suffix); the rest compile to one anchored regular expression. A
pattern is either policy text (``*`` and ``?`` are wildcards) or resolved template parts
(``Literal`` parts never are).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from policies.engine.variables import Literal, Part

Matcher = Callable[[str], Any]

ACTION = "action"  # case-insensitive (callers lower-case both sides), * spans everything
LIKE = "like"  # StringLike: * and ? span any character
RESOURCE = "resource"  # ARN segments: * stays within a colon segment unless it ends one
ARN = "arn"  # ArnLike: the six ARN parts compared one by one


def _always(_value: str) -> bool:
    return True


@lru_cache(maxsize=16384)
def compile_pattern(pattern: str, mode: str) -> Matcher:
    """A matcher for policy text ``pattern`` (wildcards active) in ``mode``."""
    if mode == ACTION:
        pattern = pattern.lower()
    star = pattern.find("*")
    has_q = "?" in pattern
    if star < 0 and not has_q:
        return pattern.__eq__
    if not has_q:
        stars = pattern.count("*")
        if stars == len(pattern):
            return _always
        # A lone trailing * ends its segment, so it spans colons in every mode.
        if stars == 1 and star == len(pattern) - 1:
            return _prefix(pattern[:-1])
        if mode in (ACTION, LIKE) and stars == 1 and star == 0:
            return _suffix(pattern[1:])
    return regex_matcher(glob_regex((pattern,), mode))


def _prefix(prefix: str) -> Matcher:
    def match(value: str) -> bool:
        return value.startswith(prefix)

    return match


def _suffix(suffix: str) -> Matcher:
    def match(value: str) -> bool:
        return value.endswith(suffix)

    return match


@lru_cache(maxsize=16384)
def regex_matcher(regex: str) -> Matcher:
    """The fullmatch method of a compiled expression (cached by its source)."""
    return re.compile(regex, re.DOTALL).fullmatch


def match_parts(parts: tuple[Part, ...], mode: str, value: str) -> bool:
    """Match resolved template parts (substituted values are literal) against ``value``."""
    if len(parts) == 1 and isinstance(parts[0], str):
        return bool(compile_pattern(parts[0], mode)(value))
    return bool(regex_matcher(glob_regex(parts, mode))(value))


def glob_regex(parts: tuple[Part, ...], mode: str) -> str:
    """Regular expression source for ``parts`` under the wildcard rules of ``mode``."""
    chars: list[tuple[str, bool]] = []
    for part in parts:
        if isinstance(part, Literal):
            text = part.text
            chars.extend((c, False) for c in (text.lower() if mode == ACTION else text))
        else:
            text = part.lower() if mode == ACTION else part  # type: ignore[union-attr]
            chars.extend((c, True) for c in text)
    if mode == ARN:
        colons = sum(1 for c, _ in chars if c == ":")
        if colons < 5:
            # Not an ARN-shaped pattern: compare it as a plain wildcard string.
            mode = LIKE
    out: list[str] = []
    segment = 0  # ARN part index, for ARN mode
    n = len(chars)
    for i, (c, wild) in enumerate(chars):
        if wild and c == "*":
            if mode == RESOURCE:
                last_of_segment = i + 1 == n or chars[i + 1][0] == ":"
                out.append(".*" if last_of_segment else "[^:]*")
            elif mode == ARN and segment < 5:
                out.append("[^:]*")
            else:
                out.append(".*")
        elif wild and c == "?":
            if mode == RESOURCE or (mode == ARN and segment < 5):
                out.append("[^:]")
            else:
                out.append(".")
        else:
            if c == ":":
                segment += 1
            out.append(re.escape(c))
    return "".join(out)


def compile_any(patterns: tuple[str, ...], mode: str) -> Matcher:
    """One matcher that is true when any of ``patterns`` matches."""
    if not patterns:
        return lambda _value: False
    matchers = [compile_pattern(p, mode) for p in patterns]
    if any(m is _always for m in matchers):
        return _always
    if len(matchers) == 1:
        return matchers[0]
    exact = frozenset(p.lower() if mode == ACTION else p for p in patterns if _plain(p))
    others = tuple(m for p, m in zip(patterns, matchers, strict=True) if not _plain(p))
    if not others:
        return exact.__contains__

    def match(value: str) -> bool:
        return value in exact or any(m(value) for m in others)

    return match


def _plain(pattern: str) -> bool:
    """A pattern without wildcards."""
    return "*" not in pattern and "?" not in pattern
