"""Map a finding's JSON path (``Statement[1].Resource[0]``) to a line and column of the text.

The editor calls this on whatever the user typed, so the scanner tolerates any text: it
recovers from missing commas, unclosed brackets and stray characters, and never raises.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field

_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(slots=True)
class _Node:
    offset: int
    kind: str  # "object", "array" or "scalar"
    members: dict[str, tuple[int, _Node]] = field(default_factory=dict)
    items: list[_Node] = field(default_factory=list)
    pending: tuple[str, int] | None = None  # a key read, its value not yet
    expect_key: bool = True
    folded: dict[str, tuple[str, tuple[int, _Node]]] | None = None  # built on first use


class Locator:
    """Scans a text once and then locates any number of paths in it.

    Locating one finding costs the length of its path, not of the text: the editor locates
    every finding of a document, and a scan per finding made that quadratic.
    """

    def __init__(self, text: str) -> None:
        self.text = text if isinstance(text, str) else ""
        self._root = _scan(self.text)
        self._line_starts: list[int] | None = None

    def locate(self, path: str) -> tuple[int, int] | None:
        """1-based (line, column) of the value at ``path``; see ``locate``."""
        if self._root is None or not isinstance(path, str):
            return None
        return self.line_column(_resolve(self._root, path))

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset of the text (a binary search)."""
        starts = self._starts()
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def offset(self, line: int, column: int) -> int:
        """The character offset of a 1-based (line, column); IndexError past the last line."""
        return self._starts()[line - 1] + column - 1

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos >= 0:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts


def locate(text: str, path: str) -> tuple[int, int] | None:
    """1-based (line, column) of the value at ``path`` (a member's key for object members).

    When the path leads past what the text holds, the deepest existing ancestor is given;
    None when the text holds no JSON value at all. To locate several paths of one text, use
    one ``Locator``.
    """
    if not isinstance(text, str) or not isinstance(path, str):
        return None
    return Locator(text).locate(path)


# One token at a time, found by C code: white space, an opener, a closer, a colon, a comma, a
# string (an unterminated one ends with its line), a bare scalar, or any other character.
_TOKEN = re.compile(
    r"""[ \t\r\n]*(?:([{\[])|([}\]])|(:)|(,)|("(?:[^"\\\n]|\\[\s\S]|\\\Z)*"?)"""
    r"""|([^\s{}\[\]:,"]+|[\s\S]))?"""
)


def _scan(text: str) -> _Node | None:
    root: _Node | None = None
    stack: list[_Node] = []
    open_count = {"object": 0, "array": 0}

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

    for match in _TOKEN.finditer(text):
        group = match.lastindex
        if group is None:
            continue  # white space at the end
        pos = match.start(group)
        opener, closer, colon, comma, string, _scalar = match.groups()
        if opener:
            node = _Node(pos, "object" if opener == "{" else "array")
            attach(node)
            stack.append(node)
            open_count[node.kind] += 1
        elif closer:
            wanted = "object" if closer == "}" else "array"
            # Close up to the matching container; an unmatched closer is ignored.
            if open_count[wanted]:
                while stack:
                    closed = stack.pop()
                    open_count[closed.kind] -= 1
                    if closed.kind == wanted:
                        break
        elif colon:
            if stack and stack[-1].kind == "object":
                stack[-1].expect_key = False
        elif comma:
            if stack and stack[-1].kind == "object":
                stack[-1].expect_key = True
                stack[-1].pending = None
        elif string:
            top = stack[-1] if stack else None
            if top is not None and top.kind == "object" and top.expect_key:
                top.pending = (_decode(string), pos)
                top.expect_key = False
            else:
                attach(_Node(pos, "scalar"))
        else:
            attach(_Node(pos, "scalar"))
    return root


def _decode(raw: str) -> str:
    if "\\" not in raw and len(raw) > 1 and raw.endswith('"'):
        return raw[1:-1]
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
    if node.kind != "object" or not node.members:
        return None
    # Keys may hold dots and brackets (aws:RequestTag/cost.center): take the longest key that
    # the path continues with and that ends where a path step can end. Only the places where
    # a step can end are tried, each a dictionary lookup, so an object's size does not count.
    rest = path[pos:]
    ends = [len(rest)] + [i for i in range(len(rest) - 1, 0, -1) if rest[i] in ".["]
    for end in ends:
        key = rest[:end]
        if key in node.members:
            return key, node.members[key]
    if node.folded is None:
        node.folded = {}
        for key, member in node.members.items():
            node.folded.setdefault(key.lower(), (key, member))
    lowered = rest.lower()
    for end in ends:
        found = node.folded.get(lowered[:end])
        if found is not None and found[0]:
            return found
    return None
