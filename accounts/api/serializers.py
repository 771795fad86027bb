"""Serializers of the accounts API: input shapes in, AWS-style field names out."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import AccessKey, AuditEvent


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
