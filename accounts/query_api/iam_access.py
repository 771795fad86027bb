"""Access keys: create, activate/deactivate, delete, list, and when each was last used."""

from __future__ import annotations

from django.db.models import Q

from accounts.errors import NoSuchEntity
from accounts.models import AccessKey, IAMUser, RootUser
from accounts.query_api.common import user_or_caller
from accounts.query_api.registry import Call, operation, paginate
from accounts.services import access_keys


def _owner(call: Call, read_action: str | None = None) -> IAMUser | RootUser:
    """``UserName`` or the caller; a read is authorized here, changes by their services."""
    owner = user_or_caller(call, call.get("UserName"))
    if read_action:
        call.require(read_action, owner.arn)
    return owner


def _user_name(owner: IAMUser | RootUser) -> str | None:
    # The root user's keys have no user name in AWS's answers.
    return owner.name if isinstance(owner, IAMUser) else None


@operation("iam", "CreateAccessKey")
def create_access_key(call: Call) -> dict:
    """A new AKIA… key; its secret is in this answer and nowhere else."""
    owner = _owner(call)
    new = access_keys.access_key_create(actor=call.actor, owner=owner)
    return {
        "AccessKey": {
            "UserName": _user_name(owner),
            "AccessKeyId": new.key.access_key_id,
            "Status": new.key.status,
            "SecretAccessKey": new.secret_access_key,
            "CreateDate": new.key.created_at,
        }
    }


@operation("iam", "UpdateAccessKey")
def update_access_key(call: Call) -> None:
    """``Active`` or ``Inactive``."""
    owner = _owner(call)
    access_keys.access_key_set_status(
        actor=call.actor,
        owner=owner,
        access_key_id=call.get("AccessKeyId"),
        status=call.get("Status"),
    )


@operation("iam", "DeleteAccessKey")
def delete_access_key(call: Call) -> None:
    """Delete a key for good."""
    owner = _owner(call)
    access_keys.access_key_delete(
        actor=call.actor, owner=owner, access_key_id=call.get("AccessKeyId")
    )


@operation("iam", "ListAccessKeys")
def list_access_keys(call: Call) -> dict:
    """The keys of a user (or the caller), without their secrets."""
    owner = _owner(call, "iam:ListAccessKeys")
    field = {"user": owner} if isinstance(owner, IAMUser) else {"root_user": owner}
    name = _user_name(owner)
    keys = AccessKey.objects.filter(**field).order_by("created_at", "id")
    return paginate(
        call,
        keys,
        "AccessKeyMetadata",
        lambda k: {
            "UserName": name,
            "AccessKeyId": k.access_key_id,
            "Status": k.status,
            "CreateDate": k.created_at,
        },
    )


@operation("iam", "GetAccessKeyLastUsed")
def get_access_key_last_used(call: Call) -> dict:
    """When, where and with which service a key of the caller's account was last used."""
    key_id = call.get("AccessKeyId")
    account = call.account
    key = (
        AccessKey.objects.filter(access_key_id=key_id)
        .filter(Q(user__account=account) | Q(root_user__account=account))
        .select_related("user__account", "root_user__account")
        .first()
    )
    if key is None:
        raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
    owner = key.user or key.root_user
    call.require("iam:GetAccessKeyLastUsed", owner.arn)
    used = {"ServiceName": "N/A", "Region": "N/A"}
    if key.last_used_at:
        used = {
            "LastUsedDate": key.last_used_at,
            "ServiceName": key.last_used_service or "N/A",
            "Region": key.last_used_region or "N/A",
        }
    return {"UserName": _user_name(owner), "AccessKeyLastUsed": used}
