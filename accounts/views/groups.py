"""IAM groups: list, create (with policies), detail tabs, members, policies, edit, delete."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django_tables2 import RequestConfig

from accounts.errors import IAMError
from accounts.filters import GroupFilter
from accounts.forms import apply_service_error
from accounts.identifiers import iam_arn
from accounts.models import Group, IAMUser
from accounts.selectors import (
    account_of,
    attachable_policies,
    group_detail,
    group_list,
    group_members,
    identity_policies,
)
from accounts.services import groups
from accounts.services.users import user_get
from accounts.tables import GroupTable
from config.forms import ConsoleForm
from policies.authorization import AccessDenied, actor_for
from policies.models import ManagedPolicy
from policies.permissions import IAMActionMixin, check, render_denied, require
from policies.services.attachments import inline_policy_delete, policy_attach, policy_detach
from policies.services.managed import policy_get_by_arn

# Service errors name AWS's parameters; the forms name their own fields.
FIELD_FOR_CODE = {"EntityAlreadyExists": "name", "LimitExceeded": "policies"}
FIELD_FOR_PARAMETER = {"groupName": "name", "path": "path"}


def apply_group_error(form: forms.Form, error: IAMError) -> None:
    """Put a service error on the form field it concerns (AWS's wording kept)."""
    named = [FIELD_FOR_PARAMETER.get(n, n) for n in (error.fields or {})]
    field = next((n for n in named if n in form.fields), FIELD_FOR_CODE.get(error.code))
    if field in form.fields:
        form.add_error(field, error.message)
    else:
        apply_service_error(form, error)


def policy_choices(policies: list[ManagedPolicy]) -> list[tuple[str, str]]:
    """``(arn, label)`` pairs for a policy select, saying who manages each policy."""
    return [
        (p.arn, f"{p.name} ({'AWS managed' if p.is_aws_managed else 'customer managed'})")
        for p in policies
    ]


class GroupListView(IAMActionMixin, View):
    """All groups of the account, filtered and sorted on the server (iam:ListGroups)."""

    iam_action = "iam:ListGroups"

    def get(self, request):
        groups_filter = GroupFilter(request.GET, queryset=group_list(principal=request.principal))
        table = GroupTable(groups_filter.qs)
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        return render(
            request, "accounts/group_list.html", {"filter": groups_filter, "table": table}
        )


class GroupCreateForm(ConsoleForm):
    name = forms.CharField(
        label="Group name",
        max_length=128,
        help_text="Up to 128 letters, digits and + = , . @ _ - (unique in the account, "
        "ignoring case)",
    )
    path = forms.CharField(
        label="Path", max_length=512, initial="/", help_text="For example / or /division_abc/"
    )
    policies = forms.MultipleChoiceField(
        label="Attach permissions policies",
        required=False,
        help_text="Up to 10 managed policies; every member gets their permissions.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, policies: list[ManagedPolicy], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policies"].choices = policy_choices(policies)


class GroupCreateView(View):
    """Create a group and attach its policies in one transaction.

    iam:CreateGroup and one iam:AttachGroupPolicy per policy (with ``iam:PolicyARN``) are all
    authorized before anything is written, so a denial leaves no half-made group.
    """

    template_name = "accounts/group_create.html"

    def get(self, request):
        # Not authorized yet: the ARN (and so the decision) depends on the path typed in.
        form = GroupCreateForm(policies=attachable_policies(principal=request.principal))
        return render(request, self.template_name, {"form": form})

    def _arn(self, request, path: str, name: str) -> str:
        return iam_arn(request.principal.account_id, "group", path, name)

    def post(self, request):
        account = account_of(request.principal)
        policies = attachable_policies(principal=request.principal)
        form = GroupCreateForm(request.POST, policies=policies)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        data = form.cleaned_data
        by_arn = {p.arn: p for p in policies}
        arn = self._arn(request, data["path"], data["name"])
        try:
            require(request, "iam:CreateGroup", arn)
            for policy_arn in data["policies"]:
                require(request, "iam:AttachGroupPolicy", arn, extra={"iam:PolicyARN": policy_arn})
            actor = actor_for(request)
            with transaction.atomic():
                group = groups.group_create(
                    actor=actor, account=account, name=data["name"], path=data["path"]
                )
                for policy_arn in data["policies"]:
                    policy_attach(actor=actor, policy=by_arn[policy_arn], identity=group)
        except AccessDenied as denied:
            return render_denied(request, denied.result)
        except IAMError as error:
            apply_group_error(form, error)
            return render(request, self.template_name, {"form": form}, status=error.http_status)
        messages.success(request, f"Group {group.name} created.")
        return redirect("group-detail", group.name)


def _group_or_404(request, name: str) -> Group:
    group = group_detail(principal=request.principal, name=name)
    if group is None:
        raise Http404(f"The group with name {name} cannot be found.")
    return group


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


class PolicyAttachForm(ConsoleForm):
    policy_arn = forms.ChoiceField(label="Policy to attach")

    def __init__(self, *args, policies: list[ManagedPolicy], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_arn"].choices = [("", "Choose a policy…"), *policy_choices(policies)]


class GroupDetailView(View):
    """A group's members (add/remove) and permissions (attached and inline policies)."""

    template_name = "accounts/group_detail.html"
    tabs = ("members", "permissions")

    def get(self, request, name: str):
        group = _group_or_404(request, name)
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
        group = _group_or_404(request, name)
        form = MemberAddForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                require(request, "iam:AddUserToGroup", group.arn)
                user = user_get(account=group.account, name=form.cleaned_data["user_name"])
                groups.group_member_add(actor=actor_for(request), group=group, user=user)
            except AccessDenied as denied:
                return render_denied(request, denied.result)
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
    """Remove a user from the group (iam:RemoveUserFromGroup on the group)."""

    def post(self, request, name: str, user_name: str):
        group = _group_or_404(request, name)
        try:
            require(request, "iam:RemoveUserFromGroup", group.arn)
            user = user_get(account=group.account, name=user_name)
            groups.group_member_remove(actor=actor_for(request), group=group, user=user)
        except AccessDenied as denied:
            return render_denied(request, denied.result)
        except IAMError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"User {user.name} removed from {group.name}.")
        return redirect(f"{reverse('group-detail', args=[group.name])}?tab=members")


class GroupPolicyAttachView(View):
    """Attach a managed policy (iam:AttachGroupPolicy with ``iam:PolicyARN``)."""

    def post(self, request, name: str):
        group = _group_or_404(request, name)
        form = PolicyAttachForm(
            request.POST, policies=attachable_policies(principal=request.principal)
        )
        status = 400
        if form.is_valid():
            policy_arn = form.cleaned_data["policy_arn"]
            try:
                require(
                    request, "iam:AttachGroupPolicy", group.arn, extra={"iam:PolicyARN": policy_arn}
                )
                policy = policy_get_by_arn(account=group.account, arn=policy_arn)
                policy_attach(actor=actor_for(request), policy=policy, identity=group)
            except AccessDenied as denied:
                return render_denied(request, denied.result)
            except IAMError as error:
                form.add_error("policy_arn", error.message)
                status = error.http_status
            else:
                messages.success(request, f"Policy {policy.name} attached to {group.name}.")
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
        group = _group_or_404(request, name)
        policy_arn = request.POST.get("policy_arn", "")
        try:
            require(
                request, "iam:DetachGroupPolicy", group.arn, extra={"iam:PolicyARN": policy_arn}
            )
            policy = policy_get_by_arn(account=group.account, arn=policy_arn)
            policy_detach(actor=actor_for(request), policy=policy, identity=group)
        except AccessDenied as denied:
            return render_denied(request, denied.result)
        except IAMError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Policy {policy.name} detached from {group.name}.")
        return redirect(f"{reverse('group-detail', args=[group.name])}?tab=permissions")


class GroupUpdateForm(ConsoleForm):
    name = forms.CharField(label="Group name", max_length=128)
    path = forms.CharField(label="Path", max_length=512)


class GroupUpdateView(View):
    """Rename a group or move it to another path (iam:UpdateGroup on the old and new ARN)."""

    template_name = "accounts/group_update.html"

    def get(self, request, name: str):
        group = _group_or_404(request, name)
        result = check(request, "iam:GetGroup", group.arn)
        if not result.allowed:
            return render_denied(request, result)
        form = GroupUpdateForm(initial={"name": group.name, "path": group.path})
        return render(request, self.template_name, {"form": form, "group": group})

    def post(self, request, name: str):
        group = _group_or_404(request, name)
        form = GroupUpdateForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            new_arn = iam_arn(group.account.account_id, "group", data["path"], data["name"])
            try:
                require(request, "iam:UpdateGroup", group.arn)
                if new_arn != group.arn:
                    require(request, "iam:UpdateGroup", new_arn)
                groups.group_update(
                    actor=actor_for(request),
                    group=group,
                    new_name=data["name"] if data["name"] != group.name else None,
                    new_path=data["path"] if data["path"] != group.path else None,
                )
            except AccessDenied as denied:
                return render_denied(request, denied.result)
            except IAMError as error:
                apply_group_error(form, error)
                status = error.http_status
                group.refresh_from_db()  # the failed rename must not show as the page title
            else:
                messages.success(request, f"Group {group.name} updated.")
                return redirect("group-detail", group.name)
        return render(request, self.template_name, {"form": form, "group": group}, status=status)


def group_blocker_steps(group: Group) -> list[tuple[str, dict, partial]]:
    """What must go before DeleteGroup, as (IAM action, extra context, service call) steps.

    Returned as steps so that every one is authorized before any is carried out: a denial
    half-way would otherwise leave the group stripped but not deleted.
    """
    steps: list[tuple[str, dict, partial]] = [
        (
            "iam:RemoveUserFromGroup",
            {},
            partial(groups.group_member_remove, group=group, user=membership.user),
        )
        for membership in group.memberships.select_related("user__account").order_by("user__name")
    ]
    steps += [
        ("iam:DeleteGroupPolicy", {}, partial(inline_policy_delete, identity=group, name=name))
        for name in group.inline_policies.order_by("name").values_list("name", flat=True)
    ]
    steps += [
        (
            "iam:DetachGroupPolicy",
            {"iam:PolicyARN": attachment.policy.arn},
            partial(policy_detach, policy=attachment.policy, identity=group),
        )
        for attachment in group.policy_attachments.select_related("policy__account")
    ]
    return steps


def group_delete_with_blockers(request, group: Group, *, remove_blockers: bool) -> None:
    """Authorize every step (removals, then iam:DeleteGroup), then do them in one transaction."""
    steps = group_blocker_steps(group) if remove_blockers else []
    for action, extra, _ in steps:
        require(request, action, group.arn, extra=extra)
    require(request, "iam:DeleteGroup", group.arn)
    actor = actor_for(request)
    with transaction.atomic():
        for _, _, run in steps:
            run(actor=actor)
        groups.group_delete(actor=actor, group=group)


class GroupDeleteView(View):
    """Confirm, optionally remove members and policies first (each authorized), then delete."""

    template_name = "accounts/group_delete.html"

    def _context(self, group: Group) -> dict:
        return {
            "group": group,
            "blockers": groups.group_delete_blockers(group),
            "member_count": group.memberships.count(),
            "policies": identity_policies(group),
        }

    def get(self, request, name: str):
        group = _group_or_404(request, name)
        result = check(request, "iam:GetGroup", group.arn)
        if not result.allowed:
            return render_denied(request, result)
        return render(request, self.template_name, self._context(group))

    def post(self, request, name: str):
        group = _group_or_404(request, name)
        if request.POST.get("confirm") != group.name:
            messages.error(request, f"Type the group name {group.name} to confirm.")
            return render(request, self.template_name, self._context(group), status=400)
        try:
            group_delete_with_blockers(
                request, group, remove_blockers=bool(request.POST.get("remove_blockers"))
            )
        except AccessDenied as denied:
            return render_denied(request, denied.result)
        except IAMError as error:
            messages.error(request, error.message)
            return render(request, self.template_name, self._context(group), status=409)
        messages.success(request, f"Group {group.name} deleted.")
        return redirect("group-list")
