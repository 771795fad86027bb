"""The reviewer's pages: the review with the blast radius, approve (optionally narrowed),
deny, ask for changes, and ending a grant early.

Each decision is authorized as what it does — ``iam:Put{User,Role}Policy`` on the
requester's identity, ``iam:Delete…Policy`` to revoke — with the real request's context.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from accounts.actors import system_actor
from accounts.errors import IAMError
from brokers.authz import RequestAuthorizer
from policies.authorization import actor_for
from policies.context import IAM_REGION
from policies.effective.preview import blast_radius
from policies.permissions import check, render_denied
from policies.requests import eligibility, rules
from policies.requests.forms import ApproveForm, ReasonForm
from policies.requests.notify import mark_read
from policies.requests.preview import stored_report
from policies.requests.synthesis import INTENTS, Target
from policies.requests.tables import status_badge
from policies.requests.views import get_request_or_404, history
from policies.services import requests as services
from policies.services.attachments import inline_policy_put


def _authz(request):
    return RequestAuthorizer(request, request.principal, IAM_REGION)


def _grant_check(request, req):
    identity = req.identity
    return check(
        request,
        eligibility.grant_action(req.requester_kind),
        identity.arn,
    )


class AccessRequestReviewView(View):
    """Requester, justification, the policy with findings and summary, the blast radius,
    and the decision forms (only for a principal IAM allows to grant it)."""

    template_name = "requests/request_review.html"

    def _render(self, request, req, approve_form=None, reason_form=None, status=200):
        context = {
            "req": req,
            "status_badge": status_badge(req),
            "intent": INTENTS.get(req.intent),
            "targets": [Target.from_dict(t) for t in req.targets],
            "report": stored_report(req),
            "approvals": req.approvals.filter(round=req.round),
            "settings": rules.request_settings(req.account),
            "approve_form": approve_form or ApproveForm(access_request=req),
            "reason_form": reason_form or ReasonForm(),
            "events": history(req),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, request_id: str):
        req = get_request_or_404(request, request_id)
        if eligibility.is_own_request(request.principal, req):
            messages.error(request, "You cannot review your own request: another approver must.")
            return redirect(req.get_absolute_url())
        result = _grant_check(request, req)
        if not result.allowed:
            return render_denied(request, result)
        mark_read(request.principal, req)
        if not req.awaiting_review:
            messages.info(request, f"{req.request_id} is {req.get_status_display().lower()}.")
            return redirect(req.get_absolute_url())
        return self._render(request, req)


class AccessRequestBlastRadiusView(View):
    """htmx: what the requester would gain while the grant lasts (a savepoint, rolled back)."""

    def get(self, request, request_id: str):
        req = get_request_or_404(request, request_id)
        template = "requests/_blast_radius.html"
        result = _grant_check(request, req)
        if not result.allowed:
            return render(request, template, {"error": result.message})
        # Without its expiry condition: the matrix cannot know the time of a future call, so
        # the time-bound policy would show as "conditional"; this shows what the grant gives.
        try:
            synthesis = rules.build_policy(
                req.account,
                actions=req.actions,
                targets=rules.parse_targets(req.targets),
                expires_at=None,
            )
            radius = blast_radius(
                req.account,
                lambda: inline_policy_put(
                    actor=system_actor(req.account.account_id, via="blast-radius"),
                    identity=req.identity,
                    name=req.policy_name,
                    document=synthesis.text,
                ),
            )
        except IAMError as error:
            return render(request, template, {"error": error.message})
        return render(request, template, {"radius": radius, "while_granted": True})


class _DecisionView(View):
    """POST-only: run a decision, render the denial or put the error back on the review."""

    def decide(self, request, req):
        raise NotImplementedError

    def post(self, request, request_id: str):
        req = get_request_or_404(request, request_id)
        try:
            message = self.decide(request, req)
        except IAMError as error:
            messages.error(request, error.message)
            return redirect(req.get_absolute_url())
        if message is None:  # an invalid form: shown on the review page
            return self.invalid
        messages.success(request, message)
        return redirect(req.get_absolute_url())


class AccessRequestApproveView(_DecisionView):
    """Approve, optionally with a shorter duration or fewer targets."""

    def decide(self, request, req):
        form = ApproveForm(request.POST, access_request=req)
        if not form.is_valid():
            self.invalid = AccessRequestReviewView()._render(
                request, req, approve_form=form, status=400
            )
            return None
        data = form.cleaned_data
        extension = req.extension_pending
        done = services.access_request_approve(
            actor=actor_for(request),
            approver=request.principal,
            access_request=req,
            authz=_authz(request),
            duration_hours=data["duration_hours"],
            targets=data["target_list"],
        )
        if done.status == done.Status.PENDING:
            return f"Approval recorded: {done.request_id} needs a second approver."
        if extension:
            return f"Extension of {done.request_id} approved."
        return f"{done.request_id} approved: inline policy {done.policy_name} applied."


class AccessRequestDenyView(_DecisionView):
    """Deny (a request, or its pending extension) with a reason."""

    service = staticmethod(services.access_request_deny)
    verb = "denied"

    def decide(self, request, req):
        form = ReasonForm(request.POST)
        if not form.is_valid():
            self.invalid = AccessRequestReviewView()._render(
                request, req, reason_form=form, status=400
            )
            return None
        self.service(
            actor=actor_for(request),
            approver=request.principal,
            access_request=req,
            authz=_authz(request),
            reason=form.cleaned_data["reason"],
        )
        return f"{req.request_id} {self.verb}."


class AccessRequestChangesView(AccessRequestDenyView):
    """Send the request back to its requester with what to change."""

    service = staticmethod(services.access_request_request_changes)
    verb = "sent back for changes"


class AccessRequestRevokeView(_DecisionView):
    """End a grant now: the requester gives it up, or an administrator removes it."""

    def decide(self, request, req):
        services.access_request_revoke(
            actor=actor_for(request),
            principal=request.principal,
            access_request=req,
            authz=RequestAuthorizer(request, request.principal, IAM_REGION),
            reason=request.POST.get("reason", "").strip(),
        )
        return f"{req.request_id} revoked: inline policy {req.policy_name} removed."
