"""The IAM policy engine: parse, validate and evaluate policies as AWS documents them.

Pure Python over plain data: no Django import, no database, no I/O (tests/policies/engine/
test_purity.py enforces this). Reference data such as the action catalog is passed in by the
caller (see ``policies.catalog`` for the loader that lives outside the engine).
"""

from policies.engine.cases import case_to_request
from policies.engine.compile import (
    CompiledPolicy,
    CompiledPolicySet,
    clear_caches,
    compile_policy,
    compile_policy_set,
)
from policies.engine.errors import PolicyError
from policies.engine.evaluate import (
    ALLOWED,
    CONDITIONAL,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    evaluate,
)
from policies.engine.explain import (
    ConditionResult,
    Explanation,
    LayerResult,
    Requirement,
    StatementRef,
    StatementResult,
)
from policies.engine.model import (
    ConditionEntry,
    Policy,
    PolicySet,
    PrincipalSpec,
    Request,
    Statement,
)
from policies.engine.parse import parse

__all__ = [
    "ALLOWED",
    "CONDITIONAL",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "CompiledPolicy",
    "CompiledPolicySet",
    "ConditionEntry",
    "ConditionResult",
    "Decision",
    "Explanation",
    "LayerResult",
    "Policy",
    "PolicyError",
    "PolicySet",
    "PrincipalSpec",
    "Request",
    "Requirement",
    "Statement",
    "StatementRef",
    "StatementResult",
    "case_to_request",
    "clear_caches",
    "compile_policy",
    "compile_policy_set",
    "evaluate",
    "parse",
]

# The validator and its action catalog model (appended as its own block to keep merges simple).
from policies.engine.catalog import Catalog
from policies.engine.validate import (
    Finding,
    Severity,
    locate,
    policy_size,
    size_limit,
    validate,
    validate_text,
)

__all__ += [
    "Catalog",
    "Finding",
    "Severity",
    "locate",
    "policy_size",
    "size_limit",
    "validate",
    "validate_text",
]

# The effective-permissions matrix: one principal's decisions on many cells, as bit sets.
from policies.engine.matrix import (  # noqa: E402 - appended block, as above
    ActionRow,
    ConditionRequirement,
    MatrixAction,
    MatrixResource,
    MatrixWorld,
    Source,
    clear_matrix_caches,
    evaluate_matrix,
    matrix_world,
)

__all__ += [
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
