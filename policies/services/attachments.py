"""Attaching managed policies, inline policies and permissions boundaries to identities.

Each service authorizes the IAM action it performs for the actor before it writes
(``iam:Attach{User,Group,Role}Policy`` with ``iam:PolicyARN``, ``iam:Put{User,Role}
PermissionsBoundary`` with the boundary being set as ``iam:PermissionsBoundary`` …); the
``*_step`` twins let an operation of several steps authorize them all before any runs.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction

from accounts import rules
from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import (
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
    UnmodifiableEntity,
)
from accounts.models import Group, IAMUser, Role
from policies.documents import check_policy_document, policy_size_of_text
from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment
from policies.services.lookups import policy_get_by_arn
from policies.services.steps import Check, Step, perform

Identity = IAMUser | Group | Role


def identity_kind(identity: Identity) -> str:
    """``user``, ``group`` or ``role``: the model field name and the AWS quota's name."""
    if isinstance(identity, IAMUser):
        return "user"
    if isinstance(identity, Group):
        return "group"
    if isinstance(identity, Role):
        return "role"
    raise TypeError(f"not an IAM identity: {identity!r}")


def _label(kind: str) -> str:
    return kind.capitalize()


def _quota_name(kind: str) -> str:
    return {"user": "PoliciesPerUser", "group": "PoliciesPerGroup", "role": "PoliciesPerRole"}[kind]


def _refuse_service_linked(identity: Identity) -> None:
    if isinstance(identity, Role) and identity.is_service_linked:
        raise UnmodifiableEntity(
            f"Cannot perform the operation on the protected role '{identity.name}' - this "
            "role is only modifiable by AWS"
        )


def _check_same_account(identity: Identity, policy: ManagedPolicy) -> None:
    if not policy.is_aws_managed and policy.account_id != identity.account_id:
        raise NoSuchEntity(f"Policy {policy.arn} does not exist or is not attachable.")


def is_attachable(policy: ManagedPolicy) -> bool:
    """AWS's IsAttachable: service-role policies belong to service-linked roles only."""
    return not (policy.is_aws_managed and policy.path.startswith("/aws-service-role/"))


def _refuse_service_role_policy(policy: ManagedPolicy) -> None:
    if not is_attachable(policy):
        raise NoSuchEntity(f"Policy {policy.arn} does not exist or is not attachable.")


def policy_attach_step(*, policy: ManagedPolicy, identity: Identity, system: bool = False) -> Step:
    """iam:Attach{Kind}Policy on the identity with the policy's ARN as ``iam:PolicyARN``.

    ``system``: AWS itself attaching a service-linked role's policy (the caller was authorized
    for iam:CreateServiceLinkedRole), which the caller is not asked for.
    """
    kind = identity_kind(identity)
    checks = (
        ()
        if system
        else (
            Check(
                f"iam:Attach{_label(kind)}Policy",
                identity.arn,
                extra={"iam:PolicyARN": policy.arn},
            ),
        )
    )
    return Step(checks, partial(_attach, policy=policy, identity=identity, system=system))


def policy_attach(
    *, actor: Actor, policy: ManagedPolicy, identity: Identity, system: bool = False
) -> PolicyAttachment:
    """Attach a managed policy; at most 10 per identity (LimitExceeded); idempotent."""
    return perform(actor, policy_attach_step(policy=policy, identity=identity, system=system))


def policy_attach_by_arn(*, actor: Actor, identity: Identity, policy_arn: str) -> PolicyAttachment:
    """Attach{Kind}Policy as the APIs name the policy, by ARN.

    Authorized with the ARN as given as ``iam:PolicyARN`` before the policy is looked up, so a
    caller without the permission is told AccessDenied, as by AWS, not whether it exists.
    """
    check = Check(
        f"iam:Attach{_label(identity_kind(identity))}Policy",
        identity.arn,
        extra={"iam:PolicyARN": policy_arn},
    )

    def run(by: Actor) -> PolicyAttachment:
        policy = policy_get_by_arn(account=identity.account, arn=policy_arn)
        return _attach(by, policy=policy, identity=identity, system=False)

    return perform(actor, Step((check,), run))


def _attach(
    actor: Actor, *, policy: ManagedPolicy, identity: Identity, system: bool
) -> PolicyAttachment:
    kind = identity_kind(identity)
    if not system:
        _refuse_service_linked(identity)
        _refuse_service_role_policy(policy)
    _check_same_account(identity, policy)
    with transaction.atomic():
        type(identity).objects.select_for_update().get(pk=identity.pk)
        existing = PolicyAttachment.objects.filter(policy=policy, **{kind: identity}).first()
        if existing is not None:
            return existing
        if (
            PolicyAttachment.objects.filter(**{kind: identity}).count()
            >= rules.MANAGED_POLICIES_PER_ENTITY
        ):
            raise LimitExceeded(
                f"Cannot exceed quota for {_quota_name(kind)}: {rules.MANAGED_POLICIES_PER_ENTITY}"
            )
        attachment = PolicyAttachment.objects.create(policy=policy, **{kind: identity})
        audit_record(
            actor=actor,
            action=f"iam:Attach{kind.capitalize()}Policy",
            resource_arn=identity.arn,
            account_id=identity.account.account_id,
            parameters={f"{kind.capitalize()}Name": identity.name, "PolicyArn": policy.arn},
        )
    return attachment


def policy_detach_step(*, policy: ManagedPolicy, identity: Identity) -> Step:
    """iam:Detach{Kind}Policy on the identity with the policy's ARN as ``iam:PolicyARN``."""
    kind = identity_kind(identity)
    check = Check(
        f"iam:Detach{_label(kind)}Policy", identity.arn, extra={"iam:PolicyARN": policy.arn}
    )
    return Step((check,), partial(_detach, policy=policy, identity=identity))


def policy_detach(*, actor: Actor, policy: ManagedPolicy, identity: Identity) -> None:
    """Detach a managed policy (NoSuchEntity when it is not attached)."""
    perform(actor, policy_detach_step(policy=policy, identity=identity))


def policy_detach_by_arn(*, actor: Actor, identity: Identity, policy_arn: str) -> None:
    """Detach{Kind}Policy by the policy's ARN, authorized before the policy is looked up."""
    check = Check(
        f"iam:Detach{_label(identity_kind(identity))}Policy",
        identity.arn,
        extra={"iam:PolicyARN": policy_arn},
    )

    def run(by: Actor) -> None:
        policy = policy_get_by_arn(account=identity.account, arn=policy_arn)
        _detach(by, policy=policy, identity=identity)

    perform(actor, Step((check,), run))


def _detach(actor: Actor, *, policy: ManagedPolicy, identity: Identity) -> None:
    kind = identity_kind(identity)
    _refuse_service_linked(identity)
    with transaction.atomic():
        deleted, _ = PolicyAttachment.objects.filter(policy=policy, **{kind: identity}).delete()
        if not deleted:
            raise NoSuchEntity(f"Policy {policy.arn} was not found.")
        audit_record(
            actor=actor,
            action=f"iam:Detach{kind.capitalize()}Policy",
            resource_arn=identity.arn,
            account_id=identity.account.account_id,
            parameters={f"{kind.capitalize()}Name": identity.name, "PolicyArn": policy.arn},
        )


def inline_policy_put_step(
    *, identity: Identity, name: str, document: str | dict, create_only: bool = False
) -> Step:
    """iam:Put{Kind}Policy on the identity."""
    check = Check(f"iam:Put{_label(identity_kind(identity))}Policy", identity.arn)
    run = partial(
        _inline_put, identity=identity, name=name, document=document, create_only=create_only
    )
    return Step((check,), run)


def inline_policy_put(
    *,
    actor: Actor,
    identity: Identity,
    name: str,
    document: str | dict,
    create_only: bool = False,
) -> InlinePolicy:
    """Create or replace an inline policy; the sum of an entity's inline policies is capped.

    ``create_only`` (the console's create page): an existing policy of that name is
    EntityAlreadyExists instead of being replaced, as PutUserPolicy would.
    """
    step = inline_policy_put_step(
        identity=identity, name=name, document=document, create_only=create_only
    )
    return perform(actor, step)


def _inline_put(
    actor: Actor, *, identity: Identity, name: str, document: str | dict, create_only: bool
) -> InlinePolicy:
    kind = identity_kind(identity)
    _refuse_service_linked(identity)
    rules.check_name("policy", name)
    with transaction.atomic():
        type(identity).objects.select_for_update().get(pk=identity.pk)
        if create_only and InlinePolicy.objects.filter(name=name, **{kind: identity}).exists():
            raise EntityAlreadyExists(
                f"This {kind} already has an inline policy named {name}.",
                fields={"name": "exists"},
            )
        others = InlinePolicy.objects.filter(**{kind: identity}).exclude(name=name)
        used = sum(policy_size_of_text(p.document) for p in others)
        checked = check_policy_document(document, kind="identity", entity=kind, used_size=used)
        inline, created = InlinePolicy.objects.get_or_create(
            name=name, **{kind: identity}, defaults={"document": checked.text}
        )
        before = None if created else {"PolicyDocument": inline.document}
        if not created:
            inline.document = checked.text
            inline.save()
        audit_record(
            actor=actor,
            action=f"iam:Put{kind.capitalize()}Policy",
            resource_arn=identity.arn,
            account_id=identity.account.account_id,
            parameters={
                f"{kind.capitalize()}Name": identity.name,
                "PolicyName": name,
                "PolicyDocument": checked.text,
            },
            before=before,
            after={"PolicyDocument": checked.text},
        )
    return inline


def inline_policy_get(*, identity: Identity, name: str) -> InlinePolicy:
    kind = identity_kind(identity)
    inline = InlinePolicy.objects.filter(name=name, **{kind: identity}).first()
    if inline is None:
        raise NoSuchEntity(f"The {kind} policy with name {name} cannot be found.")
    return inline


def inline_policy_delete_step(*, identity: Identity, name: str) -> Step:
    """iam:Delete{Kind}Policy on the identity."""
    check = Check(f"iam:Delete{_label(identity_kind(identity))}Policy", identity.arn)
    return Step((check,), partial(_inline_delete, identity=identity, name=name))


def inline_policy_delete(*, actor: Actor, identity: Identity, name: str) -> None:
    """Delete an inline policy (NoSuchEntity when absent)."""
    perform(actor, inline_policy_delete_step(identity=identity, name=name))


def _inline_delete(actor: Actor, *, identity: Identity, name: str) -> None:
    kind = identity_kind(identity)
    _refuse_service_linked(identity)
    with transaction.atomic():
        inline = inline_policy_get(identity=identity, name=name)
        before = {"PolicyDocument": inline.document}
        inline.delete()
        audit_record(
            actor=actor,
            action=f"iam:Delete{kind.capitalize()}Policy",
            resource_arn=identity.arn,
            account_id=identity.account.account_id,
            parameters={f"{kind.capitalize()}Name": identity.name, "PolicyName": name},
            before=before,
        )


def permissions_boundary_put_step(
    *, identity: IAMUser | Role, policy: ManagedPolicy | None
) -> Step:
    """iam:Put{Kind}PermissionsBoundary with the boundary being set as ``iam:PermissionsBoundary``,
    or with None iam:Delete{Kind}PermissionsBoundary (the current boundary is read from the
    identity by the context builder)."""
    kind = identity_kind(identity)
    if kind == "group":
        raise InvalidInput("Permissions boundaries can be set on users and roles only.")
    if policy is None:
        check = Check(f"iam:Delete{_label(kind)}PermissionsBoundary", identity.arn)
    else:
        check = Check(
            f"iam:Put{_label(kind)}PermissionsBoundary",
            identity.arn,
            extra={"iam:PermissionsBoundary": policy.arn},
        )
    return Step((check,), partial(_boundary_put, identity=identity, policy=policy))


def permissions_boundary_put(
    *, actor: Actor, identity: IAMUser | Role, policy: ManagedPolicy | None
) -> IAMUser | Role:
    """Set (or with None, remove) the managed policy that bounds a user's or role's rights."""
    return perform(actor, permissions_boundary_put_step(identity=identity, policy=policy))


def permissions_boundary_put_by_arn(
    *, actor: Actor, identity: IAMUser | Role, policy_arn: str
) -> IAMUser | Role:
    """Put{Kind}PermissionsBoundary by the boundary's ARN (``iam:PermissionsBoundary``),
    authorized before the policy is looked up."""
    kind = identity_kind(identity)
    if kind == "group":
        raise InvalidInput("Permissions boundaries can be set on users and roles only.")
    check = Check(
        f"iam:Put{_label(kind)}PermissionsBoundary",
        identity.arn,
        extra={"iam:PermissionsBoundary": policy_arn},
    )

    def run(by: Actor) -> IAMUser | Role:
        policy = policy_get_by_arn(account=identity.account, arn=policy_arn)
        return _boundary_put(by, identity=identity, policy=policy)

    return perform(actor, Step((check,), run))


def _boundary_put(
    actor: Actor, *, identity: IAMUser | Role, policy: ManagedPolicy | None
) -> IAMUser | Role:
    kind = identity_kind(identity)
    _refuse_service_linked(identity)
    if policy is not None:
        _check_same_account(identity, policy)
    previous = identity.permissions_boundary
    if policy is None and previous is None:
        raise NoSuchEntity(f"The {kind} with name {identity.name} has no permissions boundary.")
    with transaction.atomic():
        identity.permissions_boundary = policy
        identity.save(update_fields=["permissions_boundary"])
        verb = "Put" if policy is not None else "Delete"
        audit_record(
            actor=actor,
            action=f"iam:{verb}{kind.capitalize()}PermissionsBoundary",
            resource_arn=identity.arn,
            account_id=identity.account.account_id,
            parameters={
                f"{kind.capitalize()}Name": identity.name,
                "PermissionsBoundary": policy.arn if policy else None,
            },
            before={"PermissionsBoundary": previous.arn if previous else None},
            after={"PermissionsBoundary": policy.arn if policy else None},
        )
    return identity
