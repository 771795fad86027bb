"""Deciding access requests: approve (the last needed approval applies the policy), deny,
ask for changes, approve or deny an extension, and end a grant (revoke, or expiry).

Deciding needs what applying needs: ``authz`` must allow ``iam:Put{User,Role}Policy`` on the
requester's identity (``policies.requests.eligibility``), checked before anything is written
so the denial's audit row is kept. Re-exported by ``policies.services.requests``.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.errors import NoSuchEntity, ValidationError
from accounts.principals import Principal
from policies.models import AccessRequest, AccessRequestApproval
from policies.requests import eligibility, rules
from policies.requests.notify import enqueue, notify_requester
from policies.requests.records import locked, record_audit, record_event
from policies.requests.rules import InvalidRequestState
from policies.services.attachments import inline_policy_delete_step, inline_policy_put_step

Status = AccessRequest.Status


def _authorize_decision(approver: Principal, req: AccessRequest, authz) -> None:
    eligibility.refuse_own(approver, req)
    identity = req.identity
    authz(
        eligibility.grant_action(req.requester_kind),
        identity.arn,
    )


def access_request_approve(
    *,
    actor: Actor,
    approver: Principal,
    access_request: AccessRequest,
    authz,
    duration_hours: int | None = None,
    targets=None,
    now: datetime | None = None,
) -> AccessRequest:
    """Approve (or approve a pending extension); the last needed approval applies the policy."""
    now = now or timezone.now()
    _authorize_decision(approver, access_request, authz)
    with transaction.atomic():
        req = locked(access_request, Status.PENDING, Status.APPROVED)
        if req.status == Status.APPROVED and not req.extension_pending:
            raise InvalidRequestState(f"Access request {req.request_id} is already approved.")
        narrowed = (
            rules.narrow(req, duration_hours, targets) if req.status == Status.PENDING else {}
        )
        if narrowed:
            synthesis = rules.build_policy(
                req.account,
                actions=req.actions,
                targets=rules.parse_targets(req.targets),
                expires_at=rules.provisional_expiry(req.duration_hours, now),
            )
            req.policy_document = synthesis.text
            req.save()
            record_event(req, "narrowed", actor, _narrowing_text(narrowed), **narrowed)
        _record_approval(req, approver)
        needed = 2 if rules.request_settings(req.account).require_two_approvers else 1
        count = req.approvals.filter(round=req.round).count()
        if count < needed:
            record_event(req, "approval", actor, f"Approval {count} of {needed}.")
            record_audit(actor, req, "ApproveAccessRequest", Approvals=count, Required=needed)
            notify_requester(req, f"{req.request_id}: approval {count} of {needed} received.")
            return req
        if req.extension_pending:
            return _apply_extension(req, actor, now)
        return _apply(req, actor, now)


def _narrowing_text(narrowed: dict) -> str:
    parts = []
    if "DurationHours" in narrowed:
        old, new = narrowed["DurationHours"]
        parts.append(f"duration {old or 'permanent'} h → {new} h")
    if "Targets" in narrowed:
        old, new = narrowed["Targets"]
        parts.append(f"targets {len(old)} → {len(new)}")
    return "Narrowed: " + ", ".join(parts) + "."


def _record_approval(req: AccessRequest, approver: Principal) -> None:
    """One approval per person per round: a user and a role they assumed are one approver."""
    mine = eligibility.principal_ids(approver)
    for earlier in req.approvals.filter(round=req.round):
        if mine & {earlier.approver_principal_arn, earlier.approver_source_arn} - {""}:
            raise InvalidRequestState(
                "You have already approved this; a different approver must approve it too."
            )
    try:
        with transaction.atomic():
            AccessRequestApproval.objects.create(
                access_request=req,
                round=req.round,
                approver_arn=approver.arn,
                approver_principal_arn=approver.principal_arn,
                approver_source_arn=approver.source_arn,
            )
    except IntegrityError as error:  # a concurrent approval by the same principal
        raise InvalidRequestState("You have already approved this.") from error


def _put_policy(req: AccessRequest, actor: Actor, expires_at: datetime | None) -> None:
    synthesis = rules.build_policy(
        req.account,
        actions=req.actions,
        targets=rules.parse_targets(req.targets),
        expires_at=expires_at,
    )
    # The decision authorized iam:Put{User,Role}Policy on the identity (``authz``) before the
    # transaction began: the write is not authorized again.
    step = inline_policy_put_step(
        identity=req.identity, name=req.policy_name, document=synthesis.text
    )
    step.run(actor)
    req.policy_document = synthesis.text
    req.dependent_actions = list(synthesis.dependent_actions)


def _apply(req: AccessRequest, actor: Actor, now: datetime) -> AccessRequest:
    """Put the policy with its expiry on the identity, and close the decision."""
    expires_at = rules.provisional_expiry(req.duration_hours, now)
    _put_policy(req, actor, expires_at)
    req.status, req.approved_at, req.expires_at = Status.APPROVED, now, expires_at
    req.decided_by_arn, req.decided_at = actor.arn, now
    req.warn_at = rules.warn_at(expires_at, req.duration_hours)
    req.save()
    until = f"until {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "permanently"
    record_event(req, "approved", actor, f"Inline policy {req.policy_name} applied {until}.")
    record_audit(
        actor, req, "ApproveAccessRequest", PolicyName=req.policy_name, ExpiresAt=str(expires_at)
    )
    notify_requester(req, f"{req.request_id} approved: your access is granted {until}.")
    schedule_revocation(req)
    return req


def _apply_extension(req: AccessRequest, actor: Actor, now: datetime) -> AccessRequest:
    """Rewrite the grant with its later expiry (from its current end, capped at the maximum)."""
    start = max(req.expires_at or now, now)
    expires_at = min(
        start + timedelta(hours=req.extension_hours), now + timedelta(hours=rules.max_hours())
    )
    hours = req.extension_hours
    _put_policy(req, actor, expires_at)
    remaining_hours = max(1, int((expires_at - now).total_seconds() // 3600))
    req.expires_at, req.expiry_warned_at = expires_at, None
    req.warn_at = rules.warn_at(expires_at, remaining_hours)
    req.extension_hours, req.extension_requested_at = None, None
    req.save()
    record_event(
        req, "extended", actor, f"Extended by {hours} h until {expires_at:%Y-%m-%d %H:%M} UTC."
    )
    record_audit(actor, req, "ApproveAccessRequestExtension", ExpiresAt=str(expires_at))
    notify_requester(
        req, f"{req.request_id}: extension approved, access until {expires_at:%Y-%m-%d %H:%M} UTC."
    )
    schedule_revocation(req)
    return req


def schedule_revocation(req: AccessRequest) -> None:
    """After commit, a task at the expiry moment when it is near; the sweep covers the rest.

    Only near expiries get a timed task: Redis redelivers unacknowledged tasks after its
    visibility timeout, so a task waiting days would be delivered again and again.
    """
    if req.expires_at is None:
        return
    horizon = timedelta(seconds=settings.MQIAM.get("ACCESS_REQUEST_ETA_HORIZON_S", 3000))
    if req.expires_at - timezone.now() > horizon:
        return
    expire = "policies.tasks.access_request_expire"
    transaction.on_commit(partial(enqueue, expire, kwargs={"pk": req.pk}, eta=req.expires_at))


def _decide(verb, *, actor, approver, access_request, authz, reason, now) -> AccessRequest:
    """Deny, or ask for changes: a reason is required; a pending extension can be denied."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the requester a reason.", fields={"reason": "required"})
    _authorize_decision(approver, access_request, authz)
    with transaction.atomic():
        req = locked(access_request, Status.PENDING, Status.APPROVED)
        if req.extension_pending and verb == "denied":
            req.extension_hours = req.extension_requested_at = None
            req.save()
            record_event(req, "extension_denied", actor, reason)
            record_audit(actor, req, "DenyAccessRequestExtension", Reason=reason)
            notify_requester(req, f"{req.request_id}: extension denied: {reason}")
            return req
        if req.status != Status.PENDING:
            raise InvalidRequestState(f"Access request {req.request_id} is not pending.")
        req.status = Status.DENIED if verb == "denied" else Status.CHANGES_REQUESTED
        req.decision_reason, req.decided_by_arn, req.decided_at = reason, actor.arn, now
        req.save()
        record_event(req, verb, actor, reason)
        action = "DenyAccessRequest" if verb == "denied" else "RequestAccessRequestChanges"
        record_audit(actor, req, action, Reason=reason)
        label = "denied" if verb == "denied" else "needs changes"
        notify_requester(req, f"{req.request_id} {label}: {reason}")
    return req


def access_request_deny(*, actor, approver, access_request, authz, reason, now=None):
    """Deny a pending request (or a pending extension) with a reason."""
    return _decide(
        "denied", actor=actor, approver=approver, access_request=access_request, authz=authz,
        reason=reason, now=now or timezone.now(),
    )  # fmt: skip


def access_request_request_changes(*, actor, approver, access_request, authz, reason, now=None):
    """Send a pending request back to its requester with what to change."""
    return _decide(
        "changes_requested", actor=actor, approver=approver, access_request=access_request,
        authz=authz, reason=reason, now=now or timezone.now(),
    )  # fmt: skip


def access_request_revoke(
    *, actor: Actor, principal: Principal, access_request: AccessRequest, authz, reason: str = ""
) -> AccessRequest:
    """End a grant now: the requester giving it up, or whoever may delete the policy."""
    if not eligibility.is_requester(principal, access_request):
        identity = access_request.identity
        authz(
            eligibility.revoke_action(access_request.requester_kind),
            identity.arn,
        )
    with transaction.atomic():
        req = locked(access_request, Status.APPROVED)
        end_grant(req, actor, Status.REVOKED, reason or "Revoked before its expiry.")
        record_audit(actor, req, "RevokeAccessRequest", Reason=reason)
    return req


def end_grant(req: AccessRequest, actor: Actor, status: str, message: str) -> None:
    """Remove the request's inline policy (already gone is fine) and close the request."""
    # Already removed by hand: the grant is over either way. Who may end it was decided by
    # the caller (the requester, whoever IAM allows iam:Delete…Policy, or the expiry task).
    with contextlib.suppress(NoSuchEntity):
        inline_policy_delete_step(identity=req.identity, name=req.policy_name).run(actor)
    now = timezone.now()
    req.status, req.revoked_at = status, now
    req.extension_hours = req.extension_requested_at = None
    req.save()
    record_event(req, status, actor, message)
    notify_requester(req, f"{req.request_id}: your access has ended. {message}")
