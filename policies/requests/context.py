"""Template context for the navigation: counts computed only if a template reads them."""

from __future__ import annotations

from functools import cached_property


class AccessRequestNav:
    """The "Requests" badge (awaiting my review) and the unread-notifications badge."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def review(self) -> int:
        from policies.permissions import context_for_request
        from policies.requests.selectors import review_count

        principal = self.request.principal
        context = context_for_request(self.request, principal)
        return review_count(principal=principal, context=context)

    @cached_property
    def unread(self) -> int:
        from policies.requests.notify import unread_count

        return unread_count(self.request.principal)


def access_requests(request) -> dict:
    """``access_requests_nav`` for signed-in console pages."""
    if getattr(request, "principal", None) is None:
        return {}
    return {"access_requests_nav": AccessRequestNav(request)}
