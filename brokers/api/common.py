"""What the brokers API views share: the request's MQ context and collection views."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework import generics

from accounts.selectors import account_of
from brokers.mq_api.protocol import MQContext
from brokers.shapes import operations
from policies.authorization import actor_for
from policies.permissions import AUTHORIZED_IN_HANDLER, IAMActionPermission

REGION = OpenApiParameter("region", str, description="Region (default: the console's).")
TAG_KEYS = OpenApiParameter("TagKeys", str, many=True, description="Tag keys to remove.")
BROKER_EXAMPLE = OpenApiExample(
    "An ActiveMQ broker",
    request_only=True,
    value={
        "BrokerName": "orders",
        "EngineType": "ACTIVEMQ",
        "EngineVersion": "5.18",
        "DeploymentMode": "SINGLE_INSTANCE",
        "HostInstanceType": "mq.t3.micro",
        "PubliclyAccessible": False,
        "Users": [{"Username": "admin", "Password": "Admin-Passw0rd-1", "ConsoleAccess": True}],
        "Tags": {"team": "payments"},
    },
)


def region_of(request) -> str:
    """``?region=`` or the console's default Region."""
    return request.query_params.get("region") or settings.MQIAM["DEFAULT_REGION"]


def context_for(request, operation: str) -> MQContext:
    """The same context the Amazon MQ API's handlers get, for a native API request."""
    return MQContext(
        request=request,
        principal=request.user,
        account=account_of(request.user),
        region=region_of(request),
        actor=actor_for(request),
        operation=operations()[operation],
    )


class CollectionApi(generics.ListAPIView):
    """GET lists with ``list_action`` (authorized on ``*``); POST authorizes in its handler."""

    permission_classes = [IAMActionPermission]
    list_action = ""

    def get_iam_action(self) -> str:
        return self.list_action if self.request.method == "GET" else AUTHORIZED_IN_HANDLER

    def get_iam_context(self) -> dict:
        return {"region": region_of(self.request)}
