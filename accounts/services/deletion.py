"""Deleting a user, group or role after what blocks it, as AWS's console does, all or nothing.

Shared by the console pages and the REST API (which must not import console views). A step is
``(IAM action, resource ARN, extra context keys, service call taking actor=)``: the action and
ARN say what the step is (pages list them); the service call authorizes it. Every step and the
deletion run in one ``all_or_nothing`` transaction, so a denial of any step changes nothing
and is still audited.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from accounts.actors import Actor
from accounts.models import Group, IAMUser, MFADevice, Role
from accounts.services import access_keys, groups, mfa, roles, users
from policies.authorization import all_or_nothing
from policies.services.attachments import inline_policy_delete, policy_detach

Step = tuple[str, str, dict, Callable[..., object]]


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


def delete_with_blockers(*, actor: Actor, steps: list[Step], delete: Callable[..., object]) -> None:
    """Run every step, then ``delete``, in one transaction; each service authorizes its own."""
    with all_or_nothing():
        for *_, run in steps:
            run(actor=actor)
        delete(actor=actor)


def user_delete_with_blockers(*, actor: Actor, user: IAMUser, remove_blockers: bool) -> None:
    """DeleteUser after (optionally) its password, keys, MFA, policies and memberships."""
    delete_with_blockers(
        actor=actor,
        steps=user_blocker_steps(user) if remove_blockers else [],
        delete=partial(users.user_delete, user=user),
    )


def group_delete_with_blockers(*, actor: Actor, group: Group, remove_blockers: bool) -> None:
    """DeleteGroup after (optionally) its members and policies."""
    delete_with_blockers(
        actor=actor,
        steps=group_blocker_steps(group) if remove_blockers else [],
        delete=partial(groups.group_delete, group=group),
    )


def role_delete_with_blockers(*, actor: Actor, role: Role, remove_blockers: bool) -> None:
    """DeleteRole after (optionally) its policies (never a service-linked role's)."""
    delete_with_blockers(
        actor=actor,
        steps=role_blocker_steps(role) if remove_blockers and not role.is_service_linked else [],
        delete=partial(roles.role_delete, role=role),
    )
