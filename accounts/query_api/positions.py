"""Where a statement sits in a policy's text, for the simulator's ``MatchedStatements``."""

from __future__ import annotations

import functools
import json

from policies.engine.validate import Locator

_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n"


@functools.lru_cache(maxsize=16)
def _located(text: str) -> tuple[Locator, dict | list | str | int | float | bool | None]:
    # One scan and one parse per document, however many statements the answer points at.
    return Locator(text), json.loads(text)


def _skip(text: str, offset: int, also: str = "") -> int:
    while offset < len(text) and text[offset] in _SPACE + also:
        offset += 1
    return offset


def statement_span(text: str, index: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """1-based (line, column) of statement ``index``'s ``{`` and just past its ``}``.

    None when the text is not a JSON policy (positions are then left out of the answer).
    """
    try:
        locator, document = _located(text)
    except (ValueError, RecursionError):
        return None
    body = document.get("Statement") if isinstance(document, dict) else None
    try:
        if isinstance(body, list):
            found = locator.locate(f"Statement[{index}]")
            if found is None:
                return None
            start = locator.offset(*found)
        elif isinstance(body, dict):
            found = locator.locate("Statement")  # the key: the value follows its colon
            if found is None:
                return None
            _key, after_key = _DECODER.raw_decode(text, locator.offset(*found))
            start = _skip(text, after_key, ":")
        else:
            return None
        _value, end = _DECODER.raw_decode(text, start)
    except (ValueError, IndexError):
        return None
    return locator.line_column(start), locator.line_column(end)
