"""IAM roles, including the service-linked role Amazon MQ creates."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts import identifiers, rules
from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    NoSuchEntity,
    UnmodifiableEntity,
)
from accounts.models import Account, Role
from accounts.services.tags import resource_tag, resource_untag, tags_diff
from accounts.services.trust_principals import trust_principal_ids_for
from accounts.snapshots import role_snapshot
from policies.authorization import all_or_nothing, authorize_actor
from policies.documents import check_policy_document
from policies.models import PolicyAttachment


def role_get(*, account: Account, name: str) -> Role:
    """The role called ``name`` (case-insensitively) in ``account``, else NoSuchEntity."""
    role = (
        Role.objects.filter(account=account, name__iexact=name)
        .select_related("account", "permissions_boundary")
        .first()
    )
    if role is None:
        raise NoSuchEntity(f"The role with name {name} cannot be found.")
    return role


def _refuse_if_service_linked(role: Role) -> None:
    if role.is_service_linked:
        raise UnmodifiableEntity(
            f"Cannot perform the operation on the protected role '{role.name}' - this role "
            "is only modifiable by AWS"
        )


def role_create(
    *,
    actor: Actor,
    account: Account,
    name: str,
    trust_policy: str | dict,
    path: str = "/",
    description: str = "",
    max_session_duration: int = 3600,
    tags: dict | list | None = None,
    permissions_boundary_arn: str | None = None,
) -> Role:
    """Create a role (AROA… id) with a trust policy IAM would accept.

    ``permissions_boundary_arn`` is the boundary the caller will set in the same operation:
    AWS gives it to iam:CreateRole as ``iam:PermissionsBoundary``.
    """
    rules.check_name("role", name)
    rules.check_path(path)
    if path.startswith("/aws-service-role/"):
        raise InvalidInput("The path /aws-service-role/ is reserved for service-linked roles.")
    description = rules.check_description(description)
    rules.check_max_session_duration(max_session_duration)
    tags = rules.check_tags(tags, entity="role")
    trust = check_policy_document(trust_policy, kind="trust")
    arn = identifiers.iam_arn(account.account_id, "role", path, name)
    boundary = {"iam:PermissionsBoundary": permissions_boundary_arn}
    authorize_actor(
        actor,
        "iam:CreateRole",
        arn,
        request_tags=tags or None,
        extra=boundary if permissions_boundary_arn else None,
    )
    if tags:
        authorize_actor(actor, "iam:TagRole", arn, request_tags=tags)
    return _role_save(
        actor=actor,
        role=Role(
            account=account,
            name=name,
            path=path,
            description=description,
            trust_policy=trust.text,
            trust_principal_ids=trust_principal_ids_for(trust.text),
            max_session_duration=max_session_duration,
            tags=tags,
            unique_id=identifiers.unique_id(identifiers.ROLE_PREFIX),
        ),
        action="iam:CreateRole",
    )


def _role_save(*, actor: Actor, role: Role, action: str) -> Role:
    if Role.objects.filter(account=role.account, name__iexact=role.name).exists():
        raise EntityAlreadyExists(f"Role with name {role.name} already exists.")
    try:
        with transaction.atomic():
            role.save()
            audit_record(
                actor=actor,
                action=action,
                resource_arn=role.arn,
                account_id=role.account.account_id,
                parameters={
                    "RoleName": role.name,
                    "Path": role.path,
                    "AssumeRolePolicyDocument": role.trust_policy,
                    "Tags": role.tags,
                },
                after=role_snapshot(role),
            )
    except IntegrityError as exc:
        raise EntityAlreadyExists(f"Role with name {role.name} already exists.") from exc
    return role


def service_linked_role_create(
    *,
    actor: Actor,
    account: Account,
    service_name: str,
    slr: dict,
    description: str | None = None,
) -> Role:
    """Create a service-linked role from the service's reference description (``slr``)."""
    authorize_actor(
        actor,
        "iam:CreateServiceLinkedRole",
        identifiers.iam_arn(account.account_id, "role", slr["path"], slr["role_name"]),
        extra={"iam:AWSServiceName": service_name},
    )
    if Role.objects.filter(account=account, name__iexact=slr["role_name"]).exists():
        raise InvalidInput(
            f"Service role name {slr['role_name']} has been taken in this account, please try "
            "a different suffix."
        )
    return _role_save(
        actor=actor,
        role=Role(
            account=account,
            name=slr["role_name"],
            path=slr["path"],
            description=rules.check_description(description or slr.get("description", "")),
            trust_policy=check_policy_document(slr["trust_policy"], kind="trust").text,
            is_service_linked=True,
            service_name=service_name,
            unique_id=identifiers.unique_id(identifiers.ROLE_PREFIX),
        ),
        action="iam:CreateServiceLinkedRole",
    )


def role_update(
    *,
    actor: Actor,
    role: Role,
    description: str | None = None,
    max_session_duration: int | None = None,
    action: str = "iam:UpdateRole",
) -> Role:
    """Change description and/or max session duration (a service-linked role: description).

    ``action`` is ``iam:UpdateRoleDescription`` for the older call that changes only that.
    """
    authorize_actor(actor, action, role.arn)
    if max_session_duration is not None:
        _refuse_if_service_linked(role)
        rules.check_max_session_duration(max_session_duration)
    before = role_snapshot(role)
    if description is not None:
        role.description = rules.check_description(description)
    if max_session_duration is not None:
        role.max_session_duration = max_session_duration
    with transaction.atomic():
        role.save(update_fields=["description", "max_session_duration"])
        audit_record(
            actor=actor,
            action=action,
            resource_arn=role.arn,
            account_id=role.account.account_id,
            parameters={"Description": description, "MaxSessionDuration": max_session_duration},
            before=before,
            after=role_snapshot(role),
        )
    return role


def role_trust_policy_update(*, actor: Actor, role: Role, trust_policy: str | dict) -> Role:
    """Replace the role's trust policy (UpdateAssumeRolePolicy)."""
    authorize_actor(actor, "iam:UpdateAssumeRolePolicy", role.arn)
    _refuse_if_service_linked(role)
    trust = check_policy_document(trust_policy, kind="trust")
    before = role_snapshot(role)
    with transaction.atomic():
        role.trust_policy = trust.text
        role.trust_principal_ids = trust_principal_ids_for(trust.text)
        role.save(update_fields=["trust_policy", "trust_principal_ids"])
        audit_record(
            actor=actor,
            action="iam:UpdateAssumeRolePolicy",
            resource_arn=role.arn,
            account_id=role.account.account_id,
            parameters={"PolicyDocument": trust.text},
            before=before,
            after=role_snapshot(role),
        )
    return role


def role_tag(*, actor: Actor, role: Role, tags: dict | list) -> Role:
    """Add or overwrite tags on a role (keys case-insensitive, at most 50)."""
    _refuse_if_service_linked(role)
    return resource_tag(
        actor=actor,
        resource=role,
        tags=tags,
        entity="role",
        action="iam:TagRole",
        snapshot=role_snapshot,
    )


def role_tags_set(*, actor: Actor, role: Role, tags: dict) -> tuple[dict, list[str]]:
    """Make the role's tags exactly ``tags`` (iam:UntagRole then iam:TagRole, all or
    nothing); returns ``(changed, removed)``."""
    changed, removed = tags_diff(role.tags, tags)
    with all_or_nothing():
        if removed:
            role_untag(actor=actor, role=role, keys=removed)
        if changed:
            role_tag(actor=actor, role=role, tags=changed)
    return changed, removed


def role_untag(*, actor: Actor, role: Role, keys: list[str]) -> Role:
    """Remove the tags with these keys (compared case-insensitively)."""
    _refuse_if_service_linked(role)
    return resource_untag(
        actor=actor, resource=role, keys=keys, action="iam:UntagRole", snapshot=role_snapshot
    )


def role_delete_blockers(role: Role) -> list[str]:
    """What must go before AWS lets the role be deleted, in AWS's words."""
    blockers = []
    if role.inline_policies.exists():
        blockers.append("Cannot delete entity, must delete policies first.")
    if role.policy_attachments.exists():
        blockers.append("Cannot delete entity, must detach all policies first.")
    return blockers


def role_delete(*, actor: Actor, role: Role) -> None:
    """Delete a role without policies; service-linked roles are refused (UnmodifiableEntity)."""
    authorize_actor(actor, "iam:DeleteRole", role.arn)
    _refuse_if_service_linked(role)
    with transaction.atomic():
        locked = Role.objects.select_for_update().get(pk=role.pk)
        blockers = role_delete_blockers(locked)
        if blockers:
            raise DeleteConflict(blockers[0], fields={"blockers": blockers})
        before = role_snapshot(role)
        arn = role.arn
        locked.delete()
        audit_record(
            actor=actor,
            action="iam:DeleteRole",
            resource_arn=arn,
            account_id=role.account.account_id,
            parameters={"RoleName": role.name},
            before=before,
        )


def service_linked_role_delete(
    *, actor: Actor, role: Role, task_id: str, usage: list[dict] | None = None
) -> str:
    """DeleteServiceLinkedRole: delete the role unless its service still uses it (``usage``).

    AWS runs the deletion as a task; here it runs at once and the audit row keeps the task's
    outcome (``SUCCEEDED`` or ``FAILED`` with the resources using the role) for
    GetServiceLinkedRoleDeletionStatus. Returns the status.
    """
    authorize_actor(actor, "iam:DeleteServiceLinkedRole", role.arn)
    if not role.is_service_linked:
        raise InvalidInput(f"Role {role.name} is not a service-linked role.")
    status = "FAILED" if usage else "SUCCEEDED"
    reason = f"Service {role.service_name} is using the role in these resources." if usage else ""
    before = role_snapshot(role)
    with transaction.atomic():
        if not usage:
            # The service's own policies go with its role: the user could never detach them.
            PolicyAttachment.objects.filter(role=role).delete()
            role.inline_policies.all().delete()
            Role.objects.filter(pk=role.pk).delete()
        audit_record(
            actor=actor,
            action="iam:DeleteServiceLinkedRole",
            resource_arn=role.arn,
            account_id=role.account.account_id,
            parameters={
                "RoleName": role.name,
                "DeletionTaskId": task_id,
                "Status": status,
                "Reason": reason,
                "RoleUsageList": usage or [],
            },
            before=before,
        )
    return status
