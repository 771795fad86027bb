"""Attach a managed policy to a user, group or role, and detach it (each its IAM action)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from accounts.errors import IAMError
from config.views import safe_next
from policies.authorization import actor_for
from policies.effective.views import impact_context
from policies.forms import AttachForm
from policies.pages.common import KIND_LABELS, identity_or_404, policy_or_404
from policies.pages.policies import policy_detail_url
from policies.permissions import check, render_denied
from policies.selectors import identity_names
from policies.services import attachments


def _entities_url(policy) -> str:
    return f"{policy_detail_url(policy)}?tab=entities"


class PolicyAttachView(View):
    """Attach the policy to one identity: iam:Attach{User,Group,Role}Policy with iam:PolicyARN."""

    template_name = "policies/policy_attach.html"

    def _form(self, request, data=None):
        return AttachForm(data, names=identity_names(principal=request.principal))

    def get(self, request, policy_id: str):
        policy = policy_or_404(request, policy_id)
        result = check(request, "iam:GetPolicy", policy.arn)
        if not result.allowed:
            return render_denied(request, result)
        context = {"policy": policy, "form": self._form(request)}
        context["attachable"] = attachments.is_attachable(policy)
        return render(request, self.template_name, context)

    def post(self, request, policy_id: str):
        policy = policy_or_404(request, policy_id)
        form = self._form(request, request.POST)
        context = {"policy": policy, "form": form, "attachable": attachments.is_attachable(policy)}
        if not form.is_valid():
            return render(request, self.template_name, context, status=400)
        kind, name = form.kind_and_name
        identity = identity_or_404(request, kind, name)
        try:
            attachments.policy_attach(actor=actor_for(request), policy=policy, identity=identity)
        except IAMError as error:
            form.add_error("target", error.message)
            return render(request, self.template_name, context, status=400)
        messages.success(request, f"Policy {policy.name} attached to {kind} {identity.name}.")
        return redirect(_entities_url(policy))


class PolicyDetachView(View):
    """Confirm, then iam:Detach{User,Group,Role}Policy with iam:PolicyARN in the context."""

    template_name = "policies/policy_detach.html"

    def _identity(self, request, kind: str, name: str):
        if kind not in KIND_LABELS:
            raise Http404("Unknown identity type.")
        return identity_or_404(request, kind, name)

    def get(self, request, policy_id: str, kind: str, name: str):
        policy = policy_or_404(request, policy_id)
        identity = self._identity(request, kind, name)
        result = check(request, "iam:GetPolicy", policy.arn)
        if not result.allowed:
            return render_denied(request, result)
        change = {
            "type": "detach_policy",
            "identity": {"kind": kind, "name": identity.name},
            "policy_arn": policy.arn,
        }
        context = {
            "policy": policy,
            "identity": identity,
            "kind": kind,
            "next": safe_next(request, _entities_url(policy)),
            **impact_context(request, change),
        }
        return render(request, self.template_name, context)

    def post(self, request, policy_id: str, kind: str, name: str):
        policy = policy_or_404(request, policy_id)
        identity = self._identity(request, kind, name)
        try:
            attachments.policy_detach(actor=actor_for(request), policy=policy, identity=identity)
        except IAMError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Policy {policy.name} detached from {kind} {identity.name}.")
        return redirect(safe_next(request, _entities_url(policy)))
