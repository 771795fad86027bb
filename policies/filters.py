"""FilterSets shared by the policy pages and the policy API (one definition, two adapters)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from config.forms import ConsoleForm
from policies.models import ManagedPolicy

TYPE_CHOICES = (("aws", "AWS managed"), ("customer", "Customer managed"))
USAGE_CHOICES = (
    ("permissions", "Permissions policy"),
    ("boundary", "Permissions boundary"),
    ("unused", "Not used"),
)


class ManagedPolicyFilter(django_filters.FilterSet):
    """ListPolicies filters: type (Scope), usage (PolicyUsageFilter), attachments, name, path.

    Works on ``policies.selectors.managed_policy_list``, whose annotations it filters on.
    """

    search = django_filters.CharFilter(method="filter_search", label="Search")
    type = django_filters.ChoiceFilter(
        choices=TYPE_CHOICES, method="filter_type", empty_label="Any type", label="Type"
    )
    used = django_filters.ChoiceFilter(
        choices=(("true", "In use"), ("false", "Not used")),
        method="filter_used",
        empty_label="Any",
        label="In use",
    )
    usage = django_filters.ChoiceFilter(
        choices=USAGE_CHOICES, method="filter_usage", empty_label="Any use", label="Used as"
    )
    attachments_min = django_filters.NumberFilter(
        field_name="attachment_count", lookup_expr="gte", label="Min. attachments", min_value=0
    )
    attachments_max = django_filters.NumberFilter(
        field_name="attachment_count", lookup_expr="lte", label="Max. attachments", min_value=0
    )
    path = django_filters.CharFilter(
        field_name="path", lookup_expr="startswith", label="Path prefix"
    )

    class Meta:
        model = ManagedPolicy
        fields = ["search", "type", "used", "usage", "attachments_min", "attachments_max", "path"]
        form = ConsoleForm

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))

    def filter_type(self, queryset, name, value):
        return queryset.filter(is_aws_managed=(value == "aws"))

    def filter_used(self, queryset, name, value):
        if value == "true":
            return queryset.filter(usage_count__gt=0)
        return queryset.filter(usage_count=0)

    def filter_usage(self, queryset, name, value):
        if value == "permissions":
            return queryset.filter(attachment_count__gt=0)
        if value == "boundary":
            return queryset.filter(boundary_count__gt=0)
        return queryset.filter(usage_count=0)
