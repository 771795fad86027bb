"""FilterSets shared by console pages and API endpoints."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import AuditEvent, Group, IAMUser, Role
from config.forms import ConsoleForm

# Day counts beyond this would reach before year 1 and overflow the date arithmetic.
MAX_DAYS = 36_500


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601 with an offset PostgreSQL accepts (within ±15:59) and a year it can store."""

    def strptime(self, value, format):
        parsed = super().strptime(value, format)
        offset = parsed.utcoffset()
        if offset is not None and abs(offset) >= timedelta(hours=16):
            raise ValueError("UTC offset out of range")
        return parsed


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class AuditEventFilter(django_filters.FilterSet):
    """Audit trail filters: principal, action, resource, decision, time range."""

    principal = django_filters.CharFilter(
        field_name="principal_arn", lookup_expr="icontains", label="Principal ARN contains"
    )
    action = django_filters.CharFilter(
        field_name="action", lookup_expr="icontains", label="Action contains"
    )
    resource = django_filters.CharFilter(
        field_name="resource_arn", lookup_expr="icontains", label="Resource contains"
    )
    decision = django_filters.ChoiceFilter(
        choices=AuditEvent.Decision.choices, empty_label="Any decision"
    )
    since = BoundedIsoDateTimeFilter(field_name="time", lookup_expr="gte", label="From (ISO 8601)")
    until = BoundedIsoDateTimeFilter(field_name="time", lookup_expr="lt", label="Until (ISO 8601)")

    class Meta:
        model = AuditEvent
        fields = ["principal", "action", "resource", "decision", "since", "until"]
        form = ConsoleForm


class MfaWidget(django_filters.widgets.BooleanWidget):
    """Django's boolean widget calls "no filter" Unknown; here it means every user."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", "Any"), ("true", "Enabled"), ("false", "Not enabled")]


class UserFilter(django_filters.FilterSet):
    """User list filters (UI and API): name search, path, group, tag, MFA, key age, activity."""

    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Search by name"
    )
    path = django_filters.CharFilter(
        field_name="path", lookup_expr="startswith", label="Path prefix"
    )
    group = django_filters.CharFilter(
        field_name="groups__name", lookup_expr="iexact", label="Group", distinct=True
    )
    tag = django_filters.CharFilter(method="filter_tag", label="Tag (key or key=value)")
    mfa = django_filters.BooleanFilter(field_name="has_mfa", label="MFA", widget=MfaWidget())
    key_older_than_days = django_filters.NumberFilter(
        method="filter_key_age",
        label="Active key older than (days)",
        min_value=0,
        max_value=MAX_DAYS,
    )
    inactive_days = django_filters.NumberFilter(
        method="filter_inactive",
        label="No activity for (days)",
        min_value=0,
        max_value=MAX_DAYS,
    )

    class Meta:
        model = IAMUser
        fields = ["search", "path", "group", "tag", "mfa", "key_older_than_days", "inactive_days"]
        form = ConsoleForm

    def filter_tag(self, queryset, name, value):
        key, sep, tag_value = value.partition("=")
        if sep:
            return queryset.filter(tags__contains={key: tag_value})
        return queryset.filter(tags__has_key=key)

    def filter_key_age(self, queryset, name, value):
        cutoff = timezone.now() - timedelta(days=int(value))
        return queryset.filter(oldest_key_created__lt=cutoff)

    def filter_inactive(self, queryset, name, value):
        cutoff = timezone.now() - timedelta(days=int(value))
        return queryset.filter(Q(last_activity__isnull=True) | Q(last_activity__lt=cutoff))


class GroupFilter(django_filters.FilterSet):
    """Group list filters (UI and API): name search, path prefix, member, attached policy."""

    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Search by name"
    )
    path = django_filters.CharFilter(
        field_name="path", lookup_expr="startswith", label="Path prefix"
    )
    member = django_filters.CharFilter(
        field_name="memberships__user__name", lookup_expr="iexact", label="Has member"
    )
    policy = django_filters.CharFilter(
        field_name="policy_attachments__policy__name",
        lookup_expr="iexact",
        label="Has attached policy (name)",
    )
    empty = django_filters.BooleanFilter(
        method="filter_empty",
        label="Members",
        widget=forms.Select(
            choices=[("", "Any"), ("true", "No members"), ("false", "Has members")]
        ),
    )

    class Meta:
        model = Group
        fields = ["search", "path", "member", "policy", "empty"]
        form = ConsoleForm

    def filter_empty(self, queryset, name, value):
        return queryset.filter(member_count=0) if value else queryset.filter(member_count__gt=0)


class RoleFilter(django_filters.FilterSet):
    """Role list filters (UI and API): name search, path, service-linked, tag, unused."""

    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Search by name"
    )
    path = django_filters.CharFilter(
        field_name="path", lookup_expr="startswith", label="Path prefix"
    )
    service_linked = django_filters.BooleanFilter(
        field_name="is_service_linked",
        label="Type",
        widget=forms.Select(
            choices=[("", "Any"), ("false", "Your roles"), ("true", "Service-linked")]
        ),
    )
    tag = django_filters.CharFilter(method="filter_tag", label="Tag (key or key=value)")
    unused_days = django_filters.NumberFilter(
        method="filter_unused", label="Not used for (days)", min_value=0
    )

    class Meta:
        model = Role
        fields = ["search", "path", "service_linked", "tag", "unused_days"]
        form = ConsoleForm

    def filter_tag(self, queryset, name, value):
        key, sep, tag_value = value.partition("=")
        if sep:
            return queryset.filter(tags__contains={key: tag_value})
        return queryset.filter(tags__has_key=key)

    def filter_unused(self, queryset, name, value):
        cutoff = timezone.now() - timedelta(days=int(value))
        return queryset.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=cutoff))
