"""What the role pages share: lookups, authorization keys, errors, read-only roles."""

from __future__ import annotations

import json

from django import forms
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from accounts.errors import IAMError
from accounts.forms import apply_service_error
from accounts.models import Role
from accounts.selectors import role_detail
from policies.catalog import get_catalog
from policies.engine.validate import validate_text

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


def trust_findings(text: str) -> list[dict]:
    """The validator's findings for a trust policy written as JSON (errors first)."""
    return [f.to_dict() for f in validate_text(text, "trust", catalog=get_catalog())]


def role_or_404(request, name: str) -> Role:
    """A role of the principal's account, else 404."""
    role = role_detail(principal=request.principal, name=name)
    if role is None:
        raise Http404(f"The role with name {name} cannot be found.")
    return role


def pretty_json(text: str) -> str:
    """A stored document indented by two spaces (the text as written if not JSON)."""
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text


def detail_tab(role: Role, tab: str):
    """Back to one tab of the role's detail page."""
    return redirect(f"{reverse('role-detail', args=[role.name])}?tab={tab}")
