"""evaluate_matrix: one principal's decisions on many actions x resources, as bit sets.

It mirrors ``evaluate.decide`` with every three-valued quantity replaced by a pair of bit
sets ``(T, U)`` over resource positions (true where T, unknown where U, false elsewhere),
so that Kleene AND/OR become a few integer operations per action instead of work per cell.
Resource-policy grants (which this product does not use) and contexts that do not merge
key by key fall back to ``decide`` per cell; every result equals ``evaluate(...).value``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

from policies.engine.compile import (
    CompiledPolicy,
    CompiledPolicySet,
    CompiledStatement,
    compile_policy_set,
)
from policies.engine.decide import (
    ALLOWED,
    CONDITIONAL,
    EXPLICIT_DENY,
    applies,
    decide,
)
from policies.engine.explain import BOUNDARY, IDENTITY, RCP, RESOURCE, SCP, SESSION
from policies.engine.matrix.bits import ActionBits, Env, PolicyEntry, entry_for, unknown_request
from policies.engine.matrix.model import (
    ActionRow,
    ConditionRequirement,
    MatrixAction,
    MatrixResource,
    Source,
)
from policies.engine.matrix.world import MatrixWorld, case_distinct, matrix_world
from policies.engine.model import PolicySet, Request
from policies.engine.principals import ANONYMOUS, FEDERATED, ROOT, SERVICE, Caller, caller_of

Pair = tuple[int, int]  # (T, U): true / unknown positions, disjoint
# Principal-element checks as evaluate.applies takes them: 0 none, 1 must name, 2 RCP.
_NONE, _NAMED, _RCP = 0, 1, 2
_last_set: list[Any] = [None, None]  # (PolicySet, its compiled set): callers often ask twice


class Scope:
    """Which layers ``decide`` consults for a caller (its flags, computed the same way)."""

    __slots__ = (
        "external",
        "federated",
        "has_boundary",
        "iam",
        "org",
        "root",
        "use_scp",
        "use_session",
    )

    def __init__(self, cset: CompiledPolicySet, caller: Caller) -> None:
        kind = caller.kind
        self.root = kind == ROOT
        self.external = kind in (SERVICE, ANONYMOUS)
        self.iam = not self.root and not self.external
        self.has_boundary = self.iam and cset.boundary is not None
        self.use_session = self.iam and caller.is_session and cset.session is not None
        self.federated = kind == FEDERATED
        self.org = not caller.service_linked
        self.use_scp = self.org and not self.external


Layer = tuple[str, int | None, int, CompiledPolicy, int]  # name, level, index, policy, check


def layers(cset: CompiledPolicySet, scope: Scope) -> Iterator[Layer]:
    """Every policy ``decide`` consults, in its order, with its principal check."""
    if scope.iam:
        for i, policy in enumerate(cset.identity):
            yield IDENTITY, None, i, policy, _NONE
    if scope.has_boundary and cset.boundary is not None:
        yield BOUNDARY, None, 0, cset.boundary, _NONE
    if scope.use_session and cset.session is not None:
        yield SESSION, None, 0, cset.session, _NONE
    if scope.use_scp:
        for level, policies in enumerate(cset.scps):
            for i, policy in enumerate(policies):
                yield SCP, level, i, policy, _NONE
    if scope.org:
        for level, policies in enumerate(cset.rcps):
            for i, policy in enumerate(policies):
                yield RCP, level, i, policy, _RCP
    if cset.resource is not None:
        yield RESOURCE, None, 0, cset.resource, _NAMED


def _counts(cs: CompiledStatement, check: int, caller: Caller, has_boundary: bool) -> bool:
    """Whether a statement of a layer with principal ``check`` is a source for this caller.

    RCP Allow statements never matter (an allow-all is implied); principal-checked
    statements count only when their Principal/NotPrincipal names the caller.
    """
    if check == _NONE:
        return True
    if check == _RCP and not cs.deny:
        return False
    if cs.statement.principal is None:
        return check == _RCP
    return bool(cs.principal_strength(caller, has_boundary))


def _compiled(policies: PolicySet | CompiledPolicySet) -> CompiledPolicySet:
    """The compiled set; the same PolicySet object as last time is not hashed again."""
    if isinstance(policies, CompiledPolicySet):
        return policies
    if _last_set[0] is policies:
        return _last_set[1]  # type: ignore[no-any-return]
    cset = compile_policy_set(policies)
    _last_set[:] = [policies, cset]
    return cset


def evaluate_matrix(
    *,
    principal: str,
    context: Mapping[str, Any],
    unknown_keys: Iterable[str],
    policies: PolicySet | CompiledPolicySet,
    actions: Sequence[MatrixAction] = (),
    resources: Sequence[MatrixResource] = (),
    world: MatrixWorld | None = None,
) -> tuple[ActionRow, ...]:
    """One ActionRow per action, each cell equal to ``evaluate(request, policies).value``.

    The request of cell (action ``a``, position ``p``) is ``Request(principal, a.name,
    arn_p, {**context, **context_p}, unknown_keys)``. Pass ``world`` (``matrix_world(actions,
    resources)``) instead of ``actions``/``resources`` to skip recognising them again.
    """
    if world is None:
        world = matrix_world(actions, resources)
    elif actions or resources:
        raise ValueError("pass either world or actions and resources")
    cset = _compiled(policies)
    unknown = frozenset(unknown_keys)
    if not (world.regular and case_distinct(context)):
        return _per_cell(world, cset, principal, context, unknown)
    request = Request(principal, "", "*", context)  # the caller and the normalised context
    caller = caller_of(request)
    scope = Scope(cset, caller)
    env = Env(request.context, unknown_request(unknown))
    entries = [
        (name, level, index, entry_for(policy, env, world), check)
        for name, level, index, policy, check in layers(cset, scope)
    ]
    same = world.same_account_mask(caller.account, request.context.get("aws:resourceaccount"))
    shape = _Shape(entries, scope, caller, same, len(cset.scps) if scope.use_scp else 0)
    # Actions whose positions, trust rule and per-policy hits are equal get equal rows.
    memo: dict[tuple[Any, ...], tuple[int, int, int, tuple[Source, ...]]] = {}
    rows = []
    columns = [entry.all_rows(env) for _n, _l, _i, entry, _c in entries]
    per_action = zip(*columns, strict=True) if columns else [()] * len(world.actions)
    masks, mask_index, trust = world.action_masks, world.mask_index, world.trust
    for ai, (action, hits) in enumerate(zip(world.actions, per_action, strict=True)):
        key = (mask_index[ai], trust[ai], hits)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _row(masks[ai], trust[ai], hits, shape, env)
        if cset.resource is None:
            rows.append(ActionRow(action.name, *found))
        else:
            rows.append(_decided(action, world, cset, principal, context, unknown, found[3]))
    return tuple(rows)


class _Shape:
    """One call's layers and caller, arranged for ``_row`` (an allow slot per layer)."""

    __slots__ = ("caller", "entries", "own", "same", "scope", "scps", "slots")

    def __init__(
        self,
        entries: list[tuple[str, int | None, int, PolicyEntry, int]],
        scope: Scope,
        caller: Caller,
        same: int,
        scp_levels: int,
    ) -> None:
        self.entries = entries
        self.scope = scope
        self.caller = caller
        self.same = same
        # Allow slots: 0 identity, 1 boundary, 2 session, 3+ the SCP levels; -1 none.
        fixed = {IDENTITY: 0, BOUNDARY: 1, SESSION: 2}
        self.slots = tuple(
            -1 if check != _NONE else fixed.get(name, 3 + (level or 0))
            for name, level, _i, _e, check in entries
        )
        self.scps = tuple(range(3, 3 + scp_levels))  # every level must allow
        own = [0]
        if scope.has_boundary:
            own.append(1)
        if scope.use_session:
            own.append(2)
        elif scope.federated:
            own.append(-1)  # a federated session without a session policy may do nothing
        self.own = tuple(own)


def _row(
    mask: int, trust: bool, hits: tuple[ActionBits, ...], shape: _Shape, env: Env
) -> tuple[int, int, int, tuple[Source, ...]]:
    """One action's (allowed, conditional, explicit deny, sources), as ``decide`` has it."""
    deny_t = deny_u = 0
    allow_t = [0] * (3 + len(shape.scps))
    allow_u = allow_t[:]
    parts: list[tuple[Source, ...]] = []
    scope = shape.scope
    for bits, slot, (name, level, index, entry, check) in zip(
        hits, shape.slots, shape.entries, strict=True
    ):
        if not bits.hits:
            continue
        if slot >= 0:
            deny_t |= bits.deny_t
            deny_u |= bits.deny_u
            allow_t[slot] |= bits.allow_t
            allow_u[slot] |= bits.allow_u
            found = bits.cached_sources.get((name, level, index))
            parts.append(found or entry.sources(bits, name, level, index, env))
            continue
        checked = []
        for cs, true, unknown in bits.hits:
            if _counts(cs, check, shape.caller, scope.has_boundary):
                if cs.deny:
                    deny_t |= true
                    deny_u |= unknown
                checked.append(entry.source(cs, true, unknown, name, level, index, env))
        parts.append(tuple(checked))
    sources = tuple(chain.from_iterable(parts))
    deny_u &= ~deny_t
    if scope.external or (trust and not scope.root):
        # Without a resource policy nothing grants an external caller, and a role's trust
        # policy must name the caller itself.
        return 0, deny_u, deny_t, sources
    slots = shape.scps if scope.root else (*shape.scps, *shape.own)
    true, false = mask & shape.same, mask & ~shape.same
    for slot in slots:
        if slot < 0:
            true = 0
            false = mask
            break
        t = allow_t[slot]
        true &= t
        false |= mask & ~(t | allow_u[slot])
    return (*_verdict_bits(mask, (deny_t, deny_u), (true, mask & ~(true | false))), sources)


def _verdict_bits(mask: int, deny: Pair, allow: Pair) -> tuple[int, int, int]:
    """``evaluate._verdict`` on bit sets: (allowed, conditional, explicit deny).

    A sure deny wins; a possible deny makes the cell conditional whatever the allow says.
    """
    deny_t, deny_u = deny
    clear = mask & ~(deny_t | deny_u)
    allow_t, allow_u = allow
    return clear & allow_t, deny_u | (clear & allow_u), deny_t


def _decided(
    action: MatrixAction,
    world: MatrixWorld,
    cset: CompiledPolicySet,
    principal: str,
    context: Mapping[str, Any],
    unknown: frozenset[str],
    sources: Iterable[Source],
) -> ActionRow:
    """A row decided cell by cell by ``decide`` (resource policies, irregular contexts)."""
    allowed = conditional = explicit = 0
    for p in action.positions:
        i = world.by_position[p]
        merged = {**context, **world.raw[i]}
        value = decide(Request(principal, action.name, world.arns[i], merged, unknown), cset)[0]
        if value == ALLOWED:
            allowed |= 1 << p
        elif value == CONDITIONAL:
            conditional |= 1 << p
        elif value == EXPLICIT_DENY:
            explicit |= 1 << p
    return ActionRow(action.name, allowed, conditional, explicit, tuple(sources))


_RANK = {IDENTITY: 0, BOUNDARY: 1, SESSION: 2, SCP: 3, RCP: 4, RESOURCE: 5}


def _per_cell(
    world: MatrixWorld,
    cset: CompiledPolicySet,
    principal: str,
    context: Mapping[str, Any],
    unknown: frozenset[str],
) -> tuple[ActionRow, ...]:
    """Every row cell by cell: decisions by ``decide``, sources by ``applies``."""
    requests = [
        Request(principal, "", arn, {**context, **raw}, unknown)
        for arn, raw in zip(world.arns, world.raw, strict=True)
    ]
    rows = []
    for ai, action in enumerate(world.actions):
        found: dict[tuple[int, int, int, int], tuple[str, int | None, CompiledStatement]] = {}
        bits: dict[tuple[int, int, int, int], list[int]] = {}
        for p in action.positions:
            request = requests[world.by_position[p]]
            caller = caller_of(request)
            scope = Scope(cset, caller)
            for name, level, index, policy, check in layers(cset, scope):
                for cs in policy.for_action(world.action_lower[ai]):
                    if not _counts(cs, check, caller, scope.has_boundary):
                        continue
                    outcome = applies(cs, request, caller, check, scope.has_boundary)
                    if outcome is False:
                        continue
                    # The fast path's order: layer, level, policy, statement.
                    key = (_RANK[name], -1 if level is None else level, index, cs.statement.index)
                    found[key] = (name, level, cs)
                    slot = bits.setdefault(key, [0, 0])
                    slot[0 if outcome else 1] |= 1 << p
        sources = []
        for key in sorted(found):
            name, level, cs = found[key]
            true, unknown_bits = bits[key]
            cells = [requests[world.by_position[p]] for p in _members(unknown_bits)]
            st = cs.statement
            sources.append(
                Source(
                    name,
                    level,
                    key[2],
                    st.index,
                    st.sid,
                    st.effect,
                    true,
                    unknown_bits,
                    _cell_requirements(cs, cells),
                )
            )
        rows.append(_decided(action, world, cset, principal, context, unknown, sources))
    return tuple(rows)


def _members(bits: int) -> Iterator[int]:
    """The positions set in ``bits``."""
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


def _cell_requirements(
    cs: CompiledStatement, cells: list[Request]
) -> tuple[ConditionRequirement, ...]:
    """What ``trace.requirements_for`` lists for the statement at any of ``cells``."""
    if not cells:
        return ()
    out: list[ConditionRequirement] = []
    if any(cs.resource_matches(r) is None for r in cells):
        name = "NotResource" if cs.statement.not_resource else "Resource"
        out.append(ConditionRequirement(name, "resource", cs.statement.resources or ()))
    for condition in cs.conditions:
        if condition.evaluate(cells[0]) is None:  # unknown keys are the same in every cell
            entry = condition.entry
            out.append(ConditionRequirement(entry.operator, entry.key, entry.values))
    return tuple(out)
