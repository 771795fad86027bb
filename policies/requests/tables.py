"""Tables of the access-request lists (sortable, paginated on the server)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from policies.requests.filters import INTENT_CHOICES

INTENT_LABELS = dict(INTENT_CHOICES)
STATUS_STYLES = {
    "pending": "text-bg-warning",
    "changes_requested": "text-bg-info",
    "approved": "text-bg-success",
    "denied": "text-bg-danger",
    "cancelled": "text-bg-secondary",
    "expired": "text-bg-secondary",
    "revoked": "text-bg-dark",
}
NOWRAP = {"td": {"class": "text-nowrap"}}


def status_badge(record) -> str:
    label = record.get_status_display()
    badge = format_html(
        '<span class="badge {}">{}</span>', STATUS_STYLES.get(record.status, ""), label
    )
    if record.extension_pending:
        badge = format_html('{} <span class="badge text-bg-warning">extension asked</span>', badge)
    return badge


class AccessRequestTable(tables.Table):
    request_id = tables.Column(verbose_name="Request", attrs=NOWRAP)
    requester_arn = tables.Column(verbose_name="Requester")
    intent = tables.Column(verbose_name="Need")
    targets = tables.Column(verbose_name="Targets", orderable=False)
    status = tables.Column()
    expires_at = tables.Column(verbose_name="Access until", empty_values=(), attrs=NOWRAP)
    created_at = tables.DateTimeColumn(verbose_name="Submitted", format="Y-m-d H:i", attrs=NOWRAP)

    class Meta:
        attrs = {"class": "table table-hover align-middle mb-0"}
        order_by = ("-created_at",)
        empty_text = "No requests match these filters."

    def __init__(self, *args, review: bool = False, **kwargs):
        self.review = review
        super().__init__(*args, **kwargs)

    def render_request_id(self, record):
        review = self.review and record.awaiting_review
        url = record.get_absolute_url() + ("/review" if review else "")
        return format_html('<a href="{}">{}</a>', url, record.request_id)

    def render_requester_arn(self, record):
        return format_html(
            '<span class="font-monospace-sm text-break">{}</span>', record.requester_arn
        )

    def render_intent(self, record):
        if record.intent in INTENT_LABELS and record.intent != "custom":
            return INTENT_LABELS[record.intent]
        shown = ", ".join(record.actions[:3]) + (" …" if len(record.actions) > 3 else "")
        return format_html('<span class="font-monospace-sm">{}</span>', shown)

    def render_targets(self, record):
        count = len(record.targets)
        return "all resources (*)" if count == 0 else f"{count} target{'s' if count != 1 else ''}"

    def render_status(self, record):
        return status_badge(record)

    def render_expires_at(self, record, value):
        if record.status != "approved":
            return "—"
        return value.strftime("%Y-%m-%d %H:%M") if value else "permanent"
