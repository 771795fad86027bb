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
    """The fullmatch method of a compiled expression (cached by its source).

    A wildcard expression with more than two wildcards that can backtrack (``*a*a*a*b``
    against ``aaaa…`` takes exponential time in Python's ``re``: one policy could stall a
    worker) is matched by a linear-time ``WildcardProgram`` instead.
    """
    tokens = wildcard_tokens(regex)
    if tokens is not None and backtracking_stars(tokens) > MAX_BACKTRACKING_STARS:
        return WildcardProgram(tokens).fullmatch
    return re.compile(regex, re.DOTALL).fullmatch


# Tokens of a wildcard expression: one literal character, or one of these (longer than one
# character, so that no literal can be mistaken for them).
ANY, ANY_IN_SEGMENT, STAR, STAR_IN_SEGMENT = "<any>", "<any-in-segment>", "<star>", "<star-in>"
_WILDCARD_SOURCES = {".": ANY, "[^:]": ANY_IN_SEGMENT, ".*": STAR, "[^:]*": STAR_IN_SEGMENT}
_STARS = (STAR, STAR_IN_SEGMENT)
_TOKEN = re.compile(r"\[\^:\]\*|\[\^:\]|\.\*|\.|\\(.)|(.)", re.DOTALL)
_UNESCAPED_SPECIAL = frozenset("()[]{}+?|^$*\\")
MAX_BACKTRACKING_STARS = 2


def wildcard_tokens(regex: str) -> tuple[str, ...] | None:
    """The tokens of a glob_regex expression, or None for any other expression."""
    tokens: list[str] = []
    for found in _TOKEN.finditer(regex):
        escaped, plain = found.group(1), found.group(2)
        if plain is not None:
            if plain in _UNESCAPED_SPECIAL:
                return None
            tokens.append(plain)
        else:
            tokens.append(escaped if escaped is not None else _WILDCARD_SOURCES[found.group(0)])
    return tuple(tokens)


def backtracking_stars(tokens: tuple[str, ...]) -> int:
    """Stars with a choice of length: not the last token, nor ``[^:]*`` right before ``:``."""
    count = 0
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        if (
            token in _STARS
            and i != last
            and not (token == STAR_IN_SEGMENT and tokens[i + 1] == ":")
        ):
            count += 1
    return count


class WildcardProgram:
    """Full match of wildcard tokens in time linear in the value (a bit-parallel NFA).

    Bit ``i`` of the state means "the first ``i`` tokens match the text read so far"; a star
    keeps its bit on each character it may consume, and may also match nothing.
    ``fold`` compares characters lower-cased (case-insensitive patterns).
    """

    __slots__ = (
        "_accept",
        "_any",
        "_any_segment",
        "_fold",
        "_literals",
        "_star_any",
        "_stars",
        "_start",
    )

    def __init__(self, tokens: tuple[str, ...], *, fold: bool = False):
        collapsed: list[str] = []
        for token in tokens:
            if token in _STARS and collapsed and collapsed[-1] in _STARS:
                # Adjacent stars match what the widest of them matches.
                collapsed[-1] = STAR if STAR in (token, collapsed[-1]) else STAR_IN_SEGMENT
            else:
                collapsed.append(token)
        self._fold = fold
        self._literals: dict[str, int] = {}
        self._any = self._any_segment = self._stars = self._star_any = 0
        for i, token in enumerate(collapsed):
            bit = 1 << i
            if token == ANY:
                self._any |= bit
            elif token == ANY_IN_SEGMENT:
                self._any_segment |= bit
            elif token in _STARS:
                self._stars |= bit
                if token == STAR:
                    self._star_any |= bit
            else:
                key = token.lower() if fold else token
                self._literals[key] = self._literals.get(key, 0) | bit
        self._accept = 1 << len(collapsed)
        self._start = 1 | ((1 & self._stars) << 1)

    def fullmatch(self, value: str) -> bool:
        """True when the whole of ``value`` matches."""
        literals, stars = self._literals, self._stars
        any_any, any_segment, star_any = self._any, self._any_segment, self._star_any
        state = self._start
        for ch in value.lower() if self._fold else value:
            if ch == ":":
                advance, stay = literals.get(ch, 0) | any_any, star_any
            else:
                advance, stay = literals.get(ch, 0) | any_any | any_segment, stars
            state = ((state & advance) << 1) | (state & stay)
            if not state:
                return False
            state |= (state & stars) << 1
        return bool(state & self._accept)


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
