"""The access-requests API (``/api/v1/access-requests/``): the same services as the pages.

Submitting and previewing need only a signed caller; reading someone else's request and
deciding need what applying needs (``iam:Put{User,Role}Policy`` on the requester's identity).
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.errors import ValidationError
from brokers.authz import RequestAuthorizer
from policies.authorization import actor_for
from policies.context import IAM_REGION
from policies.models import AccessRequest, Notification
from policies.permissions import context_for_request, require
from policies.requests import eligibility, selectors
from policies.requests.filters import AccessRequestFilter
from policies.requests.preview import preview_request
from policies.services import requests as services

EXAMPLE = {
    "Intent": "operate-brokers",
    "Targets": [{"Arn": "arn:aws:mq:us-east-1:111122223333:broker:orders:b-1234"}],
    "DurationHours": 8,
    "Justification": "Reboot orders after the config change in CHG-1234.",
}


class TargetSerializer(serializers.Serializer):
    Arn = serializers.CharField(required=False, max_length=2048)
    TagKey = serializers.CharField(required=False, max_length=128)
    TagValue = serializers.CharField(required=False, allow_blank=True, max_length=256)


class RequestInputSerializer(serializers.Serializer):
    Intent = serializers.CharField(max_length=32)
    Actions = serializers.ListField(
        child=serializers.CharField(max_length=128), required=False, max_length=100
    )
    Targets = TargetSerializer(many=True, required=False)
    DurationHours = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    Permanent = serializers.BooleanField(required=False, default=False)
    Justification = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate(self, attrs):
        if attrs.get("Permanent"):
            attrs["DurationHours"] = None
        elif attrs.get("DurationHours") is None:
            raise serializers.ValidationError({"DurationHours": "Give hours, or Permanent."})
        return attrs


class ApproveInputSerializer(serializers.Serializer):
    DurationHours = serializers.IntegerField(required=False, min_value=1)
    Targets = TargetSerializer(many=True, required=False)


class ReasonInputSerializer(serializers.Serializer):
    Reason = serializers.CharField(max_length=2000)


class ExtendInputSerializer(serializers.Serializer):
    Hours = serializers.IntegerField(min_value=1)
    Justification = serializers.CharField(max_length=2000)


class EventSerializer(serializers.Serializer):
    Verb = serializers.CharField(source="verb")
    Actor = serializers.CharField(source="actor_arn")
    Message = serializers.CharField(source="message")
    Details = serializers.JSONField(source="details")
    Time = serializers.DateTimeField(source="created_at")


class AccessRequestSerializer(serializers.ModelSerializer):
    AccessRequestId = serializers.CharField(source="request_id")
    Requester = serializers.CharField(source="requester_arn")
    Identity = serializers.SerializerMethodField()
    Intent = serializers.CharField(source="intent")
    Actions = serializers.JSONField(source="actions")
    DependentActions = serializers.JSONField(source="dependent_actions")
    Targets = serializers.JSONField(source="targets")
    DurationHours = serializers.IntegerField(source="duration_hours", allow_null=True)
    Justification = serializers.CharField(source="justification")
    Status = serializers.CharField(source="status")
    PolicyName = serializers.CharField(source="policy_name")
    PolicyDocument = serializers.CharField(source="policy_document")
    Approvals = serializers.SerializerMethodField()
    DecisionReason = serializers.CharField(source="decision_reason")
    DecidedBy = serializers.CharField(source="decided_by_arn")
    ExpiresAt = serializers.DateTimeField(source="expires_at", allow_null=True)
    RevokedAt = serializers.DateTimeField(source="revoked_at", allow_null=True)
    ExtensionHours = serializers.IntegerField(source="extension_hours", allow_null=True)
    CreateDate = serializers.DateTimeField(source="created_at")

    class Meta:
        model = AccessRequest
        fields = [
            "AccessRequestId", "Requester", "Identity", "Intent", "Actions", "DependentActions",
            "Targets", "DurationHours", "Justification", "Status", "PolicyName",
            "PolicyDocument", "Approvals", "DecisionReason", "DecidedBy", "ExpiresAt",
            "RevokedAt", "ExtensionHours", "CreateDate",
        ]  # fmt: skip

    def get_Identity(self, obj) -> str:
        return obj.identity.arn

    def get_Approvals(self, obj) -> list:
        return [
            {"Approver": a.approver_arn, "Time": a.created_at.isoformat()}
            for a in obj.approvals.all()
            if a.round == obj.round
        ]


class AccessRequestDetailSerializer(AccessRequestSerializer):
    Events = EventSerializer(source="events", many=True)

    class Meta(AccessRequestSerializer.Meta):
        fields = [*AccessRequestSerializer.Meta.fields, "Events"]


def _authz(request):
    return RequestAuthorizer(request, request.user, IAM_REGION)


def _get(request, request_id: str) -> AccessRequest:
    """The request if the caller may see it (requester, root, or allowed to grant it)."""
    req = selectors.access_request_get(principal=request.user, request_id=request_id)
    if not (eligibility.is_requester(request.user, req) or request.user.is_root):
        identity = req.identity
        require(
            request,
            eligibility.grant_action(req.requester_kind),
            identity.arn,
            principal=request.user,
        )
    return req


def _targets(data) -> list[dict] | None:
    if data is None:
        return None
    return [{k: v for k, v in t.items() if v is not None} for t in data]


class AccessRequestListApi(generics.ListAPIView):
    """List my requests (``?Scope=review``: those I may review) or submit one."""

    serializer_class = AccessRequestSerializer
    filterset_class = AccessRequestFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AccessRequest.objects.none()
        principal = self.request.user
        if self.request.query_params.get("Scope") == "review":
            context = context_for_request(self.request, principal)
            queryset = selectors.access_request_list_review(principal=principal, context=context)
        else:
            queryset = selectors.access_request_list_mine(principal=principal)
        return queryset.prefetch_related("approvals").order_by("-created_at", "-id")

    @extend_schema(
        summary="List access requests: mine, or (Scope=review) those I may decide",
        parameters=[OpenApiParameter("Scope", str, enum=["mine", "review"])],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Submit an access request (no IAM permission needed beyond being signed in)",
        request=RequestInputSerializer,
        responses={201: AccessRequestSerializer},
        examples=[OpenApiExample("Operate one broker for 8 hours", value=EXAMPLE)],
    )
    def post(self, request):
        data = RequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        created = services.access_request_create(
            actor=actor_for(request),
            principal=request.user,
            intent=values["Intent"],
            actions=values.get("Actions") or [],
            targets=_targets(values.get("Targets")) or [],
            duration_hours=values["DurationHours"],
            justification=values.get("Justification", ""),
        )
        return Response(AccessRequestSerializer(created).data, status=201)


class AccessRequestPreviewApi(APIView):
    """The policy a request would produce, its findings and its summary."""

    @extend_schema(
        summary="Preview the generated policy of an access request",
        request=RequestInputSerializer,
        responses={200: OpenApiTypes.OBJECT},
        examples=[OpenApiExample("Operate one broker", value=EXAMPLE)],
    )
    def post(self, request):
        data = RequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        preview = preview_request(
            principal=request.user,
            intent=values["Intent"],
            actions=values.get("Actions") or [],
            targets=_targets(values.get("Targets")) or [],
            duration_hours=values["DurationHours"],
        )
        if preview.error:
            raise ValidationError(preview.error)
        return Response(preview.to_dict())


class AccessRequestDetailApi(APIView):
    """One request with its history."""

    @extend_schema(summary="Get an access request", responses=AccessRequestDetailSerializer)
    def get(self, request, request_id: str):
        return Response(AccessRequestDetailSerializer(_get(request, request_id)).data)


class _ActionApi(APIView):
    input_serializer: type[serializers.Serializer] | None = None

    def act(self, request, req, data: dict) -> AccessRequest:
        raise NotImplementedError

    def post(self, request, request_id: str):
        req = selectors.access_request_get(principal=request.user, request_id=request_id)
        data: dict = {}
        if self.input_serializer is not None:
            serializer = self.input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        done = self.act(request, req, data)
        done.refresh_from_db()
        return Response(AccessRequestSerializer(done).data)


def _decision_schema(summary: str, serializer=None):
    return extend_schema(summary=summary, request=serializer, responses=AccessRequestSerializer)


class AccessRequestApproveApi(_ActionApi):
    input_serializer = ApproveInputSerializer

    @_decision_schema(
        "Approve (optionally narrowing DurationHours or Targets); needs iam:PutUserPolicy "
        "or iam:PutRolePolicy on the requester",
        ApproveInputSerializer,
    )
    def post(self, request, request_id: str):
        return super().post(request, request_id)

    def act(self, request, req, data):
        return services.access_request_approve(
            actor=actor_for(request),
            approver=request.user,
            access_request=req,
            authz=_authz(request),
            duration_hours=data.get("DurationHours"),
            targets=_targets(data.get("Targets")),
        )


class AccessRequestDenyApi(_ActionApi):
    input_serializer = ReasonInputSerializer

    @_decision_schema(
        "Deny a request (or its pending extension) with a reason", ReasonInputSerializer
    )
    def post(self, request, request_id: str):
        return super().post(request, request_id)

    def act(self, request, req, data):
        return services.access_request_deny(
            actor=actor_for(request), approver=request.user, access_request=req,
            authz=_authz(request), reason=data["Reason"],
        )  # fmt: skip


class AccessRequestChangesApi(_ActionApi):
    input_serializer = ReasonInputSerializer

    @_decision_schema("Send a request back to its requester for changes", ReasonInputSerializer)
    def post(self, request, request_id: str):
        return super().post(request, request_id)

    def act(self, request, req, data):
        return services.access_request_request_changes(
            actor=actor_for(request), approver=request.user, access_request=req,
            authz=_authz(request), reason=data["Reason"],
        )  # fmt: skip


class AccessRequestCancelApi(_ActionApi):
    @_decision_schema("Cancel my open request (or its pending extension)")
    def post(self, request, request_id: str):
        return super().post(request, request_id)

    def act(self, request, req, data):
        return services.access_request_cancel(
            actor=actor_for(request), principal=request.user, access_request=req
        )


class AccessRequestExtendApi(_ActionApi):
    input_serializer = ExtendInputSerializer

    @_decision_schema("Ask to extend my approved grant by Hours", ExtendInputSerializer)
    def post(self, request, request_id: str):
        return super().post(request, request_id)

    def act(self, request, req, data):
        return services.access_request_extend(
            actor=actor_for(request), principal=request.user, access_request=req,
            hours=data["Hours"], justification=data["Justification"],
        )  # fmt: skip


class AccessRequestRevokeApi(_ActionApi):
    @_decision_schema("End a grant now (requester, or iam:Delete{User,Role}Policy)")
    def post(self, request, request_id: str):
        return super().post(request, request_id)

    def act(self, request, req, data):
        return services.access_request_revoke(
            actor=actor_for(request), principal=request.user, access_request=req,
            authz=_authz(request), reason=str(request.data.get("Reason", ""))[:2000],
        )  # fmt: skip


class NotificationSerializer(serializers.ModelSerializer):
    Text = serializers.CharField(source="text")
    Link = serializers.CharField(source="link")
    Read = serializers.SerializerMethodField()
    CreateDate = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Notification
        fields = ["Text", "Link", "Read", "CreateDate"]

    def get_Read(self, obj) -> bool:
        return obj.read_at is not None


class NotificationListApi(generics.ListAPIView):
    """My notifications, newest first; POST marks them all read."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notification_list(principal=self.request.user)

    @extend_schema(summary="List my notifications")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Mark all my notifications read", request=None, responses={204: None})
    def post(self, request):
        self.get_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response(status=204)
