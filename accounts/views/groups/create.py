"""The group list and the create form (with policies attached in one step)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View
from django_tables2 import RequestConfig

from accounts.errors import IAMError
from accounts.filters import GroupFilter
from accounts.selectors import account_of, attachable_policies, group_list
from accounts.tables import GroupTable
from accounts.views.groups.common import apply_group_error, policy_choices
from config.forms import ConsoleForm
from policies.authorization import actor_for
from policies.models import ManagedPolicy
from policies.permissions import IAMActionMixin
from policies.services.identities import group_create_with_permissions


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

    iam:CreateGroup and one iam:AttachGroupPolicy per policy (with ``iam:PolicyARN``), each
    authorized by its service, all or nothing: a denial leaves no half-made group.
    """

    template_name = "accounts/group_create.html"

    def get(self, request):
        # Not authorized yet: the ARN (and so the decision) depends on the path typed in.
        form = GroupCreateForm(policies=attachable_policies(principal=request.principal))
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        account = account_of(request.principal)
        policies = attachable_policies(principal=request.principal)
        form = GroupCreateForm(request.POST, policies=policies)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        data = form.cleaned_data
        by_arn = {p.arn: p for p in policies}
        try:
            group = group_create_with_permissions(
                actor=actor_for(request),
                account=account,
                name=data["name"],
                path=data["path"],
                policies=[by_arn[policy_arn] for policy_arn in data["policies"]],
            )
        except IAMError as error:
            apply_group_error(form, error)
            return render(request, self.template_name, {"form": form}, status=error.http_status)
        messages.success(request, f"Group {group.name} created.")
        return redirect("group-detail", group.name)
