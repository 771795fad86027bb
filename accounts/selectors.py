"""Reads of the accounts app, narrowed to the principal's account."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, F, Func, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import (
    AccessKey,
    Account,
    AuditEvent,
    Group,
    GroupMembership,
    IAMUser,
    MFADevice,
    Role,
    RoleSession,
)
from accounts.principals import Principal
from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment


def account_of(principal: Principal) -> Account:
    return Account.objects.get(account_id=principal.account_id)


def audit_event_list(*, principal: Principal) -> QuerySet[AuditEvent]:
    """The audit events of the principal's account, newest first."""
    return AuditEvent.objects.filter(account_id=principal.account_id).order_by("-time", "-id")


def user_list(*, principal: Principal) -> QuerySet[IAMUser]:
    """The account's users with what the list shows: groups, MFA, key age, last activity."""
    mfa = MFADevice.objects.filter(user=OuterRef("pk"), enabled_at__isnull=False)
    return (
        IAMUser.objects.filter(account__account_id=principal.account_id)
        .select_related("account")
        .annotate(
            group_count=Count("memberships", distinct=True),
            has_mfa=Exists(mfa),
            oldest_key_created=Min(
                "access_keys__created_at", filter=Q(access_keys__status=AccessKey.Status.ACTIVE)
            ),
            key_last_used=Max("access_keys__last_used_at"),
        )
        .annotate(
            last_activity=Greatest(
                Coalesce("password_last_used_at", "key_last_used"),
                Coalesce("key_last_used", "password_last_used_at"),
            )
        )
        .order_by("name")
    )


def user_detail(*, principal: Principal, name: str) -> IAMUser | None:
    """One user of the principal's account by name (case-insensitive), or None."""
    return (
        IAMUser.objects.select_related("account", "permissions_boundary__account")
        .filter(account__account_id=principal.account_id, name__iexact=name)
        .first()
    )


def _related_count(model, field: str, *, outer: str = "pk", **filters) -> Coalesce:
    """A correlated COUNT(*) of ``model`` rows whose ``field`` is the outer row's ``outer``.

    Subqueries rather than ``Count`` over joins: several joined counts multiply each other's
    rows, and the list must stay one query however many members or policies there are.
    """
    return Coalesce(
        Subquery(
            model.objects.filter(**{field: OuterRef(outer)}, **filters)
            .order_by()
            .values(field)
            .annotate(n=Func(F("pk"), function="COUNT"))
            .values("n")
        ),
        0,
    )


def group_list(*, principal: Principal) -> QuerySet[Group]:
    """The account's groups with member, attached-policy and inline-policy counts."""
    return (
        Group.objects.filter(account__account_id=principal.account_id)
        .select_related("account")
        .annotate(
            member_count=_related_count(GroupMembership, "group"),
            policy_count=_related_count(PolicyAttachment, "group"),
            inline_policy_count=_related_count(InlinePolicy, "group"),
        )
        .order_by("name")
    )


def role_list(*, principal: Principal) -> QuerySet[Role]:
    """The account's roles with policy counts and active sessions (service-linked included)."""
    return (
        Role.objects.filter(account__account_id=principal.account_id)
        .select_related("account")
        .annotate(
            policy_count=_related_count(PolicyAttachment, "role"),
            inline_policy_count=_related_count(InlinePolicy, "role"),
            active_session_count=_related_count(
                RoleSession, "role", revoked_at__isnull=True, expires_at__gt=timezone.now()
            ),
        )
        .order_by("name")
    )


def group_detail(*, principal: Principal, name: str) -> Group | None:
    """One group of the principal's account by name (case-insensitive), or None."""
    return (
        Group.objects.select_related("account")
        .filter(account__account_id=principal.account_id, name__iexact=name)
        .first()
    )


def group_members(*, group: Group) -> QuerySet[GroupMembership]:
    """The group's memberships with each user's own group count (for the 10-group quota)."""
    return (
        GroupMembership.objects.filter(group=group)
        .select_related("user__account")
        .annotate(user_group_count=_related_count(GroupMembership, "user", outer="user"))
        .order_by("user__name")
    )


def role_detail(*, principal: Principal, name: str) -> Role | None:
    """One role of the principal's account by name (case-insensitive), or None."""
    return (
        Role.objects.select_related("account", "permissions_boundary__account")
        .filter(account__account_id=principal.account_id, name__iexact=name)
        .first()
    )


def role_active_sessions(*, role: Role) -> QuerySet[RoleSession]:
    """The role's sessions that are neither expired nor revoked, newest first."""
    return (
        RoleSession.objects.filter(
            role=role, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("role__account")
        .order_by("-issued_at")
    )


def identity_policies(identity) -> dict:
    """A group's or role's attached managed policies and inline policy names (two queries)."""
    kind = identity.arn_kind
    attached = [
        a.policy
        for a in PolicyAttachment.objects.filter(**{kind: identity})
        .select_related("policy__account")
        .order_by("policy__name")
    ]
    inline = list(
        InlinePolicy.objects.filter(**{kind: identity})
        .order_by("name")
        .values_list("name", flat=True)
    )
    return {"attached": attached, "inline": inline}


def attachable_policies(*, principal: Principal) -> list:
    """Managed policies the account may attach: its own customer ones and AWS managed ones."""
    return list(
        ManagedPolicy.objects.filter(
            Q(account__account_id=principal.account_id) | Q(account__isnull=True)
        )
        # Service-role policies belong to service-linked roles: AWS never lets users attach them.
        .exclude(is_aws_managed=True, path__startswith="/aws-service-role/")
        .select_related("account")
        .order_by("name")
    )


def access_keys_older_than(*, principal: Principal, days: int) -> QuerySet[AccessKey]:
    cutoff = timezone.now() - timedelta(days=days)
    return AccessKey.objects.filter(
        user__account__account_id=principal.account_id,
        status=AccessKey.Status.ACTIVE,
        created_at__lt=cutoff,
    )


def role_recent_assumptions(*, role: Role, limit: int = 20) -> QuerySet[AuditEvent]:
    """The latest sts:AssumeRole attempts on the role (allowed and denied), from the audit."""
    return AuditEvent.objects.filter(
        account_id=role.account.account_id, action="sts:AssumeRole", resource_arn=role.arn
    ).order_by("-time", "-id")[:limit]
