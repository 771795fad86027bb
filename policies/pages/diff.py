"""A side-by-side diff of two policy documents (difflib over pretty-printed JSON)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from policies.pages.common import pretty_document


@dataclass(frozen=True)
class DiffRow:
    """One row of the two-column diff; a side is None where the other has a line alone."""

    op: str  # equal | replace | delete | insert
    left_number: int | None
    left: tuple[tuple[str, bool], ...]  # (text, changed) segments
    right_number: int | None
    right: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class Diff:
    """Rows plus the counts the page shows above them."""

    rows: tuple[DiffRow, ...]
    added: int
    removed: int

    @property
    def identical(self) -> bool:
        """True when the pretty-printed documents are the same."""
        return not (self.added or self.removed)


def _common_length(a: str, b: str) -> int:
    """How many leading characters two strings share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _segments(left: str, right: str) -> tuple[tuple, tuple]:
    """A changed line pair as (text, changed) segments: one changed run between the common
    prefix and suffix, which reads better than character-level fragments."""
    prefix = _common_length(left, right)
    suffix = _common_length(left[prefix:][::-1], right[prefix:][::-1])

    def split(text: str) -> tuple:
        middle_end = len(text) - suffix
        parts = (
            (text[:prefix], False),
            (text[prefix:middle_end], True),
            (text[middle_end:], False),
        )
        return tuple(p for p in parts if p[0])

    return split(left), split(right)


def side_by_side(left_text: str, right_text: str) -> Diff:
    """Rows of a two-column diff of two documents, JSON pretty-printed the same way first."""
    left = pretty_document(left_text).split("\n")
    right = pretty_document(right_text).split("\n")
    rows: list[DiffRow] = []
    added = removed = 0
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for offset in range(i2 - i1):
                i, j = i1 + offset, j1 + offset
                rows.append(DiffRow(op, i + 1, ((left[i], False),), j + 1, ((right[j], False),)))
            continue
        removed += i2 - i1
        added += j2 - j1
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            has_left, has_right = i < i2, j < j2
            if has_left and has_right:
                lseg, rseg = _segments(left[i], right[j])
                rows.append(DiffRow("replace", i + 1, lseg, j + 1, rseg))
            elif has_left:
                rows.append(DiffRow("delete", i + 1, ((left[i], True),), None, ()))
            else:
                rows.append(DiffRow("insert", None, (), j + 1, ((right[j], True),)))
    return Diff(tuple(rows), added, removed)
