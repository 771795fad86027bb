"""Statements as bit sets: where a statement applies, definitely (T) or depending on unknowns (U).

Per cell, ``evaluate.applies`` for a principal-free layer is Kleene ``resource ∧ conditions``.
Here each part is a pair of bit sets over resource positions: resource patterns are matched
once per ARN, conditions on principal keys once per principal, conditions on resource keys
once per distinct resource value, and anything touching an unknown key is unknown. A pair
``(T, U)`` means: T where true, U where unknown, false elsewhere (T and U disjoint).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from policies.engine.compile import CompiledPolicy, CompiledStatement
from policies.engine.conditions import CompiledCondition
from policies.engine.matrix.model import ConditionRequirement, Source
from policies.engine.matrix.world import ABSENT, Lru, MatrixWorld
from policies.engine.model import Request
from policies.engine.variables import UNKNOWN, Template, Var, parse_template, resolve

Bits = tuple[int, int]  # (T, U)

_INFO_LIMIT = 100_000
_CONDITION_LIMIT = 200_000


class _Unknown:
    """Marker in a principal signature: the key is declared unknown."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN_KEY = _Unknown()


class Env:
    """The principal's side of every cell: its normalised context and its unknown keys."""

    __slots__ = ("_unknown", "context", "is_unknown", "three_valued")

    def __init__(self, context: Mapping[str, Any], unknown: Request) -> None:
        self.context = context
        self.three_valued = unknown.three_valued
        # resolve() is given the test only in three-valued mode, as the per-cell code does.
        self.is_unknown: Callable[[str], bool] | None = (
            unknown.is_unknown if unknown.three_valued else None
        )
        # Shared by every Env of the same unknown set (unknown_request caches the Request):
        # whether a key is unknown depends on nothing else.
        self._unknown: dict[str, bool] = unknown.derived.setdefault("matrix_unknown_keys", {})

    def unknown(self, key: str) -> bool:
        """Whether the lower-case ``key`` is declared unknown (memoised per unknown set)."""
        if self.is_unknown is None:
            return False
        hit = self._unknown.get(key)
        if hit is None:
            hit = self._unknown[key] = self.is_unknown(key)
        return hit

    def signature(self, keys: tuple[str, ...]) -> tuple[Any, ...]:
        """What decides bit sets over ``keys``: each key's value, or that it is unknown."""
        context = self.context
        return tuple(UNKNOWN_KEY if self.unknown(k) else context.get(k) for k in keys)


_unknown_requests: Lru[frozenset[str], Request] = Lru(256)


def unknown_request(keys: frozenset[str]) -> Request:
    """A Request carrying only ``keys`` as unknown (its ``is_unknown``), cached per set."""
    found = _unknown_requests.get(keys)
    if found is None:
        found = _unknown_requests.put(keys, Request("", "", "*", {}, keys))
    return found


class Info:
    """What a statement's bit set depends on (built once per compiled statement).

    ``content`` identifies the bit set's inputs other than context values: the resource
    element, the conditions and whether variables apply. Equal statements of different
    documents (and their Action, Effect and Sid do not matter here) share cache entries.
    """

    __slots__ = ("conditions", "content", "keys", "static", "templates")

    def __init__(self, cs: CompiledStatement) -> None:
        keys: dict[str, None] = {}
        variables = cs.variables
        self.conditions: tuple[tuple[CompiledCondition, tuple[str, ...], Hashable], ...] = tuple(
            (
                c,
                tuple(dict.fromkeys(c.keys)),
                (variables, c.entry.operator, c.key, c.entry.values),
            )
            for c in cs.conditions
        )
        for _c, ckeys, _content in self.conditions:
            keys.update(dict.fromkeys(ckeys))
        statement = cs.statement
        resources = statement.resources
        templates: list[tuple[Template, tuple[str, ...]]] = []
        static: list[str] = []
        # Mirrors CompiledStatement._build_resource: variables only under Version 2012-10-17.
        for pattern in resources or ():
            template = parse_template(pattern) if variables else None
            if template is None:
                static.append(pattern)
            else:
                tkeys = tuple(dict.fromkeys(p.key for p in template if isinstance(p, Var)))
                templates.append((template, tkeys))
                keys.update(dict.fromkeys(tkeys))
        self.static: tuple[str, ...] | None = None if resources is None else tuple(static)
        self.templates = tuple(templates)
        self.keys = tuple(keys)
        self.content: Hashable = (
            variables,
            resources,
            statement.not_resource,
            tuple(content for _c, _k, content in self.conditions),
        )


_infos: Lru[CompiledStatement, Info] = Lru(_INFO_LIMIT)
_conditions: Lru[tuple[Any, ...], bool] = Lru(_CONDITION_LIMIT)


def info(cs: CompiledStatement) -> Info:
    """The statement's Info (cached)."""
    found = _infos.get(cs)
    if found is None:
        found = _infos.put(cs, Info(cs))
    return found


def _holds(
    condition: CompiledCondition, keys: tuple[str, ...], content: Hashable, context: dict[str, Any]
) -> bool:
    """A condition's two-valued outcome where its keys have the values in ``context``."""
    cache_key = (content, *(context.get(k) for k in keys))
    hit = _conditions.get(cache_key)
    if hit is None:
        outcome = condition.evaluate(Request("", "", "*", context))
        hit = _conditions.put(cache_key, bool(outcome))
    return hit


def _local(env: Env, keys: tuple[str, ...]) -> dict[str, Any]:
    """The principal's values for ``keys`` (what a cell has where the resource is silent)."""
    context = env.context
    return {k: context[k] for k in keys if k in context}


def condition_bits(
    condition: CompiledCondition,
    keys: tuple[str, ...],
    content: Hashable,
    env: Env,
    world: MatrixWorld,
) -> Bits:
    """Where a condition holds (CompiledCondition.evaluate, per distinct cell context)."""
    full = world.all_mask
    if env.three_valued and any(env.unknown(k) for k in keys):
        return 0, full
    varying = tuple(k for k in keys if k in world.varying)
    local = _local(env, keys)
    if not varying:
        return (full if _holds(condition, keys, content, local) else 0), 0
    true = 0
    for signature, mask in world.groups(varying):
        cell = dict(local)
        for k, v in zip(varying, signature, strict=True):
            if v is not ABSENT:
                cell[k] = v
        if _holds(condition, keys, content, cell):
            true |= mask
    return true, 0


def resource_bits(cs: CompiledStatement, inf: Info, env: Env, world: MatrixWorld) -> Bits:
    """Where Resource/NotResource covers the cell (CompiledStatement.resource_matches)."""
    full = world.all_mask
    if inf.static is None:
        return full, 0
    found = world.static_mask(inf.static)
    unknown = 0
    for template, tkeys in inf.templates:
        varying = tuple(k for k in tkeys if k in world.varying)
        if not varying:
            parts = resolve(template, env.context, env.is_unknown)
            if parts is UNKNOWN:
                unknown = full
            elif parts is not None:
                found |= world.parts_mask(parts)  # type: ignore[arg-type]
            continue
        local = _local(env, tkeys)
        for signature, mask in world.groups(varying):
            cell = dict(local)
            for k, v in zip(varying, signature, strict=True):
                if v is not ABSENT:
                    cell[k] = v
            parts = resolve(template, cell, env.is_unknown)
            if parts is UNKNOWN:
                unknown |= mask
            elif parts is not None:
                found |= mask & world.parts_mask(parts)  # type: ignore[arg-type]
    unknown &= ~found  # a matching pattern decides, whatever the unknown ones would say
    if cs.statement.not_resource:
        return full & ~(found | unknown), unknown
    return found, unknown


def statement_bits(cs: CompiledStatement, env: Env, world: MatrixWorld) -> Bits:
    """Where a statement applies in a principal-free layer: Kleene resource ∧ conditions."""
    inf = info(cs)
    true, unknown = resource_bits(cs, inf, env, world)
    full = world.all_mask
    for condition, keys, content in inf.conditions:
        if not (true | unknown):
            break
        c_true, c_unknown = condition_bits(condition, keys, content, env, world)
        false = (full & ~(true | unknown)) | (full & ~(c_true | c_unknown))
        true &= c_true
        unknown = full & ~(true | false)
    return true, unknown


Requirements = tuple[ConditionRequirement | None, int, tuple[ConditionRequirement, ...]]


def requirements(cs: CompiledStatement, env: Env, world: MatrixWorld) -> Requirements:
    """What touches unknown keys, as ``trace.requirements_for`` lists it for a cell.

    That is the Resource element (with the positions where its match is unknown) and the
    conditions on unknown keys.
    """
    inf = info(cs)
    resource: ConditionRequirement | None = None
    where = 0
    if inf.templates:
        where = resource_bits(cs, inf, env, world)[1]
        name = "NotResource" if cs.statement.not_resource else "Resource"
        resource = ConditionRequirement(name, "resource", cs.statement.resources or ())
    conditions = tuple(
        ConditionRequirement(c.entry.operator, c.entry.key, c.entry.values)
        for c, keys, _content in inf.conditions
        if any(env.unknown(k) for k in keys)
    )
    return resource, where, conditions


Hit = tuple[CompiledStatement, int, int]  # (statement, T, U) within the action's positions


class ActionBits:
    """One policy's statements for one action: the hits and their Allow/Deny unions."""

    __slots__ = ("allow_t", "allow_u", "cached_sources", "deny_t", "deny_u", "hits")

    def __init__(self, hits: tuple[Hit, ...]) -> None:
        self.hits = hits
        allow_t = allow_u = deny_t = deny_u = 0
        for cs, true, unknown in hits:
            if cs.deny:
                deny_t |= true
                deny_u |= unknown
            else:
                allow_t |= true
                allow_u |= unknown
        self.allow_t, self.allow_u = allow_t, allow_u & ~allow_t
        self.deny_t, self.deny_u = deny_t, deny_u & ~deny_t
        self.cached_sources: dict[tuple[str, int | None, int], tuple[Source, ...]] = {}


class PolicyEntry:
    """A policy's bit sets for one principal signature, per statement and per action."""

    __slots__ = ("_reqs", "_shared", "_statements", "flags", "policy", "rows", "world")

    def __init__(self, policy: CompiledPolicy, world: MatrixWorld, flags: Hashable) -> None:
        self.policy = policy
        self.world = world
        self.flags = flags  # which of the policy's keys are unknown (requirements depend on it)
        self._statements: dict[int, Bits] = {}
        self.rows: list[ActionBits | None] = [None] * len(world.actions)
        # Actions with the same positions and the same matching statements share one
        # ActionBits (and so its Sources): most mq actions of a document look alike.
        self._shared: dict[tuple[int, tuple[CompiledStatement, ...]], ActionBits] = {}
        self._reqs: dict[int, Requirements] = {}

    def statement(self, cs: CompiledStatement, env: Env) -> Bits:
        """The statement's bit set over every position (shared with equal statements)."""
        index = cs.statement.index
        found = self._statements.get(index)
        if found is None:
            world = self.world
            inf = info(cs)
            # Keyed by content: equal statements of any document and principal hit.
            key = (inf.content, env.signature(inf.keys))
            found = world.statements.get(key)
            if found is None:
                found = world.statements.put(key, statement_bits(cs, env, world))
            self._statements[index] = found
        return found

    def all_rows(self, env: Env) -> list[ActionBits]:
        """The policy's ActionBits for every action of the world (built on first use)."""
        rows = self.rows
        if None in rows:
            for action, found in enumerate(rows):
                if found is None:
                    rows[action] = self._build(action, env)
        return rows  # type: ignore[return-value]

    def _build(self, action: int, env: Env) -> ActionBits:
        """The hits of the world's ``action``-th action, shared with equal ones."""
        world = self.world
        matching = self.policy.for_action(world.action_lower[action])
        local = (world.mask_index[action], matching)
        found = self._shared.get(local)
        if found is None:
            mask = world.action_masks[action]
            hits = []
            for cs in matching:
                true, unknown = self.statement(cs, env)
                t, u = true & mask, unknown & mask
                if t | u:
                    # Keep the shared int when masking changed nothing (memory).
                    hits.append((cs, true if t == true else t, unknown if u == unknown else u))
            # Principals whose values differ only where this action does not look get the
            # same hits: one ActionBits (and one set of Sources) serves them all.
            key = (self.policy.digest or self.policy, self.flags, tuple(hits))
            found = world.action_bits.get(key)
            if found is None:
                found = world.action_bits.put(key, ActionBits(tuple(hits)))
            self._shared[local] = found
        return found

    def sources(
        self, bits: ActionBits, layer: str, level: int | None, index: int, env: Env
    ) -> tuple[Source, ...]:
        """``bits``' hits as Sources of policy ``index`` of ``layer`` (cached)."""
        key = (layer, level, index)
        found = bits.cached_sources.get(key)
        if found is None:
            found = bits.cached_sources[key] = tuple(
                self.source(cs, true, unknown, layer, level, index, env)
                for cs, true, unknown in bits.hits
            )
        return found

    def source(
        self,
        cs: CompiledStatement,
        true: int,
        unknown: int,
        layer: str,
        level: int | None,
        index: int,
        env: Env,
    ) -> Source:
        """One hit as a Source (its unknown conditions listed only where they matter)."""
        reqs: tuple[ConditionRequirement, ...] = ()
        if unknown:
            found = self._reqs.get(cs.statement.index)
            if found is None:
                found = self._reqs[cs.statement.index] = requirements(cs, env, self.world)
            resource, where, reqs = found
            if resource is not None and where & unknown:
                reqs = (resource, *reqs)
        st = cs.statement
        return Source(layer, level, index, st.index, st.sid, st.effect, true, unknown, reqs)


def policy_keys(policy: CompiledPolicy) -> tuple[str, ...]:
    """Every context key any statement of ``policy`` reads (its principal signature)."""
    keys: dict[str, None] = {}
    for cs in policy.statements:
        keys.update(dict.fromkeys(info(cs).keys))
    return tuple(keys)


_policy_keys: Lru[CompiledPolicy, tuple[str, ...]] = Lru(_INFO_LIMIT)


def entry_for(policy: CompiledPolicy, env: Env, world: MatrixWorld) -> PolicyEntry:
    """The cached PolicyEntry for ``policy`` and this principal's values of its keys."""
    keys = _policy_keys.get(policy)
    if keys is None:
        keys = _policy_keys.put(policy, policy_keys(policy))
    signature = env.signature(keys)
    cache_key: Hashable = (policy.digest or policy, signature)
    entry: PolicyEntry | None = world.policies.get(cache_key)
    if entry is None:
        flags = tuple(v is UNKNOWN_KEY for v in signature)
        entry = world.policies.put(cache_key, PolicyEntry(policy, world, flags))
    return entry


def clear_bit_caches() -> None:
    """Forget statement infos and condition outcomes (worlds hold the rest)."""
    _infos.data.clear()
    _conditions.data.clear()
    _policy_keys.data.clear()
    _unknown_requests.data.clear()
