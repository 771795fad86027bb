"""Build the Explanation of a decision: every layer, every statement, every condition.

The decision itself always comes from ``evaluate.decide`` (the one implementation of the
logic); this module re-walks every statement, without short-cuts, to report on it.
"""

from __future__ import annotations

from typing import Any

from policies.engine.compile import CompiledPolicy, CompiledPolicySet, CompiledStatement
from policies.engine.decide import (
    ALLOWED,
    CONDITIONAL,
    EXPLICIT_DENY,
    Pending,
    applies,
    decide,
    k_and,
    k_or,
    same_account,
)
from policies.engine.explain import (
    BOUNDARY,
    IDENTITY,
    LAYER_PHRASES,
    RCP,
    RESOURCE,
    SCP,
    SESSION,
    ConditionResult,
    Explanation,
    LayerResult,
    Requirement,
    StatementRef,
    StatementResult,
)
from policies.engine.model import Request
from policies.engine.principals import (
    ANONYMOUS,
    DIRECT,
    FEDERATED,
    ROLE,
    ROOT,
    SERVICE,
    STRENGTH_NAMES,
    Caller,
    caller_of,
)


def _ref(layer: str, level: int | None, index: int, st: CompiledStatement) -> StatementRef:
    return StatementRef(layer, level, index, st.statement.index, st.statement.sid)


def _condition_results(st: CompiledStatement, request: Request) -> tuple[ConditionResult, ...]:
    return tuple(
        ConditionResult(
            c.entry.operator,
            c.entry.key,
            c.entry.values,
            c.request_value(request),
            c.evaluate(request),
        )
        for c in st.conditions
    )


class _Layer:
    """A traced layer: its statement results plus the allow/deny outcomes."""

    def __init__(
        self,
        layer: str,
        level: int | None,
        policies: tuple[CompiledPolicy, ...],
        request: Request,
        caller: Caller,
        principal: int,
        has_boundary: bool,
        considered: bool,
    ) -> None:
        self.layer = layer
        self.level = level
        self.considered = considered
        self.results: list[StatementResult] = []
        self.hits: list[tuple[StatementResult, int]] = []  # (applying result, strength)
        self.allow: bool | None = False
        self.deny: bool | None = False
        action = request.action_lower
        for index, policy in enumerate(policies):
            for st in policy.statements:
                self._statement(index, st, action, request, caller, principal, has_boundary)

    def _statement(
        self,
        index: int,
        st: CompiledStatement,
        action: str,
        request: Request,
        caller: Caller,
        principal: int,
        has_boundary: bool,
    ) -> None:
        action_ok = bool(st.match_action(action))
        strength = None
        if principal and st.statement.principal is not None:
            strength = st.principal_strength(caller, has_boundary)
        elif principal == 2:
            strength = DIRECT  # an RCP statement without Principal applies to everyone
        outcome = applies(st, request, caller, principal, has_boundary) if action_ok else False
        result = StatementResult(
            ref=_ref(self.layer, self.level, index, st),
            effect=st.statement.effect,
            action=action_ok,
            resource=st.resource_matches(request),
            principal=None if strength is None else STRENGTH_NAMES[strength],
            conditions=_condition_results(st, request),
            applies=outcome,
        )
        self.results.append(result)
        if not self.considered or outcome is False:
            return
        self.hits.append((result, strength or 0))
        if st.deny:
            self.deny = k_or(self.deny, outcome)
        else:
            self.allow = k_or(self.allow, outcome)

    def applying(self, effect: str, min_strength: int = 0) -> list[StatementRef]:
        """Refs of statements of ``effect`` that definitely apply (with enough strength)."""
        return [
            r.ref
            for r, s in self.hits
            if r.effect == effect and r.applies is True and s >= min_strength
        ]

    def result(self) -> LayerResult:
        if not self.considered:
            verdict = "not applicable"
        elif self.deny is True:
            verdict = "deny"
        elif self.allow is True:
            verdict = "allow"
        elif self.deny is None or self.allow is None:
            verdict = "unknown"
        else:
            verdict = "implicit allow" if self.layer == RCP else "no allow"
        return LayerResult(self.layer, self.level, verdict, tuple(self.results))


def explain_request(request: Request, cset: CompiledPolicySet) -> Explanation:
    """The full Explanation for ``request`` (its decision comes from ``decide``)."""
    value, _possible, pending = decide(request, cset)
    caller = caller_of(request)
    kind = caller.kind
    root = kind == ROOT
    external = kind in (SERVICE, ANONYMOUS)
    iam = not root and not external
    has_boundary = iam and cset.boundary is not None
    org = not caller.service_linked
    layers: list[_Layer] = []

    def add(layer: str, level: int | None, policies: Any, principal: int, on: bool) -> _Layer:
        traced = _Layer(layer, level, policies, request, caller, principal, has_boundary, on)
        layers.append(traced)
        return traced

    identity = add(IDENTITY, None, cset.identity, 0, iam)
    boundary = add(BOUNDARY, None, (cset.boundary,), 0, iam) if cset.boundary else None
    session = None
    if cset.session:
        session = add(SESSION, None, (cset.session,), 0, iam and caller.is_session)
    scps = [add(SCP, i, lv, 0, org and not external) for i, lv in enumerate(cset.scps)]
    for i, lv in enumerate(cset.rcps):
        add(RCP, i, lv, 2, org)
    resource = add(RESOURCE, None, (cset.resource,), 1, True) if cset.resource else None

    same = same_account(request, caller)
    reason, deciding = _why(
        value,
        pending,
        layers,
        identity,
        boundary,
        session,
        scps,
        resource,
        root,
        external,
        same,
        kind,
    )
    return Explanation(
        decision=value,
        reason=reason,
        message=_message(value, reason, request),
        principal_kind=kind,
        same_account=same,
        layers=tuple(layer.result() for layer in layers),
        deciding=tuple(deciding),
    )


def _why(
    value: str,
    pending: Pending | None,
    layers: list[_Layer],
    identity: _Layer,
    boundary: _Layer | None,
    session: _Layer | None,
    scps: list[_Layer],
    resource: _Layer | None,
    root: bool,
    external: bool,
    same: bool,
    kind: str,
) -> tuple[str, list[StatementRef]]:
    """A reason phrase and the deciding statements for the decision ``value``."""
    if value == EXPLICIT_DENY:
        deciding = [ref for layer in layers for ref in layer.applying("Deny")]
        first = deciding[0].layer if deciding else IDENTITY
        phrase = LAYER_PHRASES[first]
        article = "an" if phrase[0] in "aeiou" else "a"
        return f"with an explicit deny in {article} {phrase}", deciding
    if value == CONDITIONAL:
        keys = sorted({ref for ref in _pending_refs(pending)}, key=lambda r: r.label())
        return "the decision depends on context keys declared unknown", keys
    scp_refs = [ref for layer in scps if layer.considered for ref in layer.applying("Allow")]
    for layer in scps:
        if layer.considered and layer.allow is not True:
            level = layer.level
            return f"because no service control policy at level {level} allows the action", []
    own = [identity] + [x for x in (boundary, session) if x is not None and x.considered]
    if value == ALLOWED:
        if root and same:
            return "the root user may perform any action in its own account", scp_refs
        res = resource.applying("Allow") if resource else []
        if root or external:
            return "a resource-based policy allows the principal", res + scp_refs
        if same and resource is not None and resource.applying("Allow", DIRECT):
            return (
                "a resource-based policy allows the principal itself",
                resource.applying("Allow", DIRECT) + scp_refs,
            )
        own_refs = [ref for layer in own[1:] for ref in layer.applying("Allow")]
        if identity.allow is True or not same:
            refs = identity.applying("Allow") + own_refs + ([] if same else res)
            return "identity-based policies allow the action within every limit", refs + scp_refs
        role_refs = resource.applying("Allow", ROLE) if resource else []
        return "a resource-based policy allows the principal's role", role_refs + own_refs
    # Implicit deny: name the first missing allow, in AWS's order.
    if root or external:
        return "because no resource-based policy allows the action", []
    if not same and k_and(*(x.allow for x in own)) is True:
        return "because no resource-based policy allows the action", []
    for layer in own:
        if layer.allow is not True:
            return f"because no {LAYER_PHRASES[layer.layer]} allows the action", []
    if kind == FEDERATED and session is None:
        return "because no session policy allows the action", []
    return "because no resource-based policy allows the action", []


def _pending_refs(pending: Pending | None) -> list[StatementRef]:
    return [_ref(layer, level, index, st) for layer, level, index, st in pending or ()]


def _message(value: str, reason: str, request: Request) -> str:
    """AWS's error text for a denial, or a one-line summary otherwise."""
    if value in (ALLOWED, CONDITIONAL):
        return f"{request.principal} {value} {request.action} on {request.resource}: {reason}"
    text = reason.replace("the action", f"the {request.action} action")
    return (
        f"User: {request.principal} is not authorized to perform: {request.action} "
        f"on resource: {request.resource} {text}"
    )


def requirements_for(request: Request, pending: Pending | None) -> tuple[Requirement, ...]:
    """The undecided statements of a conditional decision, with their unknown conditions."""
    out = []
    seen = set()
    for layer, level, index, st in pending or ():
        ref = _ref(layer, level, index, st)
        if ref in seen:
            continue
        seen.add(ref)
        unknown = [c for c in _condition_results(st, request) if c.outcome is None]
        if st.resource_matches(request) is None:
            name = "NotResource" if st.statement.not_resource else "Resource"
            patterns = st.statement.resources or ()
            unknown.insert(0, ConditionResult(name, "resource", patterns, request.resource, None))
        out.append(Requirement(ref, st.statement.effect, not st.deny, tuple(unknown)))
    return tuple(out)
