"""What the users, groups and roles endpoints share: input, authorization, lists, tags."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import TagsInputSerializer, TagsOutputSerializer, tags_out
from accounts.errors import ValidationError
from accounts.models import IAMUser
from policies.authorization import actor_for
from policies.permissions import AUTHORIZED_IN_HANDLER, IAMActionPermission, require

FORCE = OpenApiParameter(
    "force",
    OpenApiTypes.BOOL,
    description="Remove what blocks deletion first (each removal authorized and audited).",
)
TAG_KEYS = OpenApiParameter(
    "TagKeys", OpenApiTypes.STR, many=True, description="Keys of the tags to remove (repeat)."
)


def api_require(request, action: str, arn: str, **keys):
    return require(request, action, arn, principal=request.user, **keys)


def validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def tag_map(tags: list[dict]) -> dict:
    """``[{Key, Value}]`` as a dict; AWS's own rules (duplicates, limits) run in the service."""
    result: dict = {}
    for tag in tags:
        if tag["Key"] in result:
            raise ValidationError(
                f"Duplicate tag key '{tag['Key']}'.", fields={"Tags": "duplicate"}
            )
        result[tag["Key"]] = tag["Value"]
    return result


def wants_force(request) -> bool:
    return request.query_params.get("force", "").lower() in ("1", "true", "yes")


class ListCreateApi(generics.ListAPIView):
    """A collection: GET lists with ``list_action``; POST authorizes in its own handler."""

    permission_classes = [IAMActionPermission]
    list_action = ""
    model: type = IAMUser

    def get_iam_action(self) -> str:
        return self.list_action if self.request.method == "GET" else AUTHORIZED_IN_HANDLER

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no principal
            return self.model.objects.none()
        return self.select(principal=self.request.user)

    def select(self, *, principal):
        raise NotImplementedError


class TagsApi(APIView):
    """List{Kind}Tags, Tag{Kind} (POST) and Untag{Kind} (DELETE ``?TagKeys=a&TagKeys=b``).

    A subclass names the kind (``label``) and gives the lookup, the authorization keys of the
    identity and the two services; the summaries go on it with ``extend_schema_view``.
    """

    label = ""  # User | Role, as in iam:TagUser

    def get_identity(self, request, name: str):
        raise NotImplementedError

    def tag(self, *, actor, identity, tags: dict) -> None:
        raise NotImplementedError

    def untag(self, *, actor, identity, keys: list[str]) -> None:
        raise NotImplementedError

    @extend_schema(responses=TagsOutputSerializer)
    def get(self, request, name: str):
        identity = self.get_identity(request, name)
        action = f"iam:List{self.label}Tags"
        api_require(request, action, identity.arn)
        return Response({"Tags": tags_out(identity.tags)})

    @extend_schema(
        request=TagsInputSerializer,
        responses=TagsOutputSerializer,
        examples=[
            OpenApiExample(
                "Tag", request_only=True, value={"Tags": [{"Key": "team", "Value": "payments"}]}
            )
        ],
    )
    def post(self, request, name: str):
        identity = self.get_identity(request, name)
        tags = tag_map(validated(TagsInputSerializer, request)["Tags"])
        self.tag(actor=actor_for(request), identity=identity, tags=tags)
        return Response({"Tags": tags_out(identity.tags)})

    @extend_schema(parameters=[TAG_KEYS], responses=TagsOutputSerializer)
    def delete(self, request, name: str):
        identity = self.get_identity(request, name)
        keys = request.query_params.getlist("TagKeys")
        if not keys:
            raise ValidationError(
                "Give the keys to remove as ?TagKeys=…", fields={"TagKeys": "required"}
            )
        self.untag(actor=actor_for(request), identity=identity, keys=keys)
        return Response({"Tags": tags_out(identity.tags)})
