"""The one JSON loader for request input: nesting is bounded before anything is decoded.

``json.loads`` recurses once per level (the C decoder counts against the interpreter's
recursion limit) and so does every recursive walk of its result, so a body nested 100,000
levels deep raised ``RecursionError`` (a 500, in local settings Django's debug page with the
environment). Each interface's parser loads through ``loads``; ``JSONTooDeep`` is a
``ValueError``, so every ``except ValueError`` that turns bad JSON into a 400 covers it too.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

# Far deeper than any IAM policy (about 6 levels) or API body, far shallower than the
# interpreter's recursion limit (1,000) less the frames of a request.
MAX_DEPTH = 64

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class JSONTooDeep(ValueError):
    """The JSON text nests arrays and objects deeper than ``MAX_DEPTH``."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the JSON is nested more than {limit} levels deep")
        self.limit = limit


def depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (brackets inside strings skipped).

    Linear, with the scanning in C; well-formedness is left to the decoder.
    """
    if "[" not in text and "{" not in text:
        return 0
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    return max(0, max(accumulate(map(_STEP.__getitem__, brackets))))


def loads(data: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH, **kwargs: Any) -> Any:
    """``json.loads`` that raises ``JSONTooDeep`` (a ValueError) for text nested too deeply."""
    text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    if depth(text) > max_depth:
        raise JSONTooDeep(max_depth)
    try:
        return json.loads(text, **kwargs)
    except RecursionError:  # unreachable within MAX_DEPTH; kept so nothing else can escape
        raise JSONTooDeep(max_depth) from None
