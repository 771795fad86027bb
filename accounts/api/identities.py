"""The identities API: users, groups and roles under /api/v1/, AWS's field names and errors.

The same services, selectors and FilterSets as the console pages; every endpoint authorizes
the IAM action AWS would, on the ARN AWS would, before it changes anything.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import (
    GroupCreateSerializer,
    GroupDetailSerializer,
    GroupListItemSerializer,
    GroupMemberSerializer,
    GroupSerializer,
    GroupUpdateSerializer,
    LoginProfileInputSerializer,
    LoginProfileSerializer,
    LoginProfileUpdateSerializer,
    RoleCreateSerializer,
    RoleListItemSerializer,
    RoleSerializer,
    RoleUpdateSerializer,
    TagsInputSerializer,
    TagsOutputSerializer,
    TrustPolicySerializer,
    UserCreateSerializer,
    UserListItemSerializer,
    UserSerializer,
    UserUpdateSerializer,
    tags_out,
)
from accounts.errors import NoSuchEntity, ValidationError
from accounts.filters import GroupFilter, RoleFilter, UserFilter
from accounts.identifiers import iam_arn
from accounts.models import Group, IAMUser, MFADevice, Role
from accounts.selectors import (
    account_of,
    group_detail,
    group_list,
    identity_policies,
    role_detail,
    role_list,
    user_detail,
    user_list,
)
from accounts.services import access_keys, groups, mfa, roles, users
from accounts.views.groups import group_delete_with_blockers
from accounts.views.roles import role_authz, role_delete_with_blockers
from policies.authorization import actor_for
from policies.permissions import IAMActionPermission, require
from policies.services.attachments import (
    inline_policy_delete,
    permissions_boundary_put,
    policy_attach,
    policy_detach,
)
from policies.services.managed import policy_get_by_arn

FORCE = OpenApiParameter(
    "force",
    OpenApiTypes.BOOL,
    description="Remove what blocks deletion first (each removal authorized and audited).",
)
TAG_KEYS = OpenApiParameter(
    "TagKeys", OpenApiTypes.STR, many=True, description="Keys of the tags to remove (repeat)."
)


def _authorize(request, action: str, arn: str, **keys):
    return require(request, action, arn, principal=request.user, **keys)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _tag_map(tags: list[dict]) -> dict:
    """``[{Key, Value}]`` as a dict; AWS's own rules (duplicates, limits) run in the service."""
    result: dict = {}
    for tag in tags:
        if tag["Key"] in result:
            raise ValidationError(
                f"Duplicate tag key '{tag['Key']}'.", fields={"Tags": "duplicate"}
            )
        result[tag["Key"]] = tag["Value"]
    return result


def _force(request) -> bool:
    return request.query_params.get("force", "").lower() in ("1", "true", "yes")


class ListCreateApi(generics.ListAPIView):
    """A collection: GET lists with ``list_action``; POST authorizes in its own handler."""

    permission_classes = [IAMActionPermission]
    list_action = ""
    model: type = IAMUser

    def get_iam_action(self) -> str:
        return self.list_action if self.request.method == "GET" else ""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no principal
            return self.model.objects.none()
        return self.select(principal=self.request.user)

    def select(self, *, principal):
        raise NotImplementedError


# --- users ------------------------------------------------------------------------------


def _user(request, name: str) -> IAMUser:
    user = user_detail(principal=request.user, name=name)
    if user is None:
        raise NoSuchEntity(f"The user with name {name} cannot be found.")
    return user


def _user_keys(user: IAMUser, **extra) -> dict:
    keys = dict(extra)
    if user.permissions_boundary_id:
        keys["iam:PermissionsBoundary"] = user.permissions_boundary.arn
    return {"resource_tags": user.tags, "extra": keys}


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
        data = _valid(UserCreateSerializer, request)
        account = account_of(request.user)
        tags = _tag_map(data["Tags"])
        arn = iam_arn(account.account_id, "user", data["Path"], data["UserName"])
        member_of = [groups.group_get(account=account, name=name) for name in data["Groups"]]
        policies = [policy_get_by_arn(account=account, arn=a) for a in data["PolicyArns"]]
        _authorize(request, "iam:CreateUser", arn, request_tags=tags)
        if tags:
            _authorize(request, "iam:TagUser", arn, request_tags=tags)
        if data["Password"] is not None:
            _authorize(request, "iam:CreateLoginProfile", arn)
        for group in member_of:
            _authorize(request, "iam:AddUserToGroup", group.arn)
        for policy in policies:
            _authorize(request, "iam:AttachUserPolicy", arn, extra={"iam:PolicyARN": policy.arn})
        actor = actor_for(request)
        with transaction.atomic():
            user = users.user_create(
                actor=actor,
                account=account,
                name=data["UserName"],
                path=data["Path"],
                tags=tags,
                password=data["Password"],
                password_reset_required=data["PasswordResetRequired"],
            )
            for group in member_of:
                groups.group_member_add(actor=actor, group=group, user=user)
            for policy in policies:
                policy_attach(actor=actor, policy=policy, identity=user)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


def user_blocker_steps(user: IAMUser) -> list[tuple[str, str, dict, partial]]:
    """What must go before DeleteUser, as (IAM action, ARN, extra context, call) steps."""
    steps: list[tuple[str, str, dict, partial]] = []
    if user.has_console_password:
        steps.append(
            (
                "iam:DeleteLoginProfile",
                user.arn,
                {},
                partial(users.user_password_set, user=user, password=None),
            )
        )
    steps += [
        (
            "iam:DeleteAccessKey",
            user.arn,
            {},
            partial(access_keys.access_key_delete, owner=user, access_key_id=key_id),
        )
        for key_id in user.access_keys.values_list("access_key_id", flat=True)
    ]
    steps += [
        (
            "iam:DeactivateMFADevice",
            user.arn,
            {},
            partial(mfa.mfa_device_deactivate, owner=user, serial_number=device.serial_number),
        )
        for device in MFADevice.objects.filter(user=user).select_related("account")
    ]
    steps += [
        ("iam:DeleteUserPolicy", user.arn, {}, partial(inline_policy_delete, identity=user, name=n))
        for n in user.inline_policies.values_list("name", flat=True)
    ]
    steps += [
        (
            "iam:DetachUserPolicy",
            user.arn,
            {"iam:PolicyARN": a.policy.arn},
            partial(policy_detach, policy=a.policy, identity=user),
        )
        for a in user.policy_attachments.select_related("policy__account")
    ]
    steps += [
        (
            "iam:RemoveUserFromGroup",
            m.group.arn,
            {},
            partial(groups.group_member_remove, group=m.group, user=user),
        )
        for m in user.memberships.select_related("group__account")
    ]
    return steps


class UserDetailApi(APIView):
    """GetUser, UpdateUser (rename/move), DeleteUser (``?force=true`` removes blockers)."""

    @extend_schema(summary="GetUser", responses=UserSerializer)
    def get(self, request, name: str):
        user = _user(request, name)
        _authorize(request, "iam:GetUser", user.arn, **_user_keys(user))
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
        data = _valid(UserUpdateSerializer, request)
        new_name = data.get("NewUserName", user.name)
        new_path = data.get("NewPath", user.path)
        _authorize(request, "iam:UpdateUser", user.arn, **_user_keys(user))
        new_arn = iam_arn(user.account.account_id, "user", new_path, new_name)
        if new_arn != user.arn:
            _authorize(request, "iam:UpdateUser", new_arn, **_user_keys(user))
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
        steps = user_blocker_steps(user) if _force(request) else []
        # Every step is authorized before any is carried out: a late denial changes nothing.
        for action, arn, extra, _ in steps:
            _authorize(request, action, arn, **_user_keys(user, **extra))
        _authorize(request, "iam:DeleteUser", user.arn, **_user_keys(user))
        actor = actor_for(request)
        with transaction.atomic():
            for _, _, _, run in steps:
                run(actor=actor)
            users.user_delete(actor=actor, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserTagsApi(APIView):
    """ListUserTags, TagUser (POST) and UntagUser (DELETE ``?TagKeys=a&TagKeys=b``)."""

    @extend_schema(summary="ListUserTags", responses=TagsOutputSerializer)
    def get(self, request, name: str):
        user = _user(request, name)
        _authorize(request, "iam:ListUserTags", user.arn, **_user_keys(user))
        return Response({"Tags": tags_out(user.tags)})

    @extend_schema(
        summary="TagUser: add or overwrite tags (keys compared ignoring case)",
        request=TagsInputSerializer,
        responses=TagsOutputSerializer,
        examples=[
            OpenApiExample(
                "Tag", request_only=True, value={"Tags": [{"Key": "team", "Value": "payments"}]}
            )
        ],
    )
    def post(self, request, name: str):
        user = _user(request, name)
        tags = _tag_map(_valid(TagsInputSerializer, request)["Tags"])
        _authorize(request, "iam:TagUser", user.arn, request_tags=tags, **_user_keys(user))
        users.user_tag(actor=actor_for(request), user=user, tags=tags)
        return Response({"Tags": tags_out(user.tags)})

    @extend_schema(summary="UntagUser", parameters=[TAG_KEYS], responses=TagsOutputSerializer)
    def delete(self, request, name: str):
        user = _user(request, name)
        keys = request.query_params.getlist("TagKeys")
        if not keys:
            raise ValidationError(
                "Give the keys to remove as ?TagKeys=…", fields={"TagKeys": "required"}
            )
        _authorize(request, "iam:UntagUser", user.arn, **_user_keys(user, **{"aws:TagKeys": keys}))
        users.user_untag(actor=actor_for(request), user=user, keys=keys)
        return Response({"Tags": tags_out(user.tags)})


class LoginProfileApi(APIView):
    """A user's console password: Get/Create/Update/DeleteLoginProfile."""

    @extend_schema(summary="GetLoginProfile", responses=LoginProfileSerializer)
    def get(self, request, name: str):
        user = _user(request, name)
        _authorize(request, "iam:GetLoginProfile", user.arn, **_user_keys(user))
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
        data = _valid(LoginProfileInputSerializer, request)
        _authorize(request, "iam:CreateLoginProfile", user.arn, **_user_keys(user))
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
        data = _valid(LoginProfileUpdateSerializer, request)
        _authorize(request, "iam:UpdateLoginProfile", user.arn, **_user_keys(user))
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
        _authorize(request, "iam:DeleteLoginProfile", user.arn, **_user_keys(user))
        users.user_password_set(actor=actor_for(request), user=user, password=None)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserGroupsApi(APIView):
    """ListGroupsForUser."""

    @extend_schema(summary="ListGroupsForUser", responses=GroupSerializer(many=True))
    def get(self, request, name: str):
        user = _user(request, name)
        _authorize(request, "iam:ListGroupsForUser", user.arn, **_user_keys(user))
        member_of = Group.objects.filter(memberships__user=user).select_related("account")
        return Response(GroupSerializer(member_of.order_by("name"), many=True).data)


# --- groups -----------------------------------------------------------------------------


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
        data = _valid(GroupCreateSerializer, request)
        account = account_of(request.user)
        arn = iam_arn(account.account_id, "group", data["Path"], data["GroupName"])
        policies = [policy_get_by_arn(account=account, arn=a) for a in data["PolicyArns"]]
        _authorize(request, "iam:CreateGroup", arn)
        for policy in policies:
            _authorize(request, "iam:AttachGroupPolicy", arn, extra={"iam:PolicyARN": policy.arn})
        actor = actor_for(request)
        with transaction.atomic():
            group = groups.group_create(
                actor=actor, account=account, name=data["GroupName"], path=data["Path"]
            )
            for policy in policies:
                policy_attach(actor=actor, policy=policy, identity=group)
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
        _authorize(request, "iam:GetGroup", group.arn)
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
        data = _valid(GroupUpdateSerializer, request)
        new_name = data.get("NewGroupName", group.name)
        new_path = data.get("NewPath", group.path)
        _authorize(request, "iam:UpdateGroup", group.arn)
        new_arn = iam_arn(group.account.account_id, "group", new_path, new_name)
        if new_arn != group.arn:
            _authorize(request, "iam:UpdateGroup", new_arn)
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
        group_delete_with_blockers(request, group, remove_blockers=_force(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupMembersApi(APIView):
    """The group's users (GetGroup) and AddUserToGroup."""

    @extend_schema(summary="The users of a group (GetGroup)", responses=UserSerializer(many=True))
    def get(self, request, name: str):
        group = _group(request, name)
        _authorize(request, "iam:GetGroup", group.arn)
        return Response(_group_out(group)["Users"])

    @extend_schema(
        summary="AddUserToGroup (a user belongs to at most 10 groups)",
        request=GroupMemberSerializer,
        responses={204: None},
        examples=[OpenApiExample("Add carol", request_only=True, value={"UserName": "carol"})],
    )
    def post(self, request, name: str):
        group = _group(request, name)
        data = _valid(GroupMemberSerializer, request)
        _authorize(request, "iam:AddUserToGroup", group.arn)
        user = users.user_get(account=group.account, name=data["UserName"])
        groups.group_member_add(actor=actor_for(request), group=group, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupMemberApi(APIView):
    """RemoveUserFromGroup."""

    @extend_schema(summary="RemoveUserFromGroup", responses={204: None})
    def delete(self, request, name: str, user_name: str):
        group = _group(request, name)
        _authorize(request, "iam:RemoveUserFromGroup", group.arn)
        user = users.user_get(account=group.account, name=user_name)
        groups.group_member_remove(actor=actor_for(request), group=group, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- roles ------------------------------------------------------------------------------


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
        data = _valid(RoleCreateSerializer, request)
        account = account_of(request.user)
        tags = _tag_map(data["Tags"])
        arn = iam_arn(account.account_id, "role", data["Path"], data["RoleName"])
        boundary = (
            policy_get_by_arn(account=account, arn=data["PermissionsBoundary"])
            if data["PermissionsBoundary"]
            else None
        )
        policies = [policy_get_by_arn(account=account, arn=a) for a in data["PolicyArns"]]
        keys = {"iam:PermissionsBoundary": boundary.arn} if boundary else {}
        _authorize(request, "iam:CreateRole", arn, request_tags=tags, extra=keys)
        if tags:
            _authorize(request, "iam:TagRole", arn, request_tags=tags, extra=keys)
        if boundary:
            _authorize(request, "iam:PutRolePermissionsBoundary", arn, extra=keys)
        for policy in policies:
            _authorize(
                request, "iam:AttachRolePolicy", arn, extra={**keys, "iam:PolicyARN": policy.arn}
            )
        actor = actor_for(request)
        with transaction.atomic():
            role = roles.role_create(
                actor=actor,
                account=account,
                name=data["RoleName"],
                path=data["Path"],
                trust_policy=data["AssumeRolePolicyDocument"],
                description=data["Description"],
                max_session_duration=data["MaxSessionDuration"],
                tags=tags,
            )
            if boundary:
                permissions_boundary_put(actor=actor, identity=role, policy=boundary)
            for policy in policies:
                policy_attach(actor=actor, policy=policy, identity=role)
        return Response(RoleSerializer(role).data, status=status.HTTP_201_CREATED)


class RoleDetailApi(APIView):
    """GetRole, UpdateRole (description, max session), DeleteRole."""

    @extend_schema(summary="GetRole", responses=RoleSerializer)
    def get(self, request, name: str):
        role = _role(request, name)
        _authorize(request, "iam:GetRole", role.arn, **role_authz(role))
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
        data = _valid(RoleUpdateSerializer, request)
        _authorize(request, "iam:UpdateRole", role.arn, **role_authz(role))
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
        role_delete_with_blockers(request, role, remove_blockers=_force(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleTrustPolicyApi(APIView):
    """The role's trust policy: read (GetRole) and replace (UpdateAssumeRolePolicy)."""

    @extend_schema(summary="The trust policy (GetRole)", responses=TrustPolicySerializer)
    def get(self, request, name: str):
        role = _role(request, name)
        _authorize(request, "iam:GetRole", role.arn, **role_authz(role))
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
        document = _valid(TrustPolicySerializer, request)["PolicyDocument"]
        _authorize(request, "iam:UpdateAssumeRolePolicy", role.arn, **role_authz(role))
        roles.role_trust_policy_update(actor=actor_for(request), role=role, trust_policy=document)
        return Response({"PolicyDocument": RoleSerializer(role).data["AssumeRolePolicyDocument"]})


class RoleTagsApi(APIView):
    """ListRoleTags, TagRole (POST) and UntagRole (DELETE ``?TagKeys=a&TagKeys=b``)."""

    @extend_schema(summary="ListRoleTags", responses=TagsOutputSerializer)
    def get(self, request, name: str):
        role = _role(request, name)
        _authorize(request, "iam:ListRoleTags", role.arn, **role_authz(role))
        return Response({"Tags": tags_out(role.tags)})

    @extend_schema(
        summary="TagRole",
        request=TagsInputSerializer,
        responses=TagsOutputSerializer,
        examples=[
            OpenApiExample(
                "Tag", request_only=True, value={"Tags": [{"Key": "team", "Value": "payments"}]}
            )
        ],
    )
    def post(self, request, name: str):
        role = _role(request, name)
        tags = _tag_map(_valid(TagsInputSerializer, request)["Tags"])
        _authorize(request, "iam:TagRole", role.arn, request_tags=tags, **role_authz(role))
        roles.role_tag(actor=actor_for(request), role=role, tags=tags)
        return Response({"Tags": tags_out(role.tags)})

    @extend_schema(summary="UntagRole", parameters=[TAG_KEYS], responses=TagsOutputSerializer)
    def delete(self, request, name: str):
        role = _role(request, name)
        keys = request.query_params.getlist("TagKeys")
        if not keys:
            raise ValidationError(
                "Give the keys to remove as ?TagKeys=…", fields={"TagKeys": "required"}
            )
        _authorize(request, "iam:UntagRole", role.arn, **role_authz(role, **{"aws:TagKeys": keys}))
        roles.role_untag(actor=actor_for(request), role=role, keys=keys)
        return Response({"Tags": tags_out(role.tags)})
