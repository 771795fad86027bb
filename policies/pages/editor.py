"""The policy editor's live part: findings, size and summary of the text as it is typed."""

from __future__ import annotations

from django.shortcuts import render
from django.views import View

from policies.catalog import get_catalog
from policies.permissions import check
from policies.summary import editor_report

VALIDATE_ACTION = "access-analyzer:ValidatePolicy"
ENTITIES = ("user", "group", "role")


def _int(value, default: int = 0) -> int:
    try:
        return max(0, min(int(value), 1_000_000))
    except (TypeError, ValueError):
        return default


def editor_context(request, text: str, *, entity: str | None = None, other_size: int = 0) -> dict:
    """Template context of the editor: the report, or the denial of ValidatePolicy.

    The console validates as AWS's console does, by calling Access Analyzer's ValidatePolicy,
    so a principal without that permission edits without live findings.
    """
    result = check(request, VALIDATE_ACTION, "*")
    report = None
    if result.allowed:
        report = editor_report(
            text, "identity", get_catalog(), entity=entity, other_size=other_size
        )
    return {
        "report": report,
        "validation_denied": None if result.allowed else result,
        "editor_entity": entity or "",
        "editor_other_size": other_size,
        "editor_rows": max(18, text.count("\n") + 2),
        "editor_lines": range(1, text.count("\n") + 2),
    }


class PolicyValidateView(View):
    """htmx: the editor's findings (with lines), size meter, summary and line gutter."""

    def post(self, request):
        text = request.POST.get("document", "").replace("\r\n", "\n")
        entity = request.POST.get("editor_entity") or None
        if entity not in ENTITIES:
            entity = None
        other_size = _int(request.POST.get("editor_other_size")) if entity else 0
        context = editor_context(request, text, entity=entity, other_size=other_size)
        context["oob"] = True
        status = 403 if context["validation_denied"] else 200
        return render(request, "policies/_editor_feedback.html", context, status=status)
