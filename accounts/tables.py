"""Tables of console lists (sortable columns, server-side pagination)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html


def _age(value) -> str:
    if value is None:
        return "—"
    days = (timezone.now() - value).days
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''}"


class UserTable(tables.Table):
    name = tables.Column(verbose_name="User name", order_by=("name",))
    path = tables.Column()
    group_count = tables.Column(verbose_name="Groups")
    has_mfa = tables.BooleanColumn(verbose_name="MFA", yesno="✓,✗")
    oldest_key_created = tables.Column(verbose_name="Access key age")
    last_activity = tables.Column(verbose_name="Last activity")
    created_at = tables.DateTimeColumn(verbose_name="Created", format="Y-m-d")

    class Meta:
        attrs = {"class": "table table-hover align-middle mb-0"}
        order_by = ("name",)
        empty_text = "No users match these filters."

    def render_name(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("user-detail", args=[record.name]), record.name
        )

    def render_oldest_key_created(self, value):
        return _age(value)

    def render_last_activity(self, value):
        return f"{_age(value)} ago" if value else "never"
