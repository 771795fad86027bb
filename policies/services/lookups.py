"""Finding the managed policy an API call names by ARN (shared by the policies services)."""

from __future__ import annotations

from accounts.errors import NoSuchEntity
from accounts.models import Account
from policies.models import ManagedPolicy


def policy_get_by_arn(*, account: Account, arn: str) -> ManagedPolicy:
    """A policy visible to ``account`` by ARN: its own customer policies or an AWS one."""
    queryset = ManagedPolicy.objects.select_related("account")
    for policy in queryset.filter(name=(arn or "").rsplit("/", 1)[-1]):
        if policy.arn == arn and (policy.is_aws_managed or policy.account_id == account.pk):
            return policy
    raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
