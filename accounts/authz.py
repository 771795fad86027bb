"""Keywords of ``policies.permissions.require`` for actions on identities.

Shared by the console pages and the REST API (which must not import console views).
"""

from __future__ import annotations

from accounts.models import Role


def role_authz(role: Role, **extra) -> dict:
    """``require`` keywords for an action on ``role``: its tags and its boundary's ARN."""
    keys = dict(extra)
    if role.permissions_boundary_id:
        keys["iam:PermissionsBoundary"] = role.permissions_boundary.arn
    return {"resource_tags": role.tags, "extra": keys}
