"""IAM groups and their membership."""

from __future__ import annotations

from accounts.models import Group, IAMUser
from accounts.query_api import render
from accounts.query_api.registry import Call, operation, paginate
from accounts.services import groups
from accounts.services.users import user_get


def _named(call: Call) -> Group:
    """The group named by ``GroupName`` (its services authorize what is done to it)."""
    return groups.group_get(account=call.account, name=call.get("GroupName"))


def _group(call: Call, action: str) -> Group:
    """The group named by ``GroupName``, once the read ``action`` on it is authorized."""
    group = _named(call)
    call.require(action, group.arn)
    return group


@operation("iam", "CreateGroup")
def create_group(call: Call) -> dict:
    """iam:CreateGroup on the new group's ARN."""
    name, path = call.get("GroupName"), call.get("Path", "/")
    group = groups.group_create(actor=call.actor, account=call.account, name=name, path=path)
    return {"Group": render.group(group)}


@operation("iam", "GetGroup")
def get_group(call: Call) -> dict:
    """The group and its users, a page of users at a time."""
    group = _group(call, "iam:GetGroup")
    members = (
        IAMUser.objects.filter(memberships__group=group)
        .select_related("account")
        .order_by("name", "id")
    )
    return {"Group": render.group(group), **paginate(call, members, "Users", render.user)}


@operation("iam", "UpdateGroup")
def update_group(call: Call) -> None:
    """Rename or move a group (permission on the old and the new ARN)."""
    new_name, new_path = call.get("NewGroupName"), call.get("NewPath")
    groups.group_update(actor=call.actor, group=_named(call), new_name=new_name, new_path=new_path)


@operation("iam", "DeleteGroup")
def delete_group(call: Call) -> None:
    """Delete an empty group without policies."""
    groups.group_delete(actor=call.actor, group=_named(call))


@operation("iam", "ListGroups")
def list_groups(call: Call) -> dict:
    """The account's groups under ``PathPrefix``."""
    call.require("iam:ListGroups", "*")
    queryset = (
        Group.objects.filter(account=call.account, path__startswith=call.get("PathPrefix", "/"))
        .select_related("account")
        .order_by("name", "id")
    )
    return paginate(call, queryset, "Groups", render.group)


@operation("iam", "AddUserToGroup")
def add_user_to_group(call: Call) -> None:
    """Add a user (at most 10 groups per user)."""
    group = _named(call)
    user = user_get(account=call.account, name=call.get("UserName"))
    groups.group_member_add(actor=call.actor, group=group, user=user)


@operation("iam", "RemoveUserFromGroup")
def remove_user_from_group(call: Call) -> None:
    """Remove a user from a group."""
    group = _named(call)
    user = user_get(account=call.account, name=call.get("UserName"))
    groups.group_member_remove(actor=call.actor, group=group, user=user)


@operation("iam", "ListGroupsForUser")
def list_groups_for_user(call: Call) -> dict:
    """The groups a user belongs to."""
    user = user_get(account=call.account, name=call.get("UserName"))
    call.require("iam:ListGroupsForUser", user.arn)
    queryset = (
        Group.objects.filter(memberships__user=user).select_related("account").order_by("name")
    )
    return paginate(call, queryset, "Groups", render.group)
