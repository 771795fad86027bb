"""Switch role in the browser (AssumeRole with the signed-in identity), and role sessions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from accounts.backends import resolve_account
from accounts.errors import IAMError
from accounts.forms import apply_service_error
from accounts.models import Role, RoleSession
from accounts.services.sts import assume_role, role_session_revoke
from accounts.session import base_principal, session_switch_role
from config.forms import ConsoleForm
from policies.authorization import AccessDenied, actor_for
from policies.permissions import context_for_request, require

COLORS = [
    ("blue", "Blue"),
    ("green", "Green"),
    ("orange", "Orange"),
    ("red", "Red"),
    ("purple", "Purple"),
]


SWITCH_ROLE_REFUSED = (
    "Invalid information in one or more fields. Check your information or contact your "
    "administrator."
)


class SwitchRoleForm(ConsoleForm):
    account = forms.CharField(label="Account ID or alias", max_length=63)
    role_name = forms.CharField(label="Role name", max_length=64)
    display_name = forms.CharField(label="Display name (optional)", max_length=64, required=False)
    color = forms.ChoiceField(label="Display colour", choices=COLORS, initial="blue")


class SwitchRoleView(View):
    """Assume a role of this or another account for the browser session (one hour)."""

    template_name = "accounts/switch_role.html"

    def get(self, request):
        form = SwitchRoleForm(
            initial={
                "account": request.GET.get("account", ""),
                "role_name": request.GET.get("roleName", ""),
            }
        )
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = SwitchRoleForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        caller = base_principal(request)  # switching from a role first switches back
        data = form.cleaned_data
        account = resolve_account(data["account"])
        role = (
            Role.objects.select_related("account")
            .filter(account=account, name__iexact=data["role_name"])
            .first()
            if account
            else None
        )
        role_arn = (
            role.arn
            if role is not None
            else (
                f"arn:aws:iam::{account.account_id if account else data['account']}:role/"
                f"{data['role_name']}"
            )
        )
        try:
            session_name = (caller.username or caller.name)[:64].replace("/", "-")
            if len(session_name) < 2:
                session_name = f"{session_name}-console"
            new = assume_role(
                actor=actor_for(request),
                caller=caller,
                role=role,
                role_arn=role_arn,
                session_name=session_name,
                context=context_for_request(request, caller),
                duration_s=3600,
                via_console=True,
                display_color=data["color"],
            )
        except AccessDenied:
            if account is not None and account.account_id == caller.account_id:
                raise  # in one's own account: AWS's denial, with the condition that failed
            # Another account's missing role and forbidden one get the same answer (AWS's
            # console does too): no probing of other accounts' role names. The audit trail
            # (of both accounts) has the reason.
            form.add_error(None, SWITCH_ROLE_REFUSED)
            return render(request, self.template_name, {"form": form}, status=403)
        except IAMError as error:
            apply_service_error(form, error)
            return render(request, self.template_name, {"form": form}, status=400)
        session_switch_role(request, new.session, display_name=data["display_name"].strip())
        messages.success(request, f"You are now acting as {new.session.arn}.")
        return redirect("home")


class SwitchBackView(View):
    def post(self, request):
        session_switch_role(request, None)
        messages.info(request, "Switched back to your own identity.")
        return redirect("home")


class RoleSessionListView(View):
    """Active role sessions of the account, with revoke (iam:ListRoles / iam:UpdateRole)."""

    template_name = "accounts/role_sessions.html"

    def get(self, request):
        principal = request.principal
        require(request, "iam:ListRoles", "*")
        sessions = (
            RoleSession.objects.select_related("role__account")
            .filter(
                role__account__account_id=principal.account_id,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .order_by("-issued_at")[:200]
        )
        return render(request, self.template_name, {"sessions": sessions})


class RoleSessionRevokeView(View):
    def post(self, request, access_key_id: str):
        principal = request.principal
        # Named by its random ASIA… key id: a sequential key would be guessable.
        session = (
            RoleSession.objects.select_related("role__account")
            .filter(access_key_id=access_key_id, role__account__account_id=principal.account_id)
            .first()
        )
        if session is None:
            messages.error(request, "No such role session.")
            return redirect("role-sessions")
        role_session_revoke(actor=actor_for(request), session=session)
        messages.success(request, f"Session {session.arn} revoked.")
        return redirect("role-sessions")
