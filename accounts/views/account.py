"""Account settings (alias, password policy) and the credential report."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from accounts import rules
from accounts.errors import IAMError
from accounts.forms import apply_service_error
from accounts.models import CredentialReport, PasswordPolicy
from accounts.selectors import account_of
from accounts.services.accounts import account_alias_set
from accounts.services.credential_report import (
    credential_report_generate,
    credential_report_latest,
)
from accounts.services.passwords import password_policy_delete, password_policy_update
from config.forms import ConsoleForm
from policies.authorization import actor_for
from policies.permissions import check, render_denied, require

ALIAS_RULE = (
    "Use 3 to 63 lower-case letters, digits and hyphens, starting and ending with a letter "
    "or digit, with no two hyphens in a row; an alias cannot be a 12-digit number."
)


class AliasForm(ConsoleForm):
    alias = forms.CharField(
        label="Account alias",
        max_length=63,
        required=False,
        help_text="3-63 lower-case letters, digits and hyphens; leave empty "
        "to delete the alias. Users can sign in with it.",
    )

    def clean_alias(self):
        """AWS's rule in words (the API's error quotes a regular expression)."""
        alias = self.cleaned_data["alias"]
        if alias:
            try:
                rules.check_alias(alias)
            except IAMError as error:
                raise forms.ValidationError(ALIAS_RULE) from error
        return alias


class PasswordPolicyForm(ConsoleForm):
    minimum_length = forms.IntegerField(
        label="Minimum length", min_value=6, max_value=128, initial=8
    )
    require_uppercase = forms.BooleanField(label="Require an uppercase letter", required=False)
    require_lowercase = forms.BooleanField(label="Require a lowercase letter", required=False)
    require_numbers = forms.BooleanField(label="Require a number", required=False)
    require_symbols = forms.BooleanField(label="Require a symbol", required=False)
    allow_users_to_change = forms.BooleanField(
        label="Allow users to change their own password", required=False, initial=True
    )
    max_age_days = forms.IntegerField(
        label="Password expires after (days)", min_value=1, max_value=1095, required=False
    )
    reuse_prevention = forms.IntegerField(
        label="Remember previous passwords (prevent reuse)",
        min_value=1,
        max_value=24,
        required=False,
    )
    hard_expiry = forms.BooleanField(
        label="Expired passwords need an administrator reset", required=False
    )


def _policy_initial(policy: PasswordPolicy | None) -> dict:
    if policy is None:
        return {}
    return {f: getattr(policy, f) for f in PasswordPolicyForm.base_fields}


class AccountSettingsView(View):
    """Alias and password policy (iam:Get/UpdateAccountPasswordPolicy, iam:*AccountAlias)."""

    template_name = "accounts/account_settings.html"

    def _render(self, request, alias_form=None, policy_form=None, status=200):
        account = account_of(request.principal)
        policy = PasswordPolicy.objects.filter(account=account).first()
        return render(
            request,
            self.template_name,
            {
                "account": account,
                "policy": policy,
                "alias_form": alias_form or AliasForm(initial={"alias": account.alias}),
                "policy_form": policy_form or PasswordPolicyForm(initial=_policy_initial(policy)),
            },
            status=status,
        )

    def get(self, request):
        result = check(request, "iam:GetAccountPasswordPolicy", "*")
        if not result.allowed:
            return render_denied(request, result)
        return self._render(request)

    def post(self, request):
        account = account_of(request.principal)
        actor = actor_for(request)
        section = request.POST.get("section")
        try:
            if section == "alias":
                form = AliasForm(request.POST)
                if not form.is_valid():
                    return self._render(request, alias_form=form, status=400)
                alias = form.cleaned_data["alias"] or None
                try:
                    account_alias_set(actor=actor, account=account, alias=alias)
                except IAMError as error:
                    form.add_error("alias", error.message)
                    return self._render(request, alias_form=form, status=400)
                messages.success(request, "Account alias saved.")
            elif section == "password-policy-delete":
                password_policy_delete(actor=actor, account=account)
                messages.success(
                    request,
                    "The custom password policy was deleted; AWS's default rules apply again.",
                )
            else:
                form = PasswordPolicyForm(request.POST)
                if not form.is_valid():
                    return self._render(request, policy_form=form, status=400)
                try:
                    password_policy_update(actor=actor, account=account, **form.cleaned_data)
                except IAMError as error:
                    apply_service_error(form, error)
                    return self._render(request, policy_form=form, status=400)
                messages.success(
                    request, "Password policy saved. It applies to every new password."
                )
        except IAMError as error:
            messages.error(request, error.message)
        return redirect("account-settings")


class CredentialReportView(View):
    """Generate (worker task, with progress) and download AWS's credential report."""

    template_name = "accounts/credential_report.html"

    def get(self, request):
        account = account_of(request.principal)
        report = credential_report_latest(account)
        if request.GET.get("download"):
            require(request, "iam:GetCredentialReport", "*")
            if report is None or report.status != CredentialReport.Status.COMPLETE:
                messages.error(request, "No finished report yet: generate one first.")
                return redirect("credential-report")
            response = HttpResponse(report.content, content_type="text/csv")
            response["Content-Disposition"] = (
                f'attachment; filename="credential-report-{account.account_id}-'
                f'{report.generated_at:%Y%m%dT%H%M%S}.csv"'
            )
            return response
        template = "accounts/_credential_report_status.html" if request.htmx else self.template_name
        return render(request, template, {"report": report})

    def post(self, request):
        require(request, "iam:GenerateCredentialReport", "*")
        _state, description = credential_report_generate(
            actor=actor_for(request), account=account_of(request.principal)
        )
        messages.info(request, description)
        return redirect("credential-report")
