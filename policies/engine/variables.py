"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team, 'none'}``, ``${*}``.

A template is a tuple of parts: ``str`` (policy text, where ``*``/``?`` keep their meaning for
wildcard operators), ``Literal`` (text that is never a wildcard: ``${*}``, ``${?}``, ``${$}``
and every substituted value) and ``Var`` (a reference to resolve against the request).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from policies.engine.model import ContextValue


class Literal(NamedTuple):
    """Text compared character for character, wildcards included."""

    text: str


class Var(NamedTuple):
    """``${key}`` or ``${key, 'default'}``; ``key`` is lower-cased (key names ignore case)."""

    key: str
    default: str | None
    raw: str


Part = str | Literal | Var
Template = tuple[Part, ...]


class _Unknown:
    """Marker: a variable refers to a key declared unknown (three-valued mode)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
ESCAPES = {"*": "*", "?": "?", "$": "$"}


def parse_template(text: str) -> Template | None:
    """Split ``text`` into parts, or None when it holds no variable (the common case)."""
    if "${" not in text:
        return None
    parts: list[Part] = []
    buf: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        start = text.find("${", i)
        if start < 0:
            buf.append(text[i:])
            break
        buf.append(text[i:start])
        end = _closing_brace(text, start + 2)
        if end < 0:  # an unterminated ${ is plain text
            buf.append(text[start:])
            break
        inner = text[start + 2 : end]
        part = _variable(inner, text[start : end + 1])
        if part is None:
            buf.append(text[start : end + 1])
        else:
            if buf:
                joined = "".join(buf)
                if joined:
                    parts.append(joined)
                buf = []
            parts.append(part)
        i = end + 1
    joined = "".join(buf)
    if joined:
        parts.append(joined)
    if not any(isinstance(p, (Var, Literal)) for p in parts):
        return None
    return tuple(parts)


def _closing_brace(text: str, pos: int) -> int:
    """Index of the ``}`` closing a variable, skipping a quoted default value."""
    quoted = False
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch == "'":
            if quoted and pos + 1 < n and text[pos + 1] == "'":
                pos += 2  # '' is an escaped quote inside a default value
                continue
            quoted = not quoted
        elif ch == "}" and not quoted:
            return pos
        pos += 1
    return -1


def _variable(inner: str, raw: str) -> Part | None:
    """The part for the text between ``${`` and ``}``, or None if it is not a variable."""
    stripped = inner.strip()
    if stripped in ESCAPES:
        return Literal(ESCAPES[stripped])
    key, comma, rest = inner.partition(",")
    key = key.strip()
    if not key or any(c.isspace() for c in key):
        return None
    default = None
    if comma:
        rest = rest.strip()
        if len(rest) < 2 or rest[0] != "'" or rest[-1] != "'":
            return None
        default = rest[1:-1].replace("''", "'")
    return Var(key.lower(), default, raw)


def resolve(
    template: Template,
    context: Mapping[str, ContextValue],
    is_unknown: Callable[[str], bool] | None = None,
) -> tuple[Part, ...] | _Unknown | None:
    """Substitute variables: parts with no Var, None if one cannot resolve, or UNKNOWN.

    A multi-valued key never substitutes; its default (if any) applies instead.
    """
    out: list[Part] = []
    for part in template:
        if isinstance(part, Var):
            if is_unknown is not None and is_unknown(part.key):
                return UNKNOWN
            value = context.get(part.key)
            if isinstance(value, str):
                out.append(Literal(value))
            elif part.default is not None:
                out.append(Literal(part.default))
            else:
                return None
        else:
            out.append(part)
    return tuple(out)


def flatten(parts: tuple[Part, ...]) -> str:
    """The text of resolved parts, every character literal (for exact comparisons)."""
    return "".join(p if isinstance(p, str) else p.text for p in parts)  # type: ignore[union-attr]
