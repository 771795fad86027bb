"""Serializers of the policies API: input shapes in, AWS's field names out."""

from __future__ import annotations

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from policies.services.attachments import is_attachable

KINDS = ("identity", "resource", "trust", "boundary", "scp", "rcp", "session")
# Access Analyzer's ValidatePolicy names, mapped to the validator's kinds.
POLICY_TYPES = {
    "IDENTITY_POLICY": "identity",
    "RESOURCE_POLICY": "resource",
    "SERVICE_CONTROL_POLICY": "scp",
    "RESOURCE_CONTROL_POLICY": "rcp",
}


@extend_schema_field(OpenApiTypes.STR)
class PolicyDocumentField(serializers.Field):
    """A policy document as JSON text (kept exactly as written) or as a JSON object."""

    default_error_messages = {"invalid": "Give the policy document as JSON text or an object."}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            return json.dumps(data, indent=4)
        if isinstance(data, str) and data.strip():
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class PolicyTagSerializer(serializers.Serializer):
    Key = serializers.CharField(max_length=128)
    Value = serializers.CharField(max_length=256, allow_blank=True, required=False, default="")


def tag_list(tags: dict) -> list[dict]:
    """``{"k": "v"}`` as AWS's ``[{"Key": "k", "Value": "v"}]``."""
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def tag_map(tags: list[dict]) -> dict:
    """AWS's tag list as a dict (later keys win, as the services then check)."""
    return {t["Key"]: t.get("Value", "") for t in tags}


class PolicySerializer(serializers.Serializer):
    """A managed policy as ListPolicies and GetPolicy return it."""

    PolicyName = serializers.CharField(source="name")
    PolicyId = serializers.CharField(source="unique_id")
    Arn = serializers.CharField(source="arn")
    Path = serializers.CharField(source="path")
    DefaultVersionId = serializers.CharField(source="default_version_id")
    AttachmentCount = serializers.IntegerField(source="attachment_count")
    PermissionsBoundaryUsageCount = serializers.IntegerField(source="boundary_count")
    IsAttachable = serializers.SerializerMethodField()
    IsAwsManaged = serializers.BooleanField(source="is_aws_managed")
    Description = serializers.CharField(source="description")
    CreateDate = serializers.DateTimeField(source="created_at")
    UpdateDate = serializers.DateTimeField(source="updated_at")
    Tags = serializers.SerializerMethodField()

    def get_IsAttachable(self, policy) -> bool:
        return is_attachable(policy)

    @extend_schema_field(PolicyTagSerializer(many=True))
    def get_Tags(self, policy) -> list:
        return tag_list(policy.tags)


class PolicyCreateSerializer(serializers.Serializer):
    PolicyName = serializers.CharField(max_length=128)
    Path = serializers.CharField(max_length=512, required=False, default="/")
    PolicyDocument = PolicyDocumentField()
    Description = serializers.CharField(
        max_length=1000, required=False, default="", allow_blank=True
    )
    Tags = PolicyTagSerializer(many=True, required=False, default=list)


class PolicyVersionSerializer(serializers.Serializer):
    """A version as GetPolicyVersion returns it (the document as written)."""

    VersionId = serializers.CharField(source="version_id")
    IsDefaultVersion = serializers.BooleanField(source="is_default")
    CreateDate = serializers.DateTimeField(source="created_at")
    Document = serializers.CharField(source="document")


class PolicyVersionCreateSerializer(serializers.Serializer):
    PolicyDocument = PolicyDocumentField()
    SetAsDefault = serializers.BooleanField(required=False, default=False)
    DeleteVersionId = serializers.RegexField(
        r"^v[1-9][0-9]*$",
        required=False,
        help_text="Delete this non-default version first, in the same transaction (the "
        "console's answer to the five-version quota).",
    )


class EntitySerializer(serializers.Serializer):
    Name = serializers.CharField()
    Id = serializers.CharField()


class PolicyEntitiesSerializer(serializers.Serializer):
    PolicyUsers = serializers.ListField(child=serializers.DictField())
    PolicyGroups = serializers.ListField(child=serializers.DictField())
    PolicyRoles = serializers.ListField(child=serializers.DictField())


class AttachSerializer(serializers.Serializer):
    PolicyArn = serializers.CharField(max_length=2048)


class AttachedManagedPolicySerializer(serializers.Serializer):
    PolicyName = serializers.CharField()
    PolicyArn = serializers.CharField()
    PolicyId = serializers.CharField()


class AttachedManagedPoliciesSerializer(serializers.Serializer):
    AttachedPolicies = AttachedManagedPolicySerializer(many=True)


class InlinePolicyNamesSerializer(serializers.Serializer):
    PolicyNames = serializers.ListField(child=serializers.CharField())


class PolicyTagListSerializer(serializers.Serializer):
    Tags = PolicyTagSerializer(many=True)


class InlinePolicyPutSerializer(serializers.Serializer):
    PolicyDocument = PolicyDocumentField()


class InlinePolicySerializer(serializers.Serializer):
    PolicyName = serializers.CharField()
    PolicyDocument = serializers.CharField()


class BoundarySerializer(serializers.Serializer):
    PermissionsBoundary = serializers.CharField(max_length=2048)


class PolicyTagsInputSerializer(serializers.Serializer):
    Tags = PolicyTagSerializer(many=True)


class UntagSerializer(serializers.Serializer):
    TagKeys = serializers.ListField(child=serializers.CharField(max_length=128), max_length=50)


class ValidateSerializer(serializers.Serializer):
    PolicyDocument = serializers.CharField(trim_whitespace=False, max_length=100_000)
    PolicyType = serializers.ChoiceField(
        choices=[*POLICY_TYPES, *KINDS],
        required=False,
        default="IDENTITY_POLICY",
        help_text="Access Analyzer's policy type, or one of the validator's kinds "
        "(identity, resource, trust, boundary, scp, rcp, session).",
    )
    Entity = serializers.ChoiceField(
        choices=["user", "group", "role"],
        required=False,
        help_text="For an inline identity policy: whose quota it shares.",
    )
    OtherInlinePoliciesSize = serializers.IntegerField(
        min_value=0,
        required=False,
        default=0,
        help_text="Characters the entity's other inline policies take (the quota is a sum).",
    )

    def validate(self, attrs):
        attrs["kind"] = POLICY_TYPES.get(attrs["PolicyType"], attrs["PolicyType"])
        if attrs.get("Entity") and attrs["kind"] != "identity":
            raise serializers.ValidationError({"Entity": "Only for identity policies."})
        return attrs


class FindingSerializer(serializers.Serializer):
    Severity = serializers.ChoiceField(
        choices=["error", "security_warning", "warning", "suggestion"]
    )
    Code = serializers.CharField()
    Message = serializers.CharField()
    Path = serializers.CharField(allow_blank=True)
    Line = serializers.IntegerField(allow_null=True)
    Column = serializers.IntegerField(allow_null=True)


class SizeSerializer(serializers.Serializer):
    Used = serializers.IntegerField()
    Document = serializers.IntegerField()
    OtherInlinePolicies = serializers.IntegerField()
    Limit = serializers.IntegerField(allow_null=True)


class ValidateResultSerializer(serializers.Serializer):
    Findings = FindingSerializer(many=True)
    Size = SizeSerializer()
    Summary = serializers.DictField(allow_null=True)
