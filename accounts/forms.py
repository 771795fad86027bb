"""Forms of the accounts pages; rules live in services, forms only shape input."""

from __future__ import annotations

from django import forms

from config.forms import ConsoleForm


class RootSignInForm(ConsoleForm):
    email = forms.EmailField(
        label="Root user email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class UserSignInForm(ConsoleForm):
    account = forms.CharField(
        label="Account ID (12 digits) or account alias",
        max_length=63,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "organization"}),
    )
    username = forms.CharField(
        label="IAM user name",
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Password",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class MFACodeForm(ConsoleForm):
    code = forms.RegexField(
        label="MFA code",
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": "Enter the 6-digit code from your authenticator app."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordChangeForm(ConsoleForm):
    old_password = forms.CharField(
        label="Current password",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label="New password",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirm_password = forms.CharField(
        label="Confirm new password",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") != data.get("confirm_password"):
            self.add_error("confirm_password", "The passwords do not match.")
        return data


class MFAEnableForm(ConsoleForm):
    code1 = forms.RegexField(
        label="MFA code 1",
        regex=r"^\d{6}$",
        error_messages={"invalid": "6 digits"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    code2 = forms.RegexField(
        label="MFA code 2 (the next one)",
        regex=r"^\d{6}$",
        error_messages={"invalid": "6 digits"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def apply_service_error(form: forms.Form, error) -> None:
    """Show a service's IAMError on the field it names, else at the top of the form."""
    named = [name for name in (getattr(error, "fields", None) or {}) if name in form.fields]
    form.add_error(named[0] if named else None, error.message)
