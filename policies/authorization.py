"""The console's one authorization seam: ``authorize(principal, action, resource, context)``.

Every page and API endpoint names its IAM action and builds the resource ARN; this module
gathers the principal's policies (the same gathering the simulator and the effective-
permissions worker use), builds the request context from the real request, and asks the
engine. The root user is the only bypass, and only inside its own account.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import IAMError
from accounts.models import AuditEvent
from accounts.principals import ASSUMED_ROLE, Principal
from policies.engine import evaluate
from policies.engine.model import Request
from policies.selectors import GatheredPolicies, gather_policies

IAM_REGION = "us-east-1"  # IAM is global; AWS reports its calls in us-east-1


class AccessDenied(IAMError):
    """403 with AWS's message form; raised by services/views when ``authorize`` says no."""

    code = "AccessDenied"
    http_status = 403

    def __init__(self, result: AuthorizationResult):
        super().__init__(result.message)
        self.result = result


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


def request_context(
    principal: Principal,
    *,
    source_ip: str | None = None,
    secure: bool = False,
    now: datetime | None = None,
    region: str = IAM_REGION,
    resource_tags: dict | None = None,
    request_tags: dict | None = None,
    extra: dict | None = None,
) -> dict:
    """The request context AWS would build for this call (iam-reference.md §3)."""
    now = now or datetime.now(UTC)
    context: dict = {
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "true" if secure else "false",
        "aws:RequestedRegion": region,
        "aws:PrincipalArn": principal.principal_arn,
        "aws:PrincipalAccount": principal.account_id,
        "aws:PrincipalType": principal.principal_type,
        "aws:userid": principal.user_id,
        "aws:ViaAWSService": "false",
    }
    if source_ip:
        context["aws:SourceIp"] = source_ip
    if principal.username:
        context["aws:username"] = principal.username
    for key, value in principal.tags.items():
        context[f"aws:PrincipalTag/{key}"] = value
    # MFA keys exist only for temporary credentials (console sessions and role sessions);
    # a long-term access key carries neither (iam-reference.md §3).
    if principal.credential in ("console", "session") or principal.kind == ASSUMED_ROLE:
        mfa_at = principal.mfa_authenticated_at
        context["aws:MultiFactorAuthPresent"] = "true" if mfa_at else "false"
        if mfa_at:
            context["aws:MultiFactorAuthAge"] = str(max(0, int((now - mfa_at).total_seconds())))
    if principal.source_identity:
        context["aws:SourceIdentity"] = principal.source_identity
    if principal.token_issued_at:
        context["aws:TokenIssueTime"] = principal.token_issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    for key, value in (resource_tags or {}).items():
        context[f"aws:ResourceTag/{key}"] = value
    if request_tags is not None:
        for key, value in request_tags.items():
            context[f"aws:RequestTag/{key}"] = value
        context["aws:TagKeys"] = list(request_tags)
    context.update(extra or {})
    return context


def authorize(
    principal: Principal,
    action: str,
    resource: str,
    context: dict,
    *,
    resource_policy: str | None = None,
) -> AuthorizationResult:
    """Decide ``action`` on ``resource`` for ``principal`` with the engine (root: own account).

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
    principal: Principal, *, source_ip: str | None = None, user_agent: str = ""
) -> Actor:
    return Actor(
        arn=principal.arn,
        account_id=principal.account_id,
        kind=principal.kind,
        source_ip=source_ip,
        user_agent=user_agent[:512],
    )


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def actor_for(request) -> Actor:
    """The audit actor of a browser or API request."""
    principal = getattr(request, "principal", None)
    if principal is None:
        return Actor(arn="anonymous", source_ip=client_ip(request))
    return actor_for_principal(
        principal, source_ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
    )


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
