"""Reads of access requests, narrowed to what the principal may see.

A requester sees their own requests (every session of a role sees the role's); a reviewer
sees the requests of identities IAM allows them to grant to (``eligibility``), never their
own. Root sees every request of its account.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.errors import NoSuchEntity
from accounts.models import IAMUser, Role
from accounts.principals import Principal
from policies.models import AccessRequest, Notification
from policies.requests.eligibility import principal_ids, reviewable_identities

AWAITING_REVIEW = Q(status=AccessRequest.Status.PENDING) | Q(
    status=AccessRequest.Status.APPROVED, extension_hours__isnull=False
)


def _base(principal: Principal) -> QuerySet[AccessRequest]:
    return (
        AccessRequest.objects.filter(account__account_id=principal.account_id)
        .select_related("account", "user__account", "role__account")
        .annotate(approval_count=Count("approvals", distinct=True))
    )


def access_request_list_mine(*, principal: Principal) -> QuerySet[AccessRequest]:
    """The principal's own requests, newest first."""
    return _base(principal).filter(requester_principal_arn=principal.principal_arn)


def access_request_list_review(
    *, principal: Principal, context: dict, only: Q | None = None
) -> QuerySet[AccessRequest]:
    """Requests of identities the principal may grant to, excluding its own (``only``: a
    filter applied first, so fewer identities need evaluating)."""
    mine = principal_ids(principal)
    candidates = (
        AccessRequest.objects.filter(account__account_id=principal.account_id)
        .exclude(requester_principal_arn__in=mine)
        .exclude(requester_source_arn__in=mine)
    )
    if only is not None:
        candidates = candidates.filter(only)
    user_ids = set(candidates.exclude(user=None).values_list("user_id", flat=True))
    role_ids = set(candidates.exclude(role=None).values_list("role_id", flat=True))
    identities = [
        *IAMUser.objects.filter(pk__in=user_ids).select_related("account"),
        *Role.objects.filter(pk__in=role_ids).select_related("account"),
    ]
    allowed = reviewable_identities(principal, context, identities)
    users = [pk for kind, pk in allowed if kind == "user"]
    roles = [pk for kind, pk in allowed if kind == "role"]
    return (
        _base(principal)
        .filter(pk__in=candidates.values("pk"))
        .filter(Q(user_id__in=users) | Q(role_id__in=roles))
    )


def review_count(*, principal: Principal, context: dict) -> int:
    """How many requests await this principal's review (the navigation badge)."""
    if not AccessRequest.objects.filter(
        AWAITING_REVIEW, account__account_id=principal.account_id
    ).exists():
        return 0  # the common case costs one indexed query
    return access_request_list_review(
        principal=principal, context=context, only=AWAITING_REVIEW
    ).count()


def access_request_get(*, principal: Principal, request_id: str) -> AccessRequest:
    """One request of the principal's account (visibility is checked by the caller)."""
    found = _base(principal).filter(request_id=request_id).first()
    if found is None:
        raise NoSuchEntity(f"The access request {request_id} cannot be found.")
    return found


def notification_list(*, principal: Principal) -> QuerySet[Notification]:
    """The principal's notifications (a role's reach every session of it), newest first."""
    return Notification.objects.filter(
        account__account_id=principal.account_id, recipient_arn=principal.principal_arn
    )
