"""Accounts and their root users."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import rules
from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import EntityAlreadyExists, NoSuchEntity, ValidationError
from accounts.models import Account, RootUser
from accounts.services.passwords import EffectivePasswordPolicy, check_password_against_policy
from accounts.snapshots import account_snapshot
from policies.authorization import authorize_actor


def account_create(
    *, actor: Actor, account_id: str, alias: str | None, root_email: str, root_password: str
) -> Account:
    """Create an account with its root user; duplicates raise EntityAlreadyExists."""
    rules.check_account_id(account_id)
    if alias:
        rules.check_alias(alias)
    root_email = (root_email or "").strip()
    if "@" not in root_email or len(root_email) > 254:
        raise ValidationError(
            "The root user's email address is not valid.",
            fields={"root_email": "a valid email address"},
        )
    # The root user always follows AWS's default rules (8+ characters, 3 character types).
    check_password_against_policy(root_password, EffectivePasswordPolicy(), forbidden=(root_email,))
    if Account.objects.filter(account_id=account_id).exists():
        raise EntityAlreadyExists(f"Account {account_id} already exists.")
    if alias and Account.objects.filter(alias=alias).exists():
        raise EntityAlreadyExists(f"The account alias {alias} already exists.")
    if RootUser.objects.filter(email__iexact=root_email).exists():
        raise EntityAlreadyExists(f"A root user with email {root_email} already exists.")
    try:
        with transaction.atomic():
            account = Account.objects.create(account_id=account_id, alias=alias or None)
            root = RootUser(account=account, email=root_email, password_changed_at=timezone.now())
            root.set_password(root_password)
            root.save()
            audit_record(
                actor=actor,
                action="console:CreateAccount",
                resource_arn=account.root_arn,
                account_id=account_id,
                parameters={"AccountId": account_id, "Alias": alias, "RootEmail": root_email},
                after=account_snapshot(account),
            )
    except IntegrityError as exc:  # a concurrent create won the race
        raise EntityAlreadyExists(f"Account {account_id} already exists.") from exc
    return account


def account_alias_set(*, actor: Actor, account: Account, alias: str | None) -> Account:
    """Set (or with None, delete) the account alias, unique across all accounts."""
    authorize_actor(actor, "iam:CreateAccountAlias" if alias else "iam:DeleteAccountAlias", "*")
    before = account_snapshot(account)
    if alias:
        rules.check_alias(alias)
        if Account.objects.filter(alias=alias).exclude(pk=account.pk).exists():
            raise EntityAlreadyExists(f"The account alias {alias} already exists.")
    with transaction.atomic():
        account.alias = alias or None
        account.save(update_fields=["alias"])
        audit_record(
            actor=actor,
            action="iam:CreateAccountAlias" if alias else "iam:DeleteAccountAlias",
            resource_arn="*",
            account_id=account.account_id,
            parameters={"AccountAlias": alias},
            before=before,
            after=account_snapshot(account),
        )
    return account


def account_alias_delete(*, actor: Actor, account: Account, alias: str) -> Account:
    """DeleteAccountAlias: ``alias`` must be the account's current one (else NoSuchEntity)."""
    authorize_actor(actor, "iam:DeleteAccountAlias", "*")
    if account.alias != alias:
        raise NoSuchEntity(f"The account alias {alias} cannot be found.")
    return account_alias_set(actor=actor, account=account, alias=None)
