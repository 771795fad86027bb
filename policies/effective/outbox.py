"""Change capture: which committed changes can alter decisions, recorded in the outbox.

Every service writes an audit event inside its own transaction; ``capture`` runs right after
and turns the events that can change a decision into outbox rows in the same transaction, so
no change can commit without them (and none of them survives a rollback). After commit a
recompute task is enqueued; if that fails (Redis or the worker down), the periodic sweep
finds the rows still pending.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

from accounts.models import Account, AuditEvent, IAMUser
from config.queue import task
from policies.models import PermissionChange

log = logging.getLogger("mqiam.matrix")
Scope = PermissionChange.Scope

# Actions whose target (the audit event's resource ARN) is the principal that changed.
_PRINCIPAL_ACTIONS = {
    "iam:CreateUser",
    "iam:DeleteUser",
    "iam:TagUser",
    "iam:UntagUser",
    "iam:AttachUserPolicy",
    "iam:DetachUserPolicy",
    "iam:PutUserPolicy",
    "iam:DeleteUserPolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:CreateServiceLinkedRole",
    "iam:DeleteServiceLinkedRole",
}
# A rename changes the ARN (and aws:username): the old rows go, the new ARN is computed.
_RENAME_ACTIONS = {"iam:UpdateUser", "iam:UpdateRole"}
_GROUP_ACTIONS = {
    "iam:AttachGroupPolicy",
    "iam:DetachGroupPolicy",
    "iam:PutGroupPolicy",
    "iam:DeleteGroupPolicy",
}
_MEMBERSHIP_ACTIONS = {"iam:AddUserToGroup", "iam:RemoveUserFromGroup"}
_POLICY_ACTIONS = {"iam:SetDefaultPolicyVersion"}
# Resources appearing, disappearing or changing tags: every principal's row may change.
_RESOURCE_ACTIONS = {
    "mq:CreateBroker",
    "mq:DeleteBroker",
    "mq:CreateConfiguration",
    "mq:DeleteConfiguration",
    "mq:CreateTags",
    "mq:DeleteTags",
    "console:BrokerDeleted",
    "console:ConfigurationDeleted",
}


def changes_for(event: AuditEvent) -> list[tuple[str, str, str]]:
    """The (scope, target, reason) outbox entries an allowed audit event implies."""
    if event.decision != AuditEvent.Decision.ALLOWED or not event.account_id:
        return []
    action, arn, params = event.action, event.resource_arn, event.request_parameters or {}
    if action in _PRINCIPAL_ACTIONS:
        return [(Scope.PRINCIPAL, arn, action)]
    if action in _RENAME_ACTIONS:
        after = (event.after or {}).get("Arn") or arn
        return [(Scope.PRINCIPAL, arn, action)] + (
            [(Scope.PRINCIPAL, after, action)] if after != arn else []
        )
    if action in _GROUP_ACTIONS:
        return [(Scope.GROUP, arn, action)]
    if action in _MEMBERSHIP_ACTIONS:
        user = IAMUser.objects.filter(
            account__account_id=event.account_id, name__iexact=params.get("UserName", "")
        ).first()
        return [(Scope.PRINCIPAL, user.arn, action)] if user else []
    if action in _POLICY_ACTIONS or (
        action == "iam:CreatePolicyVersion" and params.get("SetAsDefault")
    ):
        return [(Scope.POLICY, arn, action)]
    if action in _RESOURCE_ACTIONS:
        return [(Scope.ACCOUNT, "", action)]
    return []


def capture(event: AuditEvent) -> None:
    """Record the event's outbox rows now; enqueue a recompute once the transaction commits."""
    entries = changes_for(event)
    if not entries:
        return
    account = Account.objects.filter(account_id=event.account_id).only("pk").first()
    if account is None:
        return
    PermissionChange.objects.bulk_create(
        [PermissionChange(account=account, scope=s, target=t, reason=r) for s, t, r in entries]
    )
    transaction.on_commit(partial(enqueue_recompute, account.pk))


def record(account: Account, scope: str, target: str, reason: str) -> None:
    """Record a change that is not an audited IAM action (e.g. a resource reconciliation)."""
    PermissionChange.objects.create(account=account, scope=scope, target=target, reason=reason)
    transaction.on_commit(partial(enqueue_recompute, account.pk))


def enqueue_recompute(account_pk: int) -> None:
    """Ask the worker to recompute; if Redis is down the sweep will do it later."""
    recompute_task = task("policies.tasks.matrix_recompute")
    try:
        recompute_task.apply_async(kwargs={"account_id": account_pk}, retry=False)
    except Exception:
        log.warning(
            "could not enqueue a matrix recompute for account %s; the sweep will",
            account_pk,
            exc_info=True,
        )
