"""Tables of the broker and configuration lists (sortable, paginated on the server)."""

from __future__ import annotations

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from brokers import engines
from brokers.templatetags.brokers_tags import mode_label

NOWRAP = {"td": {"class": "text-nowrap"}}
# Columns of less weight show from 1,200 px; below, the rest fits without scrolling sideways.
WIDE_ONLY = {
    "th": {"class": "d-none d-xl-table-cell"},
    "td": {"class": "d-none d-xl-table-cell text-nowrap"},
}


def state_badge(state: str) -> str:
    """The badge of a broker state (also used by the detail page)."""
    return render_to_string("brokers/_state_badge.html", {"state": state})


def tag_badges(tags: dict) -> str:
    if not tags:
        return mark_safe('<span class="text-body-secondary">—</span>')  # a constant
    return format_html_join(
        " ",
        '<span class="badge rounded-pill text-bg-light border tag-badge">{}={}</span>',
        sorted(tags.items()),
    )


# A long name is truncated with the full one on hover, so the other columns stay on screen.
NAME_WITH_ID = (
    '<a class="name-truncate" href="{}" title="{}">{}</a>'
    '<div class="font-monospace-sm text-body-secondary text-nowrap small">{}</div>'
)


class BrokerTable(tables.Table):
    name = tables.Column(verbose_name="Broker name", order_by=("name",))
    state = tables.Column(verbose_name="Status", attrs=NOWRAP)
    engine_type = tables.Column(verbose_name="Engine", order_by=("engine_type", "engine_version"))
    deployment_mode = tables.Column(verbose_name="Deployment mode", attrs=WIDE_ONLY)
    host_instance_type = tables.Column(verbose_name="Instance type", attrs=NOWRAP)
    pending_user_count = tables.Column(verbose_name="Pending changes", orderable=False)
    tags = tables.Column(verbose_name="Tags", orderable=False)
    region = tables.Column(attrs=WIDE_ONLY)
    created_at = tables.DateTimeColumn(verbose_name="Created", format="Y-m-d", attrs=WIDE_ONLY)

    class Meta:
        attrs = {"class": "table table-hover align-middle mb-0", "id": "broker-table"}
        order_by = ("name",)
        empty_text = "No brokers match these filters."

    def render_name(self, record):
        return format_html(
            NAME_WITH_ID,
            reverse("broker-detail", args=[record.broker_id]),
            record.name,
            record.name,
            record.broker_id,
        )

    def render_state(self, record):
        # record.state, not value: django-tables2 passes a choice field's display label.
        return mark_safe(state_badge(record.state))  # rendered by a template, escaped there

    def render_engine_type(self, record):
        return f"{engines.engine_label(record.engine_type)} {record.engine_version}"

    def render_deployment_mode(self, record):
        return mode_label(record.deployment_mode)

    def render_pending_user_count(self, record):
        count = record.pending_user_count + (1 if record.pending else 0)
        if not count:
            return "—"
        return format_html('<span class="badge text-bg-warning">{} pending</span>', count)

    def render_tags(self, value):
        return tag_badges(value)


class ConfigurationTable(tables.Table):
    name = tables.Column(verbose_name="Configuration name", order_by=("name",))
    engine_type = tables.Column(verbose_name="Engine", order_by=("engine_type", "engine_version"))
    latest_revision = tables.Column(verbose_name="Latest revision")
    broker_count = tables.Column(verbose_name="Brokers")
    tags = tables.Column(orderable=False)
    created_at = tables.DateTimeColumn(verbose_name="Created", format="Y-m-d H:i")

    class Meta:
        attrs = {"class": "table table-hover align-middle mb-0"}
        order_by = ("name",)
        empty_text = "No configurations match these filters."

    def render_name(self, record):
        return format_html(
            NAME_WITH_ID,
            reverse("configuration-detail", args=[record.configuration_id]),
            record.name,
            record.name,
            record.configuration_id,
        )

    def render_engine_type(self, record):
        return f"{engines.engine_label(record.engine_type)} {record.engine_version}"

    def render_tags(self, value):
        return tag_badges(value)
