"""The policies API: managed policies and versions, attachments, inline policies, boundaries,
policy tags and validation. Each endpoint authorizes the IAM action AWS would, then calls the
same services as the console pages."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.errors import NoSuchEntity, ValidationError
from accounts.identifiers import iam_arn
from accounts.selectors import account_of
from policies.api.serializers import (
    AttachedManagedPoliciesSerializer,
    AttachSerializer,
    BoundarySerializer,
    InlinePolicyNamesSerializer,
    InlinePolicyPutSerializer,
    InlinePolicySerializer,
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
from policies.authorization import actor_for
from policies.catalog import get_catalog
from policies.filters import ManagedPolicyFilter
from policies.models import ManagedPolicy
from policies.permissions import IAMActionPermission, require
from policies.selectors import (
    identity_get,
    identity_inline_policies,
    managed_policy_by_arn,
    managed_policy_get,
    managed_policy_list,
    policy_entities,
)
from policies.services import attachments, managed
from policies.summary import editor_report

LABELS = {"user": "User", "group": "Group", "role": "Role"}
EXAMPLE_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadBrokers",
            "Effect": "Allow",
            "Action": ["mq:DescribeBroker", "mq:ListBrokers"],
            "Resource": "*",
        }
    ],
}


def _policy(request, policy_id: str):
    """A managed policy visible to the caller (with its counts), else AWS's NoSuchEntity."""
    policy = managed_policy_get(principal=request.user, policy_id=policy_id)
    if policy is None:
        raise NoSuchEntity(f"Policy {policy_id} does not exist or is not attachable.")
    return policy


def _policy_by_arn(request, arn: str):
    policy = managed_policy_by_arn(principal=request.user, arn=arn)
    if policy is None:
        raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
    return policy


def _identity(request, kind: str, name: str):
    identity = identity_get(principal=request.user, kind=kind, name=name)
    if identity is None:
        raise NoSuchEntity(f"The {kind} with name {name} cannot be found.")
    return identity


def _require(request, action: str, resource: str, **kwargs):
    return require(request, action, resource, principal=request.user, **kwargs)


def _tags(obj) -> dict:
    if getattr(obj, "is_aws_managed", False):
        return {}
    return dict(getattr(obj, "tags", {}) or {})


def _fresh(request, policy):
    """The policy re-read with the list's annotations (counts, default version)."""
    return managed_policy_get(principal=request.user, policy_id=policy.unique_id)


class PolicyListApi(generics.ListAPIView):
    """ListPolicies (GET, same filters as the console list) and CreatePolicy (POST)."""

    serializer_class = PolicySerializer
    filterset_class = ManagedPolicyFilter
    permission_classes = [IAMActionPermission]

    def get_iam_action(self) -> str:
        # CreatePolicy is authorized in post() against the new policy's ARN.
        return "iam:ListPolicies" if self.request.method == "GET" else ""

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
        account = account_of(request.user)
        arn = iam_arn(account.account_id, "policy", params["Path"], params["PolicyName"])
        tags = tag_map(params["Tags"])
        _require(request, "iam:CreatePolicy", arn, request_tags=tags or None)
        if tags:
            _require(request, "iam:TagPolicy", arn, request_tags=tags)
        policy = managed.policy_create(
            actor=actor_for(request),
            account=account,
            name=params["PolicyName"],
            path=params["Path"],
            description=params["Description"],
            document=params["PolicyDocument"],
            tags=tags,
        )
        body = PolicySerializer(_fresh(request, policy)).data
        return Response(body, status=status.HTTP_201_CREATED)


class PolicyDetailApi(APIView):
    """GetPolicy and DeletePolicy, by PolicyId (``ANPA…``)."""

    @extend_schema(summary="GetPolicy", responses=PolicySerializer)
    def get(self, request, policy_id: str):
        policy = _policy(request, policy_id)
        _require(request, "iam:GetPolicy", policy.arn, resource_tags=_tags(policy))
        return Response(PolicySerializer(policy).data)

    @extend_schema(
        summary="DeletePolicy (detached, only the default version left; else DeleteConflict)",
        responses={204: None},
    )
    def delete(self, request, policy_id: str):
        policy = _policy(request, policy_id)
        _require(request, "iam:DeletePolicy", policy.arn, resource_tags=_tags(policy))
        managed.policy_delete(actor=actor_for(request), policy=policy)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PolicyVersionListApi(APIView):
    """ListPolicyVersions and CreatePolicyVersion."""

    @extend_schema(summary="ListPolicyVersions", responses=PolicyVersionSerializer(many=True))
    def get(self, request, policy_id: str):
        policy = _policy(request, policy_id)
        _require(request, "iam:ListPolicyVersions", policy.arn, resource_tags=_tags(policy))
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
        policy = _policy(request, policy_id)
        data = PolicyVersionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        tags = _tags(policy)
        to_delete = params.get("DeleteVersionId")
        if to_delete:
            _require(request, "iam:DeletePolicyVersion", policy.arn, resource_tags=tags)
        _require(request, "iam:CreatePolicyVersion", policy.arn, resource_tags=tags)
        actor = actor_for(request)
        if to_delete:
            version = managed.policy_version_replace(
                actor=actor,
                policy=policy,
                delete_version_id=to_delete,
                document=params["PolicyDocument"],
                set_as_default=params["SetAsDefault"],
            )
        else:
            version = managed.policy_version_create(
                actor=actor,
                policy=policy,
                document=params["PolicyDocument"],
                set_as_default=params["SetAsDefault"],
            )
        return Response(PolicyVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class PolicyVersionDetailApi(APIView):
    """GetPolicyVersion and DeletePolicyVersion."""

    @extend_schema(summary="GetPolicyVersion", responses=PolicyVersionSerializer)
    def get(self, request, policy_id: str, version_id: str):
        policy = _policy(request, policy_id)
        _require(request, "iam:GetPolicyVersion", policy.arn, resource_tags=_tags(policy))
        version = managed.policy_version_get(policy=policy, version_id=version_id)
        return Response(PolicyVersionSerializer(version).data)

    @extend_schema(summary="DeletePolicyVersion (never the default version)", responses={204: None})
    def delete(self, request, policy_id: str, version_id: str):
        policy = _policy(request, policy_id)
        _require(request, "iam:DeletePolicyVersion", policy.arn, resource_tags=_tags(policy))
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
        policy = _policy(request, policy_id)
        _require(request, "iam:SetDefaultPolicyVersion", policy.arn, resource_tags=_tags(policy))
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
        policy = _policy(request, policy_id)
        _require(request, "iam:ListEntitiesForPolicy", policy.arn, resource_tags=_tags(policy))
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
        policy = _policy(request, policy_id)
        _require(request, "iam:ListPolicyTags", policy.arn, resource_tags=_tags(policy))
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
        policy = _policy(request, policy_id)
        data = PolicyTagsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tags = tag_map(data.validated_data["Tags"])
        _require(
            request, "iam:TagPolicy", policy.arn, resource_tags=_tags(policy), request_tags=tags
        )
        policy = managed.policy_tag(actor=actor_for(request), policy=policy, tags=tags)
        return Response({"Tags": tag_list(policy.tags)})

    @extend_schema(
        summary="UntagPolicy",
        request=UntagSerializer,
        responses={204: None},
        examples=[OpenApiExample("Untag", request_only=True, value={"TagKeys": ["team"]})],
    )
    def delete(self, request, policy_id: str):
        policy = _policy(request, policy_id)
        data = UntagSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        keys = data.validated_data["TagKeys"]
        _require(
            request,
            "iam:UntagPolicy",
            policy.arn,
            resource_tags=_tags(policy),
            extra={"aws:TagKeys": keys},
        )
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
        _require(request, "access-analyzer:ValidatePolicy", "*")
        entity = params.get("Entity")
        report = editor_report(
            params["PolicyDocument"],
            params["kind"],
            get_catalog(),
            entity=entity,
            other_size=params["OtherInlinePoliciesSize"] if entity else 0,
        )
        return Response(report.to_dict())


class AttachedPolicyListApi(APIView):
    """ListAttached{User,Group,Role}Policies (GET) and Attach{User,Group,Role}Policy (POST)."""

    kind = "user"

    @extend_schema(
        summary="ListAttachedUserPolicies / GroupPolicies / RolePolicies",
        responses=AttachedManagedPoliciesSerializer,
    )
    def get(self, request, name: str):
        identity = _identity(request, self.kind, name)
        _require(
            request,
            f"iam:ListAttached{LABELS[self.kind]}Policies",
            identity.arn,
            resource_tags=_tags(identity),
        )
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
        identity = _identity(request, self.kind, name)
        data = AttachSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = _policy_by_arn(request, data.validated_data["PolicyArn"])
        _require(
            request,
            f"iam:Attach{LABELS[self.kind]}Policy",
            identity.arn,
            resource_tags=_tags(identity),
            extra={"iam:PolicyARN": policy.arn},
        )
        attachments.policy_attach(actor=actor_for(request), policy=policy, identity=identity)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachedPolicyDetailApi(APIView):
    """Detach{User,Group,Role}Policy, the policy named by its PolicyId."""

    kind = "user"

    @extend_schema(
        summary="DetachUserPolicy / GroupPolicy / RolePolicy (iam:PolicyARN in the context)",
        responses={204: None},
    )
    def delete(self, request, name: str, policy_id: str):
        identity = _identity(request, self.kind, name)
        policy = _policy(request, policy_id)
        _require(
            request,
            f"iam:Detach{LABELS[self.kind]}Policy",
            identity.arn,
            resource_tags=_tags(identity),
            extra={"iam:PolicyARN": policy.arn},
        )
        attachments.policy_detach(actor=actor_for(request), policy=policy, identity=identity)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _ListSchema(AutoSchema):
    """Names the GET of a collection ``…_list`` (an APIView's GET is otherwise ``retrieve``)."""

    def get_operation_id(self):
        return super().get_operation_id().replace("_retrieve", "_list")


class InlinePolicyListApi(APIView):
    """List{User,Group,Role}Policies: the names of the identity's inline policies."""

    kind = "user"
    schema = _ListSchema()

    @extend_schema(
        summary="ListUserPolicies / GroupPolicies / RolePolicies",
        responses=InlinePolicyNamesSerializer,
    )
    def get(self, request, name: str):
        identity = _identity(request, self.kind, name)
        _require(
            request,
            f"iam:List{LABELS[self.kind]}Policies",
            identity.arn,
            resource_tags=_tags(identity),
        )
        names = [p.name for p in identity_inline_policies(identity=identity)]
        return Response({"PolicyNames": names})


class InlinePolicyDetailApi(APIView):
    """Get / Put / Delete {User,Group,Role}Policy."""

    kind = "user"

    def _authorize(self, request, verb: str, identity):
        action = f"iam:{verb}{LABELS[self.kind]}Policy"
        _require(request, action, identity.arn, resource_tags=_tags(identity))

    def _body(self, identity, inline) -> dict:
        return {
            f"{LABELS[self.kind]}Name": identity.name,
            "PolicyName": inline.name,
            "PolicyDocument": inline.document,
        }

    @extend_schema(
        summary="GetUserPolicy / GroupPolicy / RolePolicy", responses=InlinePolicySerializer
    )
    def get(self, request, name: str, policy_name: str):
        identity = _identity(request, self.kind, name)
        self._authorize(request, "Get", identity)
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
        identity = _identity(request, self.kind, name)
        data = InlinePolicyPutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self._authorize(request, "Put", identity)
        inline = attachments.inline_policy_put(
            actor=actor_for(request),
            identity=identity,
            name=policy_name,
            document=data.validated_data["PolicyDocument"],
        )
        return Response(self._body(identity, inline))

    @extend_schema(summary="DeleteUserPolicy / GroupPolicy / RolePolicy", responses={204: None})
    def delete(self, request, name: str, policy_name: str):
        identity = _identity(request, self.kind, name)
        self._authorize(request, "Delete", identity)
        attachments.inline_policy_delete(
            actor=actor_for(request), identity=identity, name=policy_name
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class BoundaryApi(APIView):
    """Put / Delete {User,Role}PermissionsBoundary (iam:PermissionsBoundary in the context)."""

    kind = "user"

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
        identity = _identity(request, self.kind, name)
        data = BoundarySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = _policy_by_arn(request, data.validated_data["PermissionsBoundary"])
        _require(
            request,
            f"iam:Put{LABELS[self.kind]}PermissionsBoundary",
            identity.arn,
            resource_tags=_tags(identity),
            extra={"iam:PermissionsBoundary": policy.arn},
        )
        attachments.permissions_boundary_put(
            actor=actor_for(request), identity=identity, policy=policy
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="DeleteUserPermissionsBoundary / DeleteRolePermissionsBoundary",
        responses={204: None},
    )
    def delete(self, request, name: str):
        identity = _identity(request, self.kind, name)
        current = identity.permissions_boundary
        _require(
            request,
            f"iam:Delete{LABELS[self.kind]}PermissionsBoundary",
            identity.arn,
            resource_tags=_tags(identity),
            extra={"iam:PermissionsBoundary": current.arn} if current else None,
        )
        attachments.permissions_boundary_put(
            actor=actor_for(request), identity=identity, policy=None
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
