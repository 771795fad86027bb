"""Policies of users, groups and roles: attached, inline, and permissions boundaries."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from policies.api.serializers import (
    AttachedManagedPoliciesSerializer,
    AttachSerializer,
    BoundarySerializer,
    InlinePolicyNamesSerializer,
    InlinePolicyPutSerializer,
    InlinePolicySerializer,
)
from policies.api.views.common import (
    EXAMPLE_DOCUMENT,
    LABELS,
    identity_or_error,
    policy_or_error,
    require_on,
)
from policies.authorization import actor_for
from policies.selectors import identity_inline_policies
from policies.services import attachments


class IdentityPolicyApi(APIView):
    """Endpoints on a user's, group's or role's policies; ``kind`` is set by the URLconf."""

    kind = "user"

    @property
    def label(self) -> str:
        """User, Group or Role, as in the IAM action names."""
        return LABELS[self.kind]

    def get_identity(self, request, name: str):
        return identity_or_error(request, self.kind, name)


class AttachedPolicyListApi(IdentityPolicyApi):
    """ListAttached{User,Group,Role}Policies (GET) and Attach{User,Group,Role}Policy (POST)."""

    @extend_schema(
        summary="ListAttachedUserPolicies / GroupPolicies / RolePolicies",
        responses=AttachedManagedPoliciesSerializer,
    )
    def get(self, request, name: str):
        identity = self.get_identity(request, name)
        require_on(request, f"iam:ListAttached{self.label}Policies", identity)
        rows = (
            identity.policy_attachments.select_related("policy__account")
            .order_by("policy__name")
            .all()
        )
        body = [
            {"PolicyName": a.policy.name, "PolicyArn": a.policy.arn, "PolicyId": a.policy.unique_id}
            for a in rows
        ]
        return Response({"AttachedPolicies": body})

    @extend_schema(
        summary="AttachUserPolicy / GroupPolicy / RolePolicy (iam:PolicyARN in the context)",
        request=AttachSerializer,
        responses={204: None},
        examples=[
            OpenApiExample(
                "Attach",
                request_only=True,
                value={"PolicyArn": "arn:aws:iam::aws:policy/AmazonMQReadOnlyAccess"},
            )
        ],
    )
    def post(self, request, name: str):
        identity = self.get_identity(request, name)
        data = AttachSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachments.policy_attach_by_arn(
            actor=actor_for(request),
            identity=identity,
            policy_arn=data.validated_data["PolicyArn"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachedPolicyDetailApi(IdentityPolicyApi):
    """Detach{User,Group,Role}Policy, the policy named by its PolicyId."""

    @extend_schema(
        summary="DetachUserPolicy / GroupPolicy / RolePolicy (iam:PolicyARN in the context)",
        responses={204: None},
    )
    def delete(self, request, name: str, policy_id: str):
        identity = self.get_identity(request, name)
        policy = policy_or_error(request, policy_id)
        attachments.policy_detach(actor=actor_for(request), policy=policy, identity=identity)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _ListSchema(AutoSchema):
    """Names the GET of a collection ``…_list`` (an APIView's GET is otherwise ``retrieve``)."""

    def get_operation_id(self):
        return super().get_operation_id().replace("_retrieve", "_list")


class InlinePolicyListApi(IdentityPolicyApi):
    """List{User,Group,Role}Policies: the names of the identity's inline policies."""

    schema = _ListSchema()

    @extend_schema(
        summary="ListUserPolicies / GroupPolicies / RolePolicies",
        responses=InlinePolicyNamesSerializer,
    )
    def get(self, request, name: str):
        identity = self.get_identity(request, name)
        require_on(request, f"iam:List{self.label}Policies", identity)
        names = [p.name for p in identity_inline_policies(identity=identity)]
        return Response({"PolicyNames": names})


class InlinePolicyDetailApi(IdentityPolicyApi):
    """Get / Put / Delete {User,Group,Role}Policy."""

    def _body(self, identity, inline) -> dict:
        return {
            f"{self.label}Name": identity.name,
            "PolicyName": inline.name,
            "PolicyDocument": inline.document,
        }

    @extend_schema(
        summary="GetUserPolicy / GroupPolicy / RolePolicy", responses=InlinePolicySerializer
    )
    def get(self, request, name: str, policy_name: str):
        identity = self.get_identity(request, name)
        require_on(request, f"iam:Get{self.label}Policy", identity)
        inline = attachments.inline_policy_get(identity=identity, name=policy_name)
        return Response(self._body(identity, inline))

    @extend_schema(
        summary="PutUserPolicy / GroupPolicy / RolePolicy (the quota is a sum per identity)",
        request=InlinePolicyPutSerializer,
        responses=InlinePolicySerializer,
        examples=[
            OpenApiExample("Put", request_only=True, value={"PolicyDocument": EXAMPLE_DOCUMENT})
        ],
    )
    def put(self, request, name: str, policy_name: str):
        identity = self.get_identity(request, name)
        data = InlinePolicyPutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inline = attachments.inline_policy_put(
            actor=actor_for(request),
            identity=identity,
            name=policy_name,
            document=data.validated_data["PolicyDocument"],
        )
        return Response(self._body(identity, inline))

    @extend_schema(summary="DeleteUserPolicy / GroupPolicy / RolePolicy", responses={204: None})
    def delete(self, request, name: str, policy_name: str):
        identity = self.get_identity(request, name)
        attachments.inline_policy_delete(
            actor=actor_for(request), identity=identity, name=policy_name
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class BoundaryApi(IdentityPolicyApi):
    """Put / Delete {User,Role}PermissionsBoundary (iam:PermissionsBoundary in the context)."""

    @extend_schema(
        summary="PutUserPermissionsBoundary / PutRolePermissionsBoundary",
        request=BoundarySerializer,
        responses={204: None},
        examples=[
            OpenApiExample(
                "Set",
                request_only=True,
                value={"PermissionsBoundary": "arn:aws:iam::111122223333:policy/OnlyMq"},
            )
        ],
    )
    def put(self, request, name: str):
        identity = self.get_identity(request, name)
        data = BoundarySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachments.permissions_boundary_put_by_arn(
            actor=actor_for(request),
            identity=identity,
            policy_arn=data.validated_data["PermissionsBoundary"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="DeleteUserPermissionsBoundary / DeleteRolePermissionsBoundary",
        responses={204: None},
    )
    def delete(self, request, name: str):
        identity = self.get_identity(request, name)
        attachments.permissions_boundary_put(
            actor=actor_for(request), identity=identity, policy=None
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
