"""Map a finding's JSON path (``Statement[1].Resource[0]``) to a line and column of the text.

The editor calls this on whatever the user typed, so the scanner tolerates any text: it
recovers from missing commas, unclosed brackets and stray characters, and never raises.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_SCALAR = re.compile(r"[^\s{}\[\]:,\"]+")
_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(slots=True)
class _Node:
    offset: int
    kind: str  # "object", "array" or "scalar"
    members: dict[str, tuple[int, _Node]] = field(default_factory=dict)
    items: list[_Node] = field(default_factory=list)
    pending: tuple[str, int] | None = None  # a key read, its value not yet
    expect_key: bool = True


def locate(text: str, path: str) -> tuple[int, int] | None:
    """1-based (line, column) of the value at ``path`` (a member's key for object members).

    When the path leads past what the text holds, the deepest existing ancestor is given;
    None when the text holds no JSON value at all.
    """
    if not isinstance(text, str) or not isinstance(path, str):
        return None
    root = _scan(text)
    if root is None:
        return None
    return _line_column(text, _resolve(root, path))


def _scan(text: str) -> _Node | None:
    root: _Node | None = None
    stack: list[_Node] = []
    pos = 0
    length = len(text)

    def attach(node: _Node) -> None:
        nonlocal root
        if not stack:
            if root is None:
                root = node
            return
        top = stack[-1]
        if top.kind == "array":
            top.items.append(node)
        elif top.pending is not None:
            key, key_offset = top.pending
            top.members[key] = (key_offset, node)
            top.pending = None
            top.expect_key = True  # tolerate a missing comma before the next key

    while pos < length:
        ch = text[pos]
        if ch in " \t\r\n":
            pos += 1
        elif ch in "{[":
            node = _Node(pos, "object" if ch == "{" else "array")
            attach(node)
            stack.append(node)
            pos += 1
        elif ch in "}]":
            wanted = "object" if ch == "}" else "array"
            # Close up to the matching container; an unmatched closer is ignored.
            if any(n.kind == wanted for n in stack):
                while stack and stack.pop().kind != wanted:
                    pass
            pos += 1
        elif ch == ":":
            if stack and stack[-1].kind == "object":
                stack[-1].expect_key = False
            pos += 1
        elif ch == ",":
            if stack and stack[-1].kind == "object":
                stack[-1].expect_key = True
                stack[-1].pending = None
            pos += 1
        elif ch == '"':
            end = _string_end(text, pos)
            value = _decode(text[pos:end])
            top = stack[-1] if stack else None
            if top is not None and top.kind == "object" and top.expect_key:
                top.pending = (value, pos)
                top.expect_key = False
            else:
                attach(_Node(pos, "scalar"))
            pos = end
        else:
            match = _SCALAR.match(text, pos)
            end = match.end() if match else pos + 1
            attach(_Node(pos, "scalar"))
            pos = end
    return root


def _string_end(text: str, start: int) -> int:
    pos = start + 1
    while pos < len(text):
        ch = text[pos]
        if ch == "\\":
            pos += 2
        elif ch == '"':
            return pos + 1
        elif ch == "\n":
            return pos  # an unterminated string ends with its line
        else:
            pos += 1
    return len(text)


def _decode(raw: str) -> str:
    try:
        value = json.loads(raw)
    except ValueError:
        return raw.strip('"')
    return value if isinstance(value, str) else raw.strip('"')


def _resolve(node: _Node, path: str) -> int:
    offset = node.offset
    pos = 0
    while pos < len(path):
        index = _INDEX.match(path, pos)
        if index:
            number = int(index.group(1))
            if node.kind != "array" or number >= len(node.items):
                return offset
            node = node.items[number]
            offset = node.offset
            pos = index.end()
            continue
        if path[pos] == "." and pos > 0:
            pos += 1
        found = _member(node, path, pos)
        if found is None:
            return offset
        key, (offset, child) = found
        node = child
        pos += len(key)
    return offset


def _member(node: _Node, path: str, pos: int) -> tuple[str, tuple[int, _Node]] | None:
    if node.kind != "object":
        return None
    # Keys may hold dots and brackets (aws:RequestTag/cost.center): take the longest key that
    # the path continues with and that ends where a path step can end.
    best: tuple[str, tuple[int, _Node]] | None = None
    for fold in (False, True):
        rest = path[pos:].lower() if fold else path[pos:]
        for key, member in node.members.items():
            candidate = key.lower() if fold else key
            if not key or not rest.startswith(candidate):
                continue
            after = rest[len(candidate) : len(candidate) + 1]
            if after in ("", ".", "[") and (best is None or len(key) > len(best[0])):
                best = (key, member)
        if best is not None:
            return best
    return None


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column
