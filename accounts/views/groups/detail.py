"""A group's detail tabs and what is posted from them: members and policies."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from accounts.errors import IAMError
from accounts.models import Group, IAMUser
from accounts.selectors import attachable_policies, group_members, identity_policies
from accounts.services import groups
from accounts.services.users import user_get
from accounts.views.groups.common import PolicyAttachForm, group_or_404
from config.forms import ConsoleForm
from config.views import safe_next
from policies.authorization import actor_for
from policies.effective.views import impact_context
from policies.permissions import check, render_denied
from policies.services.attachments import policy_attach_by_arn, policy_detach_by_arn


class MemberAddForm(ConsoleForm):
    user_name = forms.CharField(
        label="User name",
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "list": "user-names",
                "autocomplete": "off",
                "aria-describedby": "user-name-help",
            }
        ),
        help_text="A user belongs to at most 10 groups.",
    )

    def add_error(self, field, error):
        super().add_error(field, error)
        if field == "user_name":
            self.fields[field].widget.attrs["aria-describedby"] = "user-name-errors"


def _members_url(group: Group) -> str:
    return f"{reverse('group-detail', args=[group.name])}?tab=members"


class GroupDetailView(View):
    """A group's members (add/remove) and permissions (attached and inline policies)."""

    template_name = "accounts/group_detail.html"
    tabs = ("members", "permissions")

    def get(self, request, name: str):
        group = group_or_404(request, name)
        result = check(request, "iam:GetGroup", group.arn)
        if not result.allowed:
            return render_denied(request, result)
        tab = request.GET.get("tab", "members")
        return render(request, self.template_name, self.context(request, group, tab))

    def context(self, request, group: Group, tab: str, **forms_) -> dict:
        """The page's context; a form that failed validation is passed in to show its errors."""
        if tab not in self.tabs:
            tab = "members"
        members = list(group_members(group=group))
        policies = identity_policies(group)
        attached = {p.arn for p in policies["attached"]}
        candidates = (
            IAMUser.objects.filter(account=group.account)
            .exclude(memberships__group=group)
            .order_by("name")
            .values_list("name", flat=True)[:500]
        )
        return {
            "group": group,
            "tab": tab,
            "members": members,
            "policies": policies,
            "permission_count": len(policies["attached"]) + len(policies["inline"]),
            "blockers": groups.group_delete_blockers(group),
            "candidates": candidates,
            "member_form": forms_.get("member_form") or MemberAddForm(),
            "attach_form": forms_.get("attach_form")
            or PolicyAttachForm(
                policies=[
                    p
                    for p in attachable_policies(principal=request.principal)
                    if p.arn not in attached
                ]
            ),
        }


class GroupMemberAddView(View):
    """Add a user (iam:AddUserToGroup on the group); AWS's quota error is shown on the form."""

    def post(self, request, name: str):
        group = group_or_404(request, name)
        form = MemberAddForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                user = user_get(account=group.account, name=form.cleaned_data["user_name"])
                groups.group_member_add(actor=actor_for(request), group=group, user=user)
            except IAMError as error:
                form.add_error("user_name", error.message)
                if error.code == "LimitExceeded":
                    form.add_error(
                        "user_name",
                        f"{user.name} already belongs to {user.memberships.count()} groups: "
                        "remove them from one first.",
                    )
                status = error.http_status
            else:
                messages.success(request, f"User {user.name} added to {group.name}.")
                return redirect(f"{reverse('group-detail', args=[group.name])}?tab=members")
        view = GroupDetailView()
        return render(
            request,
            view.template_name,
            view.context(request, group, "members", member_form=form),
            status=status,
        )


class GroupMemberRemoveView(View):
    """Confirm with the impact on the matrix, then remove a user from the group
    (iam:RemoveUserFromGroup on the group)."""

    template_name = "accounts/group_member_remove.html"

    def get(self, request, name: str, user_name: str):
        group = group_or_404(request, name)
        result = check(request, "iam:GetGroup", group.arn)
        if not result.allowed:
            return render_denied(request, result)
        try:
            user = user_get(account=group.account, name=user_name)
        except IAMError as error:
            raise Http404(error.message) from error
        if not group.memberships.filter(user=user).exists():
            raise Http404(f"User {user.name} is not in group {group.name}.")
        change = {"type": "remove_member", "group": group.name, "user": user.name}
        context = {
            "group": group,
            "member": user,
            "next": safe_next(request, _members_url(group)),
            **impact_context(request, change),
        }
        return render(request, self.template_name, context)

    def post(self, request, name: str, user_name: str):
        group = group_or_404(request, name)
        try:
            user = user_get(account=group.account, name=user_name)
            groups.group_member_remove(actor=actor_for(request), group=group, user=user)
        except IAMError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"User {user.name} removed from {group.name}.")
        # From the user's page the confirmation leads back there.
        return redirect(safe_next(request, _members_url(group)))


class GroupPolicyAttachView(View):
    """Attach a managed policy (iam:AttachGroupPolicy with ``iam:PolicyARN``)."""

    def post(self, request, name: str):
        group = group_or_404(request, name)
        form = PolicyAttachForm(
            request.POST, policies=attachable_policies(principal=request.principal)
        )
        status = 400
        if form.is_valid():
            policy_arn = form.cleaned_data["policy_arn"]
            try:
                attached = policy_attach_by_arn(
                    actor=actor_for(request), identity=group, policy_arn=policy_arn
                )
            except IAMError as error:
                form.add_error("policy_arn", error.message)
                status = error.http_status
            else:
                messages.success(
                    request, f"Policy {attached.policy.name} attached to {group.name}."
                )
                return redirect(f"{reverse('group-detail', args=[group.name])}?tab=permissions")
        view = GroupDetailView()
        return render(
            request,
            view.template_name,
            view.context(request, group, "permissions", attach_form=form),
            status=status,
        )


class GroupPolicyDetachView(View):
    """Detach a managed policy (iam:DetachGroupPolicy with ``iam:PolicyARN``)."""

    def post(self, request, name: str):
        group = group_or_404(request, name)
        policy_arn = request.POST.get("policy_arn", "")
        try:
            policy_detach_by_arn(actor=actor_for(request), identity=group, policy_arn=policy_arn)
        except IAMError as error:
            messages.error(request, error.message)
        else:
            name = policy_arn.rsplit("/", 1)[-1]
            messages.success(request, f"Policy {name} detached from {group.name}.")
        return redirect(f"{reverse('group-detail', args=[group.name])}?tab=permissions")
