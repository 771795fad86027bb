"""Managed-policy attachments, inline policies and permissions boundaries of users, groups, roles.

The three identity kinds have the same twelve operations (``AttachUserPolicy``,
``PutGroupPolicy``, ``ListAttachedRolePolicies``…), so they are registered from one table.
"""

from __future__ import annotations

from collections.abc import Callable

from accounts.query_api import render
from accounts.query_api.registry import Call, operation, paginate
from accounts.services.groups import group_get
from accounts.services.roles import role_get
from accounts.services.users import user_get
from policies.models import InlinePolicy, ManagedPolicy
from policies.services import attachments

GETTERS: dict[str, Callable] = {"User": user_get, "Group": group_get, "Role": role_get}


def _target(call: Call, kind: str):
    """The user, group or role named by ``{kind}Name`` (its service authorizes the change)."""
    return GETTERS[kind](account=call.account, name=call.get(f"{kind}Name"))


def _identity(call: Call, kind: str, action: str):
    """The user, group or role named by ``{kind}Name``, read with ``action``."""
    identity = _target(call, kind)
    call.require(action, identity.arn)
    return identity


def _register(kind: str) -> None:
    field = kind.lower()

    @operation("iam", f"Attach{kind}Policy")
    def attach(call: Call) -> None:
        """Attach a managed policy; ``iam:PolicyARN`` is the condition key."""
        attachments.policy_attach_by_arn(
            actor=call.actor, identity=_target(call, kind), policy_arn=call.get("PolicyArn")
        )

    @operation("iam", f"Detach{kind}Policy")
    def detach(call: Call) -> None:
        """Detach a managed policy (``iam:PolicyARN``)."""
        attachments.policy_detach_by_arn(
            actor=call.actor, identity=_target(call, kind), policy_arn=call.get("PolicyArn")
        )

    @operation("iam", f"ListAttached{kind}Policies")
    def list_attached(call: Call) -> dict:
        """The managed policies attached to the identity, by name."""
        identity = _identity(call, kind, f"iam:ListAttached{kind}Policies")
        policies = (
            ManagedPolicy.objects.filter(
                **{f"attachments__{field}": identity},
                path__startswith=call.get("PathPrefix", "/"),
            )
            .select_related("account")
            .order_by("name", "id")
        )
        return paginate(call, policies, "AttachedPolicies", render.attached)

    @operation("iam", f"Put{kind}Policy")
    def put_inline(call: Call) -> None:
        """Create or replace an inline policy (the entity's inline size quota applies)."""
        attachments.inline_policy_put(
            actor=call.actor,
            identity=_target(call, kind),
            name=call.get("PolicyName"),
            document=call.get("PolicyDocument"),
        )

    @operation("iam", f"Get{kind}Policy")
    def get_inline(call: Call) -> dict:
        """An inline policy's document."""
        identity = _identity(call, kind, f"iam:Get{kind}Policy")
        inline = attachments.inline_policy_get(identity=identity, name=call.get("PolicyName"))
        return {
            f"{kind}Name": identity.name,
            "PolicyName": inline.name,
            "PolicyDocument": inline.document,
        }

    @operation("iam", f"Delete{kind}Policy")
    def delete_inline(call: Call) -> None:
        """Delete an inline policy."""
        attachments.inline_policy_delete(
            actor=call.actor, identity=_target(call, kind), name=call.get("PolicyName")
        )

    @operation("iam", f"List{kind}Policies")
    def list_inline(call: Call) -> dict:
        """The names of the identity's inline policies."""
        identity = _identity(call, kind, f"iam:List{kind}Policies")
        names = (
            InlinePolicy.objects.filter(**{field: identity})
            .order_by("name")
            .values_list("name", flat=True)
        )
        return paginate(call, names, "PolicyNames")

    if kind == "Group":
        return  # groups have no permissions boundary

    @operation("iam", f"Put{kind}PermissionsBoundary")
    def put_boundary(call: Call) -> None:
        """Set the boundary; its ARN is ``iam:PermissionsBoundary``."""
        attachments.permissions_boundary_put_by_arn(
            actor=call.actor,
            identity=_target(call, kind),
            policy_arn=call.get("PermissionsBoundary"),
        )

    @operation("iam", f"Delete{kind}PermissionsBoundary")
    def delete_boundary(call: Call) -> None:
        """Remove the boundary."""
        attachments.permissions_boundary_put(
            actor=call.actor, identity=_target(call, kind), policy=None
        )


for _kind in GETTERS:
    _register(_kind)
