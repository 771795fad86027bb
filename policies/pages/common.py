"""What the policy pages share: lookups, error placement, line-numbered documents."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.http import Http404

from accounts.errors import IAMError, MalformedPolicyDocument
from accounts.forms import apply_service_error
from policies.engine.validate import locate
from policies.permissions import check, render_denied
from policies.selectors import identity_get, managed_policy_get

KIND_LABELS = {"user": "User", "group": "Group", "role": "Role"}


def policy_or_404(request, policy_id: str):
    """A managed policy visible to the signed-in principal, with the list's counts."""
    policy = managed_policy_get(principal=request.principal, policy_id=policy_id)
    if policy is None:
        raise Http404(f"Policy {policy_id} does not exist or is not attachable.")
    return policy


def identity_or_404(request, kind: str, name: str):
    """A user, group or role of the principal's account."""
    identity = identity_get(principal=request.principal, kind=kind, name=name)
    if identity is None:
        raise Http404(f"The {kind} with name {name} cannot be found.")
    return identity


def identity_denied(request, action: str, identity):
    """The 403 page if reading with ``action`` on the identity is denied, else None."""
    result = check(request, action, identity.arn)
    return None if result.allowed else render_denied(request, result)


def apply_policy_error(form, error: IAMError, text: str = "") -> None:
    """Put a service error on the form: document errors on the editor, with path and line."""
    fields = getattr(error, "fields", None) or {}
    is_size = error.code == "LimitExceeded" and "size" in error.message.lower()
    if isinstance(error, MalformedPolicyDocument) or is_size:
        # Its "path" is a JSON path in the document, never the form's IAM path field.
        target = "document" if "document" in form.fields else None
        form.add_error(target, document_error_text(error.message, fields, text))
        return
    if "policyName" in fields and "name" in form.fields:
        form.add_error("name", error.message)
        return
    apply_service_error(form, error)


def document_error_text(message: str, fields: dict, text: str) -> str:
    """AWS's message plus where it points: ``(at Statement[0].Effect, line 5)``."""
    path = fields.get("path")
    if not path:
        return message
    where = locate(text, path) if text else None
    suffix = f"line {where[0]}, column {where[1]}" if where else ""
    return f"{message} (at {path}{', ' + suffix if suffix else ''})"


@dataclass(frozen=True)
class DocumentLine:
    """One line of a read-only, line-numbered policy document."""

    number: int
    text: str


def pretty_document(text: str) -> str:
    """A stored document pretty-printed with four spaces (the text as written if not JSON)."""
    try:
        return json.dumps(json.loads(text), indent=4)
    except ValueError:
        return text


def document_lines(text: str) -> list[DocumentLine]:
    """The document's lines, numbered from 1, for the line-numbered view; a document stored
    on one line (minified, as the API and the CLI send it) is shown pretty-printed."""
    if "\n" not in text.strip():
        text = pretty_document(text)
    return [DocumentLine(i, line) for i, line in enumerate(text.split("\n"), start=1)]
