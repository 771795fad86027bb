"""AWS's format rules and quotas for IAM names, paths, tags and accounts (iam-reference.md §5).

Services call these before every save, so the UI, the API, tasks and commands all obey them.
Each check raises an ``accounts.errors`` exception carrying AWS's error code and wording.
"""

from __future__ import annotations

import re

from accounts.errors import LimitExceeded, ValidationError

NAME_RE = re.compile(r"^[\w+=,.@-]+$", re.ASCII)
PATH_RE = re.compile(r"^(/|/[\x21-\x7e]+/)$")
ACCOUNT_ID_RE = re.compile(r"^\d{12}$")
ALIAS_RE = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$")
# IAM tag keys and values: Unicode letters, digits, white space and _ . : / = + - @
TAG_RE = re.compile(r"^[\w\s.:/=+\-@]*$")

NAME_MAX = {"user": 64, "role": 64, "group": 128, "policy": 128, "session": 64}
PATH_MAX = 512
TAGS_MAX = 50
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
GROUPS_PER_USER = 10
MANAGED_POLICIES_PER_ENTITY = 10
POLICY_VERSIONS_MAX = 5
ROLE_DESCRIPTION_MAX = 1000
ROLE_SESSION_MIN_S = 3600
ROLE_SESSION_MAX_S = 43200
PASSWORD_MAX = 128


def check_name(kind: str, name: object) -> str:
    """Return ``name`` if it is a valid IAM name of ``kind`` (user, role, group, policy)."""
    limit = NAME_MAX[kind]
    label = f"{kind}Name" if kind != "policy" else "policyName"
    if not isinstance(name, str) or not name:
        raise ValidationError(
            f"1 validation error detected: Value at '{label}' failed to "
            "satisfy constraint: Member must have length greater than or "
            "equal to 1",
            fields={label: "required"},
        )
    if len(name) > limit:
        raise ValidationError(
            f"1 validation error detected: Value '{name}' at '{label}' failed to satisfy "
            f"constraint: Member must have length less than or equal to {limit}",
            fields={label: f"at most {limit} characters"},
        )
    if not NAME_RE.match(name):
        raise ValidationError(
            f"1 validation error detected: Value '{name}' at '{label}' failed to satisfy "
            r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+",
            fields={label: "use letters, digits and + = , . @ _ - only"},
        )
    return name


def check_path(path: object) -> str:
    """Return ``path`` if it is ``/`` or ``/a/b/`` with printable ASCII, at most 512 chars."""
    if not isinstance(path, str) or not path or len(path) > PATH_MAX or not PATH_RE.match(path):
        raise ValidationError(
            f"1 validation error detected: Value '{path}' at 'path' failed to satisfy "
            r"constraint: Member must satisfy regular expression pattern: "
            r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)",
            fields={"path": "must begin and end with / (for example /division_abc/)"},
        )
    return path


def check_account_id(account_id: object) -> str:
    if not isinstance(account_id, str) or not ACCOUNT_ID_RE.match(account_id):
        raise ValidationError(
            f"Account id '{account_id}' must be exactly 12 digits.",
            fields={"account_id": "12 digits"},
        )
    return account_id


def check_alias(alias: object) -> str:
    """Account aliases: 3-63 lower-case letters, digits and single hyphens, not 12 digits."""
    if (
        not isinstance(alias, str)
        or not 3 <= len(alias) <= 63
        or not ALIAS_RE.match(alias)
        or ACCOUNT_ID_RE.match(alias)
    ):
        raise ValidationError(
            f"1 validation error detected: Value '{alias}' at 'accountAlias' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$ and must not be a 12-digit number",
            fields={"alias": "3-63 lower-case letters, digits and hyphens"},
        )
    return alias


def check_tags(tags: object, *, entity: str, case_insensitive_keys: bool = True) -> dict:
    """Return tags as ``{key: value}`` after AWS's rules; accepts a dict or [{Key, Value}].

    IAM users and roles treat tag keys case-insensitively (case preserved), so ``Team`` and
    ``team`` cannot both be set on one of them.
    """
    if tags is None:
        return {}
    if isinstance(tags, dict):
        pairs = list(tags.items())
    elif isinstance(tags, list):
        try:
            pairs = [(t["Key"], t.get("Value", "")) for t in tags]
        except (TypeError, KeyError, AttributeError) as exc:
            raise ValidationError("Tags must be a list of {Key, Value} objects.") from exc
    else:
        raise ValidationError("Tags must be a mapping of keys to values.")
    if len(pairs) > TAGS_MAX:
        raise LimitExceeded(f"Cannot exceed quota for TagsPer{entity.capitalize()}: {TAGS_MAX}")
    seen: set[str] = set()
    result: dict[str, str] = {}
    for key, value in pairs:
        if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX or not TAG_RE.match(key):
            raise ValidationError(
                f"Tag key '{key}' must be 1-{TAG_KEY_MAX} characters of letters, digits, "
                "spaces and _ . : / = + - @",
                fields={"tags": f"invalid key {key!r}"},
            )
        if key.lower().startswith("aws:"):
            raise ValidationError(
                f"Tag key '{key}' uses the reserved prefix aws:.", fields={"tags": "reserved"}
            )
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > TAG_VALUE_MAX or not TAG_RE.match(value):
            raise ValidationError(
                f"Tag value for '{key}' must be 0-{TAG_VALUE_MAX} characters of letters, "
                "digits, spaces and _ . : / = + - @",
                fields={"tags": f"invalid value for {key!r}"},
            )
        folded = key.lower() if case_insensitive_keys else key
        if folded in seen:
            raise ValidationError(
                f"Duplicate tag key '{key}' (tag keys are case-insensitive here).",
                fields={"tags": f"duplicate key {key!r}"},
            )
        seen.add(folded)
        result[key] = value
    return result


def merge_tags(existing: dict, new: dict, *, case_insensitive_keys: bool = True) -> dict:
    """Existing tags updated with ``new``; a key matching case-insensitively is replaced."""
    if not case_insensitive_keys:
        return {**existing, **new}
    folded_new = {k.lower() for k in new}
    kept = {k: v for k, v in existing.items() if k.lower() not in folded_new}
    return {**kept, **new}


def check_max_session_duration(seconds: object) -> int:
    if (
        not isinstance(seconds, int)
        or isinstance(seconds, bool)
        or not ROLE_SESSION_MIN_S <= seconds <= ROLE_SESSION_MAX_S
    ):
        raise ValidationError(
            f"1 validation error detected: Value '{seconds}' at 'maxSessionDuration' failed "
            f"to satisfy constraint: Member must have value between {ROLE_SESSION_MIN_S} and "
            f"{ROLE_SESSION_MAX_S}",
            fields={"max_session_duration": "3600-43200 seconds (1 to 12 hours)"},
        )
    return seconds


def check_description(description: object, *, limit: int = ROLE_DESCRIPTION_MAX) -> str:
    if description is None:
        return ""
    if not isinstance(description, str) or len(description) > limit:
        raise ValidationError(
            f"Description must be at most {limit} characters.",
            fields={"description": f"at most {limit} characters"},
        )
    return description
