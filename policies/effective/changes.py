"""Permission-changing operations described as data, for previews (blast radius).

A description names the change the way the API does; ``resolve`` turns it into the IAM action
and resource it needs (for the policies changes, the very check of the service's step), and a
callable that performs it through the real service — run inside a savepoint by
``blast_radius`` and rolled back, once the caller has checked that action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from accounts.actors import Actor
from accounts.errors import InvalidInput, NoSuchEntity
from accounts.models import Account, Group, IAMUser, Role
from accounts.services import groups, roles, users
from policies.models import ManagedPolicy
from policies.services import attachments, managed
from policies.services.steps import Step

CHANGE_TYPES = (
    "policy_version",
    "attach_policy",
    "detach_policy",
    "add_member",
    "remove_member",
    "put_inline",
    "delete_inline",
    "set_boundary",
    "tag_user",
    "tag_role",
)


@dataclass(frozen=True)
class ResolvedChange:
    """What a change needs (IAM action on a resource) and how to perform it."""

    action: str
    resource_arn: str
    apply: Callable[[], object]
    extra_context: dict


def _identity(account: Account, spec: dict):
    if not isinstance(spec, dict):
        raise InvalidInput('identity must be {"kind": user|group|role, "name": …}.')
    model = {"user": IAMUser, "group": Group, "role": Role}.get(spec.get("kind"))
    if model is None:
        raise InvalidInput("identity.kind must be user, group or role.")
    found = (
        model.objects.filter(account=account, name__iexact=spec.get("name", ""))
        .select_related("account")
        .first()
    )
    if found is None:
        raise NoSuchEntity(f"The {spec['kind']} with name {spec.get('name')} cannot be found.")
    return found


def _policy(account: Account, arn: str) -> ManagedPolicy:
    return managed.policy_get_by_arn(account=account, arn=arn or "")


def _from_step(actor: Actor, step: Step) -> ResolvedChange:
    """A policies service step: the preview checks what the service checks, then runs its
    write (already authorized by the caller; the savepoint is rolled back)."""
    (check,) = step.checks
    return ResolvedChange(
        check.action, check.resource, lambda: step.run(actor), dict(check.extra or {})
    )


def resolve(account: Account, actor: Actor, change: dict) -> ResolvedChange:
    """The IAM action, resource and service call of a described change."""
    kind = change.get("type") if isinstance(change, dict) else None
    if kind not in CHANGE_TYPES:
        raise InvalidInput(f"change.type must be one of: {', '.join(CHANGE_TYPES)}.")
    if kind == "policy_version":
        policy = _policy(account, change.get("policy_arn"))
        step = managed.policy_version_create_step(
            policy=policy, document=change.get("document", ""), set_as_default=True
        )
        return _from_step(actor, step)
    if kind in ("attach_policy", "detach_policy"):
        identity = _identity(account, change.get("identity"))
        policy = _policy(account, change.get("policy_arn"))
        build = (
            attachments.policy_attach_step
            if kind == "attach_policy"
            else attachments.policy_detach_step
        )
        return _from_step(actor, build(policy=policy, identity=identity))
    if kind in ("add_member", "remove_member"):
        group = _identity(account, {"kind": "group", "name": change.get("group")})
        user = _identity(account, {"kind": "user", "name": change.get("user")})
        service = groups.group_member_add if kind == "add_member" else groups.group_member_remove
        action = "iam:AddUserToGroup" if kind == "add_member" else "iam:RemoveUserFromGroup"
        return ResolvedChange(
            action, group.arn, lambda: service(actor=actor, group=group, user=user), {}
        )
    if kind in ("put_inline", "delete_inline"):
        identity = _identity(account, change.get("identity"))
        if kind == "put_inline":
            step = attachments.inline_policy_put_step(
                identity=identity, name=change.get("name", ""), document=change.get("document", "")
            )
        else:
            step = attachments.inline_policy_delete_step(
                identity=identity, name=change.get("name", "")
            )
        return _from_step(actor, step)
    if kind == "set_boundary":
        identity = _identity(account, change.get("identity"))
        policy = _policy(account, change["policy_arn"]) if change.get("policy_arn") else None
        step = attachments.permissions_boundary_put_step(identity=identity, policy=policy)
        return _from_step(actor, step)

    model_kind = "user" if kind == "tag_user" else "role"
    identity = _identity(account, {"kind": model_kind, "name": change.get("name")})
    tags = change.get("tags") or {}
    service = users.user_tag if kind == "tag_user" else roles.role_tag
    label = "User" if kind == "tag_user" else "Role"
    key = "user" if kind == "tag_user" else "role"
    return ResolvedChange(
        f"iam:Tag{label}",
        identity.arn,
        lambda: service(actor=actor, **{key: identity}, tags=tags),
        {},
    )
