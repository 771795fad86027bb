"""Tables of the policy pages (sortable columns, server-side pagination)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


def _aria_sort(bound_column):
    """``aria-sort`` on the header the list is sorted by, for screen readers."""
    if not bound_column.is_ordered:
        return None
    return "descending" if bound_column.order_by_alias.is_descending else "ascending"


# Columns of less weight show from 1,200 px; below, the rest fits without scrolling sideways.
WIDE_ONLY = {
    "th": {"class": "d-none d-xl-table-cell"},
    "td": {"class": "d-none d-xl-table-cell text-nowrap"},
}


class ManagedPolicyTable(tables.Table):
    """ListPolicies as a table: name, type, use, attachments, path, default version, dates."""

    name = tables.Column(verbose_name="Policy name", order_by=("name",))
    type = tables.Column(
        verbose_name="Type", accessor="is_aws_managed", order_by=("-is_aws_managed", "name")
    )
    usage_count = tables.Column(
        verbose_name="Used as",
        order_by=("-usage_count", "name"),
        attrs={"td": {"class": "text-nowrap"}},
    )
    attachment_count = tables.Column(
        verbose_name="Attachments", attrs={"td": {"class": "text-end"}}
    )
    path = tables.Column(verbose_name="Path", attrs=WIDE_ONLY)
    default_version_id = tables.Column(verbose_name="Version", orderable=False, attrs=WIDE_ONLY)
    description = tables.Column(verbose_name="Description", orderable=False)
    updated_at = tables.DateTimeColumn(verbose_name="Updated", format="Y-m-d", attrs=WIDE_ONLY)

    class Meta:
        attrs = {
            "class": "table table-hover align-middle mb-0",
            "th": {"aria-sort": _aria_sort},
        }
        order_by = ("name",)
        empty_text = "No policies match these filters."

    def render_name(self, record):
        return format_html(
            '<a class="name-truncate" href="{}" title="{}">{}</a>',
            reverse("policy-detail", args=[record.unique_id]),
            record.name,
            record.name,
        )

    def render_type(self, value):
        if value:
            return mark_safe(
                '<span class="badge text-bg-secondary"><i class="bi bi-lock" aria-hidden="true">'
                "</i> AWS managed</span>"
            )
        return mark_safe('<span class="badge text-bg-primary">Customer managed</span>')

    def render_usage_count(self, record):
        uses = []
        if record.attachment_count:
            uses.append(("Permissions policy", record.attachment_count))
        if record.boundary_count:
            uses.append(("Permissions boundary", record.boundary_count))
        if not uses:
            return format_html('<span class="text-body-secondary">{}</span>', "Not used")
        return format_html_join(
            mark_safe("<br>"), "{} <span class='text-body-secondary'>({})</span>", uses
        )

    def render_path(self, value):
        return format_html('<span class="font-monospace-sm">{}</span>', value)

    def render_description(self, value):
        if len(value) > 70:
            return format_html('<span title="{}">{}…</span>', value, value[:68].rstrip())
        return value
