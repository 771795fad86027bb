"""The roles API: ListRoles/CreateRole, Get/Update/DeleteRole, trust policy, tags."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.identities.common import (
    FORCE,
    ListCreateApi,
    TagsApi,
    api_require,
    tag_map,
    validated,
    wants_force,
)
from accounts.api.serializers import (
    RoleCreateSerializer,
    RoleListItemSerializer,
    RoleSerializer,
    RoleUpdateSerializer,
    TrustPolicySerializer,
)
from accounts.errors import NoSuchEntity
from accounts.filters import RoleFilter
from accounts.models import Role
from accounts.selectors import account_of, role_detail, role_list
from accounts.services import roles
from accounts.services.deletion import role_delete_with_blockers
from policies.authorization import actor_for
from policies.services.identities import role_create_with_permissions
from policies.services.managed import policy_get_by_arn


def _role(request, name: str) -> Role:
    role = role_detail(principal=request.user, name=name)
    if role is None:
        raise NoSuchEntity(f"The role with name {name} cannot be found.")
    return role


TRUST_EXAMPLE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}


class RoleListApi(ListCreateApi):
    """ListRoles with the console's filters, and CreateRole."""

    serializer_class = RoleListItemSerializer
    filterset_class = RoleFilter
    list_action = "iam:ListRoles"

    model = Role

    def select(self, *, principal):
        return role_list(principal=principal).select_related("permissions_boundary__account")

    @extend_schema(summary="ListRoles (filters as on the Roles page)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="CreateRole with its trust policy, boundary, tags and policies in one step",
        request=RoleCreateSerializer,
        responses={201: RoleSerializer},
        examples=[
            OpenApiExample(
                "Cross-account operators with MFA",
                request_only=True,
                value={
                    "RoleName": "CrossAccountOps",
                    "AssumeRolePolicyDocument": TRUST_EXAMPLE,
                    "MaxSessionDuration": 7200,
                    "Tags": [{"Key": "team", "Value": "payments"}],
                    "PolicyArns": ["arn:aws:iam::aws:policy/AmazonMQReadOnlyAccess"],
                },
            )
        ],
    )
    def post(self, request):
        data = validated(RoleCreateSerializer, request)
        account = account_of(request.user)
        tags = tag_map(data["Tags"])
        boundary = (
            policy_get_by_arn(account=account, arn=data["PermissionsBoundary"])
            if data["PermissionsBoundary"]
            else None
        )
        policies = [policy_get_by_arn(account=account, arn=a) for a in data["PolicyArns"]]
        role = role_create_with_permissions(
            actor=actor_for(request),
            account=account,
            name=data["RoleName"],
            path=data["Path"],
            trust_policy=data["AssumeRolePolicyDocument"],
            description=data["Description"],
            max_session_duration=data["MaxSessionDuration"],
            tags=tags,
            boundary=boundary,
            policies=policies,
        )
        return Response(RoleSerializer(role).data, status=status.HTTP_201_CREATED)


class RoleDetailApi(APIView):
    """GetRole, UpdateRole (description, max session), DeleteRole."""

    @extend_schema(summary="GetRole", responses=RoleSerializer)
    def get(self, request, name: str):
        role = _role(request, name)
        api_require(request, "iam:GetRole", role.arn)
        return Response(RoleSerializer(role).data)

    @extend_schema(
        summary="UpdateRole: description and/or max session (a service-linked role: "
        "description only)",
        request=RoleUpdateSerializer,
        responses=RoleSerializer,
        examples=[
            OpenApiExample(
                "Two-hour sessions",
                request_only=True,
                value={"Description": "Broker operators", "MaxSessionDuration": 7200},
            )
        ],
    )
    def patch(self, request, name: str):
        role = _role(request, name)
        data = validated(RoleUpdateSerializer, request)
        roles.role_update(
            actor=actor_for(request),
            role=role,
            description=data.get("Description"),
            max_session_duration=data.get("MaxSessionDuration"),
        )
        return Response(RoleSerializer(role).data)

    @extend_schema(summary="DeleteRole", parameters=[FORCE], responses={204: None})
    def delete(self, request, name: str):
        role = _role(request, name)
        role_delete_with_blockers(
            actor=actor_for(request),
            role=role,
            remove_blockers=wants_force(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleTrustPolicyApi(APIView):
    """The role's trust policy: read (GetRole) and replace (UpdateAssumeRolePolicy)."""

    @extend_schema(summary="The trust policy (GetRole)", responses=TrustPolicySerializer)
    def get(self, request, name: str):
        role = _role(request, name)
        api_require(request, "iam:GetRole", role.arn)
        return Response({"PolicyDocument": RoleSerializer(role).data["AssumeRolePolicyDocument"]})

    @extend_schema(
        summary="UpdateAssumeRolePolicy",
        request=TrustPolicySerializer,
        responses=TrustPolicySerializer,
        examples=[
            OpenApiExample(
                "Trust another account", request_only=True, value={"PolicyDocument": TRUST_EXAMPLE}
            )
        ],
    )
    def put(self, request, name: str):
        role = _role(request, name)
        document = validated(TrustPolicySerializer, request)["PolicyDocument"]
        roles.role_trust_policy_update(actor=actor_for(request), role=role, trust_policy=document)
        return Response({"PolicyDocument": RoleSerializer(role).data["AssumeRolePolicyDocument"]})


@extend_schema_view(
    get=extend_schema(summary="ListRoleTags"),
    post=extend_schema(summary="TagRole"),
    delete=extend_schema(summary="UntagRole"),
)
class RoleTagsApi(TagsApi):
    """ListRoleTags, TagRole (POST) and UntagRole (DELETE ``?TagKeys=a&TagKeys=b``)."""

    label = "Role"

    def get_identity(self, request, name: str) -> Role:
        return _role(request, name)

    def tag(self, *, actor, identity: Role, tags: dict) -> None:
        roles.role_tag(actor=actor, role=identity, tags=tags)

    def untag(self, *, actor, identity: Role, keys: list[str]) -> None:
        roles.role_untag(actor=actor, role=identity, keys=keys)
