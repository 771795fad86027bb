"""FilterSets shared by console pages and API endpoints."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone

from accounts.models import AuditEvent, IAMUser
from config.forms import ConsoleForm


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
    since = django_filters.IsoDateTimeFilter(
        field_name="time", lookup_expr="gte", label="From (ISO 8601)"
    )
    until = django_filters.IsoDateTimeFilter(
        field_name="time", lookup_expr="lt", label="Until (ISO 8601)"
    )

    class Meta:
        model = AuditEvent
        fields = ["principal", "action", "resource", "decision", "since", "until"]
        form = ConsoleForm


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
    mfa = django_filters.BooleanFilter(
        field_name="has_mfa", label="MFA enabled", widget=django_filters.widgets.BooleanWidget()
    )
    key_older_than_days = django_filters.NumberFilter(
        method="filter_key_age", label="Active key older than (days)", min_value=0
    )
    inactive_days = django_filters.NumberFilter(
        method="filter_inactive", label="No activity for (days)", min_value=0
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
