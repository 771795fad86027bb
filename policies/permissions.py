"""The two adapters of ``authorize``: a mixin for console views and a DRF permission class.

A view declares ``iam_action`` (or one per HTTP method) and how its resource ARN is built;
both adapters build the request context from the real request the same way, so the UI and
the API cannot disagree.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from rest_framework.permissions import BasePermission

from accounts.actors import Actor
from policies.authorization import (
    AuthorizationResult,
    actor_for,
    authorize_actor,
    check_actor,
    client_ip,
)
from policies.context import IAM_REGION, request_context
from policies.denial import failed_conditions


def context_for_request(
    request,
    principal,
    *,
    region: str | None = None,
    request_tags: dict | None = None,
    extra: dict | None = None,
) -> dict:
    """The IAM request context of a Django or DRF request."""
    return request_context(
        principal,
        source_ip=client_ip(request),
        secure=request.is_secure(),
        region=region or "us-east-1",
        request_tags=request_tags,
        extra=extra,
    )


def _actor(request, principal, region) -> Actor:
    return actor_for(request, principal=principal or request.principal, region=region or IAM_REGION)


def check(
    request,
    action: str,
    resource: str,
    *,
    region: str | None = None,
    request_tags: dict | None = None,
    extra: dict | None = None,
    principal=None,
) -> AuthorizationResult:
    """Decide ``action`` on ``resource`` for the request's principal; audit a denial."""
    actor = _actor(request, principal, region)
    return check_actor(actor, action, resource, request_tags=request_tags, extra=extra)


def require(
    request,
    action: str,
    resource: str,
    *,
    region: str | None = None,
    request_tags: dict | None = None,
    extra: dict | None = None,
    principal=None,
) -> AuthorizationResult:
    """Like ``check`` but raises AccessDenied (403 with AWS's message) on a denial."""
    actor = _actor(request, principal, region)
    return authorize_actor(actor, action, resource, request_tags=request_tags, extra=extra)


def render_denied(request, result: AuthorizationResult):
    """The console's 403 page: AWS's message, and what to do about it (the condition that
    failed, when a statement would have allowed the request but for its condition)."""
    detail = result.decision_detail
    conditions = failed_conditions(getattr(detail, "explanation", None), result.action)
    return render(
        request, "denied.html", {"result": result, "failed_conditions": conditions}, status=403
    )


class IAMActionMixin:
    """For class-based console views: authorize before the handler runs.

    Set ``iam_action`` (a string, or a dict of HTTP method → action) and override
    ``get_iam_resource`` (default ``"*"``) and ``get_iam_context`` for tags and region.
    """

    iam_action: str | dict[str, str] = ""

    def get_iam_action(self) -> str:
        action = self.iam_action
        if isinstance(action, dict):
            return action.get(self.request.method, action.get("*", ""))
        return action

    def get_iam_resource(self) -> str:
        return "*"

    def get_iam_context(self) -> dict:
        """Keyword arguments for ``check``: region, request_tags, extra."""
        return {}

    def dispatch(self, request, *args, **kwargs):
        self.request, self.args, self.kwargs = request, args, kwargs
        action = self.get_iam_action()
        if not action:
            raise RuntimeError(f"{type(self).__name__} declares no iam_action")
        self.authorization = check(
            request, action, self.get_iam_resource(), **self.get_iam_context()
        )
        if not self.authorization.allowed:
            return render_denied(request, self.authorization)
        # A denial raised by the handler's services is rendered by DenialMiddleware.
        return super().dispatch(request, *args, **kwargs)


# What a view's ``get_iam_action`` returns for a method whose handler authorizes on its own
# terms: a service that authorizes the operation (against the ARN it computes, with the
# request's keys), or a read authorized on the one object it names.
AUTHORIZED_IN_HANDLER = "authorized-in-handler"


class IAMActionPermission(BasePermission):
    """For DRF views: the view declares ``iam_action`` and ``get_iam_resource()``.

    A view that declares no action is refused, never let through: a forgotten declaration
    must fail closed. Handlers that authorize themselves say so with ``AUTHORIZED_IN_HANDLER``.
    """

    def has_permission(self, request, view) -> bool:
        principal = getattr(request, "user", None)
        if principal is None or not getattr(principal, "is_authenticated", False):
            return False
        action = view.get_iam_action() if hasattr(view, "get_iam_action") else view.iam_action
        if action == AUTHORIZED_IN_HANDLER:
            return True
        if not action:
            raise ImproperlyConfigured(f"{type(view).__name__} declares no IAM action")
        resource = view.get_iam_resource() if hasattr(view, "get_iam_resource") else "*"
        extra = view.get_iam_context() if hasattr(view, "get_iam_context") else {}
        require(request, action, resource, principal=principal, **extra)
        return True
