"""Batch evaluation for the effective-permissions matrix: one principal, many cells at once.

``evaluate_matrix`` returns, per action, bit sets over resource positions (allowed,
conditional, explicit deny) equal cell by cell to ``evaluate()`` in three-valued mode, and
the statements behind them (``Source``). See docs/engine.md, "The matrix".
"""

from policies.engine.matrix.bits import clear_bit_caches
from policies.engine.matrix.core import evaluate_matrix
from policies.engine.matrix.model import (
    ActionRow,
    ConditionRequirement,
    MatrixAction,
    MatrixResource,
    Source,
)
from policies.engine.matrix.world import MatrixWorld, clear_worlds, matrix_world


def clear_matrix_caches() -> None:
    """Forget every cached world, statement bit set and condition outcome."""
    clear_worlds()
    clear_bit_caches()


__all__ = [
    "ActionRow",
    "ConditionRequirement",
    "MatrixAction",
    "MatrixResource",
    "MatrixWorld",
    "Source",
    "clear_matrix_caches",
    "evaluate_matrix",
    "matrix_world",
]
