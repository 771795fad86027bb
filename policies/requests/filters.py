"""The access-request FilterSet, shared by the console lists and the API."""

from __future__ import annotations

import django_filters

from config.forms import ConsoleForm
from policies.models import AccessRequest
from policies.requests.selectors import AWAITING_REVIEW
from policies.requests.synthesis import CUSTOM, INTENTS

AWAITING = "awaiting"
STATUS_CHOICES = [(AWAITING, "Awaiting review"), *AccessRequest.Status.choices]
INTENT_CHOICES = [(i.key, i.label) for i in INTENTS.values()] + [(CUSTOM, "Specific actions")]


class AccessRequestFilter(django_filters.FilterSet):
    """Status (or "awaiting review": pending, or an extension waiting), intent, requester."""

    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", empty_label="Any status"
    )
    intent = django_filters.ChoiceFilter(choices=INTENT_CHOICES, empty_label="Any need")
    requester = django_filters.CharFilter(
        field_name="requester_arn", lookup_expr="icontains", label="Requester contains"
    )

    class Meta:
        model = AccessRequest
        fields = ["status", "intent", "requester"]
        form = ConsoleForm

    def filter_status(self, queryset, name, value):
        if value == AWAITING:
            return queryset.filter(AWAITING_REVIEW)
        return queryset.filter(status=value)
