"""Editing a role: description and session length, trust policy, deletion."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from accounts.errors import IAMError
from accounts.models import Role
from accounts.selectors import identity_policies, role_active_sessions
from accounts.services import roles
from accounts.services.deletion import role_delete_with_blockers
from accounts.services.trust_principals import role_trust_policy_resolved
from accounts.views.deletion import ConfirmDeleteView
from accounts.views.roles.common import (
    HOURS,
    apply_role_error,
    detail_tab,
    pretty_json,
    read_only_reason,
    role_or_404,
    trust_findings,
)
from config.forms import ConsoleForm
from policies.authorization import actor_for
from policies.permissions import check, render_denied


class RoleUpdateForm(ConsoleForm):
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    max_session_duration = forms.TypedChoiceField(
        label="Maximum session duration", choices=HOURS, coerce=int
    )

    def __init__(self, *args, role: Role, **kwargs):
        super().__init__(*args, **kwargs)
        if role.is_service_linked:
            del self.fields["max_session_duration"]  # only the description may change
        elif role.max_session_duration not in dict(HOURS):
            self.fields["max_session_duration"].choices = [
                (role.max_session_duration, f"{role.max_session_duration} seconds (current)"),
                *HOURS,
            ]


class RoleUpdateView(View):
    """Change the description and maximum session duration (iam:UpdateRole)."""

    template_name = "accounts/role_update.html"

    def get(self, request, name: str):
        role = role_or_404(request, name)
        result = check(request, "iam:GetRole", role.arn)
        if not result.allowed:
            return render_denied(request, result)
        form = RoleUpdateForm(
            role=role,
            initial={
                "description": role.description,
                "max_session_duration": role.max_session_duration,
            },
        )
        return render(request, self.template_name, self._context(role, form))

    def _context(self, role: Role, form) -> dict:
        reason = read_only_reason(role) if role.is_service_linked else ""
        return {"role": role, "form": form, "read_only_reason": reason}

    def post(self, request, name: str):
        role = role_or_404(request, name)
        form = RoleUpdateForm(request.POST, role=role)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                roles.role_update(
                    actor=actor_for(request),
                    role=role,
                    description=data["description"],
                    max_session_duration=data.get("max_session_duration"),
                )
            except IAMError as error:
                apply_role_error(form, error)
                status = error.http_status
            else:
                messages.success(request, f"Role {role.name} updated.")
                return redirect("role-detail", role.name)
        return render(request, self.template_name, self._context(role, form), status=status)


class TrustPolicyForm(ConsoleForm):
    trust_json = forms.CharField(
        label="Trust policy (JSON)",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false", "class": "font-monospace"}),
    )


class RoleTrustUpdateView(View):
    """Replace the trust policy (iam:UpdateAssumeRolePolicy); findings shown on the page."""

    template_name = "accounts/role_trust.html"

    def get(self, request, name: str):
        role = role_or_404(request, name)
        result = check(request, "iam:GetRole", role.arn)
        if not result.allowed:
            return render_denied(request, result)
        form = TrustPolicyForm(
            initial={"trust_json": pretty_json(role_trust_policy_resolved(role))}
        )
        return render(request, self.template_name, self._context(role, form, []))

    def _context(self, role: Role, form, findings: list) -> dict:
        reason = read_only_reason(role) if role.is_service_linked else ""
        return {"role": role, "form": form, "findings": findings, "read_only_reason": reason}

    def post(self, request, name: str):
        role = role_or_404(request, name)
        form = TrustPolicyForm(request.POST)
        findings: list = []
        status = 400
        if form.is_valid():
            text = form.cleaned_data["trust_json"]
            findings = trust_findings(text)
            try:
                roles.role_trust_policy_update(
                    actor=actor_for(request), role=role, trust_policy=text
                )
            except IAMError as error:
                apply_role_error(form, error)
                status = error.http_status
            else:
                messages.success(request, f"Trust policy of {role.name} updated.")
                return detail_tab(role, "trust")
        return render(
            request, self.template_name, self._context(role, form, findings), status=status
        )


class RoleDeleteView(ConfirmDeleteView):
    """Confirm, optionally delete/detach the role's policies first (each authorized), delete."""

    template_name = "accounts/role_delete.html"
    entity = "role"
    read_action = "iam:GetRole"
    list_url = "role-list"

    def get_object(self, request, name: str) -> Role:
        return role_or_404(request, name)

    def get_context(self, role: Role) -> dict:
        return {
            "role": role,
            "blockers": roles.role_delete_blockers(role),
            "policies": identity_policies(role),
            "session_count": role_active_sessions(role=role).count(),
            "read_only_reason": read_only_reason(role) if role.is_service_linked else "",
        }

    def read_keys(self, role: Role) -> dict:
        return {}

    def perform_delete(self, request, role: Role, *, remove_blockers: bool) -> None:
        role_delete_with_blockers(
            actor=actor_for(request),
            role=role,
            remove_blockers=remove_blockers,
        )

    def error_status(self, error: IAMError) -> int:
        return error.http_status
