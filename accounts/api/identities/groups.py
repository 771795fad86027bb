"""The groups API: ListGroups/CreateGroup, Get/Update/DeleteGroup, members."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.identities.common import FORCE, ListCreateApi, api_require, validated, wants_force
from accounts.api.serializers import (
    GroupCreateSerializer,
    GroupDetailSerializer,
    GroupListItemSerializer,
    GroupMemberSerializer,
    GroupSerializer,
    GroupUpdateSerializer,
    UserSerializer,
)
from accounts.errors import NoSuchEntity
from accounts.filters import GroupFilter
from accounts.models import Group, IAMUser
from accounts.selectors import account_of, group_detail, group_list, identity_policies
from accounts.services import groups, users
from accounts.services.deletion import group_delete_with_blockers
from policies.authorization import actor_for
from policies.services.identities import group_create_with_permissions
from policies.services.managed import policy_get_by_arn


def _group(request, name: str) -> Group:
    group = group_detail(principal=request.user, name=name)
    if group is None:
        raise NoSuchEntity(f"The group with name {name} cannot be found.")
    return group


class GroupListApi(ListCreateApi):
    """ListGroups with the console's filters, and CreateGroup."""

    serializer_class = GroupListItemSerializer
    filterset_class = GroupFilter
    list_action = "iam:ListGroups"

    model = Group

    def select(self, *, principal):
        return group_list(principal=principal)

    @extend_schema(summary="ListGroups (filters as on the Groups page)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="CreateGroup, with its managed policies attached in the same step",
        request=GroupCreateSerializer,
        responses={201: GroupSerializer},
        examples=[
            OpenApiExample(
                "Operators",
                request_only=True,
                value={
                    "GroupName": "BrokerOperators",
                    "Path": "/ops/",
                    "PolicyArns": ["arn:aws:iam::aws:policy/AmazonMQFullAccess"],
                },
            )
        ],
    )
    def post(self, request):
        data = validated(GroupCreateSerializer, request)
        account = account_of(request.user)
        group = group_create_with_permissions(
            actor=actor_for(request),
            account=account,
            name=data["GroupName"],
            path=data["Path"],
            policies=[policy_get_by_arn(account=account, arn=a) for a in data["PolicyArns"]],
        )
        return Response(GroupSerializer(group).data, status=status.HTTP_201_CREATED)


def _group_out(group: Group) -> dict:
    members = IAMUser.objects.filter(memberships__group=group).select_related(
        "account", "permissions_boundary__account"
    )
    policies = identity_policies(group)
    return GroupDetailSerializer(
        {
            "Group": group,
            "Users": members.order_by("name"),
            "AttachedPolicies": policies["attached"],
            "PolicyNames": policies["inline"],
        }
    ).data


class GroupDetailApi(APIView):
    """GetGroup (with members and policies), UpdateGroup, DeleteGroup."""

    @extend_schema(
        summary="GetGroup: the group, its users and its policies", responses=GroupDetailSerializer
    )
    def get(self, request, name: str):
        group = _group(request, name)
        api_require(request, "iam:GetGroup", group.arn)
        return Response(_group_out(group))

    @extend_schema(
        summary="UpdateGroup: rename and/or move (authorized on the old and the new ARN)",
        request=GroupUpdateSerializer,
        responses=GroupSerializer,
        examples=[
            OpenApiExample("Rename", request_only=True, value={"NewGroupName": "MqOperators"})
        ],
    )
    def patch(self, request, name: str):
        group = _group(request, name)
        data = validated(GroupUpdateSerializer, request)
        new_name = data.get("NewGroupName", group.name)
        new_path = data.get("NewPath", group.path)
        groups.group_update(
            actor=actor_for(request),
            group=group,
            new_name=new_name if new_name != group.name else None,
            new_path=new_path if new_path != group.path else None,
        )
        return Response(GroupSerializer(group).data)

    @extend_schema(summary="DeleteGroup", parameters=[FORCE], responses={204: None})
    def delete(self, request, name: str):
        group = _group(request, name)
        group_delete_with_blockers(
            actor=actor_for(request),
            group=group,
            remove_blockers=wants_force(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupMembersApi(APIView):
    """The group's users (GetGroup) and AddUserToGroup."""

    @extend_schema(summary="The users of a group (GetGroup)", responses=UserSerializer(many=True))
    def get(self, request, name: str):
        group = _group(request, name)
        api_require(request, "iam:GetGroup", group.arn)
        return Response(_group_out(group)["Users"])

    @extend_schema(
        summary="AddUserToGroup (a user belongs to at most 10 groups)",
        request=GroupMemberSerializer,
        responses={204: None},
        examples=[OpenApiExample("Add carol", request_only=True, value={"UserName": "carol"})],
    )
    def post(self, request, name: str):
        group = _group(request, name)
        data = validated(GroupMemberSerializer, request)
        user = users.user_get(account=group.account, name=data["UserName"])
        groups.group_member_add(actor=actor_for(request), group=group, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupMemberApi(APIView):
    """RemoveUserFromGroup."""

    @extend_schema(summary="RemoveUserFromGroup", responses={204: None})
    def delete(self, request, name: str, user_name: str):
        group = _group(request, name)
        user = users.user_get(account=group.account, name=user_name)
        groups.group_member_remove(actor=actor_for(request), group=group, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
