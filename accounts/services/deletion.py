"""Deleting a user, group or role after what blocks it, every step authorized before any runs.

Shared by the console pages and the REST API (which must not import console views). A step is
``(IAM action, resource ARN, extra context keys, service call taking actor=)``; the caller
passes ``authorize(action, resource, extra)``, bound to its request, which raises
``policies.authorization.AccessDenied``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db import transaction

from accounts.actors import Actor
from accounts.models import Group, IAMUser, MFADevice, Role
from accounts.services import access_keys, groups, mfa, roles, users
from policies.services.attachments import inline_policy_delete, policy_detach

Step = tuple[str, str, dict, Callable[..., object]]
Authorize = Callable[[str, str, dict], object]


def policy_blocker_steps(identity, label: str) -> list[Step]:
    """Delete the identity's inline policies (by name), then detach its managed policies.

    ``label`` is User, Group or Role, as in iam:DeleteUserPolicy and iam:DetachUserPolicy.
    """
    steps: list[Step] = [
        (
            f"iam:Delete{label}Policy",
            identity.arn,
            {},
            partial(inline_policy_delete, identity=identity, name=name),
        )
        for name in identity.inline_policies.order_by("name").values_list("name", flat=True)
    ]
    steps += [
        (
            f"iam:Detach{label}Policy",
            identity.arn,
            {"iam:PolicyARN": attachment.policy.arn},
            partial(policy_detach, policy=attachment.policy, identity=identity),
        )
        for attachment in identity.policy_attachments.select_related("policy__account")
    ]
    return steps


def user_blocker_steps(user: IAMUser) -> list[Step]:
    """What the AWS console removes before DeleteUser, as (action, ARN, context, call) steps."""
    steps: list[Step] = []
    if user.has_console_password:
        steps.append(
            (
                "iam:DeleteLoginProfile",
                user.arn,
                {},
                partial(users.user_password_set, user=user, password=None),
            )
        )
    steps += [
        (
            "iam:DeleteAccessKey",
            user.arn,
            {},
            partial(access_keys.access_key_delete, owner=user, access_key_id=key_id),
        )
        for key_id in user.access_keys.values_list("access_key_id", flat=True)
    ]
    steps += [
        (
            "iam:DeactivateMFADevice",
            user.arn,
            {},
            partial(mfa.mfa_device_deactivate, owner=user, serial_number=device.serial_number),
        )
        for device in MFADevice.objects.filter(user=user).select_related("account")
    ]
    steps += policy_blocker_steps(user, "User")
    steps += [
        (
            "iam:RemoveUserFromGroup",
            m.group.arn,
            {},
            partial(groups.group_member_remove, group=m.group, user=user),
        )
        for m in user.memberships.select_related("group__account")
    ]
    return steps


def group_blocker_steps(group: Group) -> list[Step]:
    """What must go before DeleteGroup, as (IAM action, ARN, extra context, call) steps.

    Returned as steps so that every one is authorized before any is carried out: a denial
    half-way would otherwise leave the group stripped but not deleted.
    """
    steps: list[Step] = [
        (
            "iam:RemoveUserFromGroup",
            group.arn,
            {},
            partial(groups.group_member_remove, group=group, user=membership.user),
        )
        for membership in group.memberships.select_related("user__account").order_by("user__name")
    ]
    return steps + policy_blocker_steps(group, "Group")


def role_blocker_steps(role: Role) -> list[Step]:
    """What must go before DeleteRole, as (IAM action, ARN, extra context, call) steps."""
    return policy_blocker_steps(role, "Role")


def delete_with_blockers(
    *,
    actor: Actor,
    steps: list[Step],
    authorize: Authorize,
    action: str,
    resource: str,
    delete: Callable[..., object],
) -> None:
    """Authorize every step, then ``action`` on ``resource``; then run them in one transaction.

    ``authorize(action, resource, extra)`` raises AccessDenied. Nothing is written before the
    last authorization, so a denial part-way changes nothing and its audit row is kept.
    """
    for step_action, step_resource, extra, _ in steps:
        authorize(step_action, step_resource, extra)
    authorize(action, resource, {})
    with transaction.atomic():
        for *_, run in steps:
            run(actor=actor)
        delete(actor=actor)


def group_delete_with_blockers(
    *, actor: Actor, group: Group, remove_blockers: bool, authorize: Authorize
) -> None:
    """Authorize every step (removals, then iam:DeleteGroup), then do them in one transaction."""
    delete_with_blockers(
        actor=actor,
        steps=group_blocker_steps(group) if remove_blockers else [],
        authorize=authorize,
        action="iam:DeleteGroup",
        resource=group.arn,
        delete=partial(groups.group_delete, group=group),
    )


def role_delete_with_blockers(
    *, actor: Actor, role: Role, remove_blockers: bool, authorize: Authorize
) -> None:
    """Authorize every step (removals, then iam:DeleteRole), then do them in one transaction."""
    delete_with_blockers(
        actor=actor,
        steps=role_blocker_steps(role) if remove_blockers and not role.is_service_linked else [],
        authorize=authorize,
        action="iam:DeleteRole",
        resource=role.arn,
        delete=partial(roles.role_delete, role=role),
    )
