"""Managed policies as the policy pages and API list them, and who they apply to."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accounts.models import IAMUser, Role
from accounts.principals import Principal
from policies.models import ManagedPolicy, PolicyAttachment, PolicyVersion


def _count_subquery(queryset, field: str):
    """A correlated COUNT of ``queryset`` rows whose ``field`` is the outer policy."""
    return Coalesce(
        Subquery(
            queryset.filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=Func(F("pk"), function="COUNT"))
            .values("n")
        ),
        0,
    )


def _in_account(account_id: str):
    """Attachments whose user, group or role is in the account (AWS managed ones are shared)."""
    return (
        Q(user__account__account_id=account_id)
        | Q(group__account__account_id=account_id)
        | Q(role__account__account_id=account_id)
    )


def managed_policy_list(*, principal: Principal):
    """AWS managed policies and the account's own, with AWS's ListPolicies counts (one query).

    ``attachment_count`` and ``boundary_count`` count only this account's users, groups and
    roles, since AWS managed policies are shared by every account.
    """
    account_id = principal.account_id
    default_version = PolicyVersion.objects.filter(policy=OuterRef("pk"), is_default=True)
    return (
        ManagedPolicy.objects.filter(Q(account__account_id=account_id) | Q(account__isnull=True))
        .select_related("account")
        .annotate(
            attachment_count=_count_subquery(
                PolicyAttachment.objects.filter(_in_account(account_id)), "policy"
            ),
            boundary_count=_count_subquery(
                IAMUser.objects.filter(account__account_id=account_id), "permissions_boundary"
            )
            + _count_subquery(
                Role.objects.filter(account__account_id=account_id), "permissions_boundary"
            ),
            default_version_id=Subquery(default_version.values("version_id")[:1]),
        )
        .annotate(usage_count=F("attachment_count") + F("boundary_count"))
        .order_by("name")
    )


def managed_policy_get(*, principal: Principal, policy_id: str):
    """One policy visible to the principal by its PolicyId (ANPA…), with the list's counts."""
    return managed_policy_list(principal=principal).filter(unique_id=policy_id).first()


def managed_policy_by_arn(*, principal: Principal, arn: str):
    """One policy visible to the principal by ARN, or None."""
    name = arn.rsplit("/", 1)[-1]
    for policy in managed_policy_list(principal=principal).filter(name=name):
        if policy.arn == arn:
            return policy
    return None


@dataclass(frozen=True)
class PolicyEntities:
    """Who a managed policy applies to in one account (AWS ListEntitiesForPolicy)."""

    users: list
    groups: list
    roles: list
    boundary_users: list
    boundary_roles: list

    @property
    def attachment_count(self) -> int:
        return len(self.users) + len(self.groups) + len(self.roles)

    @property
    def boundary_count(self) -> int:
        return len(self.boundary_users) + len(self.boundary_roles)


def policy_entities(*, policy, account_id: str) -> PolicyEntities:
    """The account's users, groups and roles the policy is attached to or bounds (3 queries)."""
    users, groups, roles = [], [], []
    attachments = (
        PolicyAttachment.objects.filter(_in_account(account_id), policy=policy)
        .select_related("user__account", "group__account", "role__account")
        .order_by("created_at", "pk")
    )
    for attachment in attachments:
        if attachment.user_id:
            users.append(attachment.user)
        elif attachment.group_id:
            groups.append(attachment.group)
        else:
            roles.append(attachment.role)
    boundary_users = list(
        IAMUser.objects.filter(permissions_boundary=policy, account__account_id=account_id)
        .select_related("account")
        .order_by("name")
    )
    boundary_roles = list(
        Role.objects.filter(permissions_boundary=policy, account__account_id=account_id)
        .select_related("account")
        .order_by("name")
    )
    key = lambda entity: entity.name.lower()  # noqa: E731
    return PolicyEntities(
        sorted(users, key=key),
        sorted(groups, key=key),
        sorted(roles, key=key),
        boundary_users,
        boundary_roles,
    )
