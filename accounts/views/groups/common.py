"""What the group pages share: the lookup, error placement, policy choices."""

from __future__ import annotations

from django import forms
from django.http import Http404

from accounts.errors import IAMError
from accounts.forms import apply_service_error
from accounts.models import Group
from accounts.selectors import group_detail
from config.forms import ConsoleForm
from policies.models import ManagedPolicy

# Service errors name AWS's parameters; the forms name their own fields.
FIELD_FOR_CODE = {"EntityAlreadyExists": "name", "LimitExceeded": "policies"}
FIELD_FOR_PARAMETER = {"groupName": "name", "path": "path"}


def apply_group_error(form: forms.Form, error: IAMError) -> None:
    """Put a service error on the form field it concerns (AWS's wording kept)."""
    named = [FIELD_FOR_PARAMETER.get(n, n) for n in (error.fields or {})]
    field = next((n for n in named if n in form.fields), FIELD_FOR_CODE.get(error.code))
    if field in form.fields:
        form.add_error(field, error.message)
    else:
        apply_service_error(form, error)


def policy_choices(policies: list[ManagedPolicy]) -> list[tuple[str, str]]:
    """``(arn, label)`` pairs for a policy select, saying who manages each policy."""
    return [
        (p.arn, f"{p.name} ({'AWS managed' if p.is_aws_managed else 'customer managed'})")
        for p in policies
    ]


def group_or_404(request, name: str) -> Group:
    """A group of the principal's account, else 404."""
    group = group_detail(principal=request.principal, name=name)
    if group is None:
        raise Http404(f"The group with name {name} cannot be found.")
    return group


class PolicyAttachForm(ConsoleForm):
    """One managed policy to attach (the group and role detail pages)."""

    policy_arn = forms.ChoiceField(label="Policy to attach")

    def __init__(self, *args, policies: list[ManagedPolicy], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_arn"].choices = [("", "Choose a policy…"), *policy_choices(policies)]
