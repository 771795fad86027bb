"""Managed policies: list, create (the editor), detail with tabs, tags and delete."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django_tables2 import RequestConfig

from accounts.errors import IAMError
from accounts.selectors import account_of
from config.forms import format_tags
from policies.authorization import actor_for
from policies.catalog import get_catalog
from policies.effective.views import blockers_impact
from policies.filters import ManagedPolicyFilter
from policies.forms import STARTER_DOCUMENT, PolicyCreateForm, TagsForm
from policies.pages.common import (
    KIND_LABELS,
    apply_policy_error,
    document_lines,
    policy_or_404,
)
from policies.pages.editor import editor_context
from policies.permissions import IAMActionMixin, check, render_denied
from policies.selectors import managed_policy_get, managed_policy_list, policy_entities
from policies.services import attachments, managed
from policies.summary import policy_summary
from policies.tables import ManagedPolicyTable

TABS = ("permissions", "versions", "entities", "tags")


def policy_detail_url(policy) -> str:
    """The policy's detail page."""
    return reverse("policy-detail", args=[policy.unique_id])


class PolicyListView(IAMActionMixin, View):
    """AWS managed and customer managed policies, filtered and sorted (iam:ListPolicies)."""

    iam_action = "iam:ListPolicies"

    def get(self, request):
        queryset = managed_policy_list(principal=request.principal)
        policy_filter = ManagedPolicyFilter(request.GET, queryset=queryset)
        table = ManagedPolicyTable(policy_filter.qs)
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        filtered = any(v for k, v in request.GET.items() if k not in ("page", "sort"))
        return render(
            request,
            "policies/policy_list.html",
            {"filter": policy_filter, "table": table, "filtered": filtered},
        )


class PolicyCreateView(View):
    """CreatePolicy in the editor: live findings, size meter and summary as you type.

    With ``?from=<PolicyId>`` the editor starts from that policy's default version (AWS's
    "copy" of a managed policy), if the principal may read it (iam:GetPolicyVersion).
    """

    template_name = "policies/policy_create.html"

    def get(self, request):
        document = STARTER_DOCUMENT
        source = request.GET.get("from")
        if source:
            policy = managed_policy_get(principal=request.principal, policy_id=source)
            if policy is not None:
                result = check(request, "iam:GetPolicyVersion", policy.arn)
                if not result.allowed:
                    return render_denied(request, result)
                document = policy.default_version.document
        form = PolicyCreateForm(initial={"document": document, "path": "/"})
        return self._render(request, form, document)

    def post(self, request):
        account = account_of(request.principal)
        form = PolicyCreateForm(request.POST)
        text = request.POST.get("document", "")
        if not form.is_valid():
            return self._render(request, form, text, status=400)
        data = form.cleaned_data
        try:
            policy = managed.policy_create(
                actor=actor_for(request),
                account=account,
                name=data["name"],
                path=data["path"],
                description=data["description"],
                document=data["document"],
                tags=data["tag_map"],
            )
        except IAMError as error:
            apply_policy_error(form, error, text)
            return self._render(request, form, text, status=400)
        messages.success(request, f"Policy {policy.name} created.")
        return redirect("policy-detail", policy.unique_id)

    def _render(self, request, form, text: str, status: int = 200):
        context = {"form": form, **editor_context(request, text)}
        return render(request, self.template_name, context, status=status)


class PolicyDetailView(View):
    """A policy's permissions, versions, attached entities and tags, each tab its IAM action."""

    template_name = "policies/policy_detail.html"

    def get(self, request, policy_id: str):
        policy = policy_or_404(request, policy_id)
        result = check(request, "iam:GetPolicy", policy.arn)
        if not result.allowed:
            return render_denied(request, result)
        tab = request.GET.get("tab", "permissions")
        if tab not in TABS or (tab == "tags" and policy.is_aws_managed):
            tab = "permissions"
        context = {
            "policy": policy,
            "tab": tab,
            "version_count": policy.versions.count(),
            "attachable": attachments.is_attachable(policy),
        }
        action = {
            "permissions": "iam:GetPolicyVersion",
            "versions": "iam:ListPolicyVersions",
            "entities": "iam:ListEntitiesForPolicy",
            "tags": "iam:ListPolicyTags",
        }[tab]
        tab_result = check(request, action, policy.arn)
        if not tab_result.allowed:
            context["tab_denied"] = tab_result
        elif tab == "permissions":
            version = policy.default_version
            context["version"] = version
            context["lines"] = document_lines(version.document)
            context["summary"] = policy_summary(version.document_json, get_catalog())
        elif tab == "versions":
            context["versions"] = list(policy.versions.order_by("-created_at", "-id"))
        elif tab == "entities":
            context["entities"] = policy_entities(
                policy=policy, account_id=request.principal.account_id
            )
        else:
            context["tags_form"] = TagsForm(initial={"tags": format_tags(policy.tags)})
        return render(request, self.template_name, context)


class PolicyTagsView(View):
    """Replace a customer managed policy's tags (iam:TagPolicy and iam:UntagPolicy)."""

    def post(self, request, policy_id: str):
        policy = policy_or_404(request, policy_id)
        form = TagsForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("tags", ["Invalid tags."])))
            return redirect(f"{policy_detail_url(policy)}?tab=tags")
        try:
            changed, removed = managed.policy_tags_set(
                actor=actor_for(request), policy=policy, tags=form.cleaned_data["tag_map"]
            )
        except IAMError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Tags saved." if changed or removed else "No tag changed.")
        return redirect(f"{policy_detail_url(policy)}?tab=tags")


def _delete_steps(policy, entities) -> list[tuple[str, str, dict]]:
    """The IAM calls that clear a policy's blockers: (action, resource ARN, extra context)."""
    steps = []
    for kind, identities in (
        ("user", entities.users),
        ("group", entities.groups),
        ("role", entities.roles),
    ):
        for identity in identities:
            action = f"iam:Detach{KIND_LABELS[kind]}Policy"
            steps.append((action, identity, {"iam:PolicyARN": policy.arn}))
    for kind, identities in (("user", entities.boundary_users), ("role", entities.boundary_roles)):
        for identity in identities:
            action = f"iam:Delete{KIND_LABELS[kind]}PermissionsBoundary"
            steps.append((action, identity, {"iam:PermissionsBoundary": policy.arn}))
    return steps


def _clear_step(policy, action: str, identity, *, actor) -> None:
    """One of ``_delete_steps``: detach the policy, or remove it as the boundary."""
    if "Detach" in action:
        attachments.policy_detach(actor=actor, policy=policy, identity=identity)
    else:
        attachments.permissions_boundary_put(actor=actor, identity=identity, policy=None)


class PolicyDeleteView(View):
    """Delete a customer policy: preconditions explained, and cleared first if asked.

    Clearing detaches the policy everywhere, removes it as a permissions boundary and deletes
    its non-default versions; every step is its own IAM action, authorized before anything
    is changed, so a denial leaves the policy as it was.
    """

    template_name = "policies/policy_delete.html"

    def _context(self, request, policy, *, impact: bool = True) -> dict:
        entities = policy_entities(policy=policy, account_id=request.principal.account_id)
        versions = list(policy.versions.filter(is_default=False).order_by("created_at"))
        steps = [
            (action, identity.arn, extra, partial(_clear_step, policy, action, identity))
            for action, identity, extra in _delete_steps(policy, entities)
        ]
        # The preview runs the services on these objects (rolled back): not before deleting.
        impact_of = blockers_impact(request, policy.account, steps) if impact else {}
        return {
            "policy": policy,
            "entities": entities,
            "old_versions": versions,
            "blockers": managed.policy_delete_blockers(policy),
            # What the policy's users lose when it is detached everywhere, before confirming.
            **impact_of,
        }

    def get(self, request, policy_id: str):
        policy = policy_or_404(request, policy_id)
        result = check(request, "iam:GetPolicy", policy.arn)
        if not result.allowed:
            return render_denied(request, result)
        if policy.is_aws_managed:
            messages.info(request, "AWS managed policies are read-only: they cannot be deleted.")
            return redirect(policy_detail_url(policy))
        return render(request, self.template_name, self._context(request, policy))

    def post(self, request, policy_id: str):
        policy = policy_or_404(request, policy_id)
        if request.POST.get("confirm") != policy.name:
            messages.error(request, f"Type the policy name {policy.name} to confirm.")
            return render(request, self.template_name, self._context(request, policy), status=400)
        try:
            managed.policy_delete_with_blockers(
                actor=actor_for(request),
                policy=policy,
                remove_blockers=bool(request.POST.get("remove_blockers")),
            )
        except IAMError as error:
            messages.error(request, error.message)
            return render(request, self.template_name, self._context(request, policy), status=409)
        messages.success(request, f"Policy {policy.name} deleted.")
        return redirect("policy-list")
