"""AWS identifier formats: unique ids, access key ids and ARNs (iam-reference.md §6)."""

from __future__ import annotations

import secrets
import string

# AWS unique ids are upper-case letters and digits after a four-letter type prefix.
_ID_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"

USER_PREFIX = "AIDA"
GROUP_PREFIX = "AGPA"
ROLE_PREFIX = "AROA"
POLICY_PREFIX = "ANPA"
POLICY_VERSION_PREFIX = "ANVA"
ACCESS_KEY_PREFIX = "AKIA"
TEMPORARY_KEY_PREFIX = "ASIA"


def unique_id(prefix: str, length: int = 17) -> str:
    """A random unique id such as ``AIDA`` + 17 characters (21 in all), as AWS issues them."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def access_key_id(*, temporary: bool = False) -> str:
    """A 20-character access key id: AKIA… for long-term keys, ASIA… for temporary ones."""
    return unique_id(TEMPORARY_KEY_PREFIX if temporary else ACCESS_KEY_PREFIX, 16)


def secret_access_key() -> str:
    """A 40-character secret access key."""
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def iam_arn(account_id: str, kind: str, path: str, name: str) -> str:
    """``arn:aws:iam::ACCOUNT:KIND/PATH/NAME``; the path "/" leaves just ``KIND/NAME``."""
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"


def root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def aws_managed_policy_arn(path: str, name: str) -> str:
    return f"arn:aws:iam::aws:policy{path}{name}"


def assumed_role_arn(account_id: str, role_name: str, session_name: str) -> str:
    """A role session's ARN; the role's path is not part of it."""
    return f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}"


def broker_arn(region: str, account_id: str, name: str, broker_id: str) -> str:
    return f"arn:aws:mq:{region}:{account_id}:broker:{name}:{broker_id}"


def configuration_arn(region: str, account_id: str, configuration_id: str) -> str:
    return f"arn:aws:mq:{region}:{account_id}:configuration:{configuration_id}"
