"""evaluate(request, policies) -> Decision: the engine's entry point for one request.

The logic is ``policies.engine.decide`` (AWS's documented evaluation); the explanation of a
decision is ``policies.engine.trace``. The decision's constants and helpers are re-exported
here for existing importers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from policies.engine.compile import CompiledPolicySet, compile_policy_set
from policies.engine.decide import (
    ALLOWED,
    CONDITIONAL,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    TRUST_ACTIONS,
    Pending,
    applies,
    decide,
    k_and,
    k_or,
    resource_account,
    same_account,
)
from policies.engine.explain import Explanation, Requirement
from policies.engine.model import PolicySet, Request
from policies.engine.trace import explain_request, requirements_for

__all__ = [
    "ALLOWED",
    "CONDITIONAL",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "TRUST_ACTIONS",
    "Decision",
    "Pending",
    "applies",
    "decide",
    "evaluate",
    "k_and",
    "k_or",
    "resource_account",
    "same_account",
]


@dataclass(frozen=True)
class Decision:
    """The answer for one request; ``explanation`` is computed on first access.

    ``value`` is allowed, explicitDeny, implicitDeny or (three-valued mode only)
    conditional; ``possible`` lists the two-valued outcomes the unknown keys could still
    produce, and ``requirements`` the statements whose unknown conditions decide.
    """

    value: str
    possible: frozenset[str]
    requirements: tuple[Requirement, ...] = ()
    request: Request | None = field(default=None, repr=False, compare=False)
    policies: CompiledPolicySet | None = field(default=None, repr=False, compare=False)

    @property
    def allowed(self) -> bool:
        """True only for a definite allow."""
        return self.value == ALLOWED

    @cached_property
    def explanation(self) -> Explanation | None:
        """Per-layer, per-statement account of the decision (None without a request)."""
        if self.request is None or self.policies is None:
            return None
        return explain_request(self.request, self.policies)

    def to_dict(self, *, explain: bool = False) -> dict[str, Any]:
        """JSON-ready form; with ``explain`` the explanation is included."""
        out: dict[str, Any] = {"decision": self.value}
        if self.value == CONDITIONAL:
            out["possible"] = sorted(self.possible)
            out["requirements"] = [r.to_dict() for r in self.requirements]
        if explain and self.explanation is not None:
            out["explanation"] = self.explanation.to_dict()
        return out


def evaluate(request: Request, policies: PolicySet | CompiledPolicySet) -> Decision:
    """Decide ``request`` against ``policies`` (compiled and cached on first sight)."""
    cset = policies if isinstance(policies, CompiledPolicySet) else compile_policy_set(policies)
    value, possible, pending = decide(request, cset)
    requirements: tuple[Requirement, ...] = ()
    if value == CONDITIONAL:
        requirements = requirements_for(request, pending)
    return Decision(value, possible, requirements, request, cset)
