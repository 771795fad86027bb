"""Role trust policies built from the console's choices, and read back for display.

The create-role form offers what the AWS console offers for Amazon MQ: trust this account,
another account (optionally requiring MFA and/or an external ID), or the Amazon MQ service.
The builder is pure (no database) so the page, the preview and the API produce the same JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from accounts import rules
from accounts.errors import ValidationError

THIS_ACCOUNT = "this-account"
OTHER_ACCOUNT = "other-account"
MQ_SERVICE = "mq-service"
TRUSTED_ENTITY_CHOICES = [
    (THIS_ACCOUNT, "This account"),
    (OTHER_ACCOUNT, "Another AWS account"),
    (MQ_SERVICE, "The Amazon MQ service (mq.amazonaws.com)"),
]
MQ_SERVICE_PRINCIPAL = "mq.amazonaws.com"
# sts:ExternalId as STS accepts it: 2-1224 characters of [\w+=,.@:/-].
EXTERNAL_ID_RE = re.compile(r"^[\w+=,.@:/-]{2,1224}$", re.ASCII)


def trust_policy_from_choices(
    *,
    trusted_entity: str,
    account_id: str,
    other_account_id: str | None = None,
    require_mfa: bool = False,
    external_id: str | None = None,
) -> dict:
    """The trust policy document the AWS console writes for these choices.

    ``account_id`` is the role's own account; ``other_account_id`` is required for
    ``other-account``. MFA and external ID apply to account principals only (a service never
    signs in with MFA nor passes an external ID), so asking for them with the service is an
    error rather than a silently ignored choice.
    """
    if trusted_entity == THIS_ACCOUNT:
        principal = {"AWS": f"arn:aws:iam::{account_id}:root"}
    elif trusted_entity == OTHER_ACCOUNT:
        if not other_account_id or not rules.ACCOUNT_ID_RE.match(other_account_id):
            raise ValidationError(
                "Enter the 12-digit ID of the account to trust.",
                fields={"other_account_id": "12 digits"},
            )
        principal = {"AWS": f"arn:aws:iam::{other_account_id}:root"}
    elif trusted_entity == MQ_SERVICE:
        if require_mfa or external_id:
            raise ValidationError(
                "MFA and external ID conditions apply to accounts, not to an AWS service.",
                fields={"require_mfa" if require_mfa else "external_id": "not for a service"},
            )
        principal = {"Service": MQ_SERVICE_PRINCIPAL}
    else:
        raise ValidationError(
            f"Unknown trusted entity {trusted_entity!r}.", fields={"trusted_entity": "unknown"}
        )
    statement: dict = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    condition: dict = {}
    if external_id:
        if not EXTERNAL_ID_RE.match(external_id):
            raise ValidationError(
                "The external ID must be 2-1224 characters of letters, digits and + = , . @ : / -",
                fields={"external_id": "invalid"},
            )
        condition["StringEquals"] = {"sts:ExternalId": external_id}
    if require_mfa:
        condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


@dataclass(frozen=True)
class TrustedEntity:
    """One principal a trust policy allows (or denies), in words, with its conditions."""

    kind: str  # AWS account | IAM user | IAM role | AWS service | Federated | Everyone
    value: str
    effect: str = "Allow"
    conditions: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.kind} {self.value}" if self.value else self.kind


_ACCOUNT_ROOT = re.compile(r"^(?:arn:aws[\w-]*:iam::)?(\d{12})(?::root)?$")


def _describe_aws_principal(value: str) -> tuple[str, str]:
    if value == "*":
        return "Everyone", ""
    match = _ACCOUNT_ROOT.match(value)
    if match:
        return "AWS account", match.group(1)
    if ":user/" in value:
        return "IAM user", value
    if ":role/" in value:
        return "IAM role", value
    if ":assumed-role/" in value:
        return "Role session", value
    return "AWS principal", value


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def trusted_entities(document: str | dict) -> list[TrustedEntity]:
    """Who a trust policy names, for the role list and the trust tab; [] if unreadable."""
    try:
        data = json.loads(document) if isinstance(document, str) else document
        statements = _as_list(data.get("Statement", []))
    except (ValueError, AttributeError):
        return []
    result: list[TrustedEntity] = []
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        conditions = tuple(
            f"{operator} {key} {values}"
            for operator, pairs in (statement.get("Condition") or {}).items()
            if isinstance(pairs, dict)
            for key, values in pairs.items()
        )
        effect = statement.get("Effect", "Allow")
        principal = statement.get("Principal")
        if principal == "*":
            result.append(TrustedEntity("Everyone", "", effect, conditions))
            continue
        if not isinstance(principal, dict):
            continue
        for kind_key, values in principal.items():
            for value in _as_list(values):
                if kind_key == "AWS":
                    kind, shown = _describe_aws_principal(str(value))
                elif kind_key == "Service":
                    kind, shown = "AWS service", str(value)
                elif kind_key == "Federated":
                    kind, shown = "Federated", str(value)
                else:
                    kind, shown = kind_key, str(value)
                result.append(TrustedEntity(kind, shown, effect, conditions))
    return result


def trusted_entities_summary(document: str | dict) -> str:
    """A short line for list views: ``AWS account 111122223333, AWS service mq.amazonaws.com``."""
    seen: list[str] = []
    for entity in trusted_entities(document):
        if entity.effect == "Allow" and str(entity) not in seen:
            seen.append(str(entity))
    return ", ".join(seen) or "—"
