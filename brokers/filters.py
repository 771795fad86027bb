"""FilterSets shared by the broker and configuration pages and the native API."""

from __future__ import annotations

import django_filters

from brokers import engines
from brokers.models import Broker, Configuration
from config.forms import ConsoleForm


def _choices(enum_name: str) -> list[tuple[str, str]]:
    return [(value, value.replace("_", " ").title()) for value in engines.enum(enum_name)]


def _filter_tag(queryset, name, value):
    key, sep, tag_value = value.partition("=")
    if sep:
        return queryset.filter(tags__contains={key.strip(): tag_value.strip()})
    return queryset.filter(tags__has_key=key.strip())


class BrokerFilter(django_filters.FilterSet):
    """Broker list filters: name, state, engine, deployment mode, region, tag."""

    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Search by name"
    )
    state = django_filters.ChoiceFilter(
        choices=lambda: _choices("BrokerState"), empty_label="Any state"
    )
    engine = django_filters.ChoiceFilter(
        label="Engine",
        field_name="engine_type",
        choices=lambda: [(e, engines.engine_label(e)) for e in engines.engine_types()],
        empty_label="Any engine",
    )
    mode = django_filters.ChoiceFilter(
        label="Deployment mode",
        field_name="deployment_mode",
        choices=lambda: _choices("DeploymentMode"),
        empty_label="Any mode",
    )
    region = django_filters.CharFilter(field_name="region", label="Region")
    tag = django_filters.CharFilter(method="filter_tag", label="Tag (key or key=value)")

    class Meta:
        model = Broker
        fields = ["search", "state", "engine", "mode", "region", "tag"]
        form = ConsoleForm

    def filter_tag(self, queryset, name, value):
        return _filter_tag(queryset, name, value)


class ConfigurationFilter(django_filters.FilterSet):
    """Configuration list filters: name, engine, tag."""

    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Search by name"
    )
    engine = django_filters.ChoiceFilter(
        field_name="engine_type",
        choices=lambda: [(e, engines.engine_label(e)) for e in engines.engine_types()],
        empty_label="Any engine",
    )
    tag = django_filters.CharFilter(method="filter_tag", label="Tag (key or key=value)")

    class Meta:
        model = Configuration
        fields = ["search", "engine", "tag"]
        form = ConsoleForm

    def filter_tag(self, queryset, name, value):
        return _filter_tag(queryset, name, value)
