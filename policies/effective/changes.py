"""Permission-changing operations described as data, for previews (blast radius).

A description names the change the way the API does; ``resolve`` turns it into the IAM action
and resource it needs, and a callable that performs it through the real service — run inside
a savepoint by ``blast_radius`` and rolled back.
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


def resolve(account: Account, actor: Actor, change: dict) -> ResolvedChange:
    """The IAM action, resource and service call of a described change."""
    kind = change.get("type") if isinstance(change, dict) else None
    if kind not in CHANGE_TYPES:
        raise InvalidInput(f"change.type must be one of: {', '.join(CHANGE_TYPES)}.")
    if kind == "policy_version":
        policy = _policy(account, change.get("policy_arn"))
        return ResolvedChange(
            "iam:CreatePolicyVersion",
            policy.arn,
            lambda: managed.policy_version_create(
                actor=actor, policy=policy, document=change.get("document", ""), set_as_default=True
            ),
            {},
        )
    if kind in ("attach_policy", "detach_policy"):
        identity = _identity(account, change.get("identity"))
        policy = _policy(account, change.get("policy_arn"))
        label = type(identity).__name__.replace("IAM", "")
        verb = "Attach" if kind == "attach_policy" else "Detach"
        service = (
            attachments.policy_attach if kind == "attach_policy" else attachments.policy_detach
        )
        return ResolvedChange(
            f"iam:{verb}{label}Policy",
            identity.arn,
            lambda: service(actor=actor, policy=policy, identity=identity),
            {"iam:PolicyARN": policy.arn},
        )
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
        label = type(identity).__name__.replace("IAM", "")
        if kind == "put_inline":
            return ResolvedChange(
                f"iam:Put{label}Policy",
                identity.arn,
                lambda: attachments.inline_policy_put(
                    actor=actor,
                    identity=identity,
                    name=change.get("name", ""),
                    document=change.get("document", ""),
                ),
                {},
            )
        return ResolvedChange(
            f"iam:Delete{label}Policy",
            identity.arn,
            lambda: attachments.inline_policy_delete(
                actor=actor, identity=identity, name=change.get("name", "")
            ),
            {},
        )
    if kind == "set_boundary":
        identity = _identity(account, change.get("identity"))
        policy = _policy(account, change["policy_arn"]) if change.get("policy_arn") else None
        label = type(identity).__name__.replace("IAM", "")
        verb = "Put" if policy else "Delete"
        extra = {"iam:PermissionsBoundary": policy.arn} if policy else {}
        return ResolvedChange(
            f"iam:{verb}{label}PermissionsBoundary",
            identity.arn,
            lambda: attachments.permissions_boundary_put(
                actor=actor, identity=identity, policy=policy
            ),
            extra,
        )
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
