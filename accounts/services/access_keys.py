"""Access keys of IAM users and root users: at most two each, secret shown once."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts import identifiers
from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.crypto import encrypt
from accounts.errors import LimitExceeded, NoSuchEntity, ValidationError
from accounts.models import AccessKey, IAMUser, RootUser
from accounts.services.rate_limits import rate_limit_check
from policies.authorization import authorize_actor

ACCESS_KEYS_PER_USER = 2


@dataclass(frozen=True)
class NewAccessKey:
    """A freshly created key: the only moment its secret is available in clear text."""

    key: AccessKey
    secret_access_key: str

    def as_aws_json(self) -> dict:
        return {"AccessKeyId": self.key.access_key_id, "SecretAccessKey": self.secret_access_key}


def _owner_fields(owner: IAMUser | RootUser) -> dict:
    return {"user": owner} if isinstance(owner, IAMUser) else {"root_user": owner}


def access_key_create(*, actor: Actor, owner: IAMUser | RootUser) -> NewAccessKey:
    """Create an active AKIA… key for a user or root user; a third key is LimitExceeded."""
    authorize_actor(actor, "iam:CreateAccessKey", owner.arn)
    secret = identifiers.secret_access_key()
    with transaction.atomic():
        type(owner).objects.select_for_update().get(pk=owner.pk)
        # A principal creating keys in a loop (a stolen session minting credentials) is
        # throttled: at most settings.MQIAM_RATE_LIMITS["iam:CreateAccessKey"] per window.
        rate_limit_check(actor=actor, action="iam:CreateAccessKey")
        if AccessKey.objects.filter(**_owner_fields(owner)).count() >= ACCESS_KEYS_PER_USER:
            raise LimitExceeded(
                f"Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}"
            )
        key = AccessKey.objects.create(
            access_key_id=identifiers.access_key_id(),
            secret_encrypted=encrypt(secret),
            **_owner_fields(owner),
        )
        audit_record(
            actor=actor,
            action="iam:CreateAccessKey",
            resource_arn=owner.arn,
            account_id=owner.account.account_id,
            after={"AccessKeyId": key.access_key_id, "Status": key.status},
        )
    return NewAccessKey(key=key, secret_access_key=secret)


def access_key_get(*, owner: IAMUser | RootUser, access_key_id: str) -> AccessKey:
    key = AccessKey.objects.filter(access_key_id=access_key_id, **_owner_fields(owner)).first()
    if key is None:
        raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
    return key


def access_key_set_status(
    *, actor: Actor, owner: IAMUser | RootUser, access_key_id: str, status: str
) -> AccessKey:
    """Activate or deactivate a key (``Active`` / ``Inactive``)."""
    if status not in AccessKey.Status.values:
        raise ValidationError(f"Status must be one of {', '.join(AccessKey.Status.values)}.")
    authorize_actor(actor, "iam:UpdateAccessKey", owner.arn)
    with transaction.atomic():
        key = access_key_get(owner=owner, access_key_id=access_key_id)
        before = {"Status": key.status}
        key.status = status
        key.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="iam:UpdateAccessKey",
            resource_arn=owner.arn,
            account_id=owner.account.account_id,
            parameters={"AccessKeyId": access_key_id, "Status": status},
            before=before,
            after={"Status": status},
        )
    return key


def access_key_delete(*, actor: Actor, owner: IAMUser | RootUser, access_key_id: str) -> None:
    """Delete a key for good."""
    authorize_actor(actor, "iam:DeleteAccessKey", owner.arn)
    with transaction.atomic():
        key = access_key_get(owner=owner, access_key_id=access_key_id)
        key.delete()
        audit_record(
            actor=actor,
            action="iam:DeleteAccessKey",
            resource_arn=owner.arn,
            account_id=owner.account.account_id,
            parameters={"AccessKeyId": access_key_id},
        )
