"""Template context for the navigation: counts computed only if a template reads them.

One indexed query answers both badges in the common case (nothing awaits review in the
account); only when something does are the requests narrowed to those this principal may
decide, with the same engine as the review list.
"""

from __future__ import annotations

from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Account
from policies.models import AccessRequest, Notification
from policies.permissions import context_for_request
from policies.requests.selectors import AWAITING_REVIEW, review_count


class AccessRequestNav:
    """The "Requests" badge (awaiting my review) and the unread-notifications badge."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def _summary(self) -> dict:
        principal = self.request.principal
        unread = (
            Notification.objects.filter(recipient_arn=principal.principal_arn, read_at__isnull=True)
            .order_by()
            .values("recipient_arn")
            .annotate(n=Count("pk"))
            .values("n")
        )
        row = (
            Account.objects.filter(account_id=principal.account_id)
            .annotate(
                awaiting=Exists(
                    AccessRequest.objects.filter(AWAITING_REVIEW, account=OuterRef("pk"))
                ),
                unread=Coalesce(Subquery(unread), 0),
            )
            .values("awaiting", "unread")
            .first()
        )
        return row or {"awaiting": False, "unread": 0}

    @cached_property
    def review(self) -> int:
        if not self._summary["awaiting"]:
            return 0
        principal = self.request.principal
        context = context_for_request(self.request, principal)
        return review_count(principal=principal, context=context)

    @cached_property
    def unread(self) -> int:
        return self._summary["unread"]


def access_requests(request) -> dict:
    """``access_requests_nav`` for signed-in console pages."""
    if getattr(request, "principal", None) is None:
        return {}
    return {"access_requests_nav": AccessRequestNav(request)}
