"""Customer managed policies and their versions (at most 5, exactly one default).

Each service authorizes every IAM action it performs for the actor before it writes,
including the ones AWS implies (``iam:TagPolicy`` with the request tags on CreatePolicy with
tags, ``iam:DeletePolicyVersion`` when a new version replaces one).
"""

from __future__ import annotations

from functools import partial

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
from accounts.identifiers import iam_arn
from accounts.models import Account
from accounts.services.tags import resource_tag, resource_untag
from policies.documents import check_policy_document
from policies.models import ManagedPolicy, PolicyVersion
from policies.services.attachments import permissions_boundary_put_step, policy_detach_step
from policies.services.lookups import policy_get_by_arn as policy_get_by_arn  # re-exported
from policies.services.steps import Check, Step, perform, perform_all
from policies.snapshots import policy_snapshot, version_snapshot


def _refuse_if_aws_managed(policy: ManagedPolicy) -> None:
    if policy.is_aws_managed:
        raise UnmodifiableEntity(
            f"Policy {policy.arn} is an AWS managed policy and cannot be modified."
        )


def _tag_map(tags: dict | list | None) -> dict:
    """The request's tags as ``{key: value}`` for ``aws:RequestTag/*`` (checked when written)."""
    if isinstance(tags, dict):
        return dict(tags)
    if isinstance(tags, list):
        return {t["Key"]: t.get("Value", "") for t in tags if isinstance(t, dict) and "Key" in t}
    return {}


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
    """Create a customer managed policy with its default version v1.

    Authorizes iam:CreatePolicy on the new policy's ARN and, when tags are given, iam:TagPolicy
    too, both with the tags as ``aws:RequestTag/*`` and ``aws:TagKeys`` (as AWS checks).
    """
    arn = iam_arn(account.account_id, "policy", path or "/", name or "")
    request_tags = _tag_map(tags)
    checks = [Check("iam:CreatePolicy", arn, request_tags=request_tags or None)]
    if request_tags:
        checks.append(Check("iam:TagPolicy", arn, request_tags=request_tags))
    run = partial(
        _create,
        account=account,
        name=name,
        document=document,
        path=path,
        description=description,
        tags=tags,
    )
    return perform(actor, Step(tuple(checks), run))


def _create(
    actor: Actor,
    *,
    account: Account,
    name: str,
    document: str | dict,
    path: str,
    description: str,
    tags: dict | list | None,
) -> ManagedPolicy:
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


def policy_version_create_step(
    *, policy: ManagedPolicy, document: str | dict, set_as_default: bool = False
) -> Step:
    """iam:CreatePolicyVersion on the policy."""
    return Step(
        (Check("iam:CreatePolicyVersion", policy.arn),),
        partial(_version_create, policy=policy, document=document, set_as_default=set_as_default),
    )


def policy_version_create(
    *, actor: Actor, policy: ManagedPolicy, document: str | dict, set_as_default: bool = False
) -> PolicyVersion:
    """Add a version (v<n>, numbers never reused); a sixth version is LimitExceeded."""
    return perform(
        actor,
        policy_version_create_step(policy=policy, document=document, set_as_default=set_as_default),
    )


def _version_create(
    actor: Actor, *, policy: ManagedPolicy, document: str | dict, set_as_default: bool
) -> PolicyVersion:
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
    """Make ``version_id`` the version that is evaluated (iam:SetDefaultPolicyVersion)."""
    check = Check("iam:SetDefaultPolicyVersion", policy.arn)
    return perform(
        actor, Step((check,), partial(_set_default, policy=policy, version_id=version_id))
    )


def _set_default(actor: Actor, *, policy: ManagedPolicy, version_id: str) -> PolicyVersion:
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


def policy_version_delete_step(*, policy: ManagedPolicy, version_id: str) -> Step:
    """iam:DeletePolicyVersion on the policy."""
    check = Check("iam:DeletePolicyVersion", policy.arn)
    return Step((check,), partial(_version_delete, policy=policy, version_id=version_id))


def policy_version_delete(*, actor: Actor, policy: ManagedPolicy, version_id: str) -> None:
    """Delete a non-default version (the default one is DeleteConflict)."""
    perform(actor, policy_version_delete_step(policy=policy, version_id=version_id))


def _version_delete(actor: Actor, *, policy: ManagedPolicy, version_id: str) -> None:
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
    Both iam:DeletePolicyVersion and iam:CreatePolicyVersion are authorized first.
    """
    _, version = perform_all(
        actor,
        [
            policy_version_delete_step(policy=policy, version_id=delete_version_id),
            policy_version_create_step(
                policy=policy, document=document, set_as_default=set_as_default
            ),
        ],
    )
    return version


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


def _policy_delete_step(policy: ManagedPolicy) -> Step:
    return Step((Check("iam:DeletePolicy", policy.arn),), partial(_delete, policy=policy))


def policy_delete(*, actor: Actor, policy: ManagedPolicy) -> None:
    """Delete a detached customer policy whose only version is the default one."""
    perform(actor, _policy_delete_step(policy))


def policy_delete_blocker_steps(policy: ManagedPolicy) -> list[Step]:
    """What clears the policy's blockers: detach it everywhere, remove it as a boundary,
    delete its non-default versions; each step its own IAM action."""
    steps = []
    attached = policy.attachments.select_related("user__account", "group__account", "role__account")
    for attachment in attached.order_by("pk"):
        identity = attachment.user or attachment.group or attachment.role
        steps.append(policy_detach_step(policy=policy, identity=identity))
    for identity in [
        *policy.boundary_of_users.select_related("account").order_by("pk"),
        *policy.boundary_of_roles.select_related("account").order_by("pk"),
    ]:
        steps.append(permissions_boundary_put_step(identity=identity, policy=None))
    for version in policy.versions.filter(is_default=False).order_by("created_at", "pk"):
        steps.append(policy_version_delete_step(policy=policy, version_id=version.version_id))
    return steps


def policy_delete_with_blockers(
    *, actor: Actor, policy: ManagedPolicy, remove_blockers: bool = False
) -> None:
    """DeletePolicy, after clearing its blockers when ``remove_blockers``.

    Every step (each detach, boundary removal and version deletion, then iam:DeletePolicy) is
    authorized before anything is changed, so a denial leaves the policy as it was; then all
    run in one transaction.
    """
    # An AWS managed policy is never deleted (nor detached from other accounts' identities).
    clear = remove_blockers and not policy.is_aws_managed
    steps = policy_delete_blocker_steps(policy) if clear else []
    perform_all(actor, [*steps, _policy_delete_step(policy)])


def _delete(actor: Actor, *, policy: ManagedPolicy) -> None:
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


def _tag_step(policy: ManagedPolicy, tags: dict | list) -> Step:
    check = Check("iam:TagPolicy", policy.arn, request_tags=_tag_map(tags))
    return Step((check,), partial(_tag, policy=policy, tags=tags))


def _untag_step(policy: ManagedPolicy, keys: list[str]) -> Step:
    check = Check("iam:UntagPolicy", policy.arn, extra={"aws:TagKeys": list(keys)})
    return Step((check,), partial(_untag, policy=policy, keys=keys))


def policy_tag(*, actor: Actor, policy: ManagedPolicy, tags: dict | list) -> ManagedPolicy:
    """Add or overwrite tags on a customer managed policy (at most 50); iam:TagPolicy with
    the tags as ``aws:RequestTag/*`` and ``aws:TagKeys``."""
    return perform(actor, _tag_step(policy, tags))


def policy_untag(*, actor: Actor, policy: ManagedPolicy, keys: list[str]) -> ManagedPolicy:
    """Remove the tags with these keys (iam:UntagPolicy with ``aws:TagKeys``)."""
    return perform(actor, _untag_step(policy, keys))


def policy_tags_set(*, actor: Actor, policy: ManagedPolicy, tags: dict) -> tuple[dict, list]:
    """Make the policy's tags exactly ``tags``: TagPolicy for what is new or changed and
    UntagPolicy for what is gone, both authorized before either is written.

    Returns ``(changed, removed)``.
    """
    changed = {k: v for k, v in tags.items() if policy.tags.get(k) != v}
    removed = [k for k in policy.tags if k not in tags]
    steps = []
    if changed:
        steps.append(_tag_step(policy, changed))
    if removed:
        steps.append(_untag_step(policy, removed))
    if steps:
        perform_all(actor, steps)
    return changed, removed


def _tag(actor: Actor, *, policy: ManagedPolicy, tags: dict | list) -> ManagedPolicy:
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


def _untag(actor: Actor, *, policy: ManagedPolicy, keys: list[str]) -> ManagedPolicy:
    _refuse_if_aws_managed(policy)
    return resource_untag(
        actor=actor,
        resource=policy,
        keys=keys,
        action="iam:UntagPolicy",
        snapshot=policy_snapshot,
        case_insensitive_keys=False,
    )
