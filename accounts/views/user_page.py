"""A user's page and what is posted from it: policies, groups, tags, password, keys, MFA.

Each action is a thin adapter over the service that performs (and authorizes) it; the page
itself is the only thing read here (iam:GetUser).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.errors import IAMError
from accounts.forms import MFAEnableForm, apply_service_error
from accounts.models import Group, IAMUser, MFADevice
from accounts.selectors import attachable_policies, identity_policies, user_detail
from accounts.services import access_keys, groups, mfa, users
from accounts.views.groups.common import PolicyAttachForm
from config.forms import ConsoleForm, format_tags, parse_tags
from policies.authorization import actor_for
from policies.permissions import require
from policies.selectors import access_advisor, user_permissions
from policies.services.attachments import policy_attach_by_arn

TABS = ("permissions", "groups", "credentials", "tags", "access-advisor")
NEW_KEY_SESSION = "mqiam.user-new-access-key"


def user_or_404(request, name: str) -> IAMUser:
    """A user of the principal's account, else 404."""
    user = user_detail(principal=request.principal, name=name)
    if user is None:
        raise Http404(f"The user with name {name} cannot be found.")
    return user


def user_tab(user: IAMUser, tab: str):
    """Back to one tab of the user's page."""
    return redirect(f"{reverse('user-detail', args=[user.name])}?tab={tab}")


class UserTagsForm(ConsoleForm):
    tags = forms.CharField(
        label="Tags",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line: key=value. Removing a line removes the tag.",
    )


class GroupAddForm(ConsoleForm):
    group_name = forms.ChoiceField(label="Add to group")

    def __init__(self, *args, choices: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group_name"].choices = [("", "Choose a group…"), *((n, n) for n in choices)]


class PasswordForm(ConsoleForm):
    password = forms.CharField(
        label="New console password",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    reset_required = forms.BooleanField(
        label="User must create a new password at next sign-in", required=False, initial=True
    )


# It shows a new secret (an access key or an MFA seed): never cached anywhere.
@method_decorator(never_cache, name="dispatch")
class UserDetailView(View):
    """A user's permissions, groups, security credentials, tags and access advisor."""

    template_name = "accounts/user_detail.html"

    def get(self, request, name: str):
        user = user_or_404(request, name)
        require(request, "iam:GetUser", user.arn)
        return render(
            request, self.template_name, self.context(request, user, request.GET.get("tab", ""))
        )

    def context(self, request, user: IAMUser, tab: str, **forms_) -> dict:
        """The page's context; a form that failed validation is passed in to show its errors."""
        if tab not in TABS:
            tab = "permissions"
        policies = identity_policies(user)
        attached = {p.arn for p in policies["attached"]}
        memberships = list(user.memberships.select_related("group").order_by("group__name"))
        member_of = {m.group_id for m in memberships}
        keys = list(user.access_keys.all())
        new_key = request.session.get(NEW_KEY_SESSION)
        if new_key and new_key.get("UserName") == user.name:
            del request.session[NEW_KEY_SESSION]  # the secret is shown once
        else:
            new_key = None
        context = {
            "user": user,
            "tab": tab,
            "blockers": users.user_delete_blockers(user),
            "permissions": user_permissions(user),
            "policies": policies,
            "memberships": memberships,
            "keys": keys,
            "keys_left": access_keys.ACCESS_KEYS_PER_USER - len(keys),
            "new_key": new_key,
            "devices": MFADevice.objects.filter(user=user, enabled_at__isnull=False),
            "attach_form": forms_.get("attach_form")
            or PolicyAttachForm(
                policies=[
                    p
                    for p in attachable_policies(principal=request.principal)
                    if p.arn not in attached
                ]
            ),
            "group_form": forms_.get("group_form")
            or GroupAddForm(
                choices=[
                    g.name
                    for g in Group.objects.filter(account=user.account).order_by("name")
                    if g.pk not in member_of
                ]
            ),
            "tags_form": forms_.get("tags_form")
            or UserTagsForm(initial={"tags": format_tags(user.tags)}),
            "password_form": forms_.get("password_form") or PasswordForm(),
        }
        if tab == "access-advisor":
            context["advisor"] = access_advisor(user)
        return context

    @classmethod
    def render_with(cls, request, user: IAMUser, tab: str, status: int, **forms_):
        view = cls()
        return render(
            request, view.template_name, view.context(request, user, tab, **forms_), status=status
        )


def _step(request, user: IAMUser, tab: str, run, success: str):
    """Run one service call as the signed-in principal, report it, back to ``tab``."""
    try:
        run(actor=actor_for(request))
    except IAMError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return user_tab(user, tab)


class UserPolicyAttachView(View):
    """Attach a managed policy (iam:AttachUserPolicy with ``iam:PolicyARN``)."""

    def post(self, request, name: str):
        user = user_or_404(request, name)
        form = PolicyAttachForm(
            request.POST, policies=attachable_policies(principal=request.principal)
        )
        status = 400
        if form.is_valid():
            policy_arn = form.cleaned_data["policy_arn"]
            try:
                attached = policy_attach_by_arn(
                    actor=actor_for(request), identity=user, policy_arn=policy_arn
                )
            except IAMError as error:
                form.add_error("policy_arn", error.message)
                status = error.http_status
            else:
                messages.success(request, f"Policy {attached.policy.name} attached to {user.name}.")
                return user_tab(user, "permissions")
        return UserDetailView.render_with(request, user, "permissions", status, attach_form=form)


class UserGroupAddView(View):
    """Add the user to a group (iam:AddUserToGroup on the group)."""

    def post(self, request, name: str):
        user = user_or_404(request, name)
        names = list(Group.objects.filter(account=user.account).values_list("name", flat=True))
        form = GroupAddForm(request.POST, choices=names)
        status = 400
        if form.is_valid():
            group = Group.objects.select_related("account").get(
                account=user.account, name=form.cleaned_data["group_name"]
            )
            try:
                groups.group_member_add(actor=actor_for(request), group=group, user=user)
            except IAMError as error:
                form.add_error("group_name", error.message)
                status = error.http_status
            else:
                messages.success(request, f"User {user.name} added to {group.name}.")
                return user_tab(user, "groups")
        return UserDetailView.render_with(request, user, "groups", status, group_form=form)


class UserTagsUpdateView(View):
    """Set the user's tags: iam:TagUser for new/changed keys, iam:UntagUser for removed ones."""

    def post(self, request, name: str):
        user = user_or_404(request, name)
        form = UserTagsForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                wanted = parse_tags(form.cleaned_data["tags"])
            except ValueError as error:
                form.add_error("tags", str(error))
            else:
                try:
                    users.user_tags_set(actor=actor_for(request), user=user, tags=wanted)
                except IAMError as error:
                    form.add_error("tags", error.message)
                    status = error.http_status
                    user.refresh_from_db()
                else:
                    messages.success(request, f"Tags of {user.name} saved.")
                    return user_tab(user, "tags")
        return UserDetailView.render_with(request, user, "tags", status, tags_form=form)


class UserPasswordView(View):
    """Set or reset the console password (iam:CreateLoginProfile / iam:UpdateLoginProfile)."""

    def post(self, request, name: str):
        user = user_or_404(request, name)
        form = PasswordForm(request.POST)
        status = 400
        if form.is_valid():
            had_password = user.has_console_password
            try:
                users.user_password_set(
                    actor=actor_for(request),
                    user=user,
                    password=form.cleaned_data["password"],
                    reset_required=form.cleaned_data["reset_required"],
                )
            except IAMError as error:
                form.add_error("password", error.message)
                status = error.http_status
                user.refresh_from_db()
            else:
                verb = "reset" if had_password else "set: console access enabled"
                messages.success(request, f"Console password of {user.name} {verb}.")
                return user_tab(user, "credentials")
        return UserDetailView.render_with(request, user, "credentials", status, password_form=form)


class UserPasswordRemoveView(View):
    """Disable console access (iam:DeleteLoginProfile); the user's keys keep working."""

    def post(self, request, name: str):
        user = user_or_404(request, name)
        return _step(
            request,
            user,
            "credentials",
            lambda actor: users.user_password_set(actor=actor, user=user, password=None),
            f"Console access of {user.name} disabled.",
        )


class UserAccessKeyCreateView(View):
    """Create an access key for the user; its secret is shown once, on the next page load."""

    def post(self, request, name: str):
        user = user_or_404(request, name)
        try:
            new = access_keys.access_key_create(actor=actor_for(request), owner=user)
        except IAMError as error:
            messages.error(request, error.message)
        else:
            request.session[NEW_KEY_SESSION] = {"UserName": user.name, **new.as_aws_json()}
        return user_tab(user, "credentials")


class UserAccessKeyUpdateView(View):
    """Activate, deactivate (iam:UpdateAccessKey) or delete (iam:DeleteAccessKey) a key."""

    def post(self, request, name: str, access_key_id: str):
        user = user_or_404(request, name)
        operation = request.POST.get("operation")
        if operation == "delete":
            return _step(
                request,
                user,
                "credentials",
                lambda actor: access_keys.access_key_delete(
                    actor=actor, owner=user, access_key_id=access_key_id
                ),
                f"Access key {access_key_id} deleted.",
            )
        if operation not in ("activate", "deactivate"):
            return user_tab(user, "credentials")
        status = "Active" if operation == "activate" else "Inactive"
        return _step(
            request,
            user,
            "credentials",
            lambda actor: access_keys.access_key_set_status(
                actor=actor, owner=user, access_key_id=access_key_id, status=status
            ),
            f"Access key {access_key_id} is now {status.lower()}.",
        )


class UserMFARemoveView(View):
    """Remove one of the user's MFA devices (iam:DeactivateMFADevice on the user)."""

    def post(self, request, name: str):
        user = user_or_404(request, name)
        serial = request.POST.get("serial_number", "")
        return _step(
            request,
            user,
            "credentials",
            lambda actor: mfa.mfa_device_deactivate(actor=actor, owner=user, serial_number=serial),
            f"MFA device removed from {user.name}: sign-in no longer asks for a code.",
        )


def _mfa_session_key(user: IAMUser) -> str:
    return f"mqiam.user-mfa-enrolment.{user.pk}"


# It shows a new secret (an access key or an MFA seed): never cached anywhere.
@method_decorator(never_cache, name="dispatch")
class UserMFAAssignView(View):
    """Assign a virtual MFA device to the user: a start page (GET, no state change); POST
    ``start`` creates the device (iam:CreateVirtualMFADevice) and shows its QR code for the
    user to scan; POST with two consecutive codes enables it (iam:EnableMFADevice)."""

    template_name = "accounts/user_mfa_assign.html"

    def _render(self, request, user, enrolment, form, status=200):
        context = {
            "user": user,
            "form": form,
            "seed": enrolment.seed,
            "qr": enrolment.qr_svg_data_uri(),
            "device": enrolment.device,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, name: str):
        user = user_or_404(request, name)
        require(request, "iam:GetUser", user.arn)
        return render(request, self.template_name, {"user": user, "start": True})

    def _start(self, request, user):
        try:
            enrolment = mfa.mfa_device_create(actor=actor_for(request), owner=user, name=user.name)
        except IAMError as error:
            messages.error(request, error.message)
            return user_tab(user, "credentials")
        request.session[_mfa_session_key(user)] = enrolment.device.pk
        return self._render(request, user, enrolment, MFAEnableForm())

    def post(self, request, name: str):
        user = user_or_404(request, name)
        if request.POST.get("step") == "start":
            return self._start(request, user)
        device = (
            MFADevice.objects.filter(
                pk=request.session.get(_mfa_session_key(user)), user=user, enabled_at__isnull=True
            )
            .select_related("account", "user")
            .first()
        )
        if device is None:
            return user_tab(user, "credentials")
        form = MFAEnableForm(request.POST)
        if form.is_valid():
            try:
                mfa.mfa_device_enable(
                    actor=actor_for(request),
                    device=device,
                    code1=form.cleaned_data["code1"],
                    code2=form.cleaned_data["code2"],
                )
            except IAMError as error:
                apply_service_error(form, error)
            else:
                request.session.pop(_mfa_session_key(user), None)
                messages.success(
                    request, f"MFA device assigned to {user.name}: sign-in now asks for a code."
                )
                return user_tab(user, "credentials")
        enrolment = mfa.mfa_enrolment_resume(device=device, owner=user)
        return self._render(request, user, enrolment, form, status=400)
