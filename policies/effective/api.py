"""API of the matrix: effective permissions, who can, freshness, and change previews."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.errors import NoSuchEntity
from accounts.models import Account, IAMUser, Role
from policies.authorization import actor_for
from policies.effective import queries
from policies.effective.changes import resolve
from policies.effective.preview import blast_radius
from policies.permissions import require


def _account(request) -> Account:
    return Account.objects.get(account_id=request.user.account_id)


class FreshnessApi(APIView):
    """Whether the matrix is current, and the progress of a running recompute."""

    @extend_schema(summary="Matrix freshness", responses=dict)
    def get(self, request):
        info = queries.freshness(_account(request).pk)
        return Response(
            {
                "current": info.current,
                "version": info.version,
                "computed_at": info.computed_at,
                "pending_changes": info.pending,
                "progress": {"done": info.job.done, "total": info.job.total} if info.job else None,
            }
        )


class EffectivePermissionsApi(APIView):
    """What a user or role can do: per action, the resources allowed / conditional / denied."""

    @extend_schema(summary="What can this principal do", responses=dict)
    def get(self, request, kind: str, name: str):
        model = {"user": IAMUser, "role": Role}.get(kind)
        subject = (
            model
            and model.objects.select_related("account")
            .filter(account__account_id=request.user.account_id, name__iexact=name)
            .first()
        )
        if subject is None:
            raise NoSuchEntity(f"The {kind} with name {name} cannot be found.")
        require(request, "iam:SimulatePrincipalPolicy", subject.arn, principal=request.user)
        matrix = queries.what_can(
            principal_kind=kind, principal_id=subject.pk, account_pk=subject.account_id
        )
        actions = []
        for row in matrix.rows:
            cells = {c["resource"].arn: c["value"] for c in row["cells"] if c["value"]}
            actions.append(
                {
                    "action": row["action"].name,
                    "access_level": row["action"].access_level,
                    "resources": cells,
                }
            )
        info = queries.freshness(subject.account_id)
        return Response(
            {
                "principal": subject.arn,
                "current": info.current,
                "version": info.version,
                "actions": actions,
            }
        )


class WhoCanApi(APIView):
    """Everyone allowed (or conditionally allowed) an action on a resource, with the path."""

    @extend_schema(
        summary="Who can do an action on a resource",
        parameters=[
            OpenApiParameter("action", str, required=True),
            OpenApiParameter("resource", str, required=True),
        ],
        responses=dict,
    )
    def get(self, request):
        require(request, "iam:GetAccountAuthorizationDetails", "*", principal=request.user)
        account = _account(request)
        rows = queries.who_can(
            account_pk=account.pk,
            action=request.query_params.get("action", ""),
            resource_arn=request.query_params.get("resource", ""),
        )
        info = queries.freshness(account.pk)
        return Response({"current": info.current, "version": info.version, "principals": rows})


class PreviewInputSerializer(serializers.Serializer):
    change = serializers.DictField()


class PreviewApi(APIView):
    """The blast radius of a change before it is saved (authorized as the change itself)."""

    @extend_schema(
        summary="Preview a permission change",
        request=PreviewInputSerializer,
        responses=dict,
        examples=[
            OpenApiExample(
                "New policy version",
                request_only=True,
                value={
                    "change": {
                        "type": "policy_version",
                        "policy_arn": "arn:aws:iam::111122223333:policy/BrokerOperatorByTeam",
                        "document": {
                            "Version": "2012-10-17",
                            "Statement": [{"Effect": "Allow", "Action": "mq:*", "Resource": "*"}],
                        },
                    }
                },
            )
        ],
    )
    def post(self, request):
        data = PreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = _account(request)
        change = resolve(account, actor_for(request), data.validated_data["change"])
        require(
            request,
            change.action,
            change.resource_arn,
            principal=request.user,
            extra=change.extra_context,
        )
        return Response(blast_radius(account, change.apply).to_dict())
