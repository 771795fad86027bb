"""Where a statement sits in a policy's text, for the simulator's ``MatchedStatements``."""

from __future__ import annotations

import json

from policies.engine import locate

_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n"


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    return start + column - 1


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _skip(text: str, offset: int, also: str = "") -> int:
    while offset < len(text) and text[offset] in _SPACE + also:
        offset += 1
    return offset


def statement_span(text: str, index: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """1-based (line, column) of statement ``index``'s ``{`` and just past its ``}``.

    None when the text is not a JSON policy (positions are then left out of the answer).
    """
    try:
        document = json.loads(text)
    except ValueError:
        return None
    body = document.get("Statement") if isinstance(document, dict) else None
    try:
        if isinstance(body, list):
            found = locate(text, f"Statement[{index}]")
            if found is None:
                return None
            start = _offset(text, *found)
        elif isinstance(body, dict):
            found = locate(text, "Statement")  # the key: the value follows its colon
            if found is None:
                return None
            _key, after_key = _DECODER.raw_decode(text, _offset(text, *found))
            start = _skip(text, after_key, ":")
        else:
            return None
        _value, end = _DECODER.raw_decode(text, start)
    except (ValueError, IndexError):
        return None
    return _line_column(text, start), _line_column(text, end)
