"""IAM roles: list, create (trust policy from a form or JSON), detail tabs, edit, delete.

Service-linked roles (AWSServiceRoleForAmazonMQ) are shown read-only: only their description
may change, and the services refuse everything else with UnmodifiableEntity anyway.
"""

from __future__ import annotations

import json
from functools import partial

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django_tables2 import RequestConfig

from accounts.errors import IAMError, ValidationError
from accounts.filters import RoleFilter
from accounts.forms import apply_service_error
from accounts.identifiers import iam_arn
from accounts.models import Role, RoleSession
from accounts.selectors import (
    account_of,
    attachable_policies,
    identity_policies,
    role_active_sessions,
    role_detail,
    role_list,
    role_recent_assumptions,
)
from accounts.services import roles
from accounts.services.sts import role_session_revoke
from accounts.services.trust import (
    TRUSTED_ENTITY_CHOICES,
    trust_policy_from_choices,
    trusted_entities,
)
from accounts.tables import RoleTable
from accounts.views.groups import PolicyAttachForm, policy_choices
from config.forms import ConsoleForm, format_tags, parse_tags
from policies.authorization import AccessDenied, actor_for
from policies.catalog import get_catalog
from policies.engine.validate import validate_text
from policies.models import ManagedPolicy
from policies.permissions import IAMActionMixin, check, render_denied, require
from policies.services.attachments import (
    inline_policy_delete,
    permissions_boundary_put,
    policy_attach,
    policy_detach,
)
from policies.services.managed import policy_get_by_arn

CUSTOM = "custom"
SERVICE_NAMES = {"mq.amazonaws.com": "Amazon MQ"}
HOURS = [(h * 3600, f"{h} hour{'s' if h > 1 else ''}") for h in range(1, 13)]
FIELD_FOR_PARAMETER = {
    "roleName": "name",
    "path": "path",
    "tags": "tags",
    "description": "description",
    "max_session_duration": "max_session_duration",
}


def _field_for(error: IAMError) -> str | None:
    """The form field a service error concerns (its ``fields`` name AWS's parameters)."""
    if error.code == "MalformedPolicyDocument" or "PolicySize" in error.message:
        return "trust_json"  # its ``path`` field is a JSON path, not the role's path
    named = [FIELD_FOR_PARAMETER[n] for n in (error.fields or {}) if n in FIELD_FOR_PARAMETER]
    if named:
        return named[0]
    if error.code == "LimitExceeded":
        return "tags" if "TagsPer" in error.message else "policies"
    return "name" if error.code == "EntityAlreadyExists" else None


def apply_role_error(form: forms.Form, error: IAMError) -> None:
    """Put a service error on the form field it concerns (AWS's wording kept)."""
    field = _field_for(error)
    if field in form.fields:
        form.add_error(field, error.message)
    else:
        apply_service_error(form, error)


def read_only_reason(role: Role) -> str:
    """Why a service-linked role cannot be edited here, in the words the console shows."""
    service = SERVICE_NAMES.get(role.service_name, role.service_name or "an AWS service")
    return (
        f"This role is linked to {service} and can only be edited by the service; "
        "its description can be changed."
    )


def role_authz(role: Role, **extra) -> dict:
    """``require`` keywords for an action on ``role``: its tags and its boundary's ARN."""
    keys = dict(extra)
    if role.permissions_boundary_id:
        keys["iam:PermissionsBoundary"] = role.permissions_boundary.arn
    return {"resource_tags": role.tags, "extra": keys}


def trust_findings(text: str) -> list[dict]:
    """The validator's findings for a trust policy written as JSON (errors first)."""
    return [f.to_dict() for f in validate_text(text, "trust", catalog=get_catalog())]


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
    iam:AttachRolePolicy per policy), all authorized before anything is written.
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
        keys = {"iam:PermissionsBoundary": boundary.arn} if boundary else {}
        arn = iam_arn(account.account_id, "role", data["path"], data["name"])
        tags = data["tag_map"]
        try:
            require(request, "iam:CreateRole", arn, request_tags=tags, extra=keys)
            if tags:
                require(request, "iam:TagRole", arn, request_tags=tags, extra=keys)
            if boundary:
                require(request, "iam:PutRolePermissionsBoundary", arn, extra=keys)
            for policy_arn in data["policies"]:
                require(
                    request,
                    "iam:AttachRolePolicy",
                    arn,
                    extra={**keys, "iam:PolicyARN": policy_arn},
                )
            actor = actor_for(request)
            with transaction.atomic():
                role = roles.role_create(
                    actor=actor,
                    account=account,
                    name=data["name"],
                    path=data["path"],
                    description=data["description"],
                    trust_policy=data["trust_document"],
                    max_session_duration=data["max_session_duration"],
                    tags=tags,
                )
                if boundary:
                    permissions_boundary_put(actor=actor, identity=role, policy=boundary)
                for policy_arn in data["policies"]:
                    policy_attach(actor=actor, policy=by_arn[policy_arn], identity=role)
        except AccessDenied as denied:
            return render_denied(request, denied.result)
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


def _role_or_404(request, name: str) -> Role:
    role = role_detail(principal=request.principal, name=name)
    if role is None:
        raise Http404(f"The role with name {name} cannot be found.")
    return role


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text


class RoleTagsForm(ConsoleForm):
    tags = forms.CharField(
        label="Tags",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line: key=value. Removing a line removes the tag.",
    )


class RoleDetailView(View):
    """A role's permissions, trust relationships, tags, active sessions and last use."""

    template_name = "accounts/role_detail.html"
    tabs = ("permissions", "trust", "tags", "sessions", "last-used")

    def get(self, request, name: str):
        role = _role_or_404(request, name)
        result = check(request, "iam:GetRole", role.arn, **role_authz(role))
        if not result.allowed:
            return render_denied(request, result)
        return render(
            request, self.template_name, self.context(request, role, request.GET.get("tab", ""))
        )

    def context(self, request, role: Role, tab: str, **forms_) -> dict:
        """The page's context; a form that failed validation is passed in to show its errors."""
        if tab not in self.tabs:
            tab = "permissions"
        policies = identity_policies(role)
        attached = {p.arn for p in policies["attached"]}
        sessions = list(role_active_sessions(role=role)[:200])
        trusted = trusted_entities(role.trust_policy)
        return {
            "role": role,
            "tab": tab,
            "tab_labels": [
                ("permissions", f"Permissions ({len(attached) + len(policies['inline'])})"),
                ("trust", "Trust relationships"),
                ("tags", f"Tags ({len(role.tags)})"),
                ("sessions", f"Sessions ({len(sessions)})"),
                ("last-used", "Last used"),
            ],
            "max_session_label": dict(HOURS).get(
                role.max_session_duration, f"{role.max_session_duration} seconds"
            ),
            "read_only": role.is_service_linked,
            "read_only_reason": read_only_reason(role) if role.is_service_linked else "",
            "policies": policies,
            "trust_json": _pretty(role.trust_policy),
            "trusted": trusted,
            "sessions": sessions,
            "assumptions": role_recent_assumptions(role=role) if tab == "last-used" else [],
            "blockers": roles.role_delete_blockers(role),
            "attach_form": forms_.get("attach_form")
            or PolicyAttachForm(
                policies=[
                    p
                    for p in attachable_policies(principal=request.principal)
                    if p.arn not in attached
                ]
            ),
            "tags_form": forms_.get("tags_form")
            or RoleTagsForm(initial={"tags": format_tags(role.tags)}),
        }


def _detail_tab(role: Role, tab: str):
    return redirect(f"{reverse('role-detail', args=[role.name])}?tab={tab}")


class RoleUpdateForm(ConsoleForm):
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    max_session_duration = forms.TypedChoiceField(
        label="Maximum session duration", choices=HOURS, coerce=int
    )

    def __init__(self, *args, role: Role, **kwargs):
        super().__init__(*args, **kwargs)
        if role.is_service_linked:
            del self.fields["max_session_duration"]  # only the description may change
        elif role.max_session_duration not in dict(HOURS):
            self.fields["max_session_duration"].choices = [
                (role.max_session_duration, f"{role.max_session_duration} seconds (current)"),
                *HOURS,
            ]


class RoleUpdateView(View):
    """Change the description and maximum session duration (iam:UpdateRole)."""

    template_name = "accounts/role_update.html"

    def get(self, request, name: str):
        role = _role_or_404(request, name)
        result = check(request, "iam:GetRole", role.arn, **role_authz(role))
        if not result.allowed:
            return render_denied(request, result)
        form = RoleUpdateForm(
            role=role,
            initial={
                "description": role.description,
                "max_session_duration": role.max_session_duration,
            },
        )
        return render(request, self.template_name, self._context(role, form))

    def _context(self, role: Role, form) -> dict:
        reason = read_only_reason(role) if role.is_service_linked else ""
        return {"role": role, "form": form, "read_only_reason": reason}

    def post(self, request, name: str):
        role = _role_or_404(request, name)
        form = RoleUpdateForm(request.POST, role=role)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                require(request, "iam:UpdateRole", role.arn, **role_authz(role))
                roles.role_update(
                    actor=actor_for(request),
                    role=role,
                    description=data["description"],
                    max_session_duration=data.get("max_session_duration"),
                )
            except AccessDenied as denied:
                return render_denied(request, denied.result)
            except IAMError as error:
                apply_role_error(form, error)
                status = error.http_status
            else:
                messages.success(request, f"Role {role.name} updated.")
                return redirect("role-detail", role.name)
        return render(request, self.template_name, self._context(role, form), status=status)


class TrustPolicyForm(ConsoleForm):
    trust_json = forms.CharField(
        label="Trust policy (JSON)",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false", "class": "font-monospace"}),
    )


class RoleTrustUpdateView(View):
    """Replace the trust policy (iam:UpdateAssumeRolePolicy); findings shown on the page."""

    template_name = "accounts/role_trust.html"

    def get(self, request, name: str):
        role = _role_or_404(request, name)
        result = check(request, "iam:GetRole", role.arn, **role_authz(role))
        if not result.allowed:
            return render_denied(request, result)
        form = TrustPolicyForm(initial={"trust_json": _pretty(role.trust_policy)})
        return render(request, self.template_name, self._context(role, form, []))

    def _context(self, role: Role, form, findings: list) -> dict:
        reason = read_only_reason(role) if role.is_service_linked else ""
        return {"role": role, "form": form, "findings": findings, "read_only_reason": reason}

    def post(self, request, name: str):
        role = _role_or_404(request, name)
        form = TrustPolicyForm(request.POST)
        findings: list = []
        status = 400
        if form.is_valid():
            text = form.cleaned_data["trust_json"]
            findings = trust_findings(text)
            try:
                require(request, "iam:UpdateAssumeRolePolicy", role.arn, **role_authz(role))
                roles.role_trust_policy_update(
                    actor=actor_for(request), role=role, trust_policy=text
                )
            except AccessDenied as denied:
                return render_denied(request, denied.result)
            except IAMError as error:
                apply_role_error(form, error)
                status = error.http_status
            else:
                messages.success(request, f"Trust policy of {role.name} updated.")
                return _detail_tab(role, "trust")
        return render(
            request, self.template_name, self._context(role, form, findings), status=status
        )


class RoleTagsUpdateView(View):
    """Set the role's tags: iam:TagRole for new/changed keys, iam:UntagRole for removed ones."""

    def post(self, request, name: str):
        role = _role_or_404(request, name)
        form = RoleTagsForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                wanted = parse_tags(form.cleaned_data["tags"])
            except ValueError as error:
                form.add_error("tags", str(error))
            else:
                changed = {k: v for k, v in wanted.items() if role.tags.get(k) != v}
                kept = {k.lower() for k in wanted}
                removed = [k for k in role.tags if k.lower() not in kept]
                try:
                    if changed:
                        require(
                            request,
                            "iam:TagRole",
                            role.arn,
                            request_tags=changed,
                            **role_authz(role),
                        )
                    if removed:
                        require(
                            request,
                            "iam:UntagRole",
                            role.arn,
                            **role_authz(role, **{"aws:TagKeys": removed}),
                        )
                    actor = actor_for(request)
                    with transaction.atomic():
                        if removed:
                            roles.role_untag(actor=actor, role=role, keys=removed)
                        if changed:
                            roles.role_tag(actor=actor, role=role, tags=changed)
                except AccessDenied as denied:
                    return render_denied(request, denied.result)
                except IAMError as error:
                    form.add_error("tags", error.message)
                    status = error.http_status
                    role.refresh_from_db()
                else:
                    messages.success(request, f"Tags of {role.name} saved.")
                    return _detail_tab(role, "tags")
        view = RoleDetailView()
        return render(
            request,
            view.template_name,
            view.context(request, role, "tags", tags_form=form),
            status=status,
        )


class RolePolicyAttachView(View):
    """Attach a managed policy (iam:AttachRolePolicy with ``iam:PolicyARN``)."""

    def post(self, request, name: str):
        role = _role_or_404(request, name)
        form = PolicyAttachForm(
            request.POST, policies=attachable_policies(principal=request.principal)
        )
        status = 400
        if form.is_valid():
            policy_arn = form.cleaned_data["policy_arn"]
            try:
                require(
                    request,
                    "iam:AttachRolePolicy",
                    role.arn,
                    **role_authz(role, **{"iam:PolicyARN": policy_arn}),
                )
                policy = policy_get_by_arn(account=role.account, arn=policy_arn)
                policy_attach(actor=actor_for(request), policy=policy, identity=role)
            except AccessDenied as denied:
                return render_denied(request, denied.result)
            except IAMError as error:
                form.add_error("policy_arn", error.message)
                status = error.http_status
            else:
                messages.success(request, f"Policy {policy.name} attached to {role.name}.")
                return _detail_tab(role, "permissions")
        view = RoleDetailView()
        return render(
            request,
            view.template_name,
            view.context(request, role, "permissions", attach_form=form),
            status=status,
        )


def _role_step(request, role: Role, tab: str, action: str, run, success: str, **keys):
    """Authorize ``action`` on the role, run one service call, report it, back to ``tab``."""
    try:
        require(request, action, role.arn, **role_authz(role, **keys))
        run(actor=actor_for(request))
    except AccessDenied as denied:
        return render_denied(request, denied.result)
    except IAMError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return _detail_tab(role, tab)


class RolePolicyDetachView(View):
    """Detach a managed policy (iam:DetachRolePolicy with ``iam:PolicyARN``)."""

    def post(self, request, name: str):
        role = _role_or_404(request, name)
        policy_arn = request.POST.get("policy_arn", "")

        def detach(actor):
            policy = policy_get_by_arn(account=role.account, arn=policy_arn)
            policy_detach(actor=actor, policy=policy, identity=role)

        return _role_step(
            request,
            role,
            "permissions",
            "iam:DetachRolePolicy",
            detach,
            f"Policy {policy_arn.rsplit('/', 1)[-1]} detached from {role.name}.",
            **{"iam:PolicyARN": policy_arn},
        )


class RoleSessionEndView(View):
    """Revoke one active session of the role.

    AWS revokes sessions by putting an inline deny policy on the role, so this is authorized
    as iam:PutRolePolicy, like the account-wide role sessions page.
    """

    def post(self, request, name: str, pk: int):
        role = _role_or_404(request, name)
        session = (
            RoleSession.objects.select_related("role__account").filter(pk=pk, role=role).first()
        )
        if session is None:
            raise Http404("No such role session.")
        return _role_step(
            request,
            role,
            "sessions",
            "iam:PutRolePolicy",
            partial(role_session_revoke, session=session),
            f"Session {session.arn} revoked.",
        )


def role_blocker_steps(role: Role) -> list[tuple[str, dict, partial]]:
    """What must go before DeleteRole, as (IAM action, extra context, service call) steps."""
    steps = [
        ("iam:DeleteRolePolicy", {}, partial(inline_policy_delete, identity=role, name=name))
        for name in role.inline_policies.order_by("name").values_list("name", flat=True)
    ]
    for attachment in role.policy_attachments.select_related("policy__account"):
        steps.append(
            (
                "iam:DetachRolePolicy",
                {"iam:PolicyARN": attachment.policy.arn},
                partial(policy_detach, policy=attachment.policy, identity=role),
            )
        )
    return steps


def role_delete_with_blockers(request, role: Role, *, remove_blockers: bool) -> None:
    """Authorize every step (removals, then iam:DeleteRole), then do them in one transaction."""
    steps = role_blocker_steps(role) if remove_blockers and not role.is_service_linked else []
    for action, extra, _ in steps:
        require(request, action, role.arn, **role_authz(role, **extra))
    require(request, "iam:DeleteRole", role.arn, **role_authz(role))
    actor = actor_for(request)
    with transaction.atomic():
        for _, _, run in steps:
            run(actor=actor)
        roles.role_delete(actor=actor, role=role)


class RoleDeleteView(View):
    """Confirm, optionally delete/detach the role's policies first (each authorized), delete."""

    template_name = "accounts/role_delete.html"

    def _context(self, role: Role) -> dict:
        return {
            "role": role,
            "blockers": roles.role_delete_blockers(role),
            "policies": identity_policies(role),
            "session_count": role_active_sessions(role=role).count(),
            "read_only_reason": read_only_reason(role) if role.is_service_linked else "",
        }

    def get(self, request, name: str):
        role = _role_or_404(request, name)
        result = check(request, "iam:GetRole", role.arn, **role_authz(role))
        if not result.allowed:
            return render_denied(request, result)
        return render(request, self.template_name, self._context(role))

    def post(self, request, name: str):
        role = _role_or_404(request, name)
        if request.POST.get("confirm") != role.name:
            messages.error(request, f"Type the role name {role.name} to confirm.")
            return render(request, self.template_name, self._context(role), status=400)
        try:
            role_delete_with_blockers(
                request, role, remove_blockers=bool(request.POST.get("remove_blockers"))
            )
        except AccessDenied as denied:
            return render_denied(request, denied.result)
        except IAMError as error:
            messages.error(request, error.message)
            return render(
                request, self.template_name, self._context(role), status=error.http_status
            )
        messages.success(request, f"Role {role.name} deleted.")
        return redirect("role-list")
