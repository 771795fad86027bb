"""The accounts API: who am I, access keys, AssumeRole, the audit trail."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import (
    AccessKeySerializer,
    AccessKeyUpdateSerializer,
    AssumeRoleInputSerializer,
    AssumeRoleOutputSerializer,
    AuditEventSerializer,
    CallerIdentitySerializer,
    NewAccessKeySerializer,
)
from accounts.errors import ValidationError
from accounts.filters import AuditEventFilter
from accounts.models import Account, AuditEvent, IAMUser, RootUser
from accounts.selectors import audit_event_list
from accounts.services import access_keys, sts, sts_mfa
from accounts.services.users import user_get
from policies.authorization import actor_for
from policies.permissions import IAMActionPermission, context_for_request, require


class CallerIdentityApi(APIView):
    """sts:GetCallerIdentity needs no permission, as in AWS."""

    @extend_schema(responses=CallerIdentitySerializer, summary="Who am I")
    def get(self, request):
        principal = request.user
        return Response(
            {"UserId": principal.user_id, "Account": principal.account_id, "Arn": principal.arn}
        )


def _no_store(response: Response) -> Response:
    """A response carrying a secret (access key, session credentials): never cached."""
    add_never_cache_headers(response)
    return response


def _key_owner(request, user_name: str) -> IAMUser | RootUser:
    """``self`` (the caller's own identity) or an IAM user of the caller's account."""
    principal = request.user
    if user_name == "self":
        if principal.kind == "user":
            return IAMUser.objects.select_related("account").get(pk=principal.pk)
        if principal.kind == "root":
            return RootUser.objects.select_related("account").get(pk=principal.pk)
        raise ValidationError("A role session has no long-term access keys.")
    account = Account.objects.get(account_id=principal.account_id)
    return user_get(account=account, name=user_name)


class AccessKeyListApi(APIView):
    """List or create the access keys of a user (``self`` = the caller)."""

    @extend_schema(responses=AccessKeySerializer(many=True), summary="ListAccessKeys")
    def get(self, request, user_name: str):
        owner = _key_owner(request, user_name)
        require(request, "iam:ListAccessKeys", owner.arn, principal=request.user)
        return Response(AccessKeySerializer(owner.access_keys.all(), many=True).data)

    @extend_schema(
        request=None,
        responses={201: NewAccessKeySerializer},
        summary="CreateAccessKey (the secret is returned only now)",
    )
    def post(self, request, user_name: str):
        owner = _key_owner(request, user_name)
        new = access_keys.access_key_create(actor=actor_for(request), owner=owner)
        return _no_store(
            Response(
                {**new.as_aws_json(), "Status": new.key.status}, status=status.HTTP_201_CREATED
            )
        )


class AccessKeyDetailApi(APIView):
    """Activate/deactivate (PATCH) or delete a key."""

    @extend_schema(
        request=AccessKeyUpdateSerializer, responses=AccessKeySerializer, summary="UpdateAccessKey"
    )
    def patch(self, request, user_name: str, access_key_id: str):
        owner = _key_owner(request, user_name)
        data = AccessKeyUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = access_keys.access_key_set_status(
            actor=actor_for(request),
            owner=owner,
            access_key_id=access_key_id,
            status=data.validated_data["Status"],
        )
        return Response(AccessKeySerializer(key).data)

    @extend_schema(responses={204: None}, summary="DeleteAccessKey")
    def delete(self, request, user_name: str, access_key_id: str):
        owner = _key_owner(request, user_name)
        access_keys.access_key_delete(
            actor=actor_for(request), owner=owner, access_key_id=access_key_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssumeRoleApi(APIView):
    """sts:AssumeRole: temporary credentials for a role whose trust policy allows the caller."""

    @extend_schema(
        request=AssumeRoleInputSerializer,
        responses=AssumeRoleOutputSerializer,
        summary="AssumeRole",
        examples=[
            OpenApiExample(
                "Assume a role",
                request_only=True,
                value={
                    "RoleArn": "arn:aws:iam::111122223333:role/BrokerAdmin",
                    "RoleSessionName": "deploy",
                    "DurationSeconds": 3600,
                },
            )
        ],
    )
    def post(self, request):
        data = AssumeRoleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        # A role that does not exist is denied like a forbidden one (no existence oracle).
        role = sts.role_for_assume(params["RoleArn"])
        caller = request.user
        context = context_for_request(request, caller)
        if "ExternalId" in params:
            context["sts:ExternalId"] = params["ExternalId"]
        mfa_used = sts_mfa.sts_mfa_verify(
            actor=actor_for(request),
            principal=caller,
            action="sts:AssumeRole",
            serial=params.get("SerialNumber"),
            code=params.get("TokenCode"),
        )
        tags = {t.get("Key"): t.get("Value", "") for t in params.get("Tags", [])}
        new = sts.assume_role(
            actor=actor_for(request),
            caller=caller,
            role=role,
            role_arn=params["RoleArn"],
            session_name=params["RoleSessionName"],
            context=context,
            duration_s=params["DurationSeconds"],
            session_policy=params.get("Policy") or None,
            session_policy_arns=params.get("PolicyArns"),
            tags=tags or None,
            transitive_tag_keys=params.get("TransitiveTagKeys"),
            source_identity=params.get("SourceIdentity"),
            mfa_authenticated=mfa_used,
        )
        return _no_store(
            Response(
                {
                    "Credentials": new.as_aws_credentials(),
                    "AssumedRoleUser": {
                        "AssumedRoleId": f"{new.session.role.unique_id}:{new.session.session_name}",
                        "Arn": new.session.arn,
                    },
                    "SourceIdentity": new.session.source_identity,
                }
            )
        )


class AuditEventListApi(generics.ListAPIView):
    """The audit trail of the caller's account (cloudtrail:LookupEvents)."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    permission_classes = [IAMActionPermission]
    iam_action = "cloudtrail:LookupEvents"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no principal
            return AuditEvent.objects.none()
        return audit_event_list(principal=self.request.user)
