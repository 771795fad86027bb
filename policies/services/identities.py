"""Operations that span an identity and its permissions, as the consoles offer them in one step.

Each step is its own service, which authorizes its own IAM action; ``all_or_nothing`` runs them
in one transaction, so a denial part-way leaves nothing half-made (and is still audited).
"""

from __future__ import annotations

from accounts.actors import Actor
from accounts.models import Account, Group, IAMUser, Role
from accounts.services import groups, roles, users
from policies.authorization import all_or_nothing
from policies.models import ManagedPolicy
from policies.services.attachments import permissions_boundary_put, policy_attach


def user_create_with_permissions(
    *,
    actor: Actor,
    account: Account,
    name: str,
    path: str = "/",
    tags: dict | None = None,
    password: str | None = None,
    password_reset_required: bool = False,
    member_of: list[Group] = (),
    policies: list[ManagedPolicy] = (),
) -> IAMUser:
    """CreateUser with its tags and password, AddUserToGroup and AttachUserPolicy, at once."""
    with all_or_nothing():
        user = users.user_create(
            actor=actor,
            account=account,
            name=name,
            path=path,
            tags=tags,
            password=password,
            password_reset_required=password_reset_required,
        )
        for group in member_of:
            groups.group_member_add(actor=actor, group=group, user=user)
        for policy in policies:
            policy_attach(actor=actor, policy=policy, identity=user)
    return user


def role_create_with_permissions(
    *,
    actor: Actor,
    account: Account,
    name: str,
    trust_policy: str | dict,
    path: str = "/",
    description: str = "",
    max_session_duration: int = 3600,
    tags: dict | None = None,
    boundary: ManagedPolicy | None = None,
    policies: list[ManagedPolicy] = (),
) -> Role:
    """CreateRole with its tags, PutRolePermissionsBoundary and AttachRolePolicy, at once."""
    with all_or_nothing():
        role = roles.role_create(
            actor=actor,
            account=account,
            name=name,
            path=path,
            trust_policy=trust_policy,
            description=description,
            max_session_duration=max_session_duration,
            tags=tags,
            permissions_boundary_arn=boundary.arn if boundary else None,
        )
        if boundary is not None:
            permissions_boundary_put(actor=actor, identity=role, policy=boundary)
        for policy in policies:
            policy_attach(actor=actor, policy=policy, identity=role)
    return role


def group_create_with_permissions(
    *,
    actor: Actor,
    account: Account,
    name: str,
    path: str = "/",
    policies: list[ManagedPolicy] = (),
) -> Group:
    """CreateGroup and AttachGroupPolicy for each policy, at once."""
    with all_or_nothing():
        group = groups.group_create(actor=actor, account=account, name=name, path=path)
        for policy in policies:
            policy_attach(actor=actor, policy=policy, identity=group)
    return group
