"""Deleting a user, group or role after what blocks it, every step authorized before any runs."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views import View

from accounts.errors import IAMError
from policies.authorization import AccessDenied, actor_for
from policies.permissions import check, render_denied
from policies.services.attachments import inline_policy_delete_step, policy_detach_step
from policies.services.steps import Step as PolicyStep

# (IAM action, resource ARN, extra context keys, service call taking ``actor=``)
Step = tuple[str, str, dict, Callable[..., object]]


def _policy_step(step: PolicyStep) -> Step:
    """A policies service step as a deletion step: its one check, and its write."""
    (only,) = step.checks
    return (only.action, only.resource, dict(only.extra or {}), step.run)


def policy_blocker_steps(identity, label: str) -> list[Step]:
    """Delete the identity's inline policies (by name), then detach its managed policies.

    The steps are the policies services' own (iam:Delete{label}Policy, iam:Detach{label}Policy
    with iam:PolicyARN): ``delete_with_blockers`` authorizes each before any runs.
    """
    names = identity.inline_policies.order_by("name").values_list("name", flat=True)
    steps = [_policy_step(inline_policy_delete_step(identity=identity, name=n)) for n in names]
    steps += [
        _policy_step(policy_detach_step(policy=attachment.policy, identity=identity))
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
        except AccessDenied as denied:
            return render_denied(request, denied.result)
        except IAMError as error:
            messages.error(request, error.message)
            return render(
                request, self.template_name, self.get_context(obj), status=self.error_status(error)
            )
        messages.success(request, f"{self.entity.capitalize()} {obj.name} deleted.")
        return redirect(self.list_url)
