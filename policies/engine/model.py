"""The engine's input data: parsed policies, requests and policy sets (frozen dataclasses)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ALLOW = "Allow"
DENY = "Deny"
VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"

ContextValue = str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """A ``Principal``/``NotPrincipal`` element: ``"*"`` or typed lists of identifiers."""

    wildcard: bool = False
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()

    def to_json(self) -> Any:
        """The element as IAM JSON (lists always, for a stable shape)."""
        if self.wildcard:
            return "*"
        out: dict[str, list[str]] = {}
        for name, values in (
            ("AWS", self.aws),
            ("Service", self.service),
            ("Federated", self.federated),
            ("CanonicalUser", self.canonical_user),
        ):
            if values:
                out[name] = list(values)
        return out


@dataclass(frozen=True, slots=True)
class ConditionEntry:
    """One ``operator: {key: values}`` pair of a Condition block, values normalised to strings.

    ``operator`` is as written (``ForAnyValue:StringLikeIfExists``); ``base`` is the bare
    operator (``StringLike``), ``set_op`` is ``ForAnyValue``/``ForAllValues`` or None.
    """

    operator: str
    base: str
    set_op: str | None
    if_exists: bool
    key: str
    values: tuple[str, ...]
    path: str

    @property
    def key_lower(self) -> str:
        """The key as looked up in a request context (key names are case-insensitive)."""
        return self.key.lower()


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement; ``resources`` is None when neither Resource nor NotResource is given."""

    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] | None
    not_resource: bool
    principal: PrincipalSpec | None
    not_principal: bool
    conditions: tuple[ConditionEntry, ...]

    @property
    def is_deny(self) -> bool:
        """True for ``"Effect": "Deny"``."""
        return self.effect == DENY


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed policy document; ``digest`` is the sha256 of its canonical JSON."""

    version: str | None
    id: str | None
    statements: tuple[Statement, ...]
    digest: str = ""

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are substituted only under Version 2012-10-17."""
        return self.version == VERSION_2012


def normalize_context(context: Mapping[str, Any] | None) -> dict[str, ContextValue]:
    """Context keys lower-cased (key names are case-insensitive), lists as tuples of strings."""
    out: dict[str, ContextValue] = {}
    if not context:
        return out
    for key, value in context.items():
        if type(value) is str:
            out[str(key).lower()] = value
        elif isinstance(value, (list, tuple)):
            out[str(key).lower()] = tuple(_scalar(v) for v in value)
        elif value is not None:
            out[str(key).lower()] = _scalar(value)
    return out


def _scalar(value: Any) -> str:
    """JSON scalars as IAM sees them: booleans lower-case, numbers in their JSON spelling."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


@dataclass(frozen=True, slots=True)
class Request:
    """One authorization request; ``context`` keys are lower-cased on construction.

    ``unknown_keys`` (three-valued mode) names context keys whose value is unknown: an entry
    is a key (``aws:SourceIp``) or a prefix ending in ``*`` (``aws:ResourceTag/*``); case
    does not matter. A key listed as unknown is unknown even if ``context`` holds it.
    """

    principal: str
    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    unknown_keys: frozenset[str] = frozenset()
    action_lower: str = field(init=False, repr=False, compare=False)
    unknown_exact: frozenset[str] = field(init=False, repr=False, compare=False)
    unknown_prefixes: tuple[str, ...] = field(init=False, repr=False, compare=False)
    three_valued: bool = field(init=False, repr=False, compare=False)
    derived: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "context", normalize_context(self.context))
        object.__setattr__(self, "action_lower", self.action.lower())
        exact = set()
        prefixes = []
        for entry in self.unknown_keys:
            low = entry.lower()
            if low.endswith("*"):
                prefixes.append(low[:-1])
            else:
                exact.add(low)
        object.__setattr__(self, "unknown_exact", frozenset(exact))
        object.__setattr__(self, "unknown_prefixes", tuple(sorted(prefixes)))
        # True when some context key is declared unknown (read on every condition test).
        object.__setattr__(self, "three_valued", bool(exact or prefixes))
        # Per-request memo for values the engine derives (e.g. the classified caller).
        object.__setattr__(self, "derived", {})

    def is_unknown(self, key_lower: str) -> bool:
        """Whether the (lower-case) key is declared unknown."""
        if key_lower in self.unknown_exact:
            return True
        return any(key_lower.startswith(p) for p in self.unknown_prefixes)


PolicyInput = Mapping[str, Any] | str | bytes | Policy


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that bears on one request, by layer (case-format names in errors).

    ``scps``/``rcps`` hold one tuple of documents per level of the organization path, root
    first; an empty ``scps`` means no Organizations. Documents are dicts, JSON text or
    parsed ``Policy`` objects and must not be mutated once placed here.
    """

    identity: tuple[PolicyInput, ...] = ()
    boundary: PolicyInput | None = None
    session: PolicyInput | None = None
    scps: tuple[tuple[PolicyInput, ...], ...] = ()
    rcps: tuple[tuple[PolicyInput, ...], ...] = ()
    resource: PolicyInput | None = None
