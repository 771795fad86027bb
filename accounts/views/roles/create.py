"""The role list, the create form (trust policy from choices or JSON), its preview."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View
from django_tables2 import RequestConfig

from accounts.errors import IAMError, ValidationError
from accounts.filters import RoleFilter
from accounts.selectors import account_of, attachable_policies, role_list
from accounts.services.trust import TRUSTED_ENTITY_CHOICES, trust_policy_from_choices
from accounts.tables import RoleTable
from accounts.views.groups.common import policy_choices
from accounts.views.roles.common import CUSTOM, HOURS, apply_role_error, trust_findings
from config.forms import ConsoleForm, parse_tags
from policies.authorization import actor_for
from policies.models import ManagedPolicy
from policies.permissions import IAMActionMixin
from policies.services.identities import role_create_with_permissions


class RoleListView(IAMActionMixin, View):
    """All roles of the account, service-linked ones included (iam:ListRoles)."""

    iam_action = "iam:ListRoles"

    def get(self, request):
        roles_filter = RoleFilter(request.GET, queryset=role_list(principal=request.principal))
        table = RoleTable(roles_filter.qs)
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        return render(request, "accounts/role_list.html", {"filter": roles_filter, "table": table})


class TrustForm(ConsoleForm):
    """Who may assume the role: built from choices, or written as JSON."""

    trusted_entity = forms.ChoiceField(
        label="Trusted entity",
        choices=[*TRUSTED_ENTITY_CHOICES, (CUSTOM, "Custom trust policy (write the JSON)")],
        initial=TRUSTED_ENTITY_CHOICES[0][0],
        widget=forms.RadioSelect,
    )
    other_account_id = forms.CharField(
        label="Account ID to trust",
        required=False,
        max_length=12,
        help_text="12 digits; only for “Another AWS account”.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    require_mfa = forms.BooleanField(
        label="Require MFA (aws:MultiFactorAuthPresent must be true)", required=False
    )
    require_external_id = forms.BooleanField(
        label="Require external ID (for a third party that assumes this role)", required=False
    )
    external_id = forms.CharField(label="External ID", required=False, max_length=1224)
    trust_json = forms.CharField(
        label="Custom trust policy (JSON)",
        required=False,
        strip=False,
        help_text="Used when “Custom trust policy” is chosen above; checked as IAM checks "
        "a trust policy.",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "font-monospace"}),
    )

    def __init__(self, *args, account_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_id = account_id

    def clean(self):
        data = super().clean()
        entity = data.get("trusted_entity")
        if entity == CUSTOM:
            if not (data.get("trust_json") or "").strip():
                self.add_error("trust_json", "Write the trust policy, or choose a trusted entity.")
            else:
                data["trust_document"] = data["trust_json"]
            return data
        if data.get("require_external_id") and not data.get("external_id"):
            self.add_error("external_id", "Enter the external ID the third party will pass.")
            return data
        try:
            data["trust_document"] = trust_policy_from_choices(
                trusted_entity=entity or "",
                account_id=self.account_id,
                other_account_id=data.get("other_account_id") or None,
                require_mfa=bool(data.get("require_mfa")),
                external_id=(data.get("external_id") or None)
                if data.get("require_external_id")
                else None,
            )
        except ValidationError as error:
            apply_role_error(self, error)
        return data


class RoleCreateForm(TrustForm):
    name = forms.CharField(
        label="Role name", max_length=64, help_text="Up to 64 letters, digits and + = , . @ _ -"
    )
    path = forms.CharField(
        label="Path", max_length=512, initial="/", help_text="For example / or /division_abc/"
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    max_session_duration = forms.TypedChoiceField(
        label="Maximum session duration", choices=HOURS, coerce=int, initial=3600
    )
    permissions_boundary = forms.ChoiceField(
        label="Permissions boundary",
        required=False,
        help_text="A managed policy that caps what the role's own policies can grant.",
    )
    policies = forms.MultipleChoiceField(
        label="Attach permissions policies",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    tags = forms.CharField(
        label="Tags",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: key=value",
    )

    def __init__(self, *args, policies: list[ManagedPolicy], **kwargs):
        super().__init__(*args, **kwargs)
        choices = policy_choices(policies)
        self.fields["policies"].choices = choices
        self.fields["permissions_boundary"].choices = [("", "No boundary"), *choices]

    def clean(self):
        data = super().clean()
        try:
            data["tag_map"] = parse_tags(data.get("tags", ""))
        except ValueError as error:
            self.add_error("tags", str(error))
        return data


def _form_context(form: TrustForm) -> dict:
    """Findings to show beside a custom trust policy that was submitted."""
    text = form.data.get("trust_json", "") if form.is_bound else ""
    custom = form.is_bound and form.data.get("trusted_entity") == CUSTOM and text.strip()
    return {"form": form, "findings": trust_findings(text) if custom else []}


class RoleCreateView(View):
    """Create a role with its trust policy, boundary, tags and policies in one transaction.

    Every part is its own IAM action (iam:CreateRole with the request tags and
    ``iam:PermissionsBoundary``, iam:TagRole, iam:PutRolePermissionsBoundary,
    iam:AttachRolePolicy per policy), each authorized by its service; a denial of any part
    leaves nothing written.
    """

    template_name = "accounts/role_create.html"

    def get(self, request):
        form = RoleCreateForm(
            account_id=request.principal.account_id,
            policies=attachable_policies(principal=request.principal),
        )
        return render(request, self.template_name, _form_context(form))

    def post(self, request):
        account = account_of(request.principal)
        policies = attachable_policies(principal=request.principal)
        form = RoleCreateForm(request.POST, account_id=account.account_id, policies=policies)
        if not form.is_valid():
            return render(request, self.template_name, _form_context(form), status=400)
        data = form.cleaned_data
        by_arn = {p.arn: p for p in policies}
        boundary = by_arn.get(data["permissions_boundary"] or "")
        try:
            role = role_create_with_permissions(
                actor=actor_for(request),
                account=account,
                name=data["name"],
                path=data["path"],
                description=data["description"],
                trust_policy=data["trust_document"],
                max_session_duration=data["max_session_duration"],
                tags=data["tag_map"],
                boundary=boundary,
                policies=[by_arn[policy_arn] for policy_arn in data["policies"]],
            )
        except IAMError as error:
            apply_role_error(form, error)
            return render(
                request, self.template_name, _form_context(form), status=error.http_status
            )
        messages.success(request, f"Role {role.name} created.")
        return redirect("role-detail", role.name)


class RoleTrustPreviewView(View):
    """The trust policy the create form's choices produce (htmx; reads nothing, changes nothing)."""

    def post(self, request):
        form = TrustForm(request.POST, account_id=request.principal.account_id)
        document, error = None, ""
        if form.is_valid():
            document = form.cleaned_data["trust_document"]
            if isinstance(document, str):
                error = "Custom trust policy: checked when you create the role."
        else:
            error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return render(
            request,
            "accounts/role_trust_preview.html",
            {
                "document": json.dumps(document, indent=2) if isinstance(document, dict) else "",
                "error": error,
            },
        )
