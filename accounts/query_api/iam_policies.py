"""Managed policies: CRUD, versions, tags, and who a policy is attached to."""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Group, IAMUser, Role
from accounts.query_api import render
from accounts.query_api.registry import Call, operation, paginate, tags_in, tags_out
from policies.models import ManagedPolicy
from policies.services import managed


def _target(call: Call) -> ManagedPolicy:
    """The policy named by ``PolicyArn`` (its service authorizes the change)."""
    return managed.policy_get_by_arn(account=call.account, arn=call.get("PolicyArn"))


def _policy(call: Call, action: str) -> ManagedPolicy:
    """The policy named by ``PolicyArn``, read with ``action``."""
    policy = _target(call)
    call.require(action, policy.arn)
    return policy


def _counted(call: Call, policy: ManagedPolicy) -> dict:
    return render.policy(render.policies_with_counts(call.account).get(pk=policy.pk))


@operation("iam", "CreatePolicy")
def create_policy(call: Call) -> dict:
    """A customer managed policy (v1 the default), on the new ARN with its request tags."""
    policy = managed.policy_create(
        actor=call.actor,
        account=call.account,
        name=call.get("PolicyName"),
        path=call.get("Path", "/"),
        document=call.get("PolicyDocument"),
        description=call.get("Description", ""),
        tags=tags_in(call.get("Tags")),
    )
    return {"Policy": _counted(call, policy)}


@operation("iam", "GetPolicy")
def get_policy(call: Call) -> dict:
    """The policy with its default version and this account's attachment counts."""
    return {"Policy": _counted(call, _policy(call, "iam:GetPolicy"))}


@operation("iam", "ListPolicies")
def list_policies(call: Call) -> dict:
    """AWS managed and/or local policies, optionally only those in use, by name."""
    call.require("iam:ListPolicies", "*")
    queryset = render.policies_with_counts(call.account).filter(
        path__startswith=call.get("PathPrefix", "/")
    )
    scope = call.get("Scope", "All")
    if scope == "AWS":
        queryset = queryset.filter(is_aws_managed=True)
    elif scope == "Local":
        queryset = queryset.filter(is_aws_managed=False)
    if call.get("OnlyAttached"):
        usage = call.get("PolicyUsageFilter")
        in_use = {
            "PermissionsPolicy": Q(attachment_count__gt=0),
            "PermissionsBoundary": Q(user_boundaries__gt=0) | Q(role_boundaries__gt=0),
        }.get(
            usage, Q(attachment_count__gt=0) | Q(user_boundaries__gt=0) | Q(role_boundaries__gt=0)
        )
        queryset = queryset.filter(in_use)

    def row(policy: ManagedPolicy) -> dict:
        # ListPolicies leaves out descriptions and tags, as AWS's does.
        return {**render.policy(policy), "Description": None, "Tags": None}

    return paginate(call, queryset, "Policies", row)


@operation("iam", "DeletePolicy")
def delete_policy(call: Call) -> None:
    """Delete a detached customer policy that has only its default version left."""
    managed.policy_delete(actor=call.actor, policy=_target(call))


@operation("iam", "CreatePolicyVersion")
def create_policy_version(call: Call) -> dict:
    """A new version (at most five), optionally made the default."""
    version = managed.policy_version_create(
        actor=call.actor,
        policy=_target(call),
        document=call.get("PolicyDocument"),
        set_as_default=call.get("SetAsDefault", False),
    )
    return {"PolicyVersion": render.version(version, document=False)}


@operation("iam", "GetPolicyVersion")
def get_policy_version(call: Call) -> dict:
    """One version with its document."""
    policy = _policy(call, "iam:GetPolicyVersion")
    version = managed.policy_version_get(policy=policy, version_id=call.get("VersionId"))
    return {"PolicyVersion": render.version(version)}


@operation("iam", "ListPolicyVersions")
def list_policy_versions(call: Call) -> dict:
    """The policy's versions, newest first, without documents."""
    policy = _policy(call, "iam:ListPolicyVersions")
    versions = policy.versions.order_by("-created_at", "-id")
    return paginate(call, versions, "Versions", lambda v: render.version(v, document=False))


@operation("iam", "SetDefaultPolicyVersion")
def set_default_policy_version(call: Call) -> None:
    """Make a version the one that is evaluated."""
    managed.policy_version_set_default(
        actor=call.actor, policy=_target(call), version_id=call.get("VersionId")
    )


@operation("iam", "DeletePolicyVersion")
def delete_policy_version(call: Call) -> None:
    """Delete a version that is not the default."""
    managed.policy_version_delete(
        actor=call.actor, policy=_target(call), version_id=call.get("VersionId")
    )


@operation("iam", "ListPolicyTags")
def list_policy_tags(call: Call) -> dict:
    """The policy's tags."""
    return paginate(call, tags_out(_policy(call, "iam:ListPolicyTags").tags), "Tags")


@operation("iam", "TagPolicy")
def tag_policy(call: Call) -> None:
    """Add or overwrite tags on a customer managed policy."""
    managed.policy_tag(actor=call.actor, policy=_target(call), tags=tags_in(call.get("Tags")))


@operation("iam", "UntagPolicy")
def untag_policy(call: Call) -> None:
    """Remove tags by key."""
    managed.policy_untag(actor=call.actor, policy=_target(call), keys=call.get("TagKeys"))


def _entities(call: Call, policy: ManagedPolicy) -> list[tuple[str, object]]:
    """(kind, entity) of the account attached to or bounded by ``policy``, groups first."""
    account, prefix = call.account, call.get("PathPrefix", "/")
    usage = call.get("PolicyUsageFilter")
    wanted = {"User": "user", "Group": "group", "Role": "role"}.get(call.get("EntityFilter"))
    attached = usage in (None, "PermissionsPolicy")
    bounded = usage in (None, "PermissionsBoundary")
    found: list[tuple[str, object]] = []
    for kind, model in (("group", Group), ("user", IAMUser), ("role", Role)):
        if wanted not in (None, kind):
            continue
        condition = Q(pk__in=[])
        if attached:
            condition |= Q(policy_attachments__policy=policy)
        if bounded and kind != "group":
            condition |= Q(permissions_boundary=policy)
        rows = model.objects.filter(condition, account=account, path__startswith=prefix)
        found += [(kind, e) for e in rows.distinct().order_by("name", "id")]
    return found


@operation("iam", "ListEntitiesForPolicy")
def list_entities_for_policy(call: Call) -> dict:
    """The users, groups and roles the policy is attached to (or bounds), a page at a time."""
    policy = _policy(call, "iam:ListEntitiesForPolicy")
    page = paginate(call, _entities(call, policy), "Entities")
    out = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
    for kind, entity in page.pop("Entities"):
        label = kind.capitalize()
        out[f"Policy{label}s"].append({f"{label}Name": entity.name, f"{label}Id": entity.unique_id})
    return {**out, **page}
