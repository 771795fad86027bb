"""What the policies API views share: lookups with AWS's errors, authorization, examples."""

from __future__ import annotations

from accounts.errors import NoSuchEntity
from policies.permissions import require
from policies.selectors import identity_get, managed_policy_get

LABELS = {"user": "User", "group": "Group", "role": "Role"}
EXAMPLE_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadBrokers",
            "Effect": "Allow",
            "Action": ["mq:DescribeBroker", "mq:ListBrokers"],
            "Resource": "*",
        }
    ],
}


def policy_or_error(request, policy_id: str):
    """A managed policy visible to the caller (with its counts), else AWS's NoSuchEntity."""
    policy = managed_policy_get(principal=request.user, policy_id=policy_id)
    if policy is None:
        raise NoSuchEntity(f"Policy {policy_id} does not exist or is not attachable.")
    return policy


def identity_or_error(request, kind: str, name: str):
    """A user, group or role of the caller's account, else AWS's NoSuchEntity."""
    identity = identity_get(principal=request.user, kind=kind, name=name)
    if identity is None:
        raise NoSuchEntity(f"The {kind} with name {name} cannot be found.")
    return identity


def api_require(request, action: str, resource: str, **kwargs):
    """``require`` for the API caller (``request.user``)."""
    return require(request, action, resource, principal=request.user, **kwargs)


def fresh_policy(request, policy):
    """The policy re-read with the list's annotations (counts, default version)."""
    return managed_policy_get(principal=request.user, policy_id=policy.unique_id)


def require_on(request, action: str, obj, **kwargs):
    """Authorize reading with ``action`` on a policy or identity (the seam reads its tags)."""
    return api_require(request, action, obj.arn, **kwargs)
