"""IAM groups and their membership."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts import identifiers, rules
from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from accounts.models import Account, Group, GroupMembership, IAMUser
from accounts.snapshots import group_snapshot
from policies.authorization import authorize_actor


def group_get(*, account: Account, name: str) -> Group:
    """The group called ``name`` (case-insensitively) in ``account``, else NoSuchEntity."""
    group = (
        Group.objects.filter(account=account, name__iexact=name).select_related("account").first()
    )
    if group is None:
        raise NoSuchEntity(f"The group with name {name} cannot be found.")
    return group


def group_create(*, actor: Actor, account: Account, name: str, path: str = "/") -> Group:
    """Create a group (AGPA… id); names are unique per account case-insensitively."""
    rules.check_name("group", name)
    rules.check_path(path)
    authorize_actor(
        actor, "iam:CreateGroup", identifiers.iam_arn(account.account_id, "group", path, name)
    )
    if Group.objects.filter(account=account, name__iexact=name).exists():
        raise EntityAlreadyExists(f"Group with name {name} already exists.")
    group = Group(
        account=account,
        name=name,
        path=path,
        unique_id=identifiers.unique_id(identifiers.GROUP_PREFIX),
    )
    try:
        with transaction.atomic():
            group.save()
            audit_record(
                actor=actor,
                action="iam:CreateGroup",
                resource_arn=group.arn,
                account_id=account.account_id,
                parameters={"GroupName": name, "Path": path},
                after=group_snapshot(group),
            )
    except IntegrityError as exc:
        raise EntityAlreadyExists(f"Group with name {name} already exists.") from exc
    return group


def group_update(
    *, actor: Actor, group: Group, new_name: str | None = None, new_path: str | None = None
) -> Group:
    """Rename a group and/or change its path (AWS UpdateGroup: allowed on both ARNs)."""
    before = group_snapshot(group)
    old_arn = group.arn
    if new_name is not None:
        rules.check_name("group", new_name)
    if new_path is not None:
        rules.check_path(new_path)
    authorize_actor(actor, "iam:UpdateGroup", old_arn)
    new_arn = identifiers.iam_arn(
        group.account.account_id, "group", new_path or group.path, new_name or group.name
    )
    if new_arn != old_arn:
        authorize_actor(actor, "iam:UpdateGroup", new_arn)
    if new_name is not None:
        taken = Group.objects.filter(account=group.account, name__iexact=new_name).exclude(
            pk=group.pk
        )
        if taken.exists():
            raise EntityAlreadyExists(f"Group with name {new_name} already exists.")
        group.name = new_name
    if new_path is not None:
        group.path = rules.check_path(new_path)
    with transaction.atomic():
        group.save(update_fields=["name", "path"])
        audit_record(
            actor=actor,
            action="iam:UpdateGroup",
            resource_arn=old_arn,
            account_id=group.account.account_id,
            parameters={"NewGroupName": new_name, "NewPath": new_path},
            before=before,
            after=group_snapshot(group),
        )
    return group


def group_member_add(*, actor: Actor, group: Group, user: IAMUser) -> GroupMembership:
    """Add ``user`` to ``group``; a user belongs to at most 10 groups (LimitExceeded)."""
    authorize_actor(actor, "iam:AddUserToGroup", group.arn)
    if user.account_id != group.account_id:
        raise NoSuchEntity(f"The user with name {user.name} cannot be found.")
    with transaction.atomic():
        # Lock the user so two concurrent adds cannot both pass the quota check.
        IAMUser.objects.select_for_update().get(pk=user.pk)
        existing = GroupMembership.objects.filter(user=user, group=group).first()
        if existing is not None:
            return existing  # AWS's AddUserToGroup is idempotent
        if GroupMembership.objects.filter(user=user).count() >= rules.GROUPS_PER_USER:
            raise LimitExceeded(f"Cannot exceed quota for GroupsPerUser: {rules.GROUPS_PER_USER}")
        membership = GroupMembership.objects.create(user=user, group=group)
        audit_record(
            actor=actor,
            action="iam:AddUserToGroup",
            resource_arn=group.arn,
            account_id=group.account.account_id,
            parameters={"GroupName": group.name, "UserName": user.name},
        )
    return membership


def group_member_remove(*, actor: Actor, group: Group, user: IAMUser) -> None:
    """Remove ``user`` from ``group`` (NoSuchEntity if not a member)."""
    authorize_actor(actor, "iam:RemoveUserFromGroup", group.arn)
    with transaction.atomic():
        deleted, _ = GroupMembership.objects.filter(user=user, group=group).delete()
        if not deleted:
            raise NoSuchEntity(
                f"The user with name {user.name} is not a member of group {group.name}."
            )
        audit_record(
            actor=actor,
            action="iam:RemoveUserFromGroup",
            resource_arn=group.arn,
            account_id=group.account.account_id,
            parameters={"GroupName": group.name, "UserName": user.name},
        )


def group_delete_blockers(group: Group) -> list[str]:
    """What must go before AWS lets the group be deleted, in AWS's words."""
    blockers = []
    if group.memberships.exists():
        blockers.append("Cannot delete entity, must remove users from group first.")
    if group.inline_policies.exists():
        blockers.append("Cannot delete entity, must delete policies first.")
    if group.policy_attachments.exists():
        blockers.append("Cannot delete entity, must detach all policies first.")
    return blockers


def group_delete(*, actor: Actor, group: Group) -> None:
    """Delete an empty group with no policies (else DeleteConflict)."""
    authorize_actor(actor, "iam:DeleteGroup", group.arn)
    with transaction.atomic():
        locked = Group.objects.select_for_update().get(pk=group.pk)
        blockers = group_delete_blockers(locked)
        if blockers:
            raise DeleteConflict(blockers[0], fields={"blockers": blockers})
        before = group_snapshot(group)
        arn = group.arn
        locked.delete()
        audit_record(
            actor=actor,
            action="iam:DeleteGroup",
            resource_arn=arn,
            account_id=group.account.account_id,
            parameters={"GroupName": group.name},
            before=before,
        )
