"""Plain-dict pictures of entities for the audit trail's before/after and for API output."""

from __future__ import annotations


def user_snapshot(user) -> dict:
    return {
        "UserName": user.name,
        "Path": user.path,
        "UserId": user.unique_id,
        "Arn": user.arn,
        "Tags": dict(user.tags),
        "PasswordEnabled": user.has_console_password,
        "PermissionsBoundary": user.permissions_boundary.arn
        if user.permissions_boundary_id
        else None,
    }


def group_snapshot(group) -> dict:
    return {
        "GroupName": group.name,
        "Path": group.path,
        "GroupId": group.unique_id,
        "Arn": group.arn,
    }


def role_snapshot(role) -> dict:
    return {
        "RoleName": role.name,
        "Path": role.path,
        "RoleId": role.unique_id,
        "Arn": role.arn,
        "Description": role.description,
        "MaxSessionDuration": role.max_session_duration,
        "AssumeRolePolicyDocument": role.trust_policy,
        "Tags": dict(role.tags),
        "PermissionsBoundary": role.permissions_boundary.arn
        if role.permissions_boundary_id
        else None,
        "ServiceLinked": role.is_service_linked,
    }


def account_snapshot(account) -> dict:
    return {"AccountId": account.account_id, "Alias": account.alias}
