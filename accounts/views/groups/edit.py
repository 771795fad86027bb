"""Renaming or moving a group, and deleting it after what blocks it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from accounts.errors import IAMError
from accounts.models import Group
from accounts.selectors import identity_policies
from accounts.services import groups
from accounts.services.deletion import group_blocker_steps, group_delete_with_blockers
from accounts.views.deletion import ConfirmDeleteView
from accounts.views.groups.common import apply_group_error, group_or_404
from config.forms import ConsoleForm
from policies.authorization import actor_for
from policies.effective.views import blockers_impact
from policies.permissions import check, render_denied


class GroupUpdateForm(ConsoleForm):
    name = forms.CharField(label="Group name", max_length=128)
    path = forms.CharField(label="Path", max_length=512)


class GroupUpdateView(View):
    """Rename a group or move it to another path (iam:UpdateGroup on the old and new ARN)."""

    template_name = "accounts/group_update.html"

    def get(self, request, name: str):
        group = group_or_404(request, name)
        result = check(request, "iam:GetGroup", group.arn)
        if not result.allowed:
            return render_denied(request, result)
        form = GroupUpdateForm(initial={"name": group.name, "path": group.path})
        return render(request, self.template_name, {"form": form, "group": group})

    def post(self, request, name: str):
        group = group_or_404(request, name)
        form = GroupUpdateForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                groups.group_update(
                    actor=actor_for(request),
                    group=group,
                    new_name=data["name"] if data["name"] != group.name else None,
                    new_path=data["path"] if data["path"] != group.path else None,
                )
            except IAMError as error:
                apply_group_error(form, error)
                status = error.http_status
                group.refresh_from_db()  # the failed rename must not show as the page title
            else:
                messages.success(request, f"Group {group.name} updated.")
                return redirect("group-detail", group.name)
        return render(request, self.template_name, {"form": form, "group": group}, status=status)


class GroupDeleteView(ConfirmDeleteView):
    """Confirm, optionally remove members and policies first (each authorized), then delete."""

    template_name = "accounts/group_delete.html"
    entity = "group"
    read_action = "iam:GetGroup"
    list_url = "group-list"

    def get_object(self, request, name: str) -> Group:
        return group_or_404(request, name)

    def get_context(self, group: Group) -> dict:
        return {
            "group": group,
            "blockers": groups.group_delete_blockers(group),
            "member_count": group.memberships.count(),
            "policies": identity_policies(group),
            # What the members lose when the blockers go, before the administrator confirms.
            **blockers_impact(self.request, group.account, group_blocker_steps(group)),
        }

    def perform_delete(self, request, group: Group, *, remove_blockers: bool) -> None:
        group_delete_with_blockers(
            actor=actor_for(request),
            group=group,
            remove_blockers=remove_blockers,
        )
