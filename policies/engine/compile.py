"""Compile once, evaluate many: compiled policies and policy sets, cached by content hash.

A compiled policy keeps, per action, the statements whose Action/NotAction matches (the
action index); resource matchers and conditions are built on first use, so statements that
never match an evaluated action cost nothing beyond parsing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.engine.conditions import CompiledCondition
from policies.engine.errors import PolicyError
from policies.engine.matching import ACTION, RESOURCE, compile_any, compile_pattern, match_parts
from policies.engine.model import DENY, Policy, PolicySet, Request, Statement
from policies.engine.parse import digest_of, load_json, parse_document
from policies.engine.principals import Caller, excluded, strength
from policies.engine.variables import UNKNOWN, parse_template, resolve

_MEMO_LIMIT = 4096  # per-statement resource memo entries before it is cleared
_POLICY_CACHE_LIMIT = 10_000
_SET_CACHE_LIMIT = 4096
_policy_cache: dict[str, CompiledPolicy] = {}
_set_cache: dict[tuple[Any, ...], CompiledPolicySet] = {}


class CompiledStatement:
    """A statement with its matchers; resource and condition matchers are built lazily."""

    __slots__ = (
        "_conditions",
        "_dynamic",
        "_memo",
        "_static",
        "deny",
        "has_conditions",
        "statement",
        "variables",
    )

    def __init__(self, statement: Statement, variables: bool) -> None:
        self.statement = statement
        self.deny = statement.effect == DENY
        self.variables = variables
        self.has_conditions = bool(statement.conditions)
        self._static: Any = None
        self._dynamic: tuple[Any, ...] = ()
        self._memo: dict[str, bool] | None = None
        self._conditions: tuple[CompiledCondition, ...] | None = None

    def match_action(self, action_lower: str) -> bool:
        """Whether Action/NotAction covers the (lower-case) action."""
        return action_matches(self.statement, action_lower)

    def _build_resource(self) -> None:
        """Build the resource matcher: static patterns plus templates holding variables."""
        static: list[str] = []
        dynamic: list[Any] = []
        for pattern in self.statement.resources or ():
            template = parse_template(pattern) if self.variables else None
            if template is None:
                static.append(pattern)
            else:
                dynamic.append(template)
        self._dynamic = tuple(dynamic)
        self._static = compile_any(tuple(static), RESOURCE)
        self._memo = {} if not dynamic else None

    def resource_matches(self, request: Request) -> bool | None:
        """Whether Resource/NotResource covers the request's resource (None if unknown)."""
        if self.statement.resources is None:
            return True  # no Resource element (trust policies): the resource is implied
        if self._static is None:
            self._build_resource()
        resource = request.resource
        memo = self._memo
        if memo is not None:
            hit = memo.get(resource)
            if hit is None:
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                hit = memo[resource] = bool(self._static(resource))
                if self.statement.not_resource:
                    hit = memo[resource] = not hit
            return hit
        found: bool | None = bool(self._static(resource))
        if not found:
            unknown = request.is_unknown if request.three_valued else None
            for template in self._dynamic:
                parts = resolve(template, request.context, unknown)
                if parts is UNKNOWN:
                    found = None
                elif parts is not None and match_parts(parts, RESOURCE, resource):
                    found = True
                    break
        if found is None:
            return None
        return (not found) if self.statement.not_resource else found

    @property
    def conditions(self) -> tuple[CompiledCondition, ...]:
        """The compiled conditions (built on first use)."""
        if self._conditions is None:
            self._conditions = tuple(
                CompiledCondition(entry, self.variables) for entry in self.statement.conditions
            )
        return self._conditions

    def conditions_hold(self, request: Request) -> bool | None:
        """AND of every condition (Kleene: False wins, then unknown)."""
        result: bool | None = True
        for condition in self.conditions:
            outcome = condition.evaluate(request)
            if outcome is False:
                return False
            if outcome is None:
                result = None
        return result

    def principal_strength(self, caller: Caller, has_boundary: bool) -> int:
        """How the Principal/NotPrincipal element names the caller (0: it does not)."""
        spec = self.statement.principal
        if spec is None:
            return 0
        if not self.statement.not_principal:
            return strength(spec, caller)
        if self.deny and has_boundary and caller.kind in ("user", "assumed-role", "role"):
            # IAM: a Deny with NotPrincipal always denies principals with a boundary.
            return 3
        return 0 if excluded(spec, caller) else 3


class CompiledPolicy:
    """A parsed policy with a per-action index; statements compile on first match."""

    __slots__ = ("_by_action", "_compiled", "digest", "policy", "variables")

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.digest = policy.digest
        self.variables = policy.variables_enabled
        self._compiled: list[CompiledStatement | None] = [None] * len(policy.statements)
        self._by_action: dict[str, tuple[CompiledStatement, ...]] = {}

    def statement(self, position: int) -> CompiledStatement:
        """The compiled statement at ``position`` (compiled on first request)."""
        compiled = self._compiled[position]
        if compiled is None:
            compiled = CompiledStatement(self.policy.statements[position], self.variables)
            self._compiled[position] = compiled
        return compiled

    @property
    def statements(self) -> tuple[CompiledStatement, ...]:
        """Every statement, compiled (explanations walk them all)."""
        return tuple(self.statement(i) for i in range(len(self._compiled)))

    def for_action(self, action_lower: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction matches the (lower-case) action."""
        found = self._by_action.get(action_lower)
        if found is None:
            if len(self._by_action) >= _MEMO_LIMIT:
                self._by_action.clear()
            found = tuple(
                self.statement(i)
                for i, st in enumerate(self.policy.statements)
                if action_matches(st, action_lower)
            )
            self._by_action[action_lower] = found
        return found


def action_matches(statement: Statement, action_lower: str) -> bool:
    """Whether Action/NotAction of ``statement`` covers the lower-case action."""
    hit = False
    for pattern in statement.actions:
        if compile_pattern(pattern, ACTION)(action_lower):
            hit = True
            break
    return hit != statement.not_action


Entry = tuple[int, CompiledStatement]  # (policy index within its layer, statement)


class Plan:
    """The statements of every layer that match one action, with their policy index."""

    __slots__ = ("boundary", "identity", "rcps", "resource", "scps", "session")

    def __init__(self, cset: CompiledPolicySet, action_lower: str) -> None:
        self.identity = _entries(cset.identity, action_lower)
        self.boundary = _entries((cset.boundary,) if cset.boundary else (), action_lower)
        self.session = _entries((cset.session,) if cset.session else (), action_lower)
        self.scps = tuple(_entries(level, action_lower) for level in cset.scps)
        self.rcps = tuple(_entries(level, action_lower) for level in cset.rcps)
        self.resource = _entries((cset.resource,) if cset.resource else (), action_lower)


def _entries(policies: tuple[CompiledPolicy, ...], action_lower: str) -> tuple[Entry, ...]:
    """(policy index, statement) for every statement matching the action."""
    return tuple((i, s) for i, p in enumerate(policies) for s in p.for_action(action_lower))


class CompiledPolicySet:
    """Every layer of a request's policies, compiled; ``plan(action)`` is memoised."""

    __slots__ = ("_plans", "boundary", "identity", "rcps", "resource", "scps", "session")

    def __init__(
        self,
        identity: tuple[CompiledPolicy, ...] = (),
        boundary: CompiledPolicy | None = None,
        session: CompiledPolicy | None = None,
        scps: tuple[tuple[CompiledPolicy, ...], ...] = (),
        rcps: tuple[tuple[CompiledPolicy, ...], ...] = (),
        resource: CompiledPolicy | None = None,
    ) -> None:
        self.identity = identity
        self.boundary = boundary
        self.session = session
        self.scps = scps
        self.rcps = rcps
        self.resource = resource
        self._plans: dict[str, Plan] = {}

    def plan(self, action_lower: str) -> Plan:
        """The per-layer statements matching ``action_lower`` (built once per action)."""
        plan = self._plans.get(action_lower)
        if plan is None:
            if len(self._plans) >= _MEMO_LIMIT:
                self._plans.clear()
            plan = self._plans[action_lower] = Plan(self, action_lower)
        return plan


def compile_policy(document: Any, path: str = "") -> CompiledPolicy:
    """Compile a policy (dict, JSON text or Policy), reusing a cached one with equal content.

    A PolicyError's path is prefixed with ``path`` (e.g. ``identity_policies[1]``).
    """
    try:
        if isinstance(document, Policy):
            cached = _policy_cache.get(document.digest) if document.digest else None
            if cached is not None:
                return cached
            return _remember(CompiledPolicy(document))
        if isinstance(document, (str, bytes, bytearray)):
            document = load_json(bytes(document) if isinstance(document, bytearray) else document)
        if not isinstance(document, Mapping):
            raise PolicyError("", "policy document must be a JSON object")
        digest = digest_of(document)
        if digest is not None:
            cached = _policy_cache.get(digest)
            if cached is not None:
                return cached
        return _remember(CompiledPolicy(parse_document(document, digest)))
    except PolicyError as exc:
        if not path:
            raise
        where = f"{path}.{exc.path}" if exc.path else path
        raise PolicyError(where, exc.reason) from None


def _remember(compiled: CompiledPolicy) -> CompiledPolicy:
    """Store a compiled policy under its digest (oldest entries leave first)."""
    if compiled.digest:
        if len(_policy_cache) >= _POLICY_CACHE_LIMIT:
            del _policy_cache[next(iter(_policy_cache))]
        _policy_cache[compiled.digest] = compiled
    return compiled


def compile_policy_set(policies: PolicySet) -> CompiledPolicySet:
    """Compile every layer of ``policies``; an equal set compiled before is reused."""
    identity = tuple(
        compile_policy(d, f"identity_policies[{i}]") for i, d in enumerate(policies.identity)
    )
    boundary = (
        compile_policy(policies.boundary, "permissions_boundary")
        if policies.boundary is not None
        else None
    )
    session = (
        compile_policy(policies.session, "session_policy") if policies.session is not None else None
    )
    scps = _levels(policies.scps, "scps")
    rcps = _levels(policies.rcps, "rcps")
    resource = (
        compile_policy(policies.resource, "resource_policy")
        if policies.resource is not None
        else None
    )
    key = (
        tuple(p.digest for p in identity),
        _key(boundary),
        _key(session),
        tuple(tuple(p.digest for p in level) for level in scps),
        tuple(tuple(p.digest for p in level) for level in rcps),
        _key(resource),
    )
    cached = _set_cache.get(key)
    if cached is not None:
        return cached
    cset = CompiledPolicySet(identity, boundary, session, scps, rcps, resource)
    every = (*identity, boundary, session, *(p for lv in scps for p in lv), resource)
    if any(p is not None and not p.digest for p in (*every, *(p for lv in rcps for p in lv))):
        return cset  # a policy without digest (not JSON-shaped) makes the set uncacheable
    if len(_set_cache) >= _SET_CACHE_LIMIT:
        del _set_cache[next(iter(_set_cache))]
    _set_cache[key] = cset
    return cset


def _key(policy: CompiledPolicy | None) -> str | None:
    return None if policy is None else policy.digest


def _levels(levels: Any, name: str) -> tuple[tuple[CompiledPolicy, ...], ...]:
    """Compile the levels of an SCP/RCP path."""
    return tuple(
        tuple(compile_policy(d, f"{name}[{lv}][{i}]") for i, d in enumerate(level))
        for lv, level in enumerate(levels)
    )


def clear_caches() -> None:
    """Forget every compiled policy and policy set (tests and benchmarks)."""
    _policy_cache.clear()
    _set_cache.clear()


__all__ = [
    "CompiledPolicy",
    "CompiledPolicySet",
    "CompiledStatement",
    "clear_caches",
    "compile_policy",
    "compile_policy_set",
]
