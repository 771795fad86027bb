"""Reasoning about IAM wildcard patterns: containment of one glob in another, and whether a
Resource pattern can match any ARN of a resource type (the intersection of two languages).

Patterns become sequences of elements: a character class that occurs once or any number of
times. A policy ``*`` is "any run" (it may cross ``:`` and ``/``, the permissive reading, so
that "can never match" is only said when it is certain); a policy variable is unknown text and
reads as ``*``. Results are memoised: the editor revalidates the same patterns every keystroke.
"""

from __future__ import annotations

import functools
import re

from policies.engine.validation.document import LITERAL_ESCAPES, VARIABLE

# A character class: (negated, characters). (True, ∅) is any character.
CharClass = tuple[bool, frozenset[str]]
# An element: a class, and whether it repeats (zero or more) or occurs exactly once.
Element = tuple[CharClass, bool]

ANY: CharClass = (True, frozenset())
NOT_COLON: CharClass = (True, frozenset(":"))

# Any ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, partition/service/resource non-empty.
_ARN_SHAPE = "arn:${Partition}:${Service}:${Region}:${Account}:${Resource}"


def _literal(ch: str) -> Element:
    return ((False, frozenset(ch)), False)


def pattern_elements(pattern: str, resource: bool = True) -> tuple[Element, ...]:
    """Elements of a policy pattern; policy variables are unknown text (any run).

    With ``resource`` the evaluator's Resource rule applies: ``*`` and ``?`` stay within a
    colon segment, except a ``*`` that ends a segment (before ``:`` or at the end), which may
    run past colons. Otherwise ``*`` is any run and ``?`` any character.
    """
    elements: list[Element] = []
    pos = 0
    for match in VARIABLE.finditer(pattern):
        elements.extend(_glob_chars(pattern, pos, match.start(), resource))
        token = match.group(0)
        elements.append(_literal(token[2]) if token in LITERAL_ESCAPES else (ANY, True))
        pos = match.end()
    elements.extend(_glob_chars(pattern, pos, len(pattern), resource))
    return tuple(elements)


def _glob_chars(pattern: str, start: int, end: int, resource: bool) -> list[Element]:
    elements: list[Element] = []
    for i in range(start, end):
        c = pattern[i]
        if c == "*":
            spans = not resource or i + 1 == len(pattern) or pattern[i + 1] == ":"
            elements.append((ANY if spans else NOT_COLON, True))
        elif c == "?":
            elements.append((NOT_COLON if resource else ANY, False))
        else:
            elements.append(_literal(c))
    return elements


def format_elements(arn_format: str) -> tuple[Element, ...]:
    """Elements of a documented ARN format such as ``arn:${Partition}:mq:${Region}:...``."""
    elements: list[Element] = []
    pos = 0
    for match in re.finditer(r"\$\{([^}]*)\}", arn_format):
        elements.extend(_format_chars(arn_format[pos : match.start()]))
        field_index = arn_format.count(":", 0, match.start())
        if field_index < 5:
            # Inside partition/service/region/account: no colon; only some may be empty.
            if match.group(1) in ("Partition", "Service"):
                elements.append((NOT_COLON, False))
            elements.append((NOT_COLON, True))
        else:
            elements.extend(((ANY, False), (ANY, True)))
        pos = match.end()
    elements.extend(_format_chars(arn_format[pos:]))
    return tuple(elements)


def _format_chars(text: str) -> list[Element]:
    # A literal "*" in a documented format (connect's ".../queue/*") stands for any run.
    return [(ANY, True) if c == "*" else _literal(c) for c in text]


def regex_elements(regex: str) -> tuple[Element, ...] | None:
    """Elements of a simple anchored ARN regex (literals, ``.``, ``[^...]``, ``+``/``*``).

    None when the regex uses anything else (groups, alternation, counts): the caller falls
    back to the ARN format.
    """
    body = regex.removeprefix("^").removesuffix("$")
    elements: list[Element] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            cls: CharClass = (False, frozenset(body[i + 1]))
            i += 2
        elif ch == ".":
            cls = ANY
            i += 1
        elif ch == "[":
            end = body.find("]", i + 2)
            if end < 0:
                return None
            inner = body[i + 1 : end]
            negated = inner.startswith("^")
            chars = inner[1:] if negated else inner
            if "-" in chars.strip("-") or "\\" in chars:
                return None  # ranges and escapes inside classes are not needed here
            cls = (negated, frozenset(chars))
            i = end + 1
        elif ch in "()|{}?+*^$":
            return None
        else:
            cls = (False, frozenset(ch))
            i += 1
        quantifier = body[i] if i < len(body) else ""
        if quantifier == "+":
            elements.extend(((cls, False), (cls, True)))
            i += 1
        elif quantifier == "*":
            elements.append((cls, True))
            i += 1
        elif quantifier in ("?", "{"):
            return None
        else:
            elements.append((cls, False))
    return tuple(elements)


def _overlap(a: CharClass, b: CharClass) -> bool:
    a_negated, a_chars = a
    b_negated, b_chars = b
    if a_negated and b_negated:
        return True  # the alphabet is unbounded
    if a_negated:
        return bool(b_chars - a_chars)
    if b_negated:
        return bool(a_chars - b_chars)
    return bool(a_chars & b_chars)


def intersects(a: tuple[Element, ...], b: tuple[Element, ...]) -> bool:
    """True when some string is matched by both element sequences (product-automaton search)."""
    end = (len(a), len(b))
    seen = {(0, 0)}
    stack = [(0, 0)]
    while stack:
        state = stack.pop()
        if state == end:
            return True
        i, j = state
        moves = []
        if i < len(a) and a[i][1]:
            moves.append((i + 1, j))
        if j < len(b) and b[j][1]:
            moves.append((i, j + 1))
        if i < len(a) and j < len(b) and _overlap(a[i][0], b[j][0]):
            moves.append((i if a[i][1] else i + 1, j if b[j][1] else j + 1))
        for move in moves:
            if move not in seen:
                seen.add(move)
                stack.append(move)
    return False


@functools.lru_cache(maxsize=8192)
def _compiled_format(arn_format: str, arn_regex: str) -> tuple[Element, ...]:
    if arn_regex:
        from_regex = regex_elements(arn_regex)
        if from_regex is not None:
            return from_regex
    return format_elements(arn_format)


@functools.lru_cache(maxsize=65536)
def could_match_format(pattern: str, arn_format: str, arn_regex: str = "") -> bool:
    """True when the Resource pattern can match some ARN of this format (or regex)."""
    if not arn_format.startswith("arn:") and not arn_regex:
        return True  # an undocumented shape: assume it can
    return intersects(pattern_elements(pattern), _compiled_format(arn_format, arn_regex))


@functools.lru_cache(maxsize=8192)
def could_be_arn(pattern: str, resource: bool = True) -> bool:
    """True when the pattern is ``*``-like or can match some well-formed ARN.

    ``resource`` reads wildcards by the Resource rule; ARN condition values read them freely.
    """
    elements = pattern_elements(pattern, resource)
    return intersects(elements, _compiled_format(_ARN_SHAPE, ""))


@functools.lru_cache(maxsize=8192)
def matches_star(pattern: str) -> bool:
    """True when the pattern matches the literal resource ``*`` (actions without resources)."""
    return intersects(pattern_elements(pattern), (_literal("*"),))


def arn_service(pattern: str) -> str | None:
    """The literal service field of an ARN pattern, or None when it is not literal."""
    parts = pattern.split(":", 3)
    if len(parts) < 4 or parts[0] != "arn":
        return None
    service = parts[2]
    if not service or any(c in service for c in "*?$"):
        return None
    return service


# -- glob containment -------------------------------------------------------------------------


def _tokens(pattern: str, fold: bool) -> tuple[str, ...]:
    # Wildcards become "*" (any run), "*s"/"?s" (within a colon segment: Resource rule) or
    # "?"; a variable stays one token, which only the same variable or a spanning "*" covers.
    tokens: list[str] = []
    pos = 0
    for match in VARIABLE.finditer(pattern):
        tokens.extend(_wild_tokens(pattern, pos, match.start(), fold))
        token = match.group(0)
        tokens.append("\0" + token[2] if token in LITERAL_ESCAPES else token)
        pos = match.end()
    tokens.extend(_wild_tokens(pattern, pos, len(pattern), fold))
    return tuple(t.lower() for t in tokens) if fold else tuple(tokens)


def _wild_tokens(pattern: str, start: int, end: int, fold: bool) -> list[str]:
    tokens = []
    for i in range(start, end):
        c = pattern[i]
        if c == "*" and not fold and i + 1 < len(pattern) and pattern[i + 1] != ":":
            tokens.append("*s")
        elif c == "?" and not fold:
            tokens.append("?s")
        else:
            tokens.append(c)
    return tokens


_WILD = re.compile(r"[*?]|\$\{")


def _single(token: str, general: str) -> bool:
    # May one wildcard character of the general pattern stand for this specific token?
    if token in ("*", "*s") or token.startswith("${"):
        return False
    if general == "?s":
        return token != ":" and token != "?"
    return True


@functools.lru_cache(maxsize=65536)
def covers(general: str, specific: str, fold: bool = False) -> bool:
    """True when every string ``specific`` matches is also matched by ``general``.

    Sound, not complete: a wildcard of ``specific`` must meet a wildcard of ``general`` at
    least as broad. ``fold`` compares actions (case-insensitive, ``*`` spans everything);
    without it the Resource rule of colon segments applies.
    """
    if fold:
        general, specific = general.lower(), specific.lower()
    # Cheap necessary conditions first: the literal head and tail of the general pattern
    # must begin and end the specific one (a wildcard there cannot equal a literal).
    head = _WILD.split(general, 1)[0]
    tail = _WILD.split(general)[-1] if _WILD.search(general) else general
    if not specific.startswith(head) or not specific.endswith(tail):
        return False
    g = _tokens(general, fold)
    s = _tokens(specific, fold)
    # reach[j]: the general tokens so far can cover specific[:j]
    reach = [True] + [False] * len(s)
    for token in g:
        nxt = [False] * (len(s) + 1)
        if token in ("*", "*s"):
            running = False
            for j in range(len(s) + 1):
                if token == "*s" and j > 0 and not (s[j - 1] == "*s" or _single(s[j - 1], "?s")):
                    running = False  # a segment star cannot run past this token
                running = running or reach[j]
                nxt[j] = running
        else:
            for j in range(len(s)):
                if reach[j] and (s[j] == token or (token in ("?", "?s") and _single(s[j], token))):
                    nxt[j + 1] = True
        reach = nxt
    return reach[len(s)]


# Wildcard containment for one document's suggestions (redundant entries and statements), in
# cells of ``covers``'s table: enough for any real policy, and a bound on hostile ones (thousands
# of wildcards sharing a literal head, or patterns tens of kilobytes long).
COVER_CELLS_PER_DOCUMENT = 2_000_000


class Budget:
    """What is left of a document's containment work; once spent, nothing more is covered."""

    def __init__(self, cells: int = COVER_CELLS_PER_DOCUMENT) -> None:
        self.left = cells

    def spend(self, general: str, specific: str) -> bool:
        """Charge one ``covers`` call; False (and nothing charged) once the budget is spent."""
        if self.left <= 0:
            return False
        self.left -= (len(general) + 1) * (len(specific) + 1)
        return True

    @property
    def spent(self) -> bool:
        """True once no containment work is left."""
        return self.left <= 0


class GlobSet:
    """Patterns indexed by their literal head, to ask quickly which of them covers another.

    With a ``budget``, containment stops when it is spent: a pattern is then reported as not
    covered (a suggestion fewer, never a wrong one).
    """

    def __init__(
        self, patterns: list[str], fold: bool = False, budget: Budget | None = None
    ) -> None:
        self.fold = fold
        self.budget = budget
        self.exact = {p.lower() if fold else p for p in patterns}
        self.by_head: dict[str, list[str]] = {}
        for key in self.exact:
            if _WILD.search(key):
                self.by_head.setdefault(_WILD.split(key, 1)[0], []).append(key)
        self.head_lengths = sorted({len(h) for h in self.by_head})

    def coverer(self, pattern: str) -> str | None:
        """A wildcard pattern of the set, other than ``pattern`` itself, that covers it."""
        key = pattern.lower() if self.fold else pattern
        budget = self.budget
        for length in self.head_lengths:
            if length > len(key):
                break
            for general in self.by_head.get(key[:length], ()):
                if general == key:
                    continue
                if budget is not None and not budget.spend(general, key):
                    return None
                if covers(general, key, self.fold):
                    return general
        return None

    def covers(self, pattern: str) -> bool:
        """True when the set holds ``pattern`` or a wildcard pattern covering it."""
        key = pattern.lower() if self.fold else pattern
        return key in self.exact or self.coverer(key) is not None
