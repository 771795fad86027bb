"""A role's detail tabs and what is posted from them: tags, policies, sessions."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.views import View

from accounts.errors import IAMError
from accounts.models import Role, RoleSession
from accounts.selectors import (
    attachable_policies,
    identity_policies,
    role_active_sessions,
    role_recent_assumptions,
)
from accounts.services import roles
from accounts.services.sts import role_session_revoke
from accounts.services.trust import trusted_entities
from accounts.services.trust_principals import role_trust_policy_resolved
from accounts.views.groups.common import PolicyAttachForm
from accounts.views.roles.common import (
    HOURS,
    detail_tab,
    pretty_json,
    read_only_reason,
    role_or_404,
)
from config.forms import ConsoleForm, format_tags, parse_tags
from policies.authorization import actor_for
from policies.permissions import check, render_denied
from policies.services.attachments import policy_attach_by_arn, policy_detach_by_arn


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
        role = role_or_404(request, name)
        result = check(request, "iam:GetRole", role.arn)
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
        trust_document = role_trust_policy_resolved(role)
        trusted = trusted_entities(trust_document)
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
            "trust_json": pretty_json(trust_document),
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


class RoleTagsUpdateView(View):
    """Set the role's tags: iam:TagRole for new/changed keys, iam:UntagRole for removed ones."""

    def post(self, request, name: str):
        role = role_or_404(request, name)
        form = RoleTagsForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                wanted = parse_tags(form.cleaned_data["tags"])
            except ValueError as error:
                form.add_error("tags", str(error))
            else:
                try:
                    roles.role_tags_set(actor=actor_for(request), role=role, tags=wanted)
                except IAMError as error:
                    form.add_error("tags", error.message)
                    status = error.http_status
                    role.refresh_from_db()
                else:
                    messages.success(request, f"Tags of {role.name} saved.")
                    return detail_tab(role, "tags")
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
        role = role_or_404(request, name)
        form = PolicyAttachForm(
            request.POST, policies=attachable_policies(principal=request.principal)
        )
        status = 400
        if form.is_valid():
            policy_arn = form.cleaned_data["policy_arn"]
            try:
                attached = policy_attach_by_arn(
                    actor=actor_for(request), identity=role, policy_arn=policy_arn
                )
            except IAMError as error:
                form.add_error("policy_arn", error.message)
                status = error.http_status
            else:
                messages.success(request, f"Policy {attached.policy.name} attached to {role.name}.")
                return detail_tab(role, "permissions")
        view = RoleDetailView()
        return render(
            request,
            view.template_name,
            view.context(request, role, "permissions", attach_form=form),
            status=status,
        )


def _role_step(request, role: Role, tab: str, run, success: str):
    """Run one service call (which authorizes itself), report it, back to ``tab``."""
    try:
        run(actor=actor_for(request))
    except IAMError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return detail_tab(role, tab)


class RolePolicyDetachView(View):
    """Detach a managed policy (iam:DetachRolePolicy with ``iam:PolicyARN``)."""

    def post(self, request, name: str):
        role = role_or_404(request, name)
        policy_arn = request.POST.get("policy_arn", "")

        return _role_step(
            request,
            role,
            "permissions",
            partial(policy_detach_by_arn, identity=role, policy_arn=policy_arn),
            f"Policy {policy_arn.rsplit('/', 1)[-1]} detached from {role.name}.",
        )


class RoleSessionEndView(View):
    """Revoke one active session of the role.

    AWS revokes sessions by putting an inline deny policy on the role, so this is authorized
    as iam:PutRolePolicy, like the account-wide role sessions page.
    """

    def post(self, request, name: str, access_key_id: str):
        role = role_or_404(request, name)
        session = (
            RoleSession.objects.select_related("role__account")
            .filter(access_key_id=access_key_id, role=role)
            .first()
        )
        if session is None:
            raise Http404("No such role session.")
        return _role_step(
            request,
            role,
            "sessions",
            partial(role_session_revoke, session=session),
            f"Session {session.arn} revoked.",
        )
