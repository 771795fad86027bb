"""Serializers of the accounts API: input shapes in, AWS-style field names out."""

from __future__ import annotations

import json

from rest_framework import serializers

from accounts.models import AccessKey, AuditEvent
from accounts.services.trust_principals import role_trust_policy_resolved


class CallerIdentitySerializer(serializers.Serializer):
    UserId = serializers.CharField()
    Account = serializers.CharField()
    Arn = serializers.CharField()


class AccessKeySerializer(serializers.ModelSerializer):
    AccessKeyId = serializers.CharField(source="access_key_id")
    Status = serializers.CharField(source="status")
    CreateDate = serializers.DateTimeField(source="created_at")
    LastUsedDate = serializers.DateTimeField(source="last_used_at", allow_null=True)
    LastUsedService = serializers.CharField(source="last_used_service")
    LastUsedRegion = serializers.CharField(source="last_used_region")

    class Meta:
        model = AccessKey
        fields = [
            "AccessKeyId",
            "Status",
            "CreateDate",
            "LastUsedDate",
            "LastUsedService",
            "LastUsedRegion",
        ]


class NewAccessKeySerializer(serializers.Serializer):
    AccessKeyId = serializers.CharField()
    SecretAccessKey = serializers.CharField()
    Status = serializers.CharField()


class AccessKeyUpdateSerializer(serializers.Serializer):
    Status = serializers.ChoiceField(choices=AccessKey.Status.values)


class AssumeRoleInputSerializer(serializers.Serializer):
    RoleArn = serializers.CharField(max_length=2048)
    RoleSessionName = serializers.CharField(max_length=64)
    DurationSeconds = serializers.IntegerField(required=False, default=3600)
    Policy = serializers.CharField(required=False, allow_blank=True, max_length=10240)
    PolicyArns = serializers.ListField(
        child=serializers.CharField(max_length=2048), required=False, max_length=10
    )
    Tags = serializers.ListField(child=serializers.DictField(), required=False, max_length=50)
    TransitiveTagKeys = serializers.ListField(
        child=serializers.CharField(max_length=128), required=False, max_length=50
    )
    SourceIdentity = serializers.CharField(required=False, max_length=64)
    ExternalId = serializers.CharField(required=False, max_length=1224)
    SerialNumber = serializers.CharField(required=False, max_length=256)
    TokenCode = serializers.RegexField(r"^\d{6}$", required=False)


class CredentialsSerializer(serializers.Serializer):
    AccessKeyId = serializers.CharField()
    SecretAccessKey = serializers.CharField()
    SessionToken = serializers.CharField()
    Expiration = serializers.DateTimeField()


class AssumeRoleOutputSerializer(serializers.Serializer):
    Credentials = CredentialsSerializer()
    AssumedRoleUser = serializers.DictField()
    SourceIdentity = serializers.CharField(allow_blank=True)


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "time",
            "account_id",
            "principal_arn",
            "action",
            "resource_arn",
            "source_ip",
            "user_agent",
            "request_id",
            "decision",
            "error_code",
            "message",
            "request_parameters",
            "before",
            "after",
        ]


# --- IAM identities: users, groups, roles (AWS's field names) -----------------------------


def tags_out(tags: dict) -> list[dict]:
    """Tags as AWS returns them: ``[{"Key": …, "Value": …}]``."""
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def boundary_out(identity) -> dict | None:
    """AWS's ``PermissionsBoundary`` object, or None when the identity has no boundary."""
    if not identity.permissions_boundary_id:
        return None
    return {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": identity.permissions_boundary.arn,
    }


class TagSerializer(serializers.Serializer):
    Key = serializers.CharField(max_length=128)
    Value = serializers.CharField(max_length=256, allow_blank=True, required=False, default="")


class PermissionsBoundarySerializer(serializers.Serializer):
    PermissionsBoundaryType = serializers.CharField()
    PermissionsBoundaryArn = serializers.CharField()


class UserSerializer(serializers.Serializer):
    Path = serializers.CharField(source="path")
    UserName = serializers.CharField(source="name")
    UserId = serializers.CharField(source="unique_id")
    Arn = serializers.CharField(source="arn")
    CreateDate = serializers.DateTimeField(source="created_at")
    PasswordLastUsed = serializers.DateTimeField(source="password_last_used_at", allow_null=True)
    Tags = serializers.SerializerMethodField()
    PermissionsBoundary = serializers.SerializerMethodField()

    def get_Tags(self, user) -> list[dict]:
        return tags_out(user.tags)

    def get_PermissionsBoundary(self, user) -> dict | None:
        return boundary_out(user)


class UserListItemSerializer(UserSerializer):
    """A list row: AWS's fields plus what the console's filters use."""

    PasswordEnabled = serializers.SerializerMethodField()
    GroupCount = serializers.IntegerField(source="group_count")
    MFAEnabled = serializers.BooleanField(source="has_mfa")
    OldestActiveAccessKeyDate = serializers.DateTimeField(
        source="oldest_key_created", allow_null=True
    )
    LastActivity = serializers.DateTimeField(source="last_activity", allow_null=True)

    def get_PasswordEnabled(self, user) -> bool:
        return user.has_console_password


class UserCreateSerializer(serializers.Serializer):
    UserName = serializers.CharField(max_length=64)
    Path = serializers.CharField(max_length=512, required=False, default="/")
    Tags = TagSerializer(many=True, required=False, default=list)
    Password = serializers.CharField(
        max_length=128, required=False, allow_null=True, default=None, trim_whitespace=False
    )
    PasswordResetRequired = serializers.BooleanField(required=False, default=False)
    Groups = serializers.ListField(
        child=serializers.CharField(max_length=128), required=False, default=list, max_length=10
    )
    PolicyArns = serializers.ListField(
        child=serializers.CharField(max_length=2048), required=False, default=list, max_length=20
    )


class UserUpdateSerializer(serializers.Serializer):
    NewUserName = serializers.CharField(max_length=64, required=False)
    NewPath = serializers.CharField(max_length=512, required=False)


class TagsInputSerializer(serializers.Serializer):
    Tags = TagSerializer(many=True, min_length=1, max_length=50)


class TagsOutputSerializer(serializers.Serializer):
    Tags = TagSerializer(many=True)


class LoginProfileInputSerializer(serializers.Serializer):
    Password = serializers.CharField(max_length=128, trim_whitespace=False)
    PasswordResetRequired = serializers.BooleanField(required=False, default=False)


class LoginProfileUpdateSerializer(serializers.Serializer):
    Password = serializers.CharField(
        max_length=128, required=False, allow_null=True, default=None, trim_whitespace=False
    )
    PasswordResetRequired = serializers.BooleanField(required=False, default=False)


class LoginProfileSerializer(serializers.Serializer):
    UserName = serializers.CharField(source="name")
    CreateDate = serializers.DateTimeField(source="password_changed_at", allow_null=True)
    PasswordResetRequired = serializers.BooleanField(source="password_reset_required")


class GroupSerializer(serializers.Serializer):
    Path = serializers.CharField(source="path")
    GroupName = serializers.CharField(source="name")
    GroupId = serializers.CharField(source="unique_id")
    Arn = serializers.CharField(source="arn")
    CreateDate = serializers.DateTimeField(source="created_at")


class GroupListItemSerializer(GroupSerializer):
    MemberCount = serializers.IntegerField(source="member_count")
    AttachedPolicyCount = serializers.IntegerField(source="policy_count")
    InlinePolicyCount = serializers.IntegerField(source="inline_policy_count")


class AttachedPolicySerializer(serializers.Serializer):
    PolicyName = serializers.CharField(source="name")
    PolicyArn = serializers.CharField(source="arn")


class GroupDetailSerializer(serializers.Serializer):
    """GetGroup's answer plus the group's policies (what the console's detail page shows)."""

    Group = GroupSerializer()
    Users = UserSerializer(many=True)
    AttachedPolicies = AttachedPolicySerializer(many=True)
    PolicyNames = serializers.ListField(child=serializers.CharField())


class GroupCreateSerializer(serializers.Serializer):
    GroupName = serializers.CharField(max_length=128)
    Path = serializers.CharField(max_length=512, required=False, default="/")
    PolicyArns = serializers.ListField(
        child=serializers.CharField(max_length=2048), required=False, default=list, max_length=10
    )


class GroupUpdateSerializer(serializers.Serializer):
    NewGroupName = serializers.CharField(max_length=128, required=False)
    NewPath = serializers.CharField(max_length=512, required=False)


class GroupMemberSerializer(serializers.Serializer):
    UserName = serializers.CharField(max_length=64)


class PolicyDocumentField(serializers.JSONField):
    """A policy document given as a JSON object or as its text (kept as written)."""

    def to_internal_value(self, data):
        if not isinstance(data, str | dict):
            raise serializers.ValidationError("A policy document is a JSON object or its text.")
        return data


class RoleSerializer(serializers.Serializer):
    Path = serializers.CharField(source="path")
    RoleName = serializers.CharField(source="name")
    RoleId = serializers.CharField(source="unique_id")
    Arn = serializers.CharField(source="arn")
    CreateDate = serializers.DateTimeField(source="created_at")
    AssumeRolePolicyDocument = serializers.SerializerMethodField()
    Description = serializers.CharField(source="description")
    MaxSessionDuration = serializers.IntegerField(source="max_session_duration")
    PermissionsBoundary = serializers.SerializerMethodField()
    Tags = serializers.SerializerMethodField()
    RoleLastUsed = serializers.SerializerMethodField()
    ServiceLinked = serializers.BooleanField(source="is_service_linked")

    def get_AssumeRolePolicyDocument(self, role) -> dict:
        return json.loads(role_trust_policy_resolved(role))

    def get_PermissionsBoundary(self, role) -> dict | None:
        return boundary_out(role)

    def get_Tags(self, role) -> list[dict]:
        return tags_out(role.tags)

    def get_RoleLastUsed(self, role) -> dict:
        if role.last_used_at is None:
            return {}
        return {"LastUsedDate": role.last_used_at, "Region": role.last_used_region or None}


class RoleListItemSerializer(RoleSerializer):
    AttachedPolicyCount = serializers.IntegerField(source="policy_count")
    InlinePolicyCount = serializers.IntegerField(source="inline_policy_count")
    ActiveSessionCount = serializers.IntegerField(source="active_session_count")


class RoleCreateSerializer(serializers.Serializer):
    RoleName = serializers.CharField(max_length=64)
    Path = serializers.CharField(max_length=512, required=False, default="/")
    AssumeRolePolicyDocument = PolicyDocumentField()
    Description = serializers.CharField(
        max_length=1000, required=False, default="", allow_blank=True
    )
    MaxSessionDuration = serializers.IntegerField(required=False, default=3600)
    PermissionsBoundary = serializers.CharField(max_length=2048, required=False, default=None)
    Tags = TagSerializer(many=True, required=False, default=list)
    PolicyArns = serializers.ListField(
        child=serializers.CharField(max_length=2048), required=False, default=list, max_length=20
    )


class RoleUpdateSerializer(serializers.Serializer):
    Description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    MaxSessionDuration = serializers.IntegerField(required=False)


class TrustPolicySerializer(serializers.Serializer):
    PolicyDocument = PolicyDocumentField()
