"""Which actions the matrix covers, and which resources of an account each applies to."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from policies.catalog import get_catalog

# The IAM and STS actions the console itself authorizes on "*" (no resource type): the matrix
# answers "who can list users" as well as "who can reboot this broker".
CONSOLE_STAR_ACTIONS = (
    "iam:ListUsers",
    "iam:ListGroups",
    "iam:ListRoles",
    "iam:ListPolicies",
    "iam:GetAccountSummary",
    "iam:GetAccountAuthorizationDetails",
    "iam:GenerateCredentialReport",
    "iam:GetCredentialReport",
    "iam:ListAccountAliases",
    "iam:GetAccountPasswordPolicy",
    "iam:UpdateAccountPasswordPolicy",
)

# The catalog's resource-type names for Amazon MQ and the matrix's resource kinds.
_KIND_OF_TYPE = {"brokers": "broker", "configurations": "configuration"}


@dataclass(frozen=True)
class MatrixAction:
    """An action with the resource kinds it is evaluated on (``star`` = the ``*`` resource)."""

    name: str
    service: str
    access_level: str
    kinds: tuple[str, ...]


@cache
def matrix_actions() -> tuple[MatrixAction, ...]:
    """Every mq:* action of the catalog plus the console's own ``*`` actions, sorted."""
    catalog = get_catalog()
    actions = []
    for action in catalog.service("mq").actions.values():
        kinds = tuple(
            sorted(
                {_KIND_OF_TYPE[r.name] for r in action.resource_types if r.name in _KIND_OF_TYPE}
            )
        ) or ("star",)
        actions.append(MatrixAction(action.full_name, "mq", action.access_level, kinds))
    for name in CONSOLE_STAR_ACTIONS:
        prefix = name.partition(":")[0]
        action = catalog.action(name)
        actions.append(MatrixAction(name, prefix, action.access_level if action else "", ("star",)))
    return tuple(sorted(actions, key=lambda a: a.name))


def matrix_action(name: str) -> MatrixAction | None:
    return next((a for a in matrix_actions() if a.name.lower() == name.lower()), None)
