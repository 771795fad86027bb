"""Tables of console lists (sortable columns, server-side pagination)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.services.trust import trusted_entities_summary


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
            '<a class="name-truncate" href="{}" title="{}">{}</a>',
            reverse("user-detail", args=[record.name]),
            record.name,
            record.name,
        )

    def render_oldest_key_created(self, value):
        return _age(value)

    def render_last_activity(self, value):
        if not value:
            return "never"
        age = _age(value)
        return age if age == "today" else f"{age} ago"


def _aria_sort(bound_column):
    """``aria-sort`` on the header of the column the list is sorted by (screen readers)."""
    if not bound_column.is_ordered:
        return None
    return "descending" if bound_column.order_by_alias.is_descending else "ascending"


NOWRAP = {"td": {"class": "text-nowrap"}}
# Columns of less weight show from 1,200 px; below, the rest fits without scrolling sideways.
WIDE_ONLY = {
    "th": {"class": "d-none d-xl-table-cell"},
    "td": {"class": "d-none d-xl-table-cell text-nowrap"},
}


class GroupTable(tables.Table):
    name = tables.Column(verbose_name="Group name", order_by=("name",))
    path = tables.Column()
    member_count = tables.Column(verbose_name="Users")
    policy_count = tables.Column(verbose_name="Attached policies")
    inline_policy_count = tables.Column(verbose_name="Inline policies")
    created_at = tables.DateTimeColumn(verbose_name="Created", format="Y-m-d", attrs=NOWRAP)

    class Meta:
        attrs = {"class": "table table-hover align-middle mb-0", "th": {"aria-sort": _aria_sort}}
        order_by = ("name",)
        empty_text = "No groups match these filters."

    def render_name(self, record):
        return format_html(
            '<a class="name-truncate" href="{}" title="{}">{}</a>',
            reverse("group-detail", args=[record.name]),
            record.name,
            record.name,
        )


class RoleTable(tables.Table):
    name = tables.Column(verbose_name="Role name", order_by=("name",))
    path = tables.Column(attrs=WIDE_ONLY)
    trusted = tables.Column(
        verbose_name="Trusted entities", accessor="trust_policy", orderable=False
    )
    policy_count = tables.Column(verbose_name="Policies")
    active_session_count = tables.Column(verbose_name="Sessions")
    last_used_at = tables.Column(verbose_name="Last used", default="never", attrs=NOWRAP)
    created_at = tables.DateTimeColumn(verbose_name="Created", format="Y-m-d", attrs=WIDE_ONLY)

    class Meta:
        attrs = {"class": "table table-hover align-middle mb-0", "th": {"aria-sort": _aria_sort}}
        order_by = ("name",)
        empty_text = "No roles match these filters."

    def render_name(self, record):
        link = format_html(
            '<a class="name-truncate" href="{}" title="{}">{}</a>',
            reverse("role-detail", args=[record.name]),
            record.name,
            record.name,
        )
        if record.is_service_linked:
            return format_html(
                '{} <span class="badge text-bg-secondary">Service-linked</span>', link
            )
        return link

    def render_trusted(self, value):
        return trusted_entities_summary(value)

    def render_last_used_at(self, value):
        return f"{_age(value)} ago" if value else "never"
