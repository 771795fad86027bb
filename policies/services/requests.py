"""Access requests: submit, resubmit, cancel, ask to extend; the account's rules; and the
decisions (``policies.requests.decisions``, re-exported here) so callers use one module.

Every state change takes an ``actor``, runs in one transaction with its history event, its
audit row and its notifications, and checks its rules here, so the pages, the API and the
tasks cannot disagree. Expiry lives in ``policies.requests.expiry``.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import AccessDenied as RequesterOnly
from accounts.errors import ValidationError
from accounts.models import Account, IAMUser
from accounts.principals import Principal
from policies.authorization import require_root
from policies.models import (
    AccessRequest,
    AccessRequestSettings,
)
from policies.requests import eligibility, rules
from policies.requests.decisions import (
    access_request_approve,
    access_request_deny,
    access_request_request_changes,
    access_request_revoke,
    end_grant,
    schedule_revocation,
)
from policies.requests.notify import enqueue
from policies.requests.records import locked, record_audit, record_event
from policies.requests.rules import InvalidRequestState

Status = AccessRequest.Status


def access_request_settings_update(
    *,
    actor: Actor,
    account: Account,
    require_two_approvers: bool,
    allow_permanent: bool,
    pending_expiry_days: int,
) -> AccessRequestSettings:
    """Change the account's rules for access requests (root user only; audited)."""
    require_root(actor, "console:UpdateAccessRequestSettings")
    if not 1 <= pending_expiry_days <= 90:
        raise ValidationError(
            "Pending requests expire after 1 to 90 days.", fields={"pending_expiry_days": "1-90"}
        )
    with transaction.atomic():
        current = rules.request_settings(account)
        before = _settings_snapshot(current)
        current.require_two_approvers = require_two_approvers
        current.allow_permanent = allow_permanent
        current.pending_expiry_days = pending_expiry_days
        current.full_clean()
        current.save()
        audit_record(
            actor=actor,
            action="console:UpdateAccessRequestSettings",
            account_id=account.account_id,
            before=before,
            after=_settings_snapshot(current),
        )
    return current


def _settings_snapshot(value: AccessRequestSettings) -> dict:
    return {
        "RequireTwoApprovers": value.require_two_approvers,
        "AllowPermanent": value.allow_permanent,
        "PendingExpiryDays": value.pending_expiry_days,
    }


def _enqueue_approver_notice(req: AccessRequest) -> None:
    transaction.on_commit(
        partial(enqueue, "policies.tasks.access_request_notify_approvers", kwargs={"pk": req.pk})
    )


# -- submitting ---------------------------------------------------------------------------


def access_request_create(
    *,
    actor: Actor,
    principal: Principal,
    intent: str,
    actions=(),
    targets=(),
    duration_hours: int | None,
    justification: str,
    now: datetime | None = None,
) -> AccessRequest:
    """Submit a request; the policy is synthesized now so reviewers see what they approve."""
    now = now or timezone.now()
    identity = rules.identity_of(principal)
    account = identity.account
    kind = "user" if isinstance(identity, IAMUser) else "role"
    fields = _checked_fields(
        account, identity, kind, intent, actions, targets, duration_hours, justification, now
    )
    request_id = f"ar-{secrets.token_hex(6)}"
    with transaction.atomic():
        req = AccessRequest(
            request_id=request_id,
            account=account,
            requester_arn=principal.arn,
            requester_principal_arn=principal.principal_arn,
            requester_source_arn=principal.source_arn,
            requester_kind=kind,
            user=identity if kind == "user" else None,
            role=identity if kind == "role" else None,
            policy_name=f"AccessRequest-{request_id}",
            submitted_at=now,
            **fields,
        )
        req.full_clean()
        req.save()
        record_event(req, "submitted", actor, req.justification)
        record_audit(actor, req, "CreateAccessRequest", Intent=intent, Actions=req.actions)
        _enqueue_approver_notice(req)
    return req


def _checked_fields(account, identity, kind, intent, actions, targets, hours, justification, now):
    justification = (justification or "").strip()
    if not justification:
        raise ValidationError("Say why you need this access.", fields={"justification": "required"})
    if len(justification) > 2000:
        raise ValidationError(
            "The justification is at most 2000 characters.", fields={"justification": "long"}
        )
    rules.check_duration(account, hours)
    base = rules.resolve_actions(intent, actions)
    parsed = rules.parse_targets(targets)
    rules.check_targets_exist(account, parsed)
    synthesis = rules.build_policy(
        account, actions=base, targets=parsed, expires_at=rules.provisional_expiry(hours, now)
    )
    rules.check_size(identity, kind, synthesis.text, "")
    return {
        "intent": intent,
        "actions": list(synthesis.actions),
        "dependent_actions": list(synthesis.dependent_actions),
        "targets": [t.to_dict() for t in parsed],
        "duration_hours": hours,
        "justification": justification,
        "policy_document": synthesis.text,
    }


def access_request_resubmit(
    *,
    actor: Actor,
    principal: Principal,
    access_request: AccessRequest,
    intent: str,
    actions=(),
    targets=(),
    duration_hours: int | None,
    justification: str,
    now: datetime | None = None,
) -> AccessRequest:
    """The requester's new version after "changes requested" (or while pending): a new round."""
    now = now or timezone.now()
    if not eligibility.is_requester(principal, access_request):
        raise RequesterOnly("Only the requester can change a request.")
    req = access_request
    fields = _checked_fields(
        req.account, req.identity, req.requester_kind, intent, actions, targets,
        duration_hours, justification, now,
    )  # fmt: skip
    with transaction.atomic():
        req = locked(req, Status.PENDING, Status.CHANGES_REQUESTED)
        for name, value in fields.items():
            setattr(req, name, value)
        req.status, req.round, req.submitted_at = Status.PENDING, req.round + 1, now
        req.approvers_notified_at = None
        req.save()
        record_event(req, "resubmitted", actor, req.justification)
        record_audit(actor, req, "UpdateAccessRequest", Intent=intent, Actions=req.actions)
        _enqueue_approver_notice(req)
    return req


# -- the requester's steps, and ending a grant early ------------------------------------------


def access_request_cancel(*, actor: Actor, principal: Principal, access_request: AccessRequest):
    """The requester withdraws an open request (or only its pending extension)."""
    if not eligibility.is_requester(principal, access_request):
        raise RequesterOnly("Only the requester can cancel a request.")
    with transaction.atomic():
        req = locked(access_request, *AccessRequest.OPEN, Status.APPROVED)
        if req.status == Status.APPROVED:
            if not req.extension_pending:
                raise InvalidRequestState("Nothing to cancel: the request is already approved.")
            req.extension_hours = req.extension_requested_at = None
            req.save()
            record_event(req, "extension_cancelled", actor)
            record_audit(actor, req, "CancelAccessRequestExtension")
            return req
        req.status, req.decided_at = Status.CANCELLED, timezone.now()
        req.save()
        record_event(req, "cancelled", actor)
        record_audit(actor, req, "CancelAccessRequest")
    return req


def access_request_extend(
    *, actor: Actor, principal: Principal, access_request: AccessRequest, hours: int, justification
) -> AccessRequest:
    """The requester asks for more time on an approved, time-bound grant (reviewed again)."""
    if not eligibility.is_requester(principal, access_request):
        raise RequesterOnly("Only the requester can ask to extend.")
    justification = (justification or "").strip()
    if not justification:
        raise ValidationError("Say why you need more time.", fields={"justification": "required"})
    if not rules.MIN_HOURS <= int(hours) <= rules.max_hours():
        limit = rules.max_hours()
        raise ValidationError(f"Extend by 1 to {limit} hours.", fields={"hours": "range"})
    with transaction.atomic():
        req = locked(access_request, Status.APPROVED)
        if req.expires_at is None:
            raise InvalidRequestState("A permanent grant does not expire.")
        if req.extension_pending:
            raise InvalidRequestState("An extension is already waiting for review.")
        req.extension_hours, req.extension_justification = int(hours), justification
        req.extension_requested_at, req.round = timezone.now(), req.round + 1
        req.approvers_notified_at = None
        req.save()
        record_event(req, "extension_requested", actor, justification, Hours=int(hours))
        record_audit(actor, req, "RequestAccessRequestExtension", Hours=int(hours))
        _enqueue_approver_notice(req)
    return req


__all__ = [
    "access_request_approve",
    "access_request_cancel",
    "access_request_create",
    "access_request_deny",
    "access_request_extend",
    "access_request_request_changes",
    "access_request_resubmit",
    "access_request_revoke",
    "access_request_settings_update",
    "end_grant",
    "schedule_revocation",
]
