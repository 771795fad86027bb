"""Inline policies of users, groups and roles (the same editor), and permissions boundaries."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views import View

from accounts.errors import IAMError, NoSuchEntity
from policies.authorization import actor_for
from policies.documents import policy_size_of_text
from policies.effective.views import impact_context
from policies.engine.validate import size_limit
from policies.forms import STARTER_DOCUMENT, BoundaryForm, InlinePolicyForm
from policies.pages.common import (
    KIND_LABELS,
    apply_policy_error,
    identity_denied,
    identity_or_404,
)
from policies.pages.editor import editor_context
from policies.selectors import identity_inline_policies, managed_policy_list
from policies.services import attachments

BOUNDARY_KINDS = ("user", "role")


def identity_detail_url(kind: str, name: str) -> str:
    """The identity's own detail page (owned by the accounts app), else its inline policies."""
    try:
        return reverse(f"{kind}-detail", args=[name])
    except NoReverseMatch:
        return reverse("inline-policy-list", args=[kind, name])


def _identity(request, kind: str, name: str):
    if kind not in KIND_LABELS:
        raise Http404("Unknown identity type.")
    return identity_or_404(request, kind, name)


def _inline_or_404(identity, policy_name: str):
    try:
        return attachments.inline_policy_get(identity=identity, name=policy_name)
    except NoSuchEntity as error:
        raise Http404(error.message) from error


def _sizes(identity, exclude: str | None = None) -> tuple[list, int]:
    """The identity's inline policies with their sizes, and the size of all but ``exclude``."""
    policies = identity_inline_policies(identity=identity)
    rows = [(p, policy_size_of_text(p.document)) for p in policies]
    others = sum(size for p, size in rows if p.name != exclude)
    return rows, others


def _base_context(kind: str, identity) -> dict:
    return {
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "identity": identity,
        "identity_url": identity_detail_url(kind, identity.name),
        "read_only": getattr(identity, "is_service_linked", False),
        "limit": size_limit("identity", kind),
    }


class InlinePolicyListView(View):
    """An identity's inline policies with the quota they share (iam:List{Kind}Policies)."""

    def get(self, request, kind: str, name: str):
        identity = _identity(request, kind, name)
        if denied := identity_denied(request, f"iam:List{KIND_LABELS[kind]}Policies", identity):
            return denied
        rows, total = _sizes(identity)
        context = {**_base_context(kind, identity), "rows": rows, "total": total}
        context["boundary"] = getattr(identity, "permissions_boundary", None)
        context["boundary_kind"] = kind in BOUNDARY_KINDS
        return render(request, "policies/inline_policy_list.html", context)


class _InlineEditorView(View):
    """Shared by create and edit: the editor with the inline quota summed over the identity."""

    template_name = "policies/inline_policy_edit.html"
    creating = False

    def _render(self, request, kind, identity, form, text, *, policy_name=None, status=200):
        _, others = _sizes(identity, exclude=policy_name)
        context = {
            **_base_context(kind, identity),
            "form": form,
            "creating": self.creating,
            "policy_name": policy_name,
            **editor_context(request, text, entity=kind, other_size=others),
        }
        return render(request, self.template_name, context, status=status)

    def _save(self, request, kind, identity, form, text, *, policy_name=None):
        data = form.cleaned_data
        name = policy_name or data["name"]
        try:
            # PutUserPolicy would silently replace it; the create page must not.
            attachments.inline_policy_put(
                actor=actor_for(request),
                identity=identity,
                name=name,
                document=data["document"],
                create_only=self.creating,
            )
        except IAMError as error:
            apply_policy_error(form, error, text)
            return self._render(
                request, kind, identity, form, text, policy_name=policy_name, status=400
            )
        messages.success(request, f"Inline policy {name} saved on {kind} {identity.name}.")
        # Back where the administrator started: the identity's own permissions tab.
        return redirect(f"{identity_detail_url(kind, identity.name)}?tab=permissions")


class InlinePolicyCreateView(_InlineEditorView):
    """A new inline policy (iam:Put{Kind}Policy)."""

    creating = True

    def get(self, request, kind: str, name: str):
        identity = _identity(request, kind, name)
        if denied := identity_denied(request, f"iam:Put{KIND_LABELS[kind]}Policy", identity):
            return denied
        form = InlinePolicyForm(initial={"document": STARTER_DOCUMENT})
        return self._render(request, kind, identity, form, STARTER_DOCUMENT)

    def post(self, request, kind: str, name: str):
        identity = _identity(request, kind, name)
        form = InlinePolicyForm(request.POST)
        text = request.POST.get("document", "")
        if not form.is_valid():
            return self._render(request, kind, identity, form, text, status=400)
        return self._save(request, kind, identity, form, text)


class InlinePolicyEditView(_InlineEditorView):
    """View (iam:Get{Kind}Policy) and replace (iam:Put{Kind}Policy) an inline policy."""

    def get(self, request, kind: str, name: str, policy_name: str):
        identity = _identity(request, kind, name)
        if denied := identity_denied(request, f"iam:Get{KIND_LABELS[kind]}Policy", identity):
            return denied
        inline = _inline_or_404(identity, policy_name)
        form = InlinePolicyForm(
            initial={"name": inline.name, "document": inline.document}, name_locked=True
        )
        return self._render(request, kind, identity, form, inline.document, policy_name=inline.name)

    def post(self, request, kind: str, name: str, policy_name: str):
        identity = _identity(request, kind, name)
        inline = _inline_or_404(identity, policy_name)
        form = InlinePolicyForm(request.POST, initial={"name": inline.name}, name_locked=True)
        text = request.POST.get("document", "")
        if not form.is_valid():
            return self._render(
                request, kind, identity, form, text, policy_name=inline.name, status=400
            )
        return self._save(request, kind, identity, form, text, policy_name=inline.name)


class InlinePolicyDeleteView(View):
    """Confirm, then iam:Delete{Kind}Policy."""

    template_name = "policies/inline_policy_delete.html"

    def get(self, request, kind: str, name: str, policy_name: str):
        identity = _identity(request, kind, name)
        if denied := identity_denied(request, f"iam:Get{KIND_LABELS[kind]}Policy", identity):
            return denied
        inline = _inline_or_404(identity, policy_name)
        change = {
            "type": "delete_inline",
            "identity": {"kind": kind, "name": identity.name},
            "name": inline.name,
        }
        context = {
            **_base_context(kind, identity),
            "inline": inline,
            **impact_context(request, change),
        }
        return render(request, self.template_name, context)

    def post(self, request, kind: str, name: str, policy_name: str):
        identity = _identity(request, kind, name)
        try:
            attachments.inline_policy_delete(
                actor=actor_for(request), identity=identity, name=policy_name
            )
        except NoSuchEntity as error:
            raise Http404(error.message) from error
        except IAMError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Inline policy {policy_name} deleted.")
        return redirect(f"{identity_detail_url(kind, identity.name)}?tab=permissions")


def _boundary_identity(request, kind: str, name: str):
    if kind not in BOUNDARY_KINDS:
        raise Http404("Permissions boundaries are set on users and roles only.")
    return identity_or_404(request, kind, name)


def _boundary_policies(request) -> list:
    return [
        p for p in managed_policy_list(principal=request.principal) if attachments.is_attachable(p)
    ]


class BoundaryEditView(View):
    """Set a user's or role's permissions boundary (iam:Put{Kind}PermissionsBoundary)."""

    template_name = "policies/boundary_edit.html"

    def _render(self, request, kind, identity, form, status=200):
        context = {**_base_context(kind, identity), "form": form}
        context["boundary"] = identity.permissions_boundary
        return render(request, self.template_name, context, status=status)

    def get(self, request, kind: str, name: str):
        identity = _boundary_identity(request, kind, name)
        if denied := identity_denied(request, f"iam:Get{KIND_LABELS[kind]}", identity):
            return denied
        current = identity.permissions_boundary
        form = BoundaryForm(
            initial={"policy_arn": current.arn if current else ""},
            policies=_boundary_policies(request),
        )
        return self._render(request, kind, identity, form)

    def post(self, request, kind: str, name: str):
        identity = _boundary_identity(request, kind, name)
        policies = _boundary_policies(request)
        form = BoundaryForm(request.POST, policies=policies)
        if not form.is_valid():
            return self._render(request, kind, identity, form, status=400)
        policy = next(p for p in policies if p.arn == form.cleaned_data["policy_arn"])
        try:
            attachments.permissions_boundary_put(
                actor=actor_for(request), identity=identity, policy=policy
            )
        except IAMError as error:
            form.add_error("policy_arn", error.message)
            return self._render(request, kind, identity, form, status=400)
        messages.success(
            request, f"{policy.name} is now the permissions boundary of {kind} {identity.name}."
        )
        return redirect(identity_detail_url(kind, identity.name))


class BoundaryDeleteView(View):
    """Confirm, then remove the boundary (iam:Delete{Kind}PermissionsBoundary)."""

    template_name = "policies/boundary_delete.html"

    def get(self, request, kind: str, name: str):
        identity = _boundary_identity(request, kind, name)
        if denied := identity_denied(request, f"iam:Get{KIND_LABELS[kind]}", identity):
            return denied
        context = {**_base_context(kind, identity), "boundary": identity.permissions_boundary}
        if identity.permissions_boundary is not None:
            change = {"type": "set_boundary", "identity": {"kind": kind, "name": identity.name}}
            context.update(impact_context(request, change))
        return render(request, self.template_name, context)

    def post(self, request, kind: str, name: str):
        identity = _boundary_identity(request, kind, name)
        try:
            attachments.permissions_boundary_put(
                actor=actor_for(request), identity=identity, policy=None
            )
        except IAMError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Permissions boundary removed from {kind} {identity.name}.")
        return redirect(identity_detail_url(kind, identity.name))
