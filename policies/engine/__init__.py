"""The IAM policy engine: parse, validate and evaluate policies as AWS documents them.

Pure Python over plain data: no Django import, no database, no I/O (tests/policies/engine/
test_purity.py enforces this). Reference data such as the action catalog is passed in by the
caller (see ``policies.catalog`` for the loader that lives outside the engine).
"""

from policies.engine.errors import PolicyError

__all__ = ["PolicyError"]
