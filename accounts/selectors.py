"""Reads of the accounts app, narrowed to the principal's account."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import (
    AccessKey,
    Account,
    AuditEvent,
    Group,
    IAMUser,
    MFADevice,
    Role,
)
from accounts.principals import Principal


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


def group_list(*, principal: Principal) -> QuerySet[Group]:
    return (
        Group.objects.filter(account__account_id=principal.account_id)
        .select_related("account")
        .annotate(member_count=Count("memberships"))
        .order_by("name")
    )


def role_list(*, principal: Principal) -> QuerySet[Role]:
    return (
        Role.objects.filter(account__account_id=principal.account_id)
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
