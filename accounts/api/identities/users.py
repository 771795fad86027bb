"""The users API: ListUsers/CreateUser, Get/Update/DeleteUser, tags, login profile, groups."""

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
    GroupSerializer,
    LoginProfileInputSerializer,
    LoginProfileSerializer,
    LoginProfileUpdateSerializer,
    UserCreateSerializer,
    UserListItemSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from accounts.errors import NoSuchEntity
from accounts.filters import UserFilter
from accounts.models import Group, IAMUser
from accounts.selectors import account_of, user_detail, user_list
from accounts.services import groups, users
from accounts.services.deletion import user_delete_with_blockers
from policies.authorization import actor_for
from policies.services.identities import user_create_with_permissions
from policies.services.managed import policy_get_by_arn


def _user(request, name: str) -> IAMUser:
    user = user_detail(principal=request.user, name=name)
    if user is None:
        raise NoSuchEntity(f"The user with name {name} cannot be found.")
    return user


USER_EXAMPLE = OpenApiExample(
    "Create a user with a password, a group and a policy",
    request_only=True,
    value={
        "UserName": "carol",
        "Path": "/ops/",
        "Tags": [{"Key": "team", "Value": "payments"}],
        "Password": "Carol-Passw0rd!",
        "PasswordResetRequired": True,
        "Groups": ["BrokerOperators"],
        "PolicyArns": ["arn:aws:iam::aws:policy/AmazonMQReadOnlyAccess"],
    },
)


class UserListApi(ListCreateApi):
    """ListUsers with the console's filters, and CreateUser."""

    serializer_class = UserListItemSerializer
    filterset_class = UserFilter
    list_action = "iam:ListUsers"

    def select(self, *, principal):
        return user_list(principal=principal).select_related("permissions_boundary__account")

    @extend_schema(summary="ListUsers (filters as on the Users page)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="CreateUser, with its password, groups, policies and tags in one step",
        request=UserCreateSerializer,
        responses={201: UserSerializer},
        examples=[USER_EXAMPLE],
    )
    def post(self, request):
        data = validated(UserCreateSerializer, request)
        account = account_of(request.user)
        tags = tag_map(data["Tags"])
        member_of = [groups.group_get(account=account, name=name) for name in data["Groups"]]
        policies = [policy_get_by_arn(account=account, arn=a) for a in data["PolicyArns"]]
        user = user_create_with_permissions(
            actor=actor_for(request),
            account=account,
            name=data["UserName"],
            path=data["Path"],
            tags=tags,
            password=data["Password"],
            password_reset_required=data["PasswordResetRequired"],
            member_of=member_of,
            policies=policies,
        )
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class UserDetailApi(APIView):
    """GetUser, UpdateUser (rename/move), DeleteUser (``?force=true`` removes blockers)."""

    @extend_schema(summary="GetUser", responses=UserSerializer)
    def get(self, request, name: str):
        user = _user(request, name)
        api_require(request, "iam:GetUser", user.arn)
        return Response(UserSerializer(user).data)

    @extend_schema(
        summary="UpdateUser: rename and/or move to another path (authorized on both ARNs)",
        request=UserUpdateSerializer,
        responses=UserSerializer,
        examples=[
            OpenApiExample(
                "Rename and move",
                request_only=True,
                value={"NewUserName": "carol.w", "NewPath": "/ops/"},
            )
        ],
    )
    def patch(self, request, name: str):
        user = _user(request, name)
        data = validated(UserUpdateSerializer, request)
        new_name = data.get("NewUserName", user.name)
        new_path = data.get("NewPath", user.path)
        users.user_update(
            actor=actor_for(request),
            user=user,
            new_name=new_name if new_name != user.name else None,
            new_path=new_path if new_path != user.path else None,
        )
        return Response(UserSerializer(user).data)

    @extend_schema(summary="DeleteUser", parameters=[FORCE], responses={204: None})
    def delete(self, request, name: str):
        user = _user(request, name)
        user_delete_with_blockers(
            actor=actor_for(request), user=user, remove_blockers=wants_force(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(summary="ListUserTags"),
    post=extend_schema(summary="TagUser: add or overwrite tags (keys compared ignoring case)"),
    delete=extend_schema(summary="UntagUser"),
)
class UserTagsApi(TagsApi):
    """ListUserTags, TagUser (POST) and UntagUser (DELETE ``?TagKeys=a&TagKeys=b``)."""

    label = "User"

    def get_identity(self, request, name: str) -> IAMUser:
        return _user(request, name)

    def tag(self, *, actor, identity: IAMUser, tags: dict) -> None:
        users.user_tag(actor=actor, user=identity, tags=tags)

    def untag(self, *, actor, identity: IAMUser, keys: list[str]) -> None:
        users.user_untag(actor=actor, user=identity, keys=keys)


class LoginProfileApi(APIView):
    """A user's console password: Get/Create/Update/DeleteLoginProfile."""

    @extend_schema(summary="GetLoginProfile", responses=LoginProfileSerializer)
    def get(self, request, name: str):
        user = _user(request, name)
        api_require(request, "iam:GetLoginProfile", user.arn)
        if not user.has_console_password:
            raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
        return Response(LoginProfileSerializer(user).data)

    @extend_schema(
        summary="CreateLoginProfile (the account's password policy applies)",
        request=LoginProfileInputSerializer,
        responses={201: LoginProfileSerializer},
        examples=[
            OpenApiExample(
                "Console access",
                request_only=True,
                value={"Password": "Carol-Passw0rd!", "PasswordResetRequired": True},
            )
        ],
    )
    def post(self, request, name: str):
        user = _user(request, name)
        data = validated(LoginProfileInputSerializer, request)
        users.user_login_profile_create(
            actor=actor_for(request),
            user=user,
            password=data["Password"],
            reset_required=data["PasswordResetRequired"],
        )
        return Response(LoginProfileSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="UpdateLoginProfile: a new password and/or the reset flag",
        request=LoginProfileUpdateSerializer,
        responses=LoginProfileSerializer,
        examples=[
            OpenApiExample(
                "Force a new password", request_only=True, value={"PasswordResetRequired": True}
            )
        ],
    )
    def patch(self, request, name: str):
        user = _user(request, name)
        data = validated(LoginProfileUpdateSerializer, request)
        users.user_login_profile_update(
            actor=actor_for(request),
            user=user,
            password=data["Password"],
            reset_required=data["PasswordResetRequired"],
        )
        return Response(LoginProfileSerializer(user).data)

    @extend_schema(summary="DeleteLoginProfile", responses={204: None})
    def delete(self, request, name: str):
        user = _user(request, name)
        users.user_password_set(actor=actor_for(request), user=user, password=None)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserGroupsApi(APIView):
    """ListGroupsForUser."""

    @extend_schema(summary="ListGroupsForUser", responses=GroupSerializer(many=True))
    def get(self, request, name: str):
        user = _user(request, name)
        api_require(request, "iam:ListGroupsForUser", user.arn)
        member_of = Group.objects.filter(memberships__user=user).select_related("account")
        return Response(GroupSerializer(member_of.order_by("name"), many=True).data)
