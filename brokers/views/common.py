"""What every broker page shares: the request's authorizer, lookups, denial handling."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.views import View

from accounts.selectors import account_of
from brokers import selectors
from brokers.authz import RequestAuthorizer
from brokers.errors import NotFound
from policies.authorization import actor_for
from policies.permissions import check


class BrokerPageView(View):
    """A console page: NotFound is a 404 (AccessDenied: the DenialMiddleware's 403 page)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotFound as missing:
            raise Http404(missing.message) from missing

    @property
    def region(self) -> str:
        return settings.MQIAM["DEFAULT_REGION"]

    def authz(self, region: str | None = None) -> RequestAuthorizer:
        return RequestAuthorizer(self.request, self.request.principal, region or self.region)

    def actor(self):
        return actor_for(self.request)

    def account(self):
        return account_of(self.request.principal)

    def broker(self, broker_id: str):
        return selectors.broker_get(principal=self.request.principal, broker_id=broker_id)

    def configuration(self, configuration_id: str):
        return selectors.configuration_get(
            principal=self.request.principal, configuration_id=configuration_id
        )

    def require(self, action: str, resource, *, region=None) -> None:
        """Authorize ``action`` on a broker/configuration (by its ARN) or on ``*``."""
        arn = resource if isinstance(resource, str) else resource.arn
        if not isinstance(resource, str):
            region = resource.region
        self.authz(region)(action, arn)

    def allowed(self, action: str, resource) -> bool:
        """Whether the principal may ``action`` (denials are audited, as for any check)."""
        return check(
            self.request,
            action,
            resource.arn,
            region=resource.region,
        ).allowed
