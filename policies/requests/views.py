"""Access-request pages of the requester: the form with its live preview, my requests, a
request's page with its history, extending and cancelling; and the notifications list.

Asking needs no IAM permission beyond being signed in (it changes nothing by itself); what
a page shows of someone else's request is decided by IAM (``eligibility``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django_tables2 import RequestConfig

from accounts.errors import IAMError, NoSuchEntity
from accounts.forms import apply_service_error
from accounts.selectors import account_of
from brokers.models import Broker, Configuration
from policies.authorization import actor_for
from policies.permissions import check, context_for_request, render_denied
from policies.requests import eligibility, rules, selectors
from policies.requests.filters import AccessRequestFilter
from policies.requests.forms import (
    PERMANENT,
    AccessRequestForm,
    ExtendForm,
    RequestSettingsForm,
)
from policies.requests.notify import mark_read
from policies.requests.preview import preview_request, stored_report
from policies.requests.synthesis import CUSTOM, INTENTS, Target
from policies.requests.tables import AccessRequestTable, status_badge
from policies.services import requests as services

# How each history verb reads, and its icon (Bootstrap Icons).
VERBS = {
    "submitted": ("Submitted", "send"),
    "resubmitted": ("Changed and resubmitted", "arrow-repeat"),
    "narrowed": ("Narrowed by an approver", "funnel"),
    "approval": ("Approval recorded", "check"),
    "approved": ("Approved: policy applied", "check-circle"),
    "denied": ("Denied", "x-circle"),
    "changes_requested": ("Changes requested", "pencil-square"),
    "cancelled": ("Cancelled by the requester", "slash-circle"),
    "expired": ("Expired", "hourglass-bottom"),
    "revoked": ("Revoked: policy removed", "shield-x"),
    "extension_requested": ("Extension requested", "clock-history"),
    "extended": ("Extension approved", "clock"),
    "extension_denied": ("Extension denied", "x-circle"),
    "extension_cancelled": ("Extension withdrawn", "slash-circle"),
}


def history(access_request) -> list:
    """The request's events with the label and icon each is shown with."""
    events = list(access_request.events.all())
    for event in events:
        event.label, event.icon = VERBS.get(event.verb, (event.verb, "dot"))
    return events


def get_request_or_404(request, request_id: str):
    try:
        return selectors.access_request_get(principal=request.principal, request_id=request_id)
    except NoSuchEntity as missing:
        raise Http404(missing.message) from missing


def can_see(request, access_request):
    """None when the principal may see the request, else the denial to render."""
    principal = request.principal
    if eligibility.is_requester(principal, access_request) or principal.is_root:
        return None
    identity = access_request.identity
    result = check(
        request,
        eligibility.grant_action(access_request.requester_kind),
        identity.arn,
    )
    return None if result.allowed else result


def _form(request, data=None, initial=None):
    account = account_of(request.principal)
    return AccessRequestForm(
        data,
        initial=initial,
        brokers=Broker.objects.filter(account=account).select_related("account").order_by("name"),
        configurations=Configuration.objects.filter(account=account)
        .select_related("account")
        .order_by("name"),
        allow_permanent=rules.request_settings(account).allow_permanent,
    )


def initial_from_denial(request) -> dict:
    """What a denial's "Request access" link pre-fills: that action, on that resource."""
    action, resource = request.GET.get("action", ""), request.GET.get("resource", "")
    initial: dict = {"intent": next(iter(INTENTS)), "duration": "8"}
    if action:
        initial.update(intent=CUSTOM, actions=[action])
        initial["justification"] = f"I was denied {action} and need it to "
    if resource and resource != "*":
        kind = resource.split(":", 5)[5].partition(":")[0] if resource.count(":") >= 5 else ""
        if ":mq:" in resource and kind == "broker":
            initial["brokers"] = [resource]
        elif ":mq:" in resource and kind == "configuration":
            initial["configurations"] = [resource]
        else:
            initial["resource_arn"] = resource
    return initial


def _preview_for(request, form):
    """The preview of a bound form (or of its initial data)."""
    if form.is_bound:
        if not form.is_valid() and not form.cleaned_data.get("intent"):
            return None
        data = form.cleaned_data
    else:
        data = dict(form.initial)
        data["targets"] = [Target("arn", arn=a) for a in data.get("brokers", [])]
        data["targets"] += [Target("arn", arn=a) for a in data.get("configurations", [])]
        if data.get("resource_arn"):
            data["targets"].append(Target("arn", arn=data["resource_arn"]))
        duration = data.get("duration", "8")
        data["duration_hours"] = None if duration == PERMANENT else int(duration)
    return preview_request(
        principal=request.principal,
        intent=data.get("intent", ""),
        actions=data.get("actions") or [],
        targets=data.get("targets") or [],
        duration_hours=data.get("duration_hours"),
    )


class AccessRequestCreateView(View):
    """Ask for access (any signed-in user or role session); pre-filled from a denial."""

    template_name = "requests/request_form.html"

    def _render(self, request, form, *, access_request=None, status=200):
        context = {
            "form": form,
            "intents": INTENTS.values(),
            "action_groups": form.action_groups(),
            "preview": _preview_for(request, form),
            "access_request": access_request,
            "root": request.principal.is_root,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(request, _form(request, initial=initial_from_denial(request)))

    def post(self, request):
        form = _form(request, request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        data = form.cleaned_data
        try:
            created = services.access_request_create(
                actor=actor_for(request),
                principal=request.principal,
                intent=data["intent"],
                actions=data.get("actions") or [],
                targets=data["targets"],
                duration_hours=data["duration_hours"],
                justification=data["justification"],
            )
        except IAMError as error:
            apply_service_error(form, error)
            return self._render(request, form, status=400)
        messages.success(request, f"Request {created.request_id} submitted for review.")
        return redirect(created.get_absolute_url())


class AccessRequestEditView(AccessRequestCreateView):
    """The requester's new version of a request that came back with changes requested."""

    def _own(self, request, request_id):
        req = get_request_or_404(request, request_id)
        if not eligibility.is_requester(request.principal, req) or not req.is_open:
            raise Http404("Only an open request of your own can be changed.")
        return req

    def get(self, request, request_id: str):
        req = self._own(request, request_id)
        initial = {
            "intent": req.intent,
            "actions": req.actions if req.intent == CUSTOM else [],
            "brokers": [t["Arn"] for t in req.targets if ":broker:" in t.get("Arn", "")],
            "configurations": [
                t["Arn"] for t in req.targets if ":configuration:" in t.get("Arn", "")
            ],
            "duration": PERMANENT if req.duration_hours is None else str(req.duration_hours),
            "justification": req.justification,
        }
        tags = [t for t in req.targets if "TagKey" in t]
        if tags:
            initial.update(tag_key=tags[0]["TagKey"], tag_value=tags[0]["TagValue"])
        return self._render(request, _form(request, initial=initial), access_request=req)

    def post(self, request, request_id: str):
        req = self._own(request, request_id)
        form = _form(request, request.POST)
        if not form.is_valid():
            return self._render(request, form, access_request=req, status=400)
        data = form.cleaned_data
        try:
            services.access_request_resubmit(
                actor=actor_for(request),
                principal=request.principal,
                access_request=req,
                intent=data["intent"],
                actions=data.get("actions") or [],
                targets=data["targets"],
                duration_hours=data["duration_hours"],
                justification=data["justification"],
            )
        except IAMError as error:
            apply_service_error(form, error)
            return self._render(request, form, access_request=req, status=400)
        messages.success(request, f"Request {req.request_id} resubmitted for review.")
        return redirect(req.get_absolute_url())


class AccessRequestPreviewView(View):
    """htmx: the generated policy, its findings and summary, as the form changes."""

    def post(self, request):
        form = _form(request, request.POST)
        preview = _preview_for(request, form)
        return render(request, "requests/_preview.html", {"preview": preview})


def _list_context(request, queryset, *, review: bool, default_status: str = ""):
    data = request.GET.copy()
    if default_status and "status" not in data:
        data["status"] = default_status
    request_filter = AccessRequestFilter(data, queryset=queryset)
    table = AccessRequestTable(request_filter.qs, review=review)
    if not review:
        table.exclude = ("requester_arn",)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return {"filter": request_filter, "table": table, "review": review}


class AccessRequestListView(View):
    """My requests: what I asked for and where each stands."""

    def get(self, request):
        queryset = selectors.access_request_list_mine(principal=request.principal)
        context = _list_context(request, queryset, review=False)
        return render(request, "requests/request_list.html", context)


class AccessRequestReviewListView(View):
    """Requests to review: those of identities IAM allows me to grant to, never my own."""

    def get(self, request):
        queryset = selectors.access_request_list_review(
            principal=request.principal, context=context_for_request(request, request.principal)
        )
        context = _list_context(request, queryset, review=True, default_status="awaiting")
        return render(request, "requests/request_list.html", context)


class AccessRequestDetailView(View):
    """A request: what was asked, the policy, its history, and the next steps."""

    def get(self, request, request_id: str):
        req = get_request_or_404(request, request_id)
        denied = can_see(request, req)
        if denied is not None:
            return render_denied(request, denied)
        principal = request.principal
        mark_read(principal, req)
        requester = eligibility.is_requester(principal, req)
        context = {
            "req": req,
            "status_badge": status_badge(req),
            "targets": [Target.from_dict(t) for t in req.targets],
            "intent": INTENTS.get(req.intent),
            "report": stored_report(req),
            "events": history(req),
            "approvals": req.approvals.filter(round=req.round),
            "is_requester": requester,
            "can_review": not requester and not eligibility.is_own_request(principal, req),
            "settings": rules.request_settings(req.account),
            "extend_form": ExtendForm() if requester else None,
        }
        return render(request, "requests/request_detail.html", context)


class AccessRequestCancelView(View):
    """The requester withdraws an open request (or a pending extension)."""

    def post(self, request, request_id: str):
        req = get_request_or_404(request, request_id)
        try:
            services.access_request_cancel(
                actor=actor_for(request), principal=request.principal, access_request=req
            )
        except IAMError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Request {req.request_id} cancelled.")
        return redirect(req.get_absolute_url())


class AccessRequestExtendView(View):
    """The requester asks for more time; approvers review it like a request."""

    def post(self, request, request_id: str):
        req = get_request_or_404(request, request_id)
        form = ExtendForm(request.POST)
        if form.is_valid():
            try:
                services.access_request_extend(
                    actor=actor_for(request),
                    principal=request.principal,
                    access_request=req,
                    hours=form.cleaned_data["hours"],
                    justification=form.cleaned_data["justification"],
                )
            except IAMError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "Extension requested: the approvers are told.")
                return redirect(req.get_absolute_url())
        else:
            messages.error(request, "Choose how long, and say why you need more time.")
        return redirect(req.get_absolute_url())


class NotificationListView(View):
    """My notifications; opening one marks it read."""

    def get(self, request):
        rows = selectors.notification_list(principal=request.principal)[:100]
        return render(request, "requests/notification_list.html", {"notifications": rows})

    def post(self, request):
        selectors.notification_list(principal=request.principal).filter(
            read_at__isnull=True
        ).update(read_at=timezone.now())
        messages.success(request, "All notifications marked as read.")
        return redirect("notification-list")


class NotificationOpenView(View):
    """Mark one notification read and follow its link."""

    def post(self, request, pk: int):
        row = selectors.notification_list(principal=request.principal).filter(pk=pk).first()
        if row is None:
            raise Http404("No such notification.")
        if row.read_at is None:
            row.read_at = timezone.now()
            row.save(update_fields=["read_at"])
        return redirect(row.link or "notification-list")


class AccessRequestSettingsView(View):
    """The account's rules for requests: anyone may read them; the root user changes them."""

    template_name = "requests/settings.html"

    def _render(self, request, form, status=200):
        return render(request, self.template_name, {"form": form}, status=status)

    def get(self, request):
        current = rules.request_settings(account_of(request.principal))
        form = RequestSettingsForm(
            initial={
                "require_two_approvers": current.require_two_approvers,
                "allow_permanent": current.allow_permanent,
                "pending_expiry_days": current.pending_expiry_days,
            }
        )
        return self._render(request, form)

    def post(self, request):
        form = RequestSettingsForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            services.access_request_settings_update(
                actor=actor_for(request), account=account_of(request.principal), **form.cleaned_data
            )
        except IAMError as error:
            apply_service_error(form, error)
            return self._render(request, form, status=400)
        messages.success(request, "Access request settings saved.")
        return redirect("access-request-settings")
