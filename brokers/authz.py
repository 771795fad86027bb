"""How broker services ask IAM: an authorizer bound to one request, principal and region.

Services that change state take ``authz`` and call it for every action AWS would check
(``mq:CreateBroker`` on ``*``, ``mq:CreateTags`` on the new ARN, ``iam:CreateServiceLinkedRole``
…) before they commit, so the console pages, the native API and the Amazon MQ API cannot
disagree. ``None`` (the demo loader, tasks) checks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from accounts.principals import Principal
from policies.permissions import require


class Authorizer(Protocol):
    """Raises ``policies.authorization.AccessDenied`` unless IAM allows the action."""

    def __call__(
        self,
        action: str,
        resource: str,
        *,
        request_tags: dict | None = None,
        extra: dict | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class RequestAuthorizer:
    """Authorizes with the request's real context (source IP, MFA, principal tags…)."""

    request: Any
    principal: Principal
    region: str

    def __call__(
        self,
        action: str,
        resource: str,
        *,
        request_tags: dict | None = None,
        extra: dict | None = None,
    ) -> None:
        require(
            self.request,
            action,
            resource,
            principal=self.principal,
            region=self.region,
            request_tags=request_tags,
            extra=extra,
        )


def authorize(
    authz: Authorizer | None,
    action: str,
    resource: str,
    *,
    request_tags: dict | None = None,
    extra: dict | None = None,
) -> None:
    """Call ``authz`` when there is one (system work passes None)."""
    if authz is not None:
        authz(action, resource, request_tags=request_tags, extra=extra)
