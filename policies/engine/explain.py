"""The explanation a Decision carries: per layer, per statement, per condition (dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

IDENTITY = "identity"
BOUNDARY = "boundary"
SESSION = "session"
SCP = "scp"
RCP = "rcp"
RESOURCE = "resource"
LAYER_PHRASES = {
    IDENTITY: "identity-based policy",
    BOUNDARY: "permissions boundary",
    SESSION: "session policy",
    SCP: "service control policy",
    RCP: "resource control policy",
    RESOURCE: "resource-based policy",
}


def tv_name(value: bool | None) -> str:
    """``true``/``false``/``unknown`` for a three-valued outcome."""
    return "unknown" if value is None else ("true" if value else "false")


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value


@dataclass(frozen=True, slots=True)
class StatementRef:
    """Identifies a statement: its layer (and org level), policy index, statement index, Sid."""

    layer: str
    level: int | None
    policy: int
    statement: int
    sid: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "layer": self.layer,
            "level": self.level,
            "policy": self.policy,
            "statement": self.statement,
            "sid": self.sid,
        }

    def label(self) -> str:
        """Short human form, e.g. ``scp[1][0].Statement[2] (DenyAll)``."""
        level = f"[{self.level}]" if self.level is not None else ""
        sid = f" ({self.sid})" if self.sid else ""
        return f"{self.layer}{level}[{self.policy}].Statement[{self.statement}]{sid}"


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """One condition key test: operator, key, policy values, request value and outcome."""

    operator: str
    key: str
    values: tuple[str, ...]
    request_value: str | tuple[str, ...] | None
    outcome: bool | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (outcome ``true``/``false``/``unknown``)."""
        return {
            "operator": self.operator,
            "key": self.key,
            "values": list(self.values),
            "request_value": _jsonable(self.request_value),
            "outcome": tv_name(self.outcome),
        }


@dataclass(frozen=True, slots=True)
class StatementResult:
    """How one statement fared: each element's match and whether the statement applies.

    ``principal`` is None where the layer has no principal element to check, else how the
    element names the caller: ``none``, ``account``, ``role`` or ``principal``.
    """

    ref: StatementRef
    effect: str
    action: bool
    resource: bool | None
    principal: str | None
    conditions: tuple[ConditionResult, ...]
    applies: bool | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "ref": self.ref.to_dict(),
            "effect": self.effect,
            "action": self.action,
            "resource": tv_name(self.resource),
            "principal": self.principal,
            "conditions": [c.to_dict() for c in self.conditions],
            "applies": tv_name(self.applies),
        }


@dataclass(frozen=True, slots=True)
class LayerResult:
    """One policy layer (or one level of the SCP/RCP path) and what it contributed.

    ``result``: ``allow``, ``deny``, ``no allow``, ``unknown``, ``implicit allow`` (an RCP
    level, whose allow-all is implied) or ``not applicable`` (e.g. identity policies of the
    root user, SCPs of a service-linked role).
    """

    layer: str
    level: int | None
    result: str
    statements: tuple[StatementResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "layer": self.layer,
            "level": self.level,
            "result": self.result,
            "statements": [s.to_dict() for s in self.statements],
        }


@dataclass(frozen=True, slots=True)
class Requirement:
    """For a conditional decision: a statement whose unknown conditions decide it.

    ``must_hold`` is True for an Allow (the conditions must hold for it to grant) and False
    for a Deny (they must not all hold, or the request is denied).
    """

    statement: StatementRef
    effect: str
    must_hold: bool
    conditions: tuple[ConditionResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "statement": self.statement.to_dict(),
            "effect": self.effect,
            "must_hold": self.must_hold,
            "conditions": [c.to_dict() for c in self.conditions],
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a request got its decision: every layer, the deciding statements, AWS's message."""

    decision: str
    reason: str
    message: str
    principal_kind: str
    same_account: bool
    layers: tuple[LayerResult, ...]
    deciding: tuple[StatementRef, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "decision": self.decision,
            "reason": self.reason,
            "message": self.message,
            "principal_kind": self.principal_kind,
            "same_account": self.same_account,
            "deciding": [d.to_dict() for d in self.deciding],
            "layers": [layer.to_dict() for layer in self.layers],
        }
