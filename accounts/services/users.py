"""IAM users: create, update (rename, move, tags), console password, delete."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import identifiers, rules
from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import DeleteConflict, EntityAlreadyExists, NoSuchEntity, ValidationError
from accounts.models import Account, IAMUser
from accounts.services.passwords import (
    PasswordPolicyViolation,
    check_password_against_policy,
    check_user_password,
    password_policy_for,
    remember_and_set_password,
)
from accounts.services.tags import resource_tag, resource_untag, tags_diff
from accounts.snapshots import user_snapshot
from policies.authorization import all_or_nothing, authorize_actor


def _name_taken(account: Account, name: str, *, exclude_pk: int | None = None) -> bool:
    return (
        IAMUser.objects.filter(account=account, name__iexact=name).exclude(pk=exclude_pk).exists()
    )


def user_get(*, account: Account, name: str) -> IAMUser:
    """The user called ``name`` (case-insensitively) in ``account``, else NoSuchEntity."""
    user = (
        IAMUser.objects.filter(account=account, name__iexact=name)
        .select_related("account", "permissions_boundary")
        .first()
    )
    if user is None:
        raise NoSuchEntity(f"The user with name {name} cannot be found.")
    return user


def user_create(
    *,
    actor: Actor,
    account: Account,
    name: str,
    path: str = "/",
    tags: dict | list | None = None,
    password: str | None = None,
    password_reset_required: bool = False,
    permissions_boundary_arn: str | None = None,
) -> IAMUser:
    """Create an IAM user (AIDA… id), optionally with a console password.

    ``permissions_boundary_arn`` is the boundary the caller will set in the same operation:
    AWS gives it to iam:CreateUser as ``iam:PermissionsBoundary``.
    """
    rules.check_name("user", name)
    rules.check_path(path)
    tags = rules.check_tags(tags, entity="user")
    if password is not None:
        check_password_against_policy(password, password_policy_for(account), forbidden=(name,))
    arn = identifiers.iam_arn(account.account_id, "user", path, name)
    boundary = {"iam:PermissionsBoundary": permissions_boundary_arn}
    authorize_actor(
        actor,
        "iam:CreateUser",
        arn,
        request_tags=tags or None,
        extra=boundary if permissions_boundary_arn else None,
    )
    if tags:
        authorize_actor(actor, "iam:TagUser", arn, request_tags=tags)
    if password is not None:
        authorize_actor(actor, "iam:CreateLoginProfile", arn)
    if _name_taken(account, name):
        raise EntityAlreadyExists(f"User with name {name} already exists.")
    user = IAMUser(
        account=account,
        name=name,
        path=path,
        tags=tags,
        unique_id=identifiers.unique_id(identifiers.USER_PREFIX),
    )
    if password is not None:
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.password_reset_required = password_reset_required
    try:
        with transaction.atomic():
            user.save()
            audit_record(
                actor=actor,
                action="iam:CreateUser",
                resource_arn=user.arn,
                account_id=account.account_id,
                parameters={"UserName": name, "Path": path, "Tags": tags, "Password": password},
                after=user_snapshot(user),
            )
    except IntegrityError as exc:
        raise EntityAlreadyExists(f"User with name {name} already exists.") from exc
    return user


def user_update(
    *, actor: Actor, user: IAMUser, new_name: str | None = None, new_path: str | None = None
) -> IAMUser:
    """Rename a user and/or move it to another path (AWS UpdateUser: allowed on both ARNs)."""
    before = user_snapshot(user)
    old_arn = user.arn
    if new_name is not None:
        rules.check_name("user", new_name)
    if new_path is not None:
        rules.check_path(new_path)
    authorize_actor(actor, "iam:UpdateUser", old_arn)
    new_arn = identifiers.iam_arn(
        user.account.account_id, "user", new_path or user.path, new_name or user.name
    )
    if new_arn != old_arn:
        authorize_actor(actor, "iam:UpdateUser", new_arn)
    if new_name is not None:
        if _name_taken(user.account, new_name, exclude_pk=user.pk):
            raise EntityAlreadyExists(f"User with name {new_name} already exists.")
        user.name = new_name
    if new_path is not None:
        user.path = rules.check_path(new_path)
    with transaction.atomic():
        user.save(update_fields=["name", "path"])
        audit_record(
            actor=actor,
            action="iam:UpdateUser",
            resource_arn=old_arn,
            account_id=user.account.account_id,
            parameters={"NewUserName": new_name, "NewPath": new_path},
            before=before,
            after=user_snapshot(user),
        )
    return user


def user_tag(*, actor: Actor, user: IAMUser, tags: dict | list) -> IAMUser:
    """Add or overwrite tags (keys case-insensitive); at most 50 in all."""
    return resource_tag(
        actor=actor,
        resource=user,
        tags=tags,
        entity="user",
        action="iam:TagUser",
        snapshot=user_snapshot,
    )


def user_tags_set(*, actor: Actor, user: IAMUser, tags: dict) -> tuple[dict, list[str]]:
    """Make the user's tags exactly ``tags`` (iam:UntagUser then iam:TagUser, all or
    nothing); returns ``(changed, removed)``."""
    changed, removed = tags_diff(user.tags, tags)
    with all_or_nothing():
        if removed:
            user_untag(actor=actor, user=user, keys=removed)
        if changed:
            user_tag(actor=actor, user=user, tags=changed)
    return changed, removed


def user_untag(*, actor: Actor, user: IAMUser, keys: list[str]) -> IAMUser:
    """Remove the tags with these keys (compared case-insensitively)."""
    return resource_untag(
        actor=actor, resource=user, keys=keys, action="iam:UntagUser", snapshot=user_snapshot
    )


def user_password_set(
    *, actor: Actor, user: IAMUser, password: str | None, reset_required: bool = False
) -> IAMUser:
    """Create/update the login profile, or with ``password=None`` delete it."""
    if password is None:
        action = "iam:DeleteLoginProfile"
    else:
        action = "iam:UpdateLoginProfile" if user.has_console_password else "iam:CreateLoginProfile"
    authorize_actor(actor, action, user.arn)
    before = user_snapshot(user)
    if password is None:
        if not user.has_console_password:
            raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
        user.password = ""
        user.password_reset_required = False
    else:
        check_user_password(user, password)
        remember_and_set_password(user, password)
        user.password_reset_required = reset_required
    user.password_changed_at = timezone.now()
    with transaction.atomic():
        user.save(update_fields=["password", "password_reset_required", "password_changed_at"])
        audit_record(
            actor=actor,
            action=action,
            resource_arn=user.arn,
            account_id=user.account.account_id,
            parameters={
                "UserName": user.name,
                "Password": password,
                "PasswordResetRequired": reset_required,
            },
            before=before,
            after=user_snapshot(user),
        )
    return user


def user_delete_blockers(user: IAMUser) -> list[str]:
    """What must go before AWS lets the user be deleted, in AWS's words (empty = deletable)."""
    blockers = []
    if user.has_console_password:
        blockers.append("Cannot delete entity, must delete login profile first.")
    if user.access_keys.exists():
        blockers.append("Cannot delete entity, must delete access keys first.")
    if user.mfa_devices.exists():
        blockers.append("Cannot delete entity, must delete MFA device first.")
    if user.inline_policies.exists():
        blockers.append("Cannot delete entity, must delete policies first.")
    if user.policy_attachments.exists():
        blockers.append("Cannot delete entity, must detach all policies first.")
    if user.memberships.exists():
        blockers.append("Cannot delete entity, must remove users from group first.")
    return blockers


def user_delete(*, actor: Actor, user: IAMUser) -> None:
    """Delete a user that has no password, keys, policies or memberships (else DeleteConflict)."""
    authorize_actor(actor, "iam:DeleteUser", user.arn)
    with transaction.atomic():
        locked = IAMUser.objects.select_for_update().get(pk=user.pk)
        blockers = user_delete_blockers(locked)
        if blockers:
            raise DeleteConflict(blockers[0], fields={"blockers": blockers})
        before = user_snapshot(user)
        arn = user.arn
        locked.delete()
        audit_record(
            actor=actor,
            action="iam:DeleteUser",
            resource_arn=arn,
            account_id=user.account.account_id,
            parameters={"UserName": user.name},
            before=before,
        )


def user_password_change(
    *, actor: Actor, user: IAMUser, old_password: str, new_password: str
) -> IAMUser:
    """A user changes their own password (iam:ChangePassword): old one required, policy kept.

    As in AWS, the account's password policy "allow users to change their own password" lets
    every user do it; without it, IAM must allow iam:ChangePassword on the user.
    """
    policy = password_policy_for(user.account)
    if policy.is_default or not policy.allow_users_to_change:
        authorize_actor(actor, "iam:ChangePassword", user.arn)
    if not user.check_password(old_password or ""):
        raise ValidationError(
            "The old password is incorrect.", fields={"old_password": "incorrect"}
        )
    if new_password == old_password:
        raise PasswordPolicyViolation(
            "The new password must differ from the current one.",
            fields={"new_password": ["same as the current password"]},
        )
    check_user_password(user, new_password)
    with transaction.atomic():
        remember_and_set_password(user, new_password)
        user.password_reset_required = False
        user.save(update_fields=["password", "password_changed_at", "password_reset_required"])
        audit_record(
            actor=actor,
            action="iam:ChangePassword",
            resource_arn=user.arn,
            account_id=user.account.account_id,
            parameters={"OldPassword": old_password, "NewPassword": new_password},
        )
    return user


def user_password_reset_required_set(*, actor: Actor, user: IAMUser, required: bool) -> IAMUser:
    """Require (or stop requiring) a new password at the next sign-in (UpdateLoginProfile)."""
    authorize_actor(actor, "iam:UpdateLoginProfile", user.arn)
    if not user.has_console_password:
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    before = user_snapshot(user)
    with transaction.atomic():
        user.password_reset_required = required
        user.save(update_fields=["password_reset_required"])
        audit_record(
            actor=actor,
            action="iam:UpdateLoginProfile",
            resource_arn=user.arn,
            account_id=user.account.account_id,
            parameters={"UserName": user.name, "PasswordResetRequired": required},
            before=before,
            after=user_snapshot(user),
        )
    return user


def user_login_profile_create(
    *, actor: Actor, user: IAMUser, password: str, reset_required: bool = False
) -> IAMUser:
    """CreateLoginProfile: a console password for a user without one (else EntityAlreadyExists)."""
    authorize_actor(actor, "iam:CreateLoginProfile", user.arn)
    if user.has_console_password:
        raise EntityAlreadyExists(f"Login Profile for user {user.name} already exists.")
    return user_password_set(
        actor=actor, user=user, password=password, reset_required=reset_required
    )


def user_login_profile_update(
    *, actor: Actor, user: IAMUser, password: str | None, reset_required: bool = False
) -> IAMUser:
    """UpdateLoginProfile: a new password and/or reset flag for a user with one (NoSuchEntity)."""
    authorize_actor(actor, "iam:UpdateLoginProfile", user.arn)
    if not user.has_console_password:
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    if password is None:
        return user_password_reset_required_set(actor=actor, user=user, required=reset_required)
    return user_password_set(
        actor=actor, user=user, password=password, reset_required=reset_required
    )
