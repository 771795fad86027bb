"""Resource-side facts of IAM resources for the one context builder (``policies.context``).

Users and roles carry tags and a permissions boundary; customer managed policies carry tags;
groups and AWS managed policies carry neither. Names are matched case-insensitively, as IAM
treats them.
"""

from __future__ import annotations

from accounts.identifiers import aws_managed_policy_arn, iam_arn
from accounts.models import IAMUser, Role
from policies.context import ResourceFacts, register_resource_resolver
from policies.models import ManagedPolicy


def _entity_facts(model, account_id: str, resource_id: str) -> ResourceFacts | None:
    name = resource_id.rsplit("/", 1)[-1]
    row = (
        model.objects.filter(account__account_id=account_id, name__iexact=name)
        .values_list(
            "tags",
            "permissions_boundary__account__account_id",
            "permissions_boundary__path",
            "permissions_boundary__name",
            "permissions_boundary__is_aws_managed",
        )
        .first()
    )
    if row is None:
        return None
    tags, boundary_account, boundary_path, boundary_name, aws_managed = row
    boundary = ""
    if boundary_name:
        boundary = (
            aws_managed_policy_arn(boundary_path, boundary_name)
            if aws_managed
            else iam_arn(boundary_account, "policy", boundary_path, boundary_name)
        )
    return ResourceFacts(tags=dict(tags or {}), permissions_boundary=boundary)


def user_facts(account_id: str, region: str, resource_id: str) -> ResourceFacts | None:
    """An IAM user's tags and boundary."""
    return _entity_facts(IAMUser, account_id, resource_id)


def role_facts(account_id: str, region: str, resource_id: str) -> ResourceFacts | None:
    """An IAM role's tags and boundary."""
    return _entity_facts(Role, account_id, resource_id)


def policy_facts(account_id: str, region: str, resource_id: str) -> ResourceFacts | None:
    """A customer managed policy's tags (AWS managed policies have none)."""
    if account_id == "aws":
        return None
    name = resource_id.rsplit("/", 1)[-1]
    tags = (
        ManagedPolicy.objects.filter(account__account_id=account_id, name__iexact=name)
        .values_list("tags", flat=True)
        .first()
    )
    return None if tags is None else ResourceFacts(tags=dict(tags or {}))


def register() -> None:
    """Called once from ``PoliciesConfig.ready``."""
    register_resource_resolver("iam", "user", user_facts)
    register_resource_resolver("iam", "role", role_facts)
    register_resource_resolver("iam", "policy", policy_facts)
