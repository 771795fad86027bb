"""Deleting a user, group or role after what blocks it, every step authorized before any runs."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views import View

from accounts.errors import IAMError
from policies.authorization import actor_for
from policies.permissions import check, render_denied
from policies.services.attachments import inline_policy_delete, policy_detach

# (IAM action, resource ARN, extra context keys, service call taking ``actor=``)
Step = tuple[str, str, dict, Callable[..., object]]


def policy_blocker_steps(identity, label: str) -> list[Step]:
    """Delete the identity's inline policies (by name), then detach its managed policies.

    ``label`` is User, Group or Role, as in iam:DeleteUserPolicy and iam:DetachUserPolicy.
    """
    steps: list[Step] = [
        (
            f"iam:Delete{label}Policy",
            identity.arn,
            {},
            partial(inline_policy_delete, identity=identity, name=name),
        )
        for name in identity.inline_policies.order_by("name").values_list("name", flat=True)
    ]
    steps += [
        (
            f"iam:Detach{label}Policy",
            identity.arn,
            {"iam:PolicyARN": attachment.policy.arn},
            partial(policy_detach, policy=attachment.policy, identity=identity),
        )
        for attachment in identity.policy_attachments.select_related("policy__account")
    ]
    return steps


def delete_with_blockers(
    request,
    *,
    steps: list[Step],
    authorize: Callable[[str, str, dict], object],
    action: str,
    resource: str,
    delete: Callable[..., object],
) -> None:
    """Authorize every step, then ``action`` on ``resource``; then run them in one transaction.

    ``authorize(action, resource, extra)`` raises AccessDenied. Nothing is written before the
    last authorization, so a denial part-way changes nothing and its audit row is kept.
    """
    for step_action, step_resource, extra, _ in steps:
        authorize(step_action, step_resource, extra)
    authorize(action, resource, {})
    actor = actor_for(request)
    with transaction.atomic():
        for *_, run in steps:
            run(actor=actor)
        delete(actor=actor)


class ConfirmDeleteView(View):
    """Confirm by typing the name, optionally remove what blocks deletion, then delete."""

    template_name = ""
    entity = ""  # user | group | role, as the messages name it
    read_action = ""  # what showing the confirmation page needs, e.g. iam:GetUser
    list_url = ""  # where a deletion leads

    def get_object(self, request, name: str):
        raise NotImplementedError

    def get_context(self, obj) -> dict:
        raise NotImplementedError

    def read_keys(self, obj) -> dict:
        """Keyword arguments of ``check`` for ``read_action`` besides the ARN."""
        return {}

    def perform_delete(self, request, obj, *, remove_blockers: bool) -> None:
        raise NotImplementedError

    def error_status(self, error: IAMError) -> int:
        return 409

    def get(self, request, name: str):
        obj = self.get_object(request, name)
        result = check(request, self.read_action, obj.arn, **self.read_keys(obj))
        if not result.allowed:
            return render_denied(request, result)
        return render(request, self.template_name, self.get_context(obj))

    def post(self, request, name: str):
        obj = self.get_object(request, name)
        if request.POST.get("confirm") != obj.name:
            messages.error(request, f"Type the {self.entity} name {obj.name} to confirm.")
            return render(request, self.template_name, self.get_context(obj), status=400)
        try:
            self.perform_delete(
                request, obj, remove_blockers=bool(request.POST.get("remove_blockers"))
            )
        except IAMError as error:
            messages.error(request, error.message)
            return render(
                request, self.template_name, self.get_context(obj), status=self.error_status(error)
            )
        messages.success(request, f"{self.entity.capitalize()} {obj.name} deleted.")
        return redirect(self.list_url)
