"""The native REST API of brokers and broker users (``/api/v1/brokers/``), SDK member names.

Bodies are the reference's request shapes with boto3's names (``BrokerName``…); writes go
through the same handlers and services as the Amazon MQ API and the console pages, lists use
the pages' FilterSets with page-number pagination.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from brokers import describe, selectors, services
from brokers.api.common import BROKER_EXAMPLE, REGION, CollectionApi, context_for
from brokers.api.schema import (
    output_serializer,
    read_request,
    request_serializer,
    response_serializer,
    shape_serializer,
    write_response,
    write_shape,
)
from brokers.filters import BrokerFilter
from brokers.models import Broker, BrokerUser
from brokers.mq_api.handlers import brokers as broker_ops
from brokers.services.users import UNSET, broker_user_get
from brokers.shapes import read
from policies.permissions import AUTHORIZED_IN_HANDLER


class BrokerListApi(CollectionApi):
    """ListBrokers (the Brokers page's filters) and CreateBroker."""

    serializer_class = output_serializer("BrokerSummary", describe.broker_summary)
    filterset_class = BrokerFilter
    list_action = "mq:ListBrokers"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return Broker.objects.none()
        return selectors.broker_list(principal=self.request.user)

    @extend_schema(summary="ListBrokers", parameters=[REGION])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="CreateBroker (asynchronous: the broker starts in CREATION_IN_PROGRESS)",
        request=request_serializer("CreateBroker"),
        responses={201: response_serializer("CreateBroker")},
        examples=[BROKER_EXAMPLE],
    )
    def post(self, request):
        ctx = context_for(request, "CreateBroker")
        result = broker_ops.create_broker(ctx, read_request("CreateBroker", request.data))
        return Response(write_response("CreateBroker", result), status=status.HTTP_201_CREATED)


class BrokerDetailApi(APIView):
    """DescribeBroker, UpdateBroker (PATCH), DeleteBroker."""

    @extend_schema(summary="DescribeBroker", responses=response_serializer("DescribeBroker"))
    def get(self, request, broker_id: str):
        ctx = context_for(request, "DescribeBroker")
        result = broker_ops.describe_broker(ctx, {"broker-id": broker_id})
        return Response(write_response("DescribeBroker", result))

    @extend_schema(
        summary="UpdateBroker (engine, instance, configuration… are pending until reboot)",
        request=request_serializer("UpdateBroker"),
        responses=response_serializer("UpdateBroker"),
        examples=[
            OpenApiExample(
                "Apply configuration revision 2 at the next reboot",
                request_only=True,
                value={"Configuration": {"Id": "c-1234abcd-…", "Revision": 2}},
            )
        ],
    )
    def patch(self, request, broker_id: str):
        ctx = context_for(request, "UpdateBroker")
        params = {"broker-id": broker_id, **read_request("UpdateBroker", request.data)}
        return Response(write_response("UpdateBroker", broker_ops.update_broker(ctx, params)))

    @extend_schema(
        summary="DeleteBroker (asynchronous)", responses=response_serializer("DeleteBroker")
    )
    def delete(self, request, broker_id: str):
        ctx = context_for(request, "DeleteBroker")
        result = broker_ops.delete_broker(ctx, {"broker-id": broker_id})
        return Response(write_response("DeleteBroker", result))


class BrokerRebootApi(APIView):
    """RebootBroker; the answer shows the broker's new state."""

    @extend_schema(
        summary="RebootBroker (applies pending changes)",
        request=None,
        responses={202: shape_serializer("BrokerSummary")},
    )
    def post(self, request, broker_id: str):
        ctx = context_for(request, "RebootBroker")
        broker = broker_ops.broker_for(ctx, {"broker-id": broker_id})
        broker = services.broker_reboot(actor=ctx.actor, broker=broker, authz=ctx.authz)
        summary = write_shape("BrokerSummary", describe.broker_summary(broker))
        return Response(summary, status=status.HTTP_202_ACCEPTED)


class BrokerUserListApi(CollectionApi):
    """ListUsers of a broker (with pending changes) and CreateUser."""

    list_action = AUTHORIZED_IN_HANDLER  # on the broker/configuration, in get_queryset

    serializer_class = output_serializer("UserSummary", describe.user_summary)

    def _broker(self):
        ctx = context_for(self.request, "ListUsers")
        return ctx, broker_ops.broker_for(ctx, {"broker-id": self.kwargs["broker_id"]})

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BrokerUser.objects.none()
        ctx, broker = self._broker()
        ctx.authorize(broker.arn)
        return selectors.broker_user_list(broker=broker)

    @extend_schema(summary="ListUsers")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="CreateUser (pending CREATE until the broker reboots)",
        request=shape_serializer("User"),
        responses={201: response_serializer("DescribeUser")},
    )
    def post(self, request, broker_id: str):
        data = read("User", request.data, key="sdk_name", attribute="user")
        ctx, broker = self._broker()
        user = services.broker_user_create(
            actor=ctx.actor,
            broker=broker,
            username=data["username"],
            password=data["password"],
            console_access=data.get("consoleAccess", False),
            groups=data.get("groups"),
            replication_user=data.get("replicationUser", False),
            authz=ctx.authz,
        )
        body = write_response("DescribeUser", describe.user_description(user))
        return Response(body, status=status.HTTP_201_CREATED)


class BrokerUserDetailApi(APIView):
    """DescribeUser, UpdateUser (PATCH), DeleteUser."""

    def _broker(self, request, operation: str, broker_id: str):
        ctx = context_for(request, operation)
        return ctx, broker_ops.broker_for(ctx, {"broker-id": broker_id})

    @extend_schema(summary="DescribeUser", responses=response_serializer("DescribeUser"))
    def get(self, request, broker_id: str, username: str):
        ctx, broker = self._broker(request, "DescribeUser", broker_id)
        ctx.authorize(broker.arn)
        user = broker_user_get(broker=broker, username=username)
        return Response(write_response("DescribeUser", describe.user_description(user)))

    @extend_schema(
        summary="UpdateUser (pending UPDATE until the broker reboots)",
        request=request_serializer("UpdateUser"),
        responses=response_serializer("DescribeUser"),
    )
    def patch(self, request, broker_id: str, username: str):
        data = read_request("UpdateUser", request.data)
        ctx, broker = self._broker(request, "UpdateUser", broker_id)
        user = services.broker_user_update(
            actor=ctx.actor,
            broker=broker,
            username=username,
            password=data.get("password", UNSET),
            console_access=data.get("consoleAccess", UNSET),
            groups=data.get("groups", UNSET),
            replication_user=data.get("replicationUser", UNSET),
            authz=ctx.authz,
        )
        return Response(write_response("DescribeUser", describe.user_description(user)))

    @extend_schema(
        summary="DeleteUser (pending DELETE until the broker reboots)", responses={204: None}
    )
    def delete(self, request, broker_id: str, username: str):
        ctx, broker = self._broker(request, "DeleteUser", broker_id)
        services.broker_user_delete(
            actor=ctx.actor, broker=broker, username=username, authz=ctx.authz
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
