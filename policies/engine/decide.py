"""decide(request, compiled policies): AWS's documented policy evaluation logic.

The one implementation of the decision; ``evaluate`` wraps it into a ``Decision`` and
``trace`` re-walks the statements to explain it (both import this module, not each other).
Explicit deny anywhere wins (identity, boundary, session, SCP, RCP, resource policy). Then:

* SCPs (principal's account): every level of the organization path needs a matching Allow;
  RCPs (resource's account) carry an implied allow-all at every level, so they only deny.
* Root user: everything in its own account; cross-account it needs a resource-policy grant.
* Same account: allowed if the resource policy names the caller itself (user, session, ``*``)
  or names its role while boundary and session policy allow, or if identity policies allow
  within the boundary and session policy. Naming only the account delegates to IAM.
* Cross-account: the caller's side (identity ∩ boundary ∩ session) and a resource-policy
  grant (naming the account suffices) must both allow.

Every quantity is three-valued (True, False, None = unknown) so that a request declaring
context keys unknown gets ``conditional`` rather than a guess; the logic is Kleene's.
"""

from __future__ import annotations

from typing import Any

from policies.engine.compile import CompiledPolicySet, CompiledStatement
from policies.engine.explain import RESOURCE
from policies.engine.model import Request
from policies.engine.principals import (
    ACCOUNT,
    ANONYMOUS,
    DIRECT,
    FEDERATED,
    ROLE,
    ROOT,
    SERVICE,
    Caller,
    caller_of,
)

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"
CONDITIONAL = "conditional"
_SINGLE = {v: frozenset({v}) for v in (ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY)}


def k_and(*values: bool | None) -> bool | None:
    """Kleene AND: False if any is False, True if all are True, else unknown."""
    result: bool | None = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def k_or(*values: bool | None) -> bool | None:
    """Kleene OR: True if any is True, False if all are False, else unknown."""
    result: bool | None = False
    for v in values:
        if v is True:
            return True
        if v is None:
            result = None
    return result


Pending = list[tuple[str, int | None, int, CompiledStatement]]

# Actions whose resource-based policy is a role trust policy, which must always allow the
# caller explicitly (IAM User Guide, "Cross account resource access" and role trust policies).
TRUST_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        # Implied by AssumeRole and authorized as it is (id_session-tags.html,
        # id_credentials_temp_control-access_monitor.html).
        "sts:tagsession",
        "sts:setsourceidentity",
    }
)


def decide(request: Request, cset: CompiledPolicySet) -> tuple[str, frozenset[str], Pending | None]:
    """The decision value, its possible outcomes and (three-valued) undecided statements."""
    caller = caller_of(request)
    plan = cset.plan(request.action_lower)
    kind = caller.kind
    root = kind == ROOT
    external = kind in (SERVICE, ANONYMOUS)
    iam = not root and not external
    has_boundary = iam and cset.boundary is not None
    use_session = iam and caller.is_session and cset.session is not None
    org = not caller.service_linked
    use_scp = org and not external
    pending: Pending | None = [] if request.three_valued else None
    env = _Env(request, caller, has_boundary, pending)

    # 1. Explicit deny anywhere.
    deny: bool | None = False
    if iam:
        deny = _scan(plan.identity, True, env, 0, "identity", None)
        if has_boundary and deny is not True:
            deny = k_or(deny, _scan(plan.boundary, True, env, 0, "boundary", None))
        if use_session and deny is not True:
            deny = k_or(deny, _scan(plan.session, True, env, 0, "session", None))
    if use_scp and deny is not True:
        for level, entries in enumerate(plan.scps):
            deny = k_or(deny, _scan(entries, True, env, 0, "scp", level))
            if deny is True:
                break
    if org and deny is not True:
        for level, entries in enumerate(plan.rcps):
            deny = k_or(deny, _scan(entries, True, env, 2, "rcp", level))
            if deny is True:
                break
    if deny is not True and plan.resource:
        deny = k_or(deny, _scan(plan.resource, True, env, 1, RESOURCE, None))
    if deny is True:
        return EXPLICIT_DENY, _SINGLE[EXPLICIT_DENY], pending

    # 2. SCPs: every level must allow (RCP levels allow implicitly).
    scp: bool | None = True
    if use_scp:
        for level, entries in enumerate(plan.scps):
            scp = k_and(scp, _scan(entries, False, env, 0, "scp", level))
            if scp is False:
                return _verdict(deny, False, pending)

    # 3. The principal's own permissions and the resource policy.
    same = same_account(request, caller)
    if root or external:
        if root and same:
            return _verdict(deny, scp, pending)
        granted = _resource_grants(plan.resource, env)[2]
        return _verdict(deny, k_and(scp, granted), pending)
    identity = _scan(plan.identity, False, env, 0, "identity", None)
    boundary = _scan(plan.boundary, False, env, 0, "boundary", None) if has_boundary else True
    session: bool | None = True
    if use_session:
        session = _scan(plan.session, False, env, 0, "session", None)
    elif kind == FEDERATED:
        session = False  # a federated user session without a session policy has no permissions
    own = k_and(identity, boundary, session)
    trust = request.action_lower in TRUST_ACTIONS
    if same and own is True and not trust:
        return _verdict(deny, scp, pending)
    direct, role, any_ = _resource_grants(plan.resource, env)
    if same and trust:
        # A role's trust policy must always allow the caller explicitly: naming the caller
        # (or its role) suffices; naming only the account also needs an identity allow.
        allow = k_and(scp, k_or(direct, k_and(role, boundary, session), k_and(own, any_)))
    elif same:
        allow = k_and(scp, k_or(direct, k_and(role, boundary, session), own))
    else:
        allow = k_and(scp, own, any_)
    return _verdict(deny, allow, pending)


def _verdict(
    deny: bool | None, allow: bool | None, pending: Pending | None
) -> tuple[str, frozenset[str], Pending | None]:
    """Combine the explicit-deny and allow outcomes into a decision."""
    if deny is False:
        if allow is True:
            return ALLOWED, _SINGLE[ALLOWED], pending
        if allow is False:
            return IMPLICIT_DENY, _SINGLE[IMPLICIT_DENY], pending
        return CONDITIONAL, frozenset({ALLOWED, IMPLICIT_DENY}), pending
    if deny is True:
        return EXPLICIT_DENY, _SINGLE[EXPLICIT_DENY], pending
    possible = {EXPLICIT_DENY}
    if allow is not False:
        possible.add(ALLOWED)
    if allow is not True:
        possible.add(IMPLICIT_DENY)
    return CONDITIONAL, frozenset(possible), pending


def applies(
    st: CompiledStatement, request: Request, caller: Caller, principal: int, has_boundary: bool
) -> bool | None:
    """Whether an action-matched statement applies. ``principal``: 0 skip, 1 check, 2 RCP.

    RCP statements without a Principal element apply to everyone (RCPs name ``"*"``).
    """
    r = st.resource_matches(request)
    if r is False:
        return False
    if principal:
        if st.statement.principal is None:
            if principal == 1:
                return False
        elif not st.principal_strength(caller, has_boundary):
            return False
    if st.has_conditions:
        c = st.conditions_hold(request)
        if c is False:
            return False
        if c is None:
            return None
    return r


class _Env:
    """What every statement test of one decision needs, passed as one argument."""

    __slots__ = ("caller", "has_boundary", "pending", "request")

    def __init__(
        self, request: Request, caller: Caller, has_boundary: bool, pending: Pending | None
    ) -> None:
        self.request = request
        self.caller = caller
        self.has_boundary = has_boundary
        self.pending = pending


def _scan(
    entries: Any, deny: bool, env: _Env, principal: int, layer: str, level: int | None
) -> bool | None:
    """OR over the layer's Deny (``deny``) or Allow statements; stops at the first True."""
    request, caller, has_boundary, pending = env.request, env.caller, env.has_boundary, env.pending
    result: bool | None = False
    mark = len(pending) if pending is not None else 0
    for index, st in entries:
        if st.deny is not deny:
            continue
        outcome = applies(st, request, caller, principal, has_boundary)
        if outcome is True:
            if pending is not None:
                del pending[mark:]  # the layer is decided: its unknowns no longer matter
            return True
        if outcome is None:
            result = None
            if pending is not None:
                pending.append((layer, level, index, st))
    return result


def _resource_grants(entries: Any, env: _Env) -> tuple[bool | None, bool | None, bool | None]:
    """Whether the resource policy grants by naming the caller, its role, or its account."""
    request, caller, has_boundary, pending = env.request, env.caller, env.has_boundary, env.pending
    direct: bool | None = False
    role: bool | None = False
    any_: bool | None = False
    for index, st in entries:
        if st.deny or st.statement.principal is None:
            continue
        strength = st.principal_strength(caller, has_boundary)
        if not strength:
            continue
        outcome = applies(st, request, caller, 0, has_boundary)
        if outcome is False:
            continue
        if outcome is None and pending is not None:
            pending.append((RESOURCE, None, index, st))
        any_ = k_or(any_, outcome)
        if strength >= ROLE:
            role = k_or(role, outcome)
        if strength >= DIRECT:
            direct = k_or(direct, outcome)
    return direct, role, any_


def resource_account(request: Request) -> str | None:
    """The resource's account: the ARN's 5th field, else ``aws:ResourceAccount``, else None.

    ``aws`` (AWS managed policies, ``arn:aws:iam::aws:policy/…``) belongs to no customer
    account: reading such a resource is decided by the caller's own policies.
    """
    parts = request.resource.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[4] and parts[4] not in ("*", "aws"):
        return parts[4]
    value = request.context.get("aws:resourceaccount")
    return value if isinstance(value, str) and value else None


def same_account(request: Request, caller: Caller) -> bool:
    """Whether caller and resource share an account (an unknown account counts as same)."""
    account = resource_account(request)
    return account is None or caller.account is None or account == caller.account


__all__ = [
    "ACCOUNT",
    "ALLOWED",
    "CONDITIONAL",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "applies",
    "decide",
    "k_and",
    "k_or",
]
