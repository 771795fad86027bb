"""IAM users: list, create (with password, groups, policies, tags), edit, delete.

The user's page and its actions are in ``user_page``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View
from django_tables2 import RequestConfig

from accounts.errors import IAMError
from accounts.filters import UserFilter
from accounts.forms import apply_service_error
from accounts.models import Group, IAMUser
from accounts.selectors import account_of, attachable_policies, user_list
from accounts.services import users
from accounts.services.deletion import user_delete_with_blockers
from accounts.tables import UserTable
from accounts.views.deletion import ConfirmDeleteView
from accounts.views.groups.common import policy_choices
from accounts.views.user_page import user_or_404
from config.forms import ConsoleForm, parse_tags
from policies.authorization import actor_for
from policies.models import ManagedPolicy
from policies.permissions import IAMActionMixin, check, render_denied
from policies.services.identities import user_create_with_permissions


class UserListView(IAMActionMixin, View):
    """All users of the account, filtered and sorted on the server (iam:ListUsers)."""

    iam_action = "iam:ListUsers"

    def get(self, request):
        users_filter = UserFilter(request.GET, queryset=user_list(principal=request.principal))
        table = UserTable(users_filter.qs)
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        return render(request, "accounts/user_list.html", {"filter": users_filter, "table": table})


class UserCreateForm(ConsoleForm):
    name = forms.CharField(
        label="User name", max_length=64, help_text="Up to 64 letters, digits and + = , . @ _ -"
    )
    path = forms.CharField(
        label="Path", max_length=512, initial="/", help_text="For example / or /division_abc/"
    )
    console_access = forms.BooleanField(label="Provide access to the console", required=False)
    password = forms.CharField(
        label="Console password",
        required=False,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_reset_required = forms.BooleanField(
        label="User must create a new password at next sign-in", required=False, initial=True
    )
    groups = forms.MultipleChoiceField(
        label="Add to groups", required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    policies = forms.MultipleChoiceField(
        label="Attach policies directly",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    tags = forms.CharField(
        label="Tags",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: key=value",
    )

    def __init__(self, *args, account, policies: list[ManagedPolicy], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [
            (g.name, g.name) for g in Group.objects.filter(account=account).order_by("name")
        ]
        # The same choice as the group and role forms: the account's own and AWS managed ones
        # (``account__in=[pk, None]`` never matched AWS managed policies: SQL's IN skips NULL).
        self.fields["policies"].choices = policy_choices(policies)

    def clean(self):
        data = super().clean()
        if data.get("console_access") and not data.get("password"):
            self.add_error("password", "Enter a console password, or untick console access.")
        try:
            data["tag_map"] = parse_tags(data.get("tags", ""))
        except ValueError as error:
            self.add_error("tags", str(error))
        return data


class UserCreateView(View):
    """Create a user and, in the same transaction, its password, groups, policies and tags.

    Each part is its own IAM action (iam:CreateUser with request tags, iam:TagUser,
    iam:CreateLoginProfile, iam:AddUserToGroup, iam:AttachUserPolicy), each authorized by its
    service; a denial of any part leaves nothing half-made.
    """

    template_name = "accounts/user_create.html"

    def get(self, request):
        form = UserCreateForm(
            account=account_of(request.principal),
            policies=attachable_policies(principal=request.principal),
        )
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        account = account_of(request.principal)
        attachable = attachable_policies(principal=request.principal)
        form = UserCreateForm(request.POST, account=account, policies=attachable)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        data = form.cleaned_data
        policies = {p.arn: p for p in attachable}
        try:
            user = user_create_with_permissions(
                actor=actor_for(request),
                account=account,
                name=data["name"],
                path=data["path"],
                tags=data["tag_map"],
                password=data["password"] if data["console_access"] else None,
                password_reset_required=data["password_reset_required"],
                member_of=[Group.objects.get(account=account, name=n) for n in data["groups"]],
                policies=[policies[policy_arn] for policy_arn in data["policies"]],
            )
        except IAMError as error:
            apply_service_error(form, error)
            return render(request, self.template_name, {"form": form}, status=400)
        messages.success(request, f"User {user.name} created.")
        return redirect("user-detail", user.name)


class UserUpdateForm(ConsoleForm):
    name = forms.CharField(label="User name", max_length=64)
    path = forms.CharField(label="Path", max_length=512)


class UserUpdateView(View):
    """Rename a user or move it to another path (iam:UpdateUser on the old and new ARN)."""

    template_name = "accounts/user_update.html"

    def get(self, request, name: str):
        user = user_or_404(request, name)
        result = check(request, "iam:GetUser", user.arn)
        if not result.allowed:
            return render_denied(request, result)
        form = UserUpdateForm(initial={"name": user.name, "path": user.path})
        return render(request, self.template_name, {"form": form, "user": user})

    def post(self, request, name: str):
        user = user_or_404(request, name)
        form = UserUpdateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                users.user_update(
                    actor=actor_for(request),
                    user=user,
                    new_name=data["name"] if data["name"] != user.name else None,
                    new_path=data["path"] if data["path"] != user.path else None,
                )
            except IAMError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, f"User {user.name} updated.")
                return redirect("user-detail", user.name)
        return render(request, self.template_name, {"form": form, "user": user}, status=400)


class UserDeleteView(ConfirmDeleteView):
    """Confirm, optionally remove what blocks deletion (each step authorized), then delete."""

    template_name = "accounts/user_delete.html"
    entity = "user"
    read_action = "iam:GetUser"
    list_url = "user-list"

    def get_object(self, request, name: str) -> IAMUser:
        return user_or_404(request, name)

    def get_context(self, user: IAMUser) -> dict:
        return {"user": user, "blockers": users.user_delete_blockers(user)}

    def perform_delete(self, request, user: IAMUser, *, remove_blockers: bool) -> None:
        user_delete_with_blockers(
            actor=actor_for(request), user=user, remove_blockers=remove_blockers
        )
