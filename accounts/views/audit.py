"""The audit trail: filters, pagination and CSV export (cloudtrail:LookupEvents)."""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views import View

from accounts.filters import AuditEventFilter
from accounts.selectors import audit_event_list
from policies.permissions import IAMActionMixin

CSV_COLUMNS = [
    "time",
    "account_id",
    "principal_arn",
    "action",
    "resource_arn",
    "decision",
    "error_code",
    "source_ip",
    "user_agent",
    "request_id",
    "message",
]


class _Echo:
    def write(self, value):
        return value


class AuditEventListView(IAMActionMixin, View):
    """Who did what, when, from where; denials included."""

    iam_action = "cloudtrail:LookupEvents"
    template_name = "accounts/audit_list.html"
    page_size = 50

    def get(self, request):
        events = AuditEventFilter(
            request.GET, queryset=audit_event_list(principal=request.principal)
        )
        if request.GET.get("format") == "csv":
            return self._csv(events.qs)
        page = Paginator(events.qs, self.page_size).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            self.template_name,
            {"filter": events, "page": page, "query": query.urlencode()},
        )

    def _csv(self, queryset):
        writer = csv.writer(_Echo())

        def rows():
            yield writer.writerow(CSV_COLUMNS)
            for event in queryset.iterator(chunk_size=2000):
                yield writer.writerow([getattr(event, c) for c in CSV_COLUMNS])

        response = StreamingHttpResponse(rows(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        return response
