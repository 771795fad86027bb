"""Policy versions: view, compare side by side, create (asking which to delete at five),
set as default, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from accounts import rules
from accounts.errors import IAMError, NoSuchEntity
from policies.authorization import actor_for
from policies.catalog import get_catalog
from policies.forms import PolicyVersionCreateForm
from policies.pages.common import apply_policy_error, document_lines, policy_or_404
from policies.pages.diff import side_by_side
from policies.pages.editor import editor_context
from policies.pages.policies import policy_detail_url
from policies.permissions import check, render_denied
from policies.services import managed
from policies.summary import policy_summary


def _version_or_404(policy, version_id: str):
    try:
        return managed.policy_version_get(policy=policy, version_id=version_id)
    except NoSuchEntity as error:
        raise Http404(error.message) from error


def _versions_url(policy) -> str:
    return f"{policy_detail_url(policy)}?tab=versions"


def _deletable(versions) -> list[tuple[str, str]] | None:
    """Radio choices of the versions that may go, or None while fewer than five exist."""
    if len(versions) < rules.POLICY_VERSIONS_MAX:
        return None
    return [
        (v.version_id, f"{v.version_id} · created {v.created_at:%Y-%m-%d %H:%M} UTC")
        for v in versions
        if not v.is_default
    ]


class PolicyVersionCreateView(View):
    """CreatePolicyVersion in the editor, starting from the default version.

    At five versions AWS refuses a sixth; like AWS's console the page lists the versions and
    asks which non-default one to delete, then deletes it and creates the new one atomically.
    """

    template_name = "policies/policy_version_create.html"

    def _context(self, request, policy, form, text: str) -> dict:
        versions = list(policy.versions.order_by("created_at", "id"))
        return {
            "policy": policy,
            "form": form,
            "versions": versions,
            "default_version": next((v for v in versions if v.is_default), None),
            **editor_context(request, text),
        }

    def get(self, request, policy_id: str):
        policy = policy_or_404(request, policy_id)
        result = check(request, "iam:GetPolicyVersion", policy.arn)
        if not result.allowed:
            return render_denied(request, result)
        if policy.is_aws_managed:
            messages.info(
                request,
                "AWS managed policies are read-only. Create a customer managed policy from "
                "this one instead.",
            )
            return redirect(policy_detail_url(policy))
        versions = list(policy.versions.order_by("created_at", "id"))
        text = next(v.document for v in versions if v.is_default)
        form = PolicyVersionCreateForm(initial={"document": text}, deletable=_deletable(versions))
        return render(request, self.template_name, self._context(request, policy, form, text))

    def post(self, request, policy_id: str):
        policy = policy_or_404(request, policy_id)
        text = request.POST.get("document", "")
        versions = list(policy.versions.order_by("created_at", "id"))
        form = PolicyVersionCreateForm(request.POST, deletable=_deletable(versions))
        if not form.is_valid():
            context = self._context(request, policy, form, text)
            return render(request, self.template_name, context, status=400)
        data = form.cleaned_data
        to_delete = data.get("delete_version") or None
        try:
            version = managed.policy_version_add(
                actor=actor_for(request),
                policy=policy,
                document=data["document"],
                set_as_default=data["set_as_default"],
                delete_version_id=to_delete,
            )
        except IAMError as error:
            apply_policy_error(form, error, text)
            context = self._context(request, policy, form, text)
            return render(request, self.template_name, context, status=400)
        note = " and set as the default" if version.is_default else ""
        deleted = f" Version {to_delete} was deleted." if to_delete else ""
        messages.success(request, f"Version {version.version_id} created{note}.{deleted}")
        return redirect(_versions_url(policy))


class PolicyVersionDetailView(View):
    """One version's document, line-numbered, with its summary (iam:GetPolicyVersion)."""

    def get(self, request, policy_id: str, version_id: str):
        policy = policy_or_404(request, policy_id)
        result = check(request, "iam:GetPolicyVersion", policy.arn)
        if not result.allowed:
            return render_denied(request, result)
        version = _version_or_404(policy, version_id)
        versions = list(policy.versions.order_by("created_at", "id"))
        context = {
            "policy": policy,
            "version": version,
            "versions": versions,
            "default_version": next((v for v in versions if v.is_default), None),
            "lines": document_lines(version.document),
            "summary": policy_summary(version.document_json, get_catalog()),
        }
        return render(request, "policies/policy_version_detail.html", context)


class PolicyVersionDiffView(View):
    """Two versions side by side (``?from=v1&to=v2``; default: the previous one vs the default)."""

    def get(self, request, policy_id: str):
        policy = policy_or_404(request, policy_id)
        result = check(request, "iam:GetPolicyVersion", policy.arn)
        if not result.allowed:
            return render_denied(request, result)
        versions = list(policy.versions.order_by("created_at", "id"))
        by_id = {v.version_id: v for v in versions}
        default = next(v for v in versions if v.is_default)
        right = by_id.get(request.GET.get("to", ""), default)
        earlier = [v for v in versions if v.created_at < right.created_at or v is right]
        fallback = earlier[-2] if len(earlier) > 1 else versions[0]
        left = by_id.get(request.GET.get("from", ""), fallback)
        context = {
            "policy": policy,
            "versions": versions,
            "left": left,
            "right": right,
            "diff": side_by_side(left.document, right.document),
        }
        return render(request, "policies/policy_version_diff.html", context)


class PolicyVersionSetDefaultView(View):
    """SetDefaultPolicyVersion (POST from the versions tab or a version's page)."""

    def post(self, request, policy_id: str, version_id: str):
        policy = policy_or_404(request, policy_id)
        try:
            managed.policy_version_set_default(
                actor=actor_for(request), policy=policy, version_id=version_id
            )
        except IAMError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Version {version_id} is now the default version.")
        return redirect(_versions_url(policy))


class PolicyVersionDeleteView(View):
    """Confirm, then DeletePolicyVersion (the default version cannot be deleted)."""

    template_name = "policies/policy_version_delete.html"

    def get(self, request, policy_id: str, version_id: str):
        policy = policy_or_404(request, policy_id)
        result = check(request, "iam:GetPolicyVersion", policy.arn)
        if not result.allowed:
            return render_denied(request, result)
        version = _version_or_404(policy, version_id)
        return render(request, self.template_name, {"policy": policy, "version": version})

    def post(self, request, policy_id: str, version_id: str):
        policy = policy_or_404(request, policy_id)
        version = _version_or_404(policy, version_id)
        try:
            managed.policy_version_delete(
                actor=actor_for(request), policy=policy, version_id=version_id
            )
        except IAMError as error:
            messages.error(request, error.message)
            context = {"policy": policy, "version": version}
            return render(request, self.template_name, context, status=409)
        messages.success(request, f"Version {version_id} deleted.")
        return redirect(_versions_url(policy))
