"""The console's one authorization seam: ``authorize(principal, action, resource, context)``.

Every page and API endpoint names its IAM action and builds the resource ARN; this module
gathers the principal's policies (the same gathering the simulator and the effective-
permissions worker use), builds the request context from the real request, and asks the
engine. The root user is the only bypass, and only inside its own account.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.db import transaction

from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import AWSError
from accounts.models import AuditEvent
from accounts.principals import Principal
from policies.context import IAM_REGION, complete_context, request_context
from policies.engine import evaluate
from policies.engine.model import Request
from policies.selectors import GatheredPolicies, gather_policies


class AccessDenied(AWSError):
    """403 with AWS's message form; raised by services when ``authorize`` says no."""

    code = "AccessDenied"
    http_status = 403

    def __init__(self, result: AuthorizationResult, actor: Actor | None = None):
        super().__init__(result.message)
        self.result = result
        self.actor = actor  # whose denial it is, to audit it again after a rollback


@dataclass(frozen=True)
class AuthorizationResult:
    """The engine's answer for one request, with AWS's message when it is a denial."""

    principal: Principal
    action: str
    resource: str
    decision: str  # allowed | explicitDeny | implicitDeny
    reason: str  # why a denial: "because no identity-based policy allows the action", …
    message: str
    decision_detail: object | None = None  # the engine's Decision (explanation on demand)
    gathered: GatheredPolicies | None = None

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"


_LAYER_NAMES = {
    "identity": "identity-based policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "scp": "service control policy",
    "rcp": "resource control policy",
    "resource": "resource-based policy",
}


def denial_message(
    principal_arn: str, action: str, resource: str, decision: str, layer: str
) -> str:
    """AWS's wording: ``User: ARN is not authorized to perform: A on resource: R because …``."""
    head = f"User: {principal_arn} is not authorized to perform: {action} on resource: {resource}"
    layer_name = _LAYER_NAMES.get(layer, "identity-based policy")
    if decision == "explicitDeny":
        return f"{head} with an explicit deny in a {layer_name}"
    return f"{head} because no {layer_name} allows the {action} action"


def resource_account(arn: str) -> str:
    """The account field of an ARN ('' for ``*`` and account-less ARNs)."""
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 else ""


def authorize(
    principal: Principal,
    action: str,
    resource: str,
    context: dict,
    *,
    resource_policy: str | None = None,
) -> AuthorizationResult:
    """Decide ``action`` on ``resource`` for ``principal`` with the engine (root: own account).

    ``context`` is the caller and request side (``policies.context.request_context``); the
    resource side (tags, boundary, account) is always read from the resource itself here, so
    that no interface can leave it out.

    ``resource_policy`` is the resource's own policy where it has one (a role's trust policy
    for ``sts:AssumeRole``); Amazon MQ resources have none.
    """
    if principal.is_root and resource_policy is None:
        account = resource_account(resource)
        allowed = account in ("", principal.account_id, "aws")
        return AuthorizationResult(
            principal,
            action,
            resource,
            "allowed" if allowed else "implicitDeny",
            "" if allowed else "identity",
            ""
            if allowed
            else denial_message(principal.arn, action, resource, "implicitDeny", "identity"),
        )
    gathered = gather_policies(principal)
    policy_set = gathered.policy_set
    if resource_policy is not None:
        policy_set = replace(policy_set, resource=resource_policy)
    context = complete_context(action, resource, context)
    request = Request(principal=principal.arn, action=action, resource=resource, context=context)
    decision = evaluate(request, policy_set)
    if decision.allowed:
        return AuthorizationResult(
            principal, action, resource, decision.value, "", "", decision, gathered
        )
    explanation = decision.explanation  # computed only for denials: it costs a trace
    return AuthorizationResult(
        principal,
        action,
        resource,
        decision.value,
        explanation.reason,
        explanation.message,
        decision,
        gathered,
    )


def actor_for_principal(
    principal: Principal,
    *,
    source_ip: str | None = None,
    user_agent: str = "",
    secure: bool = False,
    region: str = IAM_REGION,
) -> Actor:
    """The actor of a request made by ``principal``: what services authorize and audit."""
    return Actor(
        arn=principal.arn,
        account_id=principal.account_id,
        kind=principal.kind,
        source_ip=source_ip,
        user_agent=user_agent[:512],
        principal=principal,
        secure=secure,
        region=region,
    )


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def actor_for(request, *, principal: Principal | None = None, region: str = IAM_REGION) -> Actor:
    """The actor of a browser or API request (``principal``: when not ``request.principal``)."""
    principal = principal or getattr(request, "principal", None)
    if principal is None:
        return Actor(arn="anonymous", source_ip=client_ip(request))
    return actor_for_principal(
        principal,
        source_ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        secure=request.is_secure(),
        region=region,
    )


def check_actor(
    actor: Actor,
    action: str,
    resource: str,
    *,
    request_tags: dict | None = None,
    extra: dict | None = None,
    resource_policy: str | None = None,
) -> AuthorizationResult:
    """Decide ``action`` on ``resource`` for the actor's principal; audit a denial.

    The console acting on its own (``system_actor``: commands, tasks, the demo loader) is not
    an IAM principal and is not checked; every other actor must carry its principal.
    """
    principal = actor.principal
    if actor.is_system:
        return AuthorizationResult(principal, action, resource, "allowed", "", "")  # type: ignore[arg-type]
    if principal is None:
        raise RuntimeError(f"{actor.arn} acts without a principal: it cannot be authorized")
    context = request_context(
        principal,
        source_ip=actor.source_ip,
        secure=actor.secure,
        region=actor.region,
        request_tags=request_tags,
        extra=extra,
    )
    result = authorize(principal, action, resource, context, resource_policy=resource_policy)
    if not result.allowed:
        audit_denial(actor, result)
    return result


def authorize_actor(
    actor: Actor,
    action: str,
    resource: str,
    *,
    request_tags: dict | None = None,
    extra: dict | None = None,
    resource_policy: str | None = None,
) -> AuthorizationResult:
    """The services' one call: raise AccessDenied (audited) unless IAM allows ``actor``."""
    result = check_actor(
        actor,
        action,
        resource,
        request_tags=request_tags,
        extra=extra,
        resource_policy=resource_policy,
    )
    if not result.allowed:
        raise AccessDenied(result, actor)
    return result


def require_root(actor: Actor, action: str, resource: str = "*") -> None:
    """A task only the account's root user performs (raises AccessDenied, audited)."""
    if actor.is_system or (actor.principal is not None and actor.principal.is_root):
        return
    principal = actor.principal
    if principal is None:
        raise RuntimeError(f"{actor.arn} acts without a principal: it cannot be authorized")
    message = (
        f"User: {principal.arn} is not authorized to perform: {action} on resource: {resource} "
        "because only the root user of the account may perform it"
    )
    result = AuthorizationResult(principal, action, resource, "implicitDeny", "root", message)
    audit_denial(actor, result)
    raise AccessDenied(result, actor)


@contextmanager
def all_or_nothing():
    """One transaction for an operation of several authorized steps.

    Each step's service authorizes itself; a denial part-way rolls every step back. The
    denial's audit row was written inside the transaction and so rolled back with it: it is
    written again after the rollback (an enclosing ``all_or_nothing`` that also rolls back
    writes it once more after its own), so that no denial goes unrecorded.
    """
    try:
        with transaction.atomic():
            yield
    except AccessDenied as denied:
        if denied.actor is not None:
            audit_denial(denied.actor, denied.result)
        raise


# A denied cross-account AssumeRole is logged in the role's account too, as CloudTrail does:
# the role's owner sees who tried to assume it.
ROLE_ACCOUNT_AUDITED_ACTIONS = frozenset(
    {"sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"}
)


def audit_denial(actor: Actor, result: AuthorizationResult, parameters: dict | None = None):
    """Every denial is part of the audit trail (of the role's account too for AssumeRole)."""
    accounts = [result.principal.account_id]
    if result.action in ROLE_ACCOUNT_AUDITED_ACTIONS:
        role_account = resource_account(result.resource)
        if role_account.isdigit() and role_account != result.principal.account_id:
            accounts.append(role_account)
    for account_id in accounts:
        audit_record(
            actor=actor,
            action=result.action,
            resource_arn=result.resource,
            account_id=account_id,
            parameters=parameters,
            decision=AuditEvent.Decision.EXPLICIT_DENY
            if result.decision == "explicitDeny"
            else AuditEvent.Decision.IMPLICIT_DENY,
            error_code="AccessDenied",
            message=result.message,
        )
