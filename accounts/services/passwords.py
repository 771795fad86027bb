"""Password policies and password changes, enforced on every password set."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import IAMError, NoSuchEntity, ValidationError
from accounts.models import Account, IAMUser, PasswordHistory, PasswordPolicy
from policies.authorization import authorize_actor

# AWS counts these as symbols in a password policy.
SYMBOLS = set("!@#$%^&*()_+-=[]{}|'")


class PasswordPolicyViolation(IAMError):
    """The password breaks the account's password policy (AWS: PasswordPolicyViolation)."""

    code = "PasswordPolicyViolation"
    http_status = 400


@dataclass(frozen=True)
class EffectivePasswordPolicy:
    """The rules in force: the account's policy or AWS's default when none is set."""

    minimum_length: int = 8
    require_symbols: bool = False
    require_numbers: bool = False
    require_uppercase: bool = False
    require_lowercase: bool = False
    # AWS's default policy (no custom policy): at least three of the four character types.
    min_character_types: int = 3
    allow_users_to_change: bool = True
    max_age_days: int | None = None
    reuse_prevention: int | None = None
    hard_expiry: bool = False
    is_default: bool = True


def password_policy_for(account: Account) -> EffectivePasswordPolicy:
    """The account's password policy, or AWS's default policy."""
    policy = PasswordPolicy.objects.filter(account=account).first()
    if policy is None:
        return EffectivePasswordPolicy()
    return EffectivePasswordPolicy(
        minimum_length=policy.minimum_length,
        require_symbols=policy.require_symbols,
        require_numbers=policy.require_numbers,
        require_uppercase=policy.require_uppercase,
        require_lowercase=policy.require_lowercase,
        min_character_types=0,
        allow_users_to_change=policy.allow_users_to_change,
        max_age_days=policy.max_age_days,
        reuse_prevention=policy.reuse_prevention,
        hard_expiry=policy.hard_expiry,
        is_default=False,
    )


def password_problems(
    password: str, policy: EffectivePasswordPolicy, *, forbidden: tuple[str, ...] = ()
) -> list[str]:
    """Every rule of ``policy`` that ``password`` breaks, in words a user can act on."""
    problems = []
    if len(password) < policy.minimum_length:
        problems.append(f"at least {policy.minimum_length} characters")
    if len(password) > 128:
        problems.append("at most 128 characters")
    has = {
        "uppercase": any(c in string.ascii_uppercase for c in password),
        "lowercase": any(c in string.ascii_lowercase for c in password),
        "numbers": any(c in string.digits for c in password),
        "symbols": any(c in SYMBOLS for c in password),
    }
    labels = {
        "uppercase": "uppercase letter",
        "lowercase": "lowercase letter",
        "numbers": "number",
        "symbols": "symbol (! @ # $ % ^ & * ( ) _ + - = [ ] { } | ')",
    }
    for kind, label in labels.items():
        if getattr(policy, f"require_{kind}") and not has[kind]:
            problems.append(f"at least one {label}")
    if sum(has.values()) < policy.min_character_types:
        problems.append(
            f"at least {policy.min_character_types} of: uppercase letters, lowercase letters, "
            "numbers, symbols"
        )
    if any(f and f.lower() == password.lower() for f in forbidden):
        problems.append("not the same as your user name or email address")
    return problems


def check_password_against_policy(
    password: object, policy: EffectivePasswordPolicy, *, forbidden: tuple[str, ...] = ()
) -> str:
    """Return ``password`` if it satisfies ``policy``, else PasswordPolicyViolation."""
    if not isinstance(password, str) or not password:
        raise ValidationError("A password is required.", fields={"password": "required"})
    problems = password_problems(password, policy, forbidden=forbidden)
    if problems:
        raise PasswordPolicyViolation(
            "Password does not conform to the account password policy: it needs "
            + "; ".join(problems)
            + ".",
            fields={"password": problems},
        )
    return password


def check_user_password(user: IAMUser, password: object) -> str:
    """Policy plus reuse prevention for an IAM user's new console password."""
    policy = password_policy_for(user.account)
    check_password_against_policy(password, policy, forbidden=(user.name,))
    if policy.reuse_prevention:
        previous = [user.password] if user.password else []
        previous += list(
            user.password_history.values_list("password", flat=True)[
                : max(policy.reuse_prevention - 1, 0)
            ]
        )
        if any(check_password(password, old) for old in previous):
            raise PasswordPolicyViolation(
                f"Password does not conform to the account password policy: it must differ "
                f"from your last {policy.reuse_prevention} passwords.",
                fields={"password": ["reused"]},
            )
    return password


def remember_and_set_password(user: IAMUser, password: str) -> None:
    """Keep the old hash for reuse prevention, then set the new password (caller saves)."""
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    user.password = make_password(password)
    user.password_changed_at = timezone.now()


def password_expired(user: IAMUser, *, now: datetime | None = None) -> bool:
    """Whether the user's password is older than the policy's maximum age."""
    policy = password_policy_for(user.account)
    if not policy.max_age_days or user.password_changed_at is None:
        return False
    now = now or timezone.now()
    return user.password_changed_at + timedelta(days=policy.max_age_days) <= now


def password_policy_update(*, actor: Actor, account: Account, **fields) -> PasswordPolicy:
    """Create or update the account password policy (AWS's ranges enforced)."""
    authorize_actor(actor, "iam:UpdateAccountPasswordPolicy", "*")
    minimum = fields.get("minimum_length", 8)
    if not isinstance(minimum, int) or not 6 <= minimum <= 128:
        raise ValidationError(
            "Minimum password length must be between 6 and 128.", fields={"minimum_length": "6-128"}
        )
    max_age = fields.get("max_age_days")
    if max_age is not None and not 1 <= max_age <= 1095:
        raise ValidationError(
            "Password expiration must be between 1 and 1095 days.",
            fields={"max_age_days": "1-1095"},
        )
    reuse = fields.get("reuse_prevention")
    if reuse is not None and not 1 <= reuse <= 24:
        raise ValidationError(
            "Password reuse prevention must remember 1 to 24 passwords.",
            fields={"reuse_prevention": "1-24"},
        )
    with transaction.atomic():
        existing = PasswordPolicy.objects.filter(account=account).first()
        before = _policy_dict(existing) if existing else None
        policy, _ = PasswordPolicy.objects.update_or_create(account=account, defaults=fields)
        audit_record(
            actor=actor,
            action="iam:UpdateAccountPasswordPolicy",
            resource_arn="*",
            account_id=account.account_id,
            parameters=fields,
            before=before,
            after=_policy_dict(policy),
        )
    return policy


def password_policy_delete(*, actor: Actor, account: Account) -> None:
    """Remove the custom policy (AWS's default applies again)."""
    authorize_actor(actor, "iam:DeleteAccountPasswordPolicy", "*")
    with transaction.atomic():
        existing = PasswordPolicy.objects.filter(account=account).first()
        if existing is None:
            raise NoSuchEntity(
                f"The Password Policy with domain name {account.account_id} cannot be found."
            )
        before = _policy_dict(existing)
        existing.delete()
        audit_record(
            actor=actor,
            action="iam:DeleteAccountPasswordPolicy",
            resource_arn="*",
            account_id=account.account_id,
            before=before,
        )


def _policy_dict(policy: PasswordPolicy) -> dict:
    return {
        "MinimumPasswordLength": policy.minimum_length,
        "RequireSymbols": policy.require_symbols,
        "RequireNumbers": policy.require_numbers,
        "RequireUppercaseCharacters": policy.require_uppercase,
        "RequireLowercaseCharacters": policy.require_lowercase,
        "AllowUsersToChangePassword": policy.allow_users_to_change,
        "MaxPasswordAge": policy.max_age_days,
        "PasswordReusePrevention": policy.reuse_prevention,
        "HardExpiry": policy.hard_expiry,
    }
