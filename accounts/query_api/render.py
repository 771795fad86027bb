"""Entities as the dicts of IAM's output shapes (``User``, ``Role``, ``Policy``…)."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from accounts.models import Account, Group, IAMUser, Role
from accounts.query_api.registry import tags_out
from accounts.services.trust_principals import role_trust_policy_resolved
from policies.models import ManagedPolicy, PolicyVersion


def boundary(entity: IAMUser | Role) -> dict | None:
    """``PermissionsBoundary`` of a user or role, if set."""
    if not entity.permissions_boundary_id:
        return None
    return {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": entity.permissions_boundary.arn,
    }


def user(user: IAMUser, *, full: bool = False) -> dict:
    """``User``: ListUsers leaves out tags and boundary, GetUser/CreateUser include them."""
    out = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.unique_id,
        "Arn": user.arn,
        "CreateDate": user.created_at,
        "PasswordLastUsed": user.password_last_used_at,
    }
    if full:
        out["PermissionsBoundary"] = boundary(user)
        out["Tags"] = tags_out(user.tags) or None
    return out


def group(group: Group) -> dict:
    """``Group``."""
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": group.unique_id,
        "Arn": group.arn,
        "CreateDate": group.created_at,
    }


def role(role: Role, *, full: bool = False) -> dict:
    """``Role``: ListRoles leaves out tags, boundary and last use, as AWS does."""
    out = {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.unique_id,
        "Arn": role.arn,
        "CreateDate": role.created_at,
        "AssumeRolePolicyDocument": role_trust_policy_resolved(role),
        "Description": role.description or None,
        "MaxSessionDuration": role.max_session_duration,
    }
    if full:
        out["PermissionsBoundary"] = boundary(role)
        out["Tags"] = tags_out(role.tags) or None
        last = {"LastUsedDate": role.last_used_at, "Region": role.last_used_region or None}
        out["RoleLastUsed"] = last if role.last_used_at else {}
    return out


def policies_with_counts(account: Account) -> QuerySet[ManagedPolicy]:
    """Managed policies visible to ``account``, with its attachment and boundary counts."""
    mine = (
        Q(attachments__user__account=account)
        | Q(attachments__group__account=account)
        | Q(attachments__role__account=account)
    )
    return (
        ManagedPolicy.objects.filter(Q(account=account) | Q(is_aws_managed=True))
        .select_related("account")
        .annotate(
            attachment_count=Count("attachments", filter=mine, distinct=True),
            user_boundaries=Count(
                "boundary_of_users", filter=Q(boundary_of_users__account=account), distinct=True
            ),
            role_boundaries=Count(
                "boundary_of_roles", filter=Q(boundary_of_roles__account=account), distinct=True
            ),
            default_version_id=Subquery(
                PolicyVersion.objects.filter(policy=OuterRef("pk"), is_default=True).values(
                    "version_id"
                )[:1]
            ),
        )
        .order_by("name", "id")
    )


def policy(policy: ManagedPolicy) -> dict:
    """``Policy``; counts and default version come from ``policies_with_counts``."""
    default_version = getattr(policy, "default_version_id", None)
    if default_version is None:
        default_version = (
            policy.versions.filter(is_default=True).values_list("version_id", flat=True).first()
        )
    return {
        "PolicyName": policy.name,
        "PolicyId": policy.unique_id,
        "Arn": policy.arn,
        "Path": policy.path,
        "DefaultVersionId": default_version,
        "AttachmentCount": getattr(policy, "attachment_count", None),
        "PermissionsBoundaryUsageCount": getattr(policy, "user_boundaries", 0)
        + getattr(policy, "role_boundaries", 0)
        if hasattr(policy, "user_boundaries")
        else None,
        # Service-role policies belong to service-linked roles only.
        "IsAttachable": not (
            policy.is_aws_managed and policy.path.startswith("/aws-service-role/")
        ),
        "Description": policy.description or None,
        "CreateDate": policy.created_at,
        "UpdateDate": policy.updated_at,
        "Tags": tags_out(policy.tags) or None,
    }


def version(version: PolicyVersion, *, document: bool = True) -> dict:
    """``PolicyVersion`` (ListPolicyVersions leaves out the document)."""
    return {
        "Document": version.document if document else None,
        "VersionId": version.version_id,
        "IsDefaultVersion": version.is_default,
        "CreateDate": version.created_at,
    }


def attached(policy: ManagedPolicy) -> dict:
    """``AttachedPolicy``."""
    return {"PolicyName": policy.name, "PolicyArn": policy.arn}
