"""Customer managed policies and their versions (at most 5, exactly one default)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import identifiers, rules
from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    NoSuchEntity,
    UnmodifiableEntity,
)
from accounts.models import Account
from accounts.services.tags import resource_tag, resource_untag
from policies.documents import check_policy_document
from policies.models import ManagedPolicy, PolicyVersion
from policies.snapshots import policy_snapshot, version_snapshot


def policy_get_by_arn(*, account: Account, arn: str) -> ManagedPolicy:
    """A policy visible to ``account`` by ARN: its own customer policies or an AWS one."""
    queryset = ManagedPolicy.objects.select_related("account")
    for policy in queryset.filter(name=arn.rsplit("/", 1)[-1]):
        if policy.arn == arn and (policy.is_aws_managed or policy.account_id == account.pk):
            return policy
    raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")


def _refuse_if_aws_managed(policy: ManagedPolicy) -> None:
    if policy.is_aws_managed:
        raise UnmodifiableEntity(
            f"Policy {policy.arn} is an AWS managed policy and cannot be modified."
        )


def policy_create(
    *,
    actor: Actor,
    account: Account,
    name: str,
    document: str | dict,
    path: str = "/",
    description: str = "",
    tags: dict | list | None = None,
) -> ManagedPolicy:
    """Create a customer managed policy with its default version v1."""
    rules.check_name("policy", name)
    rules.check_path(path)
    description = rules.check_description(description)
    tags = rules.check_tags(tags, entity="policy", case_insensitive_keys=False)
    checked = check_policy_document(document, kind="identity")
    if ManagedPolicy.objects.filter(account=account, name__iexact=name).exists():
        raise EntityAlreadyExists(
            f"A policy called {name} already exists. Duplicate names are not allowed."
        )
    now = timezone.now()
    policy = ManagedPolicy(
        account=account,
        name=name,
        path=path,
        description=description,
        tags=tags,
        next_version_number=2,
        created_at=now,
        updated_at=now,
        unique_id=identifiers.unique_id(identifiers.POLICY_PREFIX),
    )
    try:
        with transaction.atomic():
            policy.save()
            version = PolicyVersion.objects.create(
                policy=policy,
                version_id="v1",
                document=checked.text,
                is_default=True,
                created_at=now,
            )
            audit_record(
                actor=actor,
                action="iam:CreatePolicy",
                resource_arn=policy.arn,
                account_id=account.account_id,
                parameters={
                    "PolicyName": name,
                    "Path": path,
                    "PolicyDocument": checked.text,
                    "Tags": tags,
                },
                after={**policy_snapshot(policy), **version_snapshot(version)},
            )
    except IntegrityError as exc:
        raise EntityAlreadyExists(
            f"A policy called {name} already exists. Duplicate names are not allowed."
        ) from exc
    return policy


def policy_version_create(
    *, actor: Actor, policy: ManagedPolicy, document: str | dict, set_as_default: bool = False
) -> PolicyVersion:
    """Add a version (v<n>, numbers never reused); a sixth version is LimitExceeded."""
    _refuse_if_aws_managed(policy)
    checked = check_policy_document(document, kind="identity")
    with transaction.atomic():
        locked = ManagedPolicy.objects.select_for_update().get(pk=policy.pk)
        if locked.versions.count() >= rules.POLICY_VERSIONS_MAX:
            raise LimitExceeded(
                f"A managed policy can have up to {rules.POLICY_VERSIONS_MAX} versions. "
                "Before you create a new version, you must delete an existing version."
            )
        now = timezone.now()
        version_id = f"v{locked.next_version_number}"
        if set_as_default:
            locked.versions.filter(is_default=True).update(is_default=False)
        version = PolicyVersion.objects.create(
            policy=locked,
            version_id=version_id,
            document=checked.text,
            is_default=set_as_default,
            created_at=now,
        )
        locked.next_version_number += 1
        locked.updated_at = now
        locked.save(update_fields=["next_version_number", "updated_at"])
        audit_record(
            actor=actor,
            action="iam:CreatePolicyVersion",
            resource_arn=policy.arn,
            account_id=policy.account.account_id,
            parameters={
                "PolicyArn": policy.arn,
                "PolicyDocument": checked.text,
                "SetAsDefault": set_as_default,
            },
            after=version_snapshot(version),
        )
    return version


def policy_version_get(*, policy: ManagedPolicy, version_id: str) -> PolicyVersion:
    version = policy.versions.filter(version_id=version_id).first()
    if version is None:
        raise NoSuchEntity(
            f"Policy {policy.arn} version {version_id} does not exist or is not attachable."
        )
    return version


def policy_version_set_default(
    *, actor: Actor, policy: ManagedPolicy, version_id: str
) -> PolicyVersion:
    """Make ``version_id`` the version that is evaluated."""
    _refuse_if_aws_managed(policy)
    with transaction.atomic():
        locked = ManagedPolicy.objects.select_for_update().get(pk=policy.pk)
        version = policy_version_get(policy=locked, version_id=version_id)
        previous = locked.versions.filter(is_default=True).first()
        if previous is not None and previous.pk == version.pk:
            return version
        locked.versions.filter(is_default=True).update(is_default=False)
        version.is_default = True
        version.save(update_fields=["is_default"])
        locked.updated_at = timezone.now()
        locked.save(update_fields=["updated_at"])
        audit_record(
            actor=actor,
            action="iam:SetDefaultPolicyVersion",
            resource_arn=policy.arn,
            account_id=policy.account.account_id,
            parameters={"PolicyArn": policy.arn, "VersionId": version_id},
            before={"DefaultVersionId": previous.version_id if previous else None},
            after={"DefaultVersionId": version_id},
        )
    return version


def policy_version_delete(*, actor: Actor, policy: ManagedPolicy, version_id: str) -> None:
    """Delete a non-default version (the default one is DeleteConflict)."""
    _refuse_if_aws_managed(policy)
    with transaction.atomic():
        locked = ManagedPolicy.objects.select_for_update().get(pk=policy.pk)
        version = policy_version_get(policy=locked, version_id=version_id)
        if version.is_default:
            raise DeleteConflict("Cannot delete the default version of a policy.")
        before = version_snapshot(version)
        version.delete()
        audit_record(
            actor=actor,
            action="iam:DeletePolicyVersion",
            resource_arn=policy.arn,
            account_id=policy.account.account_id,
            parameters={"PolicyArn": policy.arn, "VersionId": version_id},
            before=before,
        )


def policy_version_replace(
    *,
    actor: Actor,
    policy: ManagedPolicy,
    delete_version_id: str,
    document: str | dict,
    set_as_default: bool = False,
) -> PolicyVersion:
    """Delete a non-default version and create a new one atomically (the console's 6th version).

    Either both happen or neither: a refused document leaves the deleted version in place.
    """
    with transaction.atomic():
        policy_version_delete(actor=actor, policy=policy, version_id=delete_version_id)
        return policy_version_create(
            actor=actor, policy=policy, document=document, set_as_default=set_as_default
        )


def policy_version_add(
    *,
    actor: Actor,
    policy: ManagedPolicy,
    document: str | dict,
    set_as_default: bool = False,
    delete_version_id: str | None = None,
) -> PolicyVersion:
    """CreatePolicyVersion; with ``delete_version_id``, that version is deleted atomically first."""
    if delete_version_id:
        return policy_version_replace(
            actor=actor,
            policy=policy,
            delete_version_id=delete_version_id,
            document=document,
            set_as_default=set_as_default,
        )
    return policy_version_create(
        actor=actor, policy=policy, document=document, set_as_default=set_as_default
    )


def policy_delete_blockers(policy: ManagedPolicy) -> list[str]:
    """What must go before AWS lets the policy be deleted, in AWS's words."""
    blockers = []
    if policy.attachments.exists():
        blockers.append("Cannot delete a policy attached to entities.")
    if policy.boundary_of_users.exists() or policy.boundary_of_roles.exists():
        blockers.append("Cannot delete a policy used as a permissions boundary.")
    if policy.versions.filter(is_default=False).exists():
        blockers.append(
            "This policy has more than one version. Before you delete a policy, "
            "you must delete the policy's versions. The default version is "
            "deleted with the policy."
        )
    return blockers


def policy_delete(*, actor: Actor, policy: ManagedPolicy) -> None:
    """Delete a detached customer policy whose only version is the default one."""
    _refuse_if_aws_managed(policy)
    with transaction.atomic():
        locked = ManagedPolicy.objects.select_for_update().get(pk=policy.pk)
        blockers = policy_delete_blockers(locked)
        if blockers:
            raise DeleteConflict(blockers[0], fields={"blockers": blockers})
        before = policy_snapshot(policy)
        arn = policy.arn
        locked.versions.all().delete()
        locked.delete()
        audit_record(
            actor=actor,
            action="iam:DeletePolicy",
            resource_arn=arn,
            account_id=policy.account.account_id,
            parameters={"PolicyArn": arn},
            before=before,
        )


def policy_tag(*, actor: Actor, policy: ManagedPolicy, tags: dict | list) -> ManagedPolicy:
    """Add or overwrite tags on a customer managed policy (at most 50)."""
    _refuse_if_aws_managed(policy)
    return resource_tag(
        actor=actor,
        resource=policy,
        tags=tags,
        entity="policy",
        action="iam:TagPolicy",
        snapshot=policy_snapshot,
        case_insensitive_keys=False,
    )


def policy_untag(*, actor: Actor, policy: ManagedPolicy, keys: list[str]) -> ManagedPolicy:
    """Remove the tags with these keys from a customer managed policy."""
    _refuse_if_aws_managed(policy)
    return resource_untag(
        actor=actor,
        resource=policy,
        keys=keys,
        action="iam:UntagPolicy",
        snapshot=policy_snapshot,
        case_insensitive_keys=False,
    )
