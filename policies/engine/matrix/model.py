"""The matrix's inputs and outputs (frozen dataclasses); bit sets are ints over positions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.engine.decide import ALLOWED, CONDITIONAL, EXPLICIT_DENY, IMPLICIT_DENY
from policies.engine.explain import StatementRef


@dataclass(frozen=True, slots=True)
class MatrixResource:
    """One column: its bit ``position`` (unique, >= 0), its ARN and its own context keys.

    ``context`` holds what is specific to the resource (``aws:ResourceTag/team``,
    ``aws:RequestedRegion``, ``aws:ResourceAccount``…); a cell's request context is the
    principal's context updated with it, as in ``{**context, **resource.context}``.
    """

    position: int
    arn: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MatrixAction:
    """One row: an action and the positions of the resources it is evaluated on."""

    name: str
    positions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ConditionRequirement:
    """A condition that depends on unknown keys: ``operator``, ``key`` and policy ``values``.

    A Resource/NotResource element whose policy variable names an unknown key is reported
    the same way, with ``operator`` ``Resource``/``NotResource`` and ``key`` ``resource``.
    """

    operator: str
    key: str
    values: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"operator": self.operator, "key": self.key, "values": list(self.values)}

    def label(self) -> str:
        """Short human form, e.g. ``Bool aws:MultiFactorAuthPresent = true``."""
        return f"{self.operator} {self.key} = {', '.join(self.values)}"


@dataclass(frozen=True, slots=True)
class Source:
    """A statement that applies to some cells of a row: definitely or depending on unknowns.

    ``layer`` is identity, boundary, session, scp, rcp or resource; ``level`` the SCP/RCP
    level (else None); ``policy`` the index within the layer (PolicySet.identity, the SCP
    level…); ``statement`` the statement's index in its document. ``true_bits`` are the
    positions where the statement applies, ``unknown_bits`` where that depends on unknown
    keys, whose ``conditions`` are listed (empty when ``unknown_bits`` is 0).
    """

    layer: str
    level: int | None
    policy: int
    statement: int
    sid: str | None
    effect: str
    true_bits: int
    unknown_bits: int
    conditions: tuple[ConditionRequirement, ...]

    @property
    def ref(self) -> StatementRef:
        """The statement as the explanations name it."""
        return StatementRef(self.layer, self.level, self.policy, self.statement, self.sid)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (bit sets as hexadecimal strings)."""
        return {
            **self.ref.to_dict(),
            "effect": self.effect,
            "true": format(self.true_bits, "x"),
            "unknown": format(self.unknown_bits, "x"),
            "conditions": [c.to_dict() for c in self.conditions],
        }


@dataclass(frozen=True, slots=True)
class ActionRow:
    """One action's decisions: disjoint bit sets; a position in none of them is implicitDeny.

    ``sources`` lists the statements behind them, in evaluation order (layer, policy,
    statement): Allow statements of the identity, boundary, session and SCP layers, Allow
    statements of a resource policy that name the caller, and every applying Deny.
    """

    action: str
    allowed: int
    conditional: int
    explicit_deny: int
    sources: tuple[Source, ...]

    def decision(self, position: int) -> str:
        """The decision value at ``position`` (as ``evaluate(...).value`` spells it)."""
        bit = 1 << position
        if self.allowed & bit:
            return ALLOWED
        if self.explicit_deny & bit:
            return EXPLICIT_DENY
        if self.conditional & bit:
            return CONDITIONAL
        return IMPLICIT_DENY

    def sources_at(self, position: int) -> tuple[Source, ...]:
        """The sources that apply at ``position``, definitely or depending on unknowns."""
        bit = 1 << position
        return tuple(s for s in self.sources if (s.true_bits | s.unknown_bits) & bit)
