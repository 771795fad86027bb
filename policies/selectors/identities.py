"""Users, groups and roles for the policy pages: lookups, policies, last use."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max

from accounts.models import AuditEvent, Group, IAMUser, Role
from accounts.principals import Principal
from policies.models import InlinePolicy, PolicyAttachment


@dataclass(frozen=True)
class PermissionRow:
    """One policy that applies to an identity, and how it applies."""

    policy_name: str
    policy_arn: str
    policy_type: str  # AWS managed | Customer managed | Inline
    attached_via: str  # Directly | Group NAME
    version_id: str


def user_permissions(user) -> dict:
    """What the user's permissions page lists: policies by attachment path, and the boundary."""
    rows = []
    for inline in InlinePolicy.objects.filter(user=user).order_by("name"):
        rows.append(PermissionRow(inline.name, "", "Inline", "Directly", ""))
    attachments = (
        PolicyAttachment.objects.filter(user=user)
        .select_related("policy__account")
        .prefetch_related("policy__versions")
        .order_by("policy__name")
    )
    for attachment in attachments:
        rows.append(_managed_row(attachment.policy, "Directly"))
    memberships = user.memberships.select_related("group").order_by("group__name")
    group_ids = [m.group_id for m in memberships]
    names = {m.group_id: m.group.name for m in memberships}
    for inline in InlinePolicy.objects.filter(group_id__in=group_ids).order_by("name"):
        rows.append(PermissionRow(inline.name, "", "Inline", f"Group {names[inline.group_id]}", ""))
    for attachment in (
        PolicyAttachment.objects.filter(group_id__in=group_ids)
        .select_related("policy__account")
        .prefetch_related("policy__versions")
        .order_by("policy__name")
    ):
        rows.append(_managed_row(attachment.policy, f"Group {names[attachment.group_id]}"))
    boundary = user.permissions_boundary
    return {"rows": rows, "boundary": boundary}


def _managed_row(policy, via: str) -> PermissionRow:
    version = next((v.version_id for v in policy.versions.all() if v.is_default), "")
    return PermissionRow(
        policy.name,
        policy.arn,
        "AWS managed" if policy.is_aws_managed else "Customer managed",
        via,
        version,
    )


def access_advisor(user) -> list[dict]:
    """Per action, when the user last performed it successfully (from the audit trail)."""
    return list(
        AuditEvent.objects.filter(principal_arn=user.arn, decision="allowed")
        .exclude(action__startswith="console:")
        .exclude(action__startswith="signin:")
        .values("action")
        .annotate(last_used=Max("time"), count=Count("id"))
        .order_by("-last_used")[:200]
    )


IDENTITY_KINDS = ("user", "group", "role")


def identity_get(*, principal: Principal, kind: str, name: str):
    """A user, group or role of the principal's account by name (case-insensitive), or None."""
    model = {"user": IAMUser, "group": Group, "role": Role}.get(kind)
    if model is None:
        return None
    related = ["account"] if kind == "group" else ["account", "permissions_boundary__account"]
    return (
        model.objects.select_related(*related)
        .filter(account__account_id=principal.account_id, name__iexact=name)
        .first()
    )


def identity_inline_policies(*, identity) -> list:
    """An identity's inline policies by name (documents included, for the size sum)."""
    kind = identity.arn_kind
    return list(InlinePolicy.objects.filter(**{kind: identity}).order_by("name"))


def identity_names(*, principal: Principal) -> dict[str, list[str]]:
    """Names of the account's users, groups and roles that accept policies (three queries)."""
    account_id = principal.account_id
    # Service-linked roles are modifiable only by AWS, so they are never offered.
    querysets = {
        "user": IAMUser.objects.all(),
        "group": Group.objects.all(),
        "role": Role.objects.filter(is_service_linked=False),
    }
    return {
        kind: list(
            queryset.filter(account__account_id=account_id)
            .order_by("name")
            .values_list("name", flat=True)
        )
        for kind, queryset in querysets.items()
    }
