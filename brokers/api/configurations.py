"""The native REST API of configurations, their revisions and tags (``/api/v1/``).

Configuration data is plain text here (Amazon MQ's own API base64-encodes it).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from brokers import describe, selectors, services
from brokers.api.common import REGION, TAG_KEYS, CollectionApi, context_for
from brokers.api.schema import (
    output_serializer,
    read_request,
    request_serializer,
    response_serializer,
    write_response,
)
from brokers.filters import ConfigurationFilter
from brokers.models import Configuration, ConfigurationRevision
from brokers.mq_api.handlers import brokers as broker_ops
from brokers.mq_api.handlers import configurations as configuration_ops
from policies.permissions import AUTHORIZED_IN_HANDLER


class ConfigurationListApi(CollectionApi):
    """ListConfigurations and CreateConfiguration."""

    serializer_class = output_serializer("Configuration", describe.configuration_description)
    filterset_class = ConfigurationFilter
    list_action = "mq:ListConfigurations"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Configuration.objects.none()
        return selectors.configuration_list(principal=self.request.user)

    @extend_schema(summary="ListConfigurations", parameters=[REGION])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="CreateConfiguration (revision 1 is the engine's default)",
        request=request_serializer("CreateConfiguration"),
        responses={201: response_serializer("CreateConfiguration")},
    )
    def post(self, request):
        ctx = context_for(request, "CreateConfiguration")
        params = read_request("CreateConfiguration", request.data)
        result = configuration_ops.create_configuration(ctx, params)
        body = write_response("CreateConfiguration", result)
        return Response(body, status=status.HTTP_201_CREATED)


class ConfigurationDetailApi(APIView):
    """DescribeConfiguration, UpdateConfiguration (PUT: a new revision), DeleteConfiguration."""

    @extend_schema(
        summary="DescribeConfiguration", responses=response_serializer("DescribeConfiguration")
    )
    def get(self, request, configuration_id: str):
        ctx = context_for(request, "DescribeConfiguration")
        params = {"configuration-id": configuration_id}
        result = configuration_ops.describe_configuration(ctx, params)
        return Response(write_response("DescribeConfiguration", result))

    @extend_schema(
        summary="UpdateConfiguration: Data (plain text) becomes the next revision",
        request=request_serializer("UpdateConfiguration"),
        responses=response_serializer("UpdateConfiguration"),
    )
    def put(self, request, configuration_id: str):
        ctx = context_for(request, "UpdateConfiguration")
        data = read_request("UpdateConfiguration", request.data)
        configuration = configuration_ops.configuration_for(
            ctx, {"configuration-id": configuration_id}
        )
        revision = services.configuration_update(
            actor=ctx.actor,
            configuration=configuration,
            data=data["data"],
            description=data.get("description"),
            authz=ctx.authz,
        )
        result = {
            "arn": configuration.arn,
            "created": configuration.created_at,
            "id": configuration.configuration_id,
            "latestRevision": describe.revision_summary(revision),
            "name": configuration.name,
            "warnings": revision.warnings or None,
        }
        return Response(write_response("UpdateConfiguration", result))

    @extend_schema(
        summary="DeleteConfiguration (refused while a broker uses it)",
        responses=response_serializer("DeleteConfiguration"),
    )
    def delete(self, request, configuration_id: str):
        ctx = context_for(request, "DeleteConfiguration")
        params = {"configuration-id": configuration_id}
        result = configuration_ops.delete_configuration(ctx, params)
        return Response(write_response("DeleteConfiguration", result))


class RevisionListApi(CollectionApi):
    """ListConfigurationRevisions, newest first."""

    list_action = AUTHORIZED_IN_HANDLER  # on the broker/configuration, in get_queryset

    serializer_class = output_serializer("ConfigurationRevision", describe.revision_summary)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ConfigurationRevision.objects.none()
        ctx = context_for(self.request, "ListConfigurationRevisions")
        params = {"configuration-id": self.kwargs["configuration_id"]}
        configuration = configuration_ops.configuration_for(ctx, params)
        ctx.authorize(configuration.arn)
        return selectors.revision_list(configuration=configuration)

    @extend_schema(summary="ListConfigurationRevisions")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RevisionDetailApi(APIView):
    """DescribeConfigurationRevision (Data as plain text)."""

    @extend_schema(
        summary="DescribeConfigurationRevision",
        responses=response_serializer("DescribeConfigurationRevision"),
    )
    def get(self, request, configuration_id: str, revision: int):
        ctx = context_for(request, "DescribeConfigurationRevision")
        params = {"configuration-id": configuration_id}
        configuration = configuration_ops.configuration_for(ctx, params)
        ctx.authorize(configuration.arn)
        found = selectors.revision_get(configuration=configuration, revision=revision)
        result = describe.revision_description(found, base64_data=False)
        return Response(write_response("DescribeConfigurationRevision", result))


class TagsApi(APIView):
    """ListTags, CreateTags (POST {"Tags": {…}}), DeleteTags (?TagKeys=…) of one resource."""

    kind = "broker"

    def _resource(self, request, operation: str, resource_id: str):
        ctx = context_for(request, operation)
        if self.kind == "broker":
            return ctx, broker_ops.broker_for(ctx, {"broker-id": resource_id})
        return ctx, configuration_ops.configuration_for(ctx, {"configuration-id": resource_id})

    @extend_schema(summary="ListTags", responses=response_serializer("ListTags"))
    def get(self, request, resource_id: str):
        ctx, resource = self._resource(request, "ListTags", resource_id)
        ctx.authorize(resource.arn)
        return Response(write_response("ListTags", {"tags": resource.tags}))

    @extend_schema(
        summary="CreateTags",
        request=request_serializer("CreateTags"),
        responses=response_serializer("ListTags"),
    )
    def post(self, request, resource_id: str):
        tags = read_request("CreateTags", request.data).get("tags") or {}
        ctx, resource = self._resource(request, "CreateTags", resource_id)
        merged = services.tags_create(
            actor=ctx.actor, resource=resource, tags=tags, authz=ctx.authz
        )
        return Response(write_response("ListTags", {"tags": merged}))

    @extend_schema(
        summary="DeleteTags", parameters=[TAG_KEYS], responses=response_serializer("ListTags")
    )
    def delete(self, request, resource_id: str):
        keys = request.query_params.getlist("TagKeys")
        ctx, resource = self._resource(request, "DeleteTags", resource_id)
        remaining = services.tags_delete(
            actor=ctx.actor, resource=resource, keys=keys, authz=ctx.authz
        )
        return Response(write_response("ListTags", {"tags": remaining}))
