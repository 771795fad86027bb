"""Managed policies: list and create, get and delete, versions, entities, tags, validation."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.errors import ValidationError
from accounts.selectors import account_of
from policies.api.serializers import (
    PolicyCreateSerializer,
    PolicyEntitiesSerializer,
    PolicySerializer,
    PolicyTagListSerializer,
    PolicyTagsInputSerializer,
    PolicyVersionCreateSerializer,
    PolicyVersionSerializer,
    UntagSerializer,
    ValidateResultSerializer,
    ValidateSerializer,
    tag_list,
    tag_map,
)
from policies.api.views.common import (
    EXAMPLE_DOCUMENT,
    api_require,
    fresh_policy,
    policy_or_error,
    require_on,
)
from policies.authorization import actor_for
from policies.catalog import get_catalog
from policies.filters import ManagedPolicyFilter
from policies.models import ManagedPolicy
from policies.permissions import AUTHORIZED_IN_HANDLER, IAMActionPermission
from policies.selectors import managed_policy_list, policy_entities
from policies.services import managed
from policies.summary import editor_report


class PolicyListApi(generics.ListAPIView):
    """ListPolicies (GET, same filters as the console list) and CreatePolicy (POST)."""

    serializer_class = PolicySerializer
    filterset_class = ManagedPolicyFilter
    permission_classes = [IAMActionPermission]

    def get_iam_action(self) -> str:
        # CreatePolicy is authorized by the service against the new policy's ARN.
        return "iam:ListPolicies" if self.request.method == "GET" else AUTHORIZED_IN_HANDLER

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return ManagedPolicy.objects.none()
        return managed_policy_list(principal=self.request.user)

    @extend_schema(summary="ListPolicies: AWS managed and customer managed policies")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="CreatePolicy (request tags need iam:TagPolicy too)",
        request=PolicyCreateSerializer,
        responses={201: PolicySerializer},
        examples=[
            OpenApiExample(
                "Create a policy",
                request_only=True,
                value={
                    "PolicyName": "BrokerReaders",
                    "Path": "/team/",
                    "PolicyDocument": EXAMPLE_DOCUMENT,
                    "Description": "Read brokers",
                    "Tags": [{"Key": "team", "Value": "payments"}],
                },
            )
        ],
    )
    def post(self, request):
        data = PolicyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        policy = managed.policy_create(
            actor=actor_for(request),
            account=account_of(request.user),
            name=params["PolicyName"],
            path=params["Path"],
            description=params["Description"],
            document=params["PolicyDocument"],
            tags=tag_map(params["Tags"]),
        )
        body = PolicySerializer(fresh_policy(request, policy)).data
        return Response(body, status=status.HTTP_201_CREATED)


class PolicyDetailApi(APIView):
    """GetPolicy and DeletePolicy, by PolicyId (``ANPA…``)."""

    @extend_schema(summary="GetPolicy", responses=PolicySerializer)
    def get(self, request, policy_id: str):
        policy = policy_or_error(request, policy_id)
        require_on(request, "iam:GetPolicy", policy)
        return Response(PolicySerializer(policy).data)

    @extend_schema(
        summary="DeletePolicy (detached, only the default version left; else DeleteConflict)",
        responses={204: None},
    )
    def delete(self, request, policy_id: str):
        policy = policy_or_error(request, policy_id)
        managed.policy_delete(actor=actor_for(request), policy=policy)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PolicyVersionListApi(APIView):
    """ListPolicyVersions and CreatePolicyVersion."""

    @extend_schema(summary="ListPolicyVersions", responses=PolicyVersionSerializer(many=True))
    def get(self, request, policy_id: str):
        policy = policy_or_error(request, policy_id)
        require_on(request, "iam:ListPolicyVersions", policy)
        versions = policy.versions.order_by("-created_at", "-id")
        return Response(PolicyVersionSerializer(versions, many=True).data)

    @extend_schema(
        summary="CreatePolicyVersion (at most five; DeleteVersionId makes room atomically)",
        request=PolicyVersionCreateSerializer,
        responses={201: PolicyVersionSerializer},
        examples=[
            OpenApiExample(
                "New default version",
                request_only=True,
                value={"PolicyDocument": EXAMPLE_DOCUMENT, "SetAsDefault": True},
            ),
            OpenApiExample(
                "Sixth version: delete v2 first",
                request_only=True,
                value={
                    "PolicyDocument": EXAMPLE_DOCUMENT,
                    "SetAsDefault": True,
                    "DeleteVersionId": "v2",
                },
            ),
        ],
    )
    def post(self, request, policy_id: str):
        policy = policy_or_error(request, policy_id)
        data = PolicyVersionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        version = managed.policy_version_add(
            actor=actor_for(request),
            policy=policy,
            document=params["PolicyDocument"],
            set_as_default=params["SetAsDefault"],
            delete_version_id=params.get("DeleteVersionId"),
        )
        return Response(PolicyVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class PolicyVersionDetailApi(APIView):
    """GetPolicyVersion and DeletePolicyVersion."""

    @extend_schema(summary="GetPolicyVersion", responses=PolicyVersionSerializer)
    def get(self, request, policy_id: str, version_id: str):
        policy = policy_or_error(request, policy_id)
        require_on(request, "iam:GetPolicyVersion", policy)
        version = managed.policy_version_get(policy=policy, version_id=version_id)
        return Response(PolicyVersionSerializer(version).data)

    @extend_schema(summary="DeletePolicyVersion (never the default version)", responses={204: None})
    def delete(self, request, policy_id: str, version_id: str):
        policy = policy_or_error(request, policy_id)
        managed.policy_version_delete(
            actor=actor_for(request), policy=policy, version_id=version_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PolicyVersionSetDefaultApi(APIView):
    """SetDefaultPolicyVersion."""

    @extend_schema(
        summary="SetDefaultPolicyVersion", request=None, responses=PolicyVersionSerializer
    )
    def post(self, request, policy_id: str, version_id: str):
        policy = policy_or_error(request, policy_id)
        version = managed.policy_version_set_default(
            actor=actor_for(request), policy=policy, version_id=version_id
        )
        return Response(PolicyVersionSerializer(version).data)


class PolicyEntitiesApi(APIView):
    """ListEntitiesForPolicy: users, groups and roles the policy is attached to or bounds."""

    @extend_schema(
        summary="ListEntitiesForPolicy",
        parameters=[
            OpenApiParameter("EntityFilter", str, enum=["User", "Group", "Role"]),
            OpenApiParameter(
                "PolicyUsageFilter", str, enum=["PermissionsPolicy", "PermissionsBoundary"]
            ),
        ],
        responses=PolicyEntitiesSerializer,
    )
    def get(self, request, policy_id: str):
        policy = policy_or_error(request, policy_id)
        require_on(request, "iam:ListEntitiesForPolicy", policy)
        entities = policy_entities(policy=policy, account_id=request.user.account_id)
        usage = request.query_params.get("PolicyUsageFilter")
        kinds = request.query_params.get("EntityFilter")
        if usage not in (None, "PermissionsPolicy", "PermissionsBoundary"):
            raise ValidationError(
                "PolicyUsageFilter must be PermissionsPolicy or PermissionsBoundary."
            )
        attached = usage != "PermissionsBoundary"
        bounds = usage != "PermissionsPolicy"
        users = (entities.users if attached else []) + (entities.boundary_users if bounds else [])
        roles = (entities.roles if attached else []) + (entities.boundary_roles if bounds else [])
        groups = entities.groups if attached else []
        body = {
            "PolicyUsers": [{"UserName": u.name, "UserId": u.unique_id} for u in users],
            "PolicyGroups": [{"GroupName": g.name, "GroupId": g.unique_id} for g in groups],
            "PolicyRoles": [{"RoleName": r.name, "RoleId": r.unique_id} for r in roles],
        }
        if kinds:
            body = {k: v for k, v in body.items() if k == f"Policy{kinds}s"}
        return Response(body)


class PolicyTagsApi(APIView):
    """ListPolicyTags (GET), TagPolicy (POST) and UntagPolicy (DELETE)."""

    @extend_schema(summary="ListPolicyTags", responses=PolicyTagListSerializer)
    def get(self, request, policy_id: str):
        policy = policy_or_error(request, policy_id)
        require_on(request, "iam:ListPolicyTags", policy)
        return Response({"Tags": tag_list(policy.tags)})

    @extend_schema(
        summary="TagPolicy (adds or overwrites; at most 50 tags)",
        request=PolicyTagsInputSerializer,
        responses=PolicyTagListSerializer,
        examples=[
            OpenApiExample(
                "Tag", request_only=True, value={"Tags": [{"Key": "team", "Value": "payments"}]}
            )
        ],
    )
    def post(self, request, policy_id: str):
        policy = policy_or_error(request, policy_id)
        data = PolicyTagsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tags = tag_map(data.validated_data["Tags"])
        policy = managed.policy_tag(actor=actor_for(request), policy=policy, tags=tags)
        return Response({"Tags": tag_list(policy.tags)})

    @extend_schema(
        summary="UntagPolicy",
        request=UntagSerializer,
        responses={204: None},
        examples=[OpenApiExample("Untag", request_only=True, value={"TagKeys": ["team"]})],
    )
    def delete(self, request, policy_id: str):
        policy = policy_or_error(request, policy_id)
        data = UntagSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        keys = data.validated_data["TagKeys"]
        managed.policy_untag(actor=actor_for(request), policy=policy, keys=keys)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PolicyValidateApi(APIView):
    """Findings (with line and column), size against the quota, and the summary of a document.

    The console's twin of Access Analyzer's ValidatePolicy, authorized as that action.
    """

    @extend_schema(
        summary="Validate a policy document: findings with lines, size and summary",
        request=ValidateSerializer,
        responses=ValidateResultSerializer,
        examples=[
            OpenApiExample(
                "Validate",
                request_only=True,
                value={
                    "PolicyDocument": '{"Version": "2012-10-17", "Statement": {"Effect": '
                    '"Allow", "Action": "mq:RebootBrokers", "Resource": "*"}}',
                    "PolicyType": "IDENTITY_POLICY",
                },
            ),
            OpenApiExample(
                "Answer",
                response_only=True,
                value={
                    "Findings": [
                        {
                            "Severity": "error",
                            "Code": "UNKNOWN_ACTION",
                            "Message": '"mq:RebootBrokers" is not an action of Amazon MQ (mq). '
                            "Did you mean mq:RebootBroker?",
                            "Path": "Statement.Action",
                            "Line": 1,
                            "Column": 77,
                        }
                    ],
                    "Size": {"Used": 87, "Document": 87, "OtherInlinePolicies": 0, "Limit": 6144},
                    "Summary": {"Error": None, "Allow": {}, "Deny": {}, "Unrecognized": []},
                },
            ),
        ],
    )
    def post(self, request):
        data = ValidateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        api_require(request, "access-analyzer:ValidatePolicy", "*")
        entity = params.get("Entity")
        report = editor_report(
            params["PolicyDocument"],
            params["kind"],
            get_catalog(),
            entity=entity,
            other_size=params["OtherInlinePoliciesSize"] if entity else 0,
        )
        return Response(report.to_dict())
