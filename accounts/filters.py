"""FilterSets shared by console pages and API endpoints."""

from __future__ import annotations

import django_filters

from accounts.models import AuditEvent
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
