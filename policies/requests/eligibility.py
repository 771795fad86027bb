"""Who may decide an access request: whoever IAM allows to grant it, never the requester.

Approving puts an inline policy on the requester's identity, so the approver needs exactly
what that write needs: ``iam:PutUserPolicy`` on the user (``iam:PutRolePolicy`` on the role
for a role session's request). Revoking early needs ``iam:Delete…Policy``. The lists and the
navigation badge narrow with the same engine and the same request context as the decision,
but without auditing: only an attempted decision is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from accounts.errors import AccessDenied as SelfApprovalDenied
from accounts.models import IAMUser, Role
from accounts.principals import Principal
from policies.authorization import AccessDenied, actor_for_principal, audit_denial, authorize
from policies.context import request_context
from policies.engine import evaluate
from policies.engine.model import Request
from policies.models import AccessRequest
from policies.requests.notify import email_of
from policies.selectors import gather_policies, gather_policies_bulk

LABELS = {"user": "User", "role": "Role"}


def grant_action(kind: str) -> str:
    """``iam:PutUserPolicy`` or ``iam:PutRolePolicy``: what approving (or denying) needs."""
    return f"iam:Put{LABELS[kind]}Policy"


def revoke_action(kind: str) -> str:
    """``iam:DeleteUserPolicy`` or ``iam:DeleteRolePolicy``: what ending a grant early needs."""
    return f"iam:Delete{LABELS[kind]}Policy"


def principal_ids(principal: Principal) -> set[str]:
    """The people and identities behind a principal: its ARN, and who assumed a role."""
    return {arn for arn in (principal.principal_arn, principal.source_arn) if arn}


def is_own_request(principal: Principal, access_request: AccessRequest) -> bool:
    """True when the principal asked for it, directly or through a role it assumed."""
    theirs = {
        arn
        for arn in (access_request.requester_principal_arn, access_request.requester_source_arn)
        if arn
    }
    return bool(principal_ids(principal) & theirs)


def is_requester(principal: Principal, access_request: AccessRequest) -> bool:
    """True for the identity that asked (any session of the role for a role's request)."""
    return principal.principal_arn == access_request.requester_principal_arn


def refuse_own(principal: Principal, access_request: AccessRequest) -> None:
    """Nobody decides their own request, not even through a role they switched to."""
    if is_own_request(principal, access_request):
        raise SelfApprovalDenied(
            f"You cannot decide your own access request {access_request.request_id}: "
            "another principal allowed to grant it must."
        )


@dataclass(frozen=True)
class PrincipalAuthorizer:
    """Authorizes as ``principal`` with a request context built here (tasks, tests, API).

    Views use ``brokers.authz.RequestAuthorizer``, which takes the context from the HTTP
    request; both raise AccessDenied and audit the denial.
    """

    principal: Principal
    now: datetime | None = None

    def __call__(self, action, resource, *, request_tags=None, extra=None):
        context = request_context(
            self.principal,
            now=self.now,
            request_tags=request_tags,
            extra=extra,
        )
        result = authorize(self.principal, action, resource, context)
        if not result.allowed:
            audit_denial(actor_for_principal(self.principal), result)
            raise AccessDenied(result)


def reviewable_identities(
    principal: Principal, context: dict, identities: list[IAMUser | Role]
) -> set[tuple[str, int]]:
    """``(kind, pk)`` of the identities the principal may grant to (one policy gathering)."""
    if principal.is_root:
        return {
            (_kind(i), i.pk) for i in identities if i.account.account_id == principal.account_id
        }
    gathered = gather_policies(principal)
    allowed = set()
    for identity in identities:
        kind = _kind(identity)
        request = Request(
            principal=principal.arn,
            action=grant_action(kind),
            resource=identity.arn,
            context={
                **context,
                **{f"aws:ResourceTag/{k}": v for k, v in (identity.tags or {}).items()},
            },
        )
        if evaluate(request, gathered.policy_set).allowed:
            allowed.add((kind, identity.pk))
    return allowed


def _kind(identity: IAMUser | Role) -> str:
    return "user" if isinstance(identity, IAMUser) else "role"


def eligible_approvers(access_request: AccessRequest, *, now: datetime | None = None) -> list:
    """Every user and role IAM allows to grant the request, plus root: ``[(arn, email)]``.

    Used to notify, not to decide: each is evaluated with what is known without a live
    request (their tags, the time), so a policy that also demands MFA or a source IP counts
    as not allowing, and such approvers see the request in their review list instead.
    """
    now = now or timezone.now()
    account = access_request.account
    identity = access_request.identity
    kind = access_request.requester_kind
    action = grant_action(kind)
    base = {
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:PrincipalAccount": account.account_id,
        "aws:RequestedRegion": "us-east-1",
        **{f"aws:ResourceTag/{k}": v for k, v in (identity.tags or {}).items()},
    }
    theirs = {access_request.requester_principal_arn, access_request.requester_source_arn}
    out = [(account.root_arn, _root_email(account))]
    gathered = gather_policies_bulk(account.pk)
    users = {u.pk: u for u in IAMUser.objects.filter(account=account).select_related("account")}
    roles = {r.pk: r for r in Role.objects.filter(account=account).select_related("account")}
    for (subject_kind, pk), policies in sorted(gathered.items()):
        subject = users.get(pk) if subject_kind == "user" else roles.get(pk)
        if subject is None or subject.arn in theirs:
            continue
        if subject_kind == "role" and getattr(subject, "is_service_linked", False):
            continue
        caller = (
            subject.arn
            if subject_kind == "user"
            else f"arn:aws:sts::{account.account_id}:assumed-role/{subject.name}/approver"
        )
        context = {
            **base,
            "aws:PrincipalArn": subject.arn,
            "aws:PrincipalType": "User" if subject_kind == "user" else "AssumedRole",
            **{f"aws:PrincipalTag/{k}": v for k, v in (subject.tags or {}).items()},
        }
        if subject_kind == "user":
            context["aws:username"] = subject.name
            context["aws:userid"] = subject.unique_id
        decision = evaluate(
            Request(principal=caller, action=action, resource=identity.arn, context=context),
            policies.policy_set,
        )
        if decision.allowed:
            out.append((subject.arn, email_of(subject)))
    return out


def _root_email(account) -> str:
    root = getattr(account, "root_user", None)
    return root.email if root else ""
