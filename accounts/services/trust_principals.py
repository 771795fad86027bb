"""Trust policies bind the IAM users and roles they name to those entities' unique ids.

AWS records, when a trust (or resource) policy is saved, the unique id of every IAM user or
role its ``Principal`` names; a user deleted and re-created with the same name is a different
principal, so the old trust does not carry over, and GetRole then shows the old unique id
(``AIDA…``/``AROA…``) in place of the ARN. ``trust_principal_ids_for`` records the ids when a
document is saved; ``role_trust_policy_resolved`` is the one place that loads a trust
document for evaluation and display, replacing every stale ARN by its recorded id (which
matches no one), so the engine stays a pure function of the document.
"""

from __future__ import annotations

import json
import re

from accounts.models import IAMUser, Role

_ENTITY_ARN = re.compile(r"^arn:aws:iam::(\d{12}):(user|role)/(?:.*/)?([\w+=,.@-]+)$")


def _aws_principal_values(document: dict):
    """Every string of ``Principal.AWS`` / ``NotPrincipal.AWS``, with a setter to replace it."""
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            continue
        for element in ("Principal", "NotPrincipal"):
            principal = statement.get(element)
            if not isinstance(principal, dict) or "AWS" not in principal:
                continue
            values = principal["AWS"]
            if isinstance(values, str):
                yield values, lambda new, p=principal: p.__setitem__("AWS", new)
            elif isinstance(values, list):
                for i, value in enumerate(values):
                    if isinstance(value, str):
                        yield value, lambda new, vs=values, i=i: vs.__setitem__(i, new)


def _live_unique_id(arn: str) -> str | None:
    """The unique id of the IAM user or role that has this ARN now (None if there is none)."""
    match = _ENTITY_ARN.match(arn)
    if match is None:
        return None
    account_id, kind, name = match.groups()
    model = IAMUser if kind == "user" else Role
    candidates = model.objects.select_related("account").filter(
        account__account_id=account_id, name__iexact=name
    )
    return next((entity.unique_id for entity in candidates if entity.arn == arn), None)


def _load(text: str) -> dict | None:
    try:
        document = json.loads(text)
    except (TypeError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def trust_principal_ids_for(text: str) -> dict[str, str]:
    """ARN → unique id of each existing IAM user or role a trust document names (save time)."""
    document = _load(text)
    if document is None:
        return {}
    recorded: dict[str, str] = {}
    for value, _set in _aws_principal_values(document):
        if value not in recorded:
            unique_id = _live_unique_id(value)
            if unique_id is not None:
                recorded[value] = unique_id
    return recorded


def role_trust_policy_resolved(role: Role) -> str:
    """The role's trust document as IAM evaluates and shows it: stale principals → unique ids.

    A principal ARN whose recorded unique id is no longer that of the live entity (deleted,
    or deleted and re-created) becomes the recorded id. The text is returned unchanged when
    nothing is stale, so the engine's compiled-policy cache keeps hitting.
    """
    recorded = role.trust_principal_ids or {}
    if not recorded:
        return role.trust_policy
    document = _load(role.trust_policy)
    if document is None:
        return role.trust_policy
    live: dict[str, str | None] = {}
    changed = False
    for value, replace in list(_aws_principal_values(document)):
        unique_id = recorded.get(value)
        if unique_id is None:
            continue
        if value not in live:
            live[value] = _live_unique_id(value)
        if live[value] != unique_id:
            replace(unique_id)
            changed = True
    return json.dumps(document, indent=4) if changed else role.trust_policy
