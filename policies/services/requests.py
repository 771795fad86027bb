"""Access requests: submit, decide (approve, deny, ask for changes), cancel, extend, revoke.

Every state change takes an ``actor``, runs in one transaction with its history event, its
audit row and its notifications, and checks its rules here, so the pages, the API and the
tasks cannot disagree. Deciding needs what applying needs: ``authz`` must allow
``iam:Put{User,Role}Policy`` on the requester's identity (``policies.requests.eligibility``);
the denial is audited before anything is written. Expiry lives in ``policies.requests.expiry``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import IAMError, InvalidInput, NoSuchEntity, ValidationError
from accounts.models import Account, IAMUser, Role
from accounts.principals import ASSUMED_ROLE, Principal
from brokers.models import Broker, Configuration
from policies.catalog import get_catalog
from policies.documents import check_policy_document, policy_size_of_text
from policies.models import (
    AccessRequest,
    AccessRequestApproval,
    AccessRequestEvent,
    AccessRequestSettings,
    InlinePolicy,
)
from policies.requests import eligibility
from policies.requests.notify import notify, notify_requester
from policies.requests.synthesis import (
    CUSTOM,
    INTENTS,
    Synthesis,
    SynthesisError,
    Target,
    synthesize,
)
from policies.services.attachments import inline_policy_delete, inline_policy_put

Status = AccessRequest.Status
MIN_HOURS = 1


class InvalidRequestState(IAMError):
    """The request is not in a state that allows this step (HTTP 409)."""

    code = "InvalidRequestState"
    http_status = 409


def max_hours() -> int:
    return settings.MQIAM.get("ACCESS_REQUEST_MAX_HOURS", 90 * 24)


def request_settings(account: Account) -> AccessRequestSettings:
    """The account's rules, or the defaults (unsaved) when it never changed them."""
    found = AccessRequestSettings.objects.filter(account=account).first()
    return found or AccessRequestSettings(
        account=account,
        pending_expiry_days=settings.MQIAM.get("ACCESS_REQUEST_PENDING_DAYS", 7),
    )


def access_request_settings_update(
    *,
    actor: Actor,
    account: Account,
    require_two_approvers: bool,
    allow_permanent: bool,
    pending_expiry_days: int,
) -> AccessRequestSettings:
    """Change the account's rules for access requests (audited)."""
    if not 1 <= pending_expiry_days <= 90:
        raise ValidationError(
            "Pending requests expire after 1 to 90 days.", fields={"pending_expiry_days": "1-90"}
        )
    with transaction.atomic():
        current = request_settings(account)
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


# -- building the policy ------------------------------------------------------------------


def resolve_actions(intent: str, actions) -> list[str]:
    """The actions an intent stands for, or the ones picked for a custom request."""
    if intent in INTENTS:
        return list(INTENTS[intent].actions)
    if intent == CUSTOM:
        return [str(a) for a in actions or ()]
    raise ValidationError(
        f"Choose one of: {', '.join([*INTENTS, CUSTOM])}.", fields={"intent": "unknown"}
    )


def parse_targets(targets) -> list[Target]:
    """Targets as given by a form or the API (Target objects or their dict shape)."""
    try:
        return [t if isinstance(t, Target) else Target.from_dict(t) for t in targets or ()]
    except (SynthesisError, AttributeError) as error:
        raise ValidationError(str(error), fields={"targets": "invalid"}) from error


def check_duration(account: Account, duration_hours: int | None) -> None:
    """1 hour to the maximum (90 days), or permanent where the account allows it."""
    if duration_hours is None:
        if not request_settings(account).allow_permanent:
            raise ValidationError(
                "This account does not allow permanent access: choose a duration.",
                fields={"duration": "permanent not allowed"},
            )
        return
    if not MIN_HOURS <= duration_hours <= max_hours():
        raise ValidationError(
            f"The duration is 1 to {max_hours()} hours.", fields={"duration": "out of range"}
        )


def check_targets_exist(account: Account, targets: list[Target]) -> None:
    """Broker and configuration targets must be resources of the account."""
    for target in targets:
        if target.kind != "arn" or ":mq:" not in target.arn:
            continue
        kind, _, rest = target.arn.split(":", 5)[5].partition(":")
        if kind == "broker":
            exists = Broker.objects.filter(account=account, broker_id=rest.rpartition(":")[2])
        elif kind == "configuration":
            exists = Configuration.objects.filter(account=account, configuration_id=rest)
        else:
            continue
        if not exists.exists():
            raise NoSuchEntity(f"{target.arn} is not a resource of this account.")


def build_policy(
    account: Account, *, actions, targets: list[Target], expires_at: datetime | None
) -> Synthesis:
    """``synthesize`` with the catalog, its error turned into the API's ValidationError."""
    try:
        return synthesize(
            get_catalog(),
            account_id=account.account_id,
            actions=actions,
            targets=targets,
            expires_at=expires_at,
        )
    except SynthesisError as error:
        raise ValidationError(error.message, fields={error.field or "actions": "invalid"}) from error


def identity_of(principal: Principal) -> IAMUser | Role:
    """The identity a principal's grant goes to: the IAM user, or a session's role."""
    if principal.is_root:
        raise InvalidInput("The root user may do everything in its account: it needs no request.")
    if principal.kind == ASSUMED_ROLE:
        return Role.objects.select_related("account").get(pk=principal.role_pk)
    return IAMUser.objects.select_related("account").get(pk=principal.pk)


def _check_size(identity, kind: str, text: str, policy_name: str) -> None:
    others = InlinePolicy.objects.filter(**{kind: identity}).exclude(name=policy_name)
    used = sum(policy_size_of_text(p.document) for p in others)
    check_policy_document(text, kind="identity", entity=kind, used_size=used)


def _provisional_expiry(duration_hours: int | None, now: datetime) -> datetime | None:
    return None if duration_hours is None else now + timedelta(hours=duration_hours)


def _event(req: AccessRequest, verb: str, actor: Actor, message: str = "", **details):
    AccessRequestEvent.objects.create(
        access_request=req, verb=verb, actor_arn=actor.arn, message=message, details=details
    )


def _audit(actor: Actor, req: AccessRequest, action: str, **parameters) -> None:
    audit_record(
        actor=actor,
        action=f"console:{action}",
        resource_arn=req.identity.arn,
        account_id=req.account.account_id,
        parameters={"AccessRequestId": req.request_id, **parameters},
    )


def _enqueue_approver_notice(req: AccessRequest) -> None:
    from policies.tasks import access_request_notify_approvers as notify_task

    def send():
        try:
            notify_task.apply_async(kwargs={"pk": req.pk}, queue="default", retry=False)
        except Exception:  # noqa: BLE001 - Redis down: the sweep notifies later
            pass

    transaction.on_commit(send)


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
    identity = identity_of(principal)
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
        _event(req, "submitted", actor, req.justification)
        _audit(actor, req, "CreateAccessRequest", Intent=intent, Actions=req.actions)
        _enqueue_approver_notice(req)
    return req


def _checked_fields(account, identity, kind, intent, actions, targets, hours, justification, now):
    justification = (justification or "").strip()
    if not justification:
        raise ValidationError(
            "Say why you need this access.", fields={"justification": "required"}
        )
    if len(justification) > 2000:
        raise ValidationError(
            "The justification is at most 2000 characters.", fields={"justification": "long"}
        )
    check_duration(account, hours)
    base = resolve_actions(intent, actions)
    parsed = parse_targets(targets)
    check_targets_exist(account, parsed)
    synthesis = build_policy(
        account, actions=base, targets=parsed, expires_at=_provisional_expiry(hours, now)
    )
    _check_size(identity, kind, synthesis.text, "")
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
        raise InvalidRequestState("Only the requester can change a request.", code="AccessDenied")
    req = access_request
    fields = _checked_fields(
        req.account, req.identity, req.requester_kind, intent, actions, targets,
        duration_hours, justification, now,
    )  # fmt: skip
    with transaction.atomic():
        req = _locked(req, Status.PENDING, Status.CHANGES_REQUESTED)
        for name, value in fields.items():
            setattr(req, name, value)
        req.status, req.round, req.submitted_at = Status.PENDING, req.round + 1, now
        req.approvers_notified_at = None
        req.save()
        _event(req, "resubmitted", actor, req.justification)
        _audit(actor, req, "UpdateAccessRequest", Intent=intent, Actions=req.actions)
        _enqueue_approver_notice(req)
    return req


def _locked(req: AccessRequest, *allowed: str) -> AccessRequest:
    locked = (
        AccessRequest.objects.select_for_update()
        .select_related("account", "user__account", "role__account")
        .get(pk=req.pk)
    )
    if allowed and locked.status not in allowed:
        raise InvalidRequestState(
            f"Access request {locked.request_id} is {locked.get_status_display().lower()}."
        )
    return locked


# -- deciding -----------------------------------------------------------------------------


def _authorize_decision(approver: Principal, req: AccessRequest, authz) -> None:
    eligibility.refuse_own(approver, req)
    identity = req.identity
    authz(
        eligibility.grant_action(req.requester_kind),
        identity.arn,
        resource_tags=dict(identity.tags or {}),
    )


def _narrow(req: AccessRequest, duration_hours, targets) -> dict:
    """Apply an approver's narrowing: a shorter duration, a subset of the targets."""
    changed = {}
    if duration_hours is not None and duration_hours != req.duration_hours:
        if req.duration_hours is not None and duration_hours > req.duration_hours:
            raise ValidationError(
                "An approver can shorten the duration, not lengthen it.",
                fields={"duration": "longer than requested"},
            )
        check_duration(req.account, duration_hours)
        changed["DurationHours"] = [req.duration_hours, duration_hours]
        req.duration_hours = duration_hours
    if targets is not None:
        chosen = [t.to_dict() for t in parse_targets(targets)]
        if not chosen or any(t not in req.targets for t in chosen):
            raise ValidationError(
                "An approver can keep some of the requested targets, not add others.",
                fields={"targets": "not a subset"},
            )
        if chosen != req.targets:
            changed["Targets"] = [req.targets, chosen]
            req.targets = chosen
    return changed


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
        req = _locked(access_request, Status.PENDING, Status.APPROVED)
        if req.status == Status.APPROVED and not req.extension_pending:
            raise InvalidRequestState(f"Access request {req.request_id} is already approved.")
        narrowed = _narrow(req, duration_hours, targets) if req.status == Status.PENDING else {}
        if narrowed:
            synthesis = build_policy(
                req.account,
                actions=req.actions,
                targets=parse_targets(req.targets),
                expires_at=_provisional_expiry(req.duration_hours, now),
            )
            req.policy_document = synthesis.text
            req.save()
            _event(req, "narrowed", actor, "", **narrowed)
        _record_approval(req, approver)
        needed = 2 if request_settings(req.account).require_two_approvers else 1
        count = req.approvals.filter(round=req.round).count()
        if count < needed:
            _event(req, "approval", actor, f"Approval {count} of {needed}.")
            _audit(actor, req, "ApproveAccessRequest", Approvals=count, Required=needed)
            notify_requester(req, f"{req.request_id}: approval {count} of {needed} received.")
            return req
        if req.extension_pending:
            return _apply_extension(req, actor, now)
        return _apply(req, actor, now)


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


def _warn_at(expires_at: datetime | None, hours: int | None) -> datetime | None:
    """Warn a day before expiry, or at the last quarter of a shorter grant."""
    if expires_at is None or hours is None:
        return None
    lead = min(
        timedelta(hours=settings.MQIAM.get("ACCESS_REQUEST_WARNING_HOURS", 24)),
        timedelta(hours=hours) / 4,
    )
    return expires_at - lead


def _put_policy(req: AccessRequest, actor: Actor, expires_at: datetime | None) -> None:
    synthesis = build_policy(
        req.account, actions=req.actions, targets=parse_targets(req.targets), expires_at=expires_at
    )
    inline_policy_put(
        actor=actor, identity=req.identity, name=req.policy_name, document=synthesis.text
    )
    req.policy_document = synthesis.text
    req.dependent_actions = list(synthesis.dependent_actions)


def _apply(req: AccessRequest, actor: Actor, now: datetime) -> AccessRequest:
    expires_at = _provisional_expiry(req.duration_hours, now)
    _put_policy(req, actor, expires_at)
    req.status, req.approved_at, req.expires_at = Status.APPROVED, now, expires_at
    req.decided_by_arn, req.decided_at = actor.arn, now
    req.warn_at = _warn_at(expires_at, req.duration_hours)
    req.save()
    until = f"until {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "permanently"
    _event(req, "approved", actor, f"Inline policy {req.policy_name} applied {until}.")
    _audit(actor, req, "ApproveAccessRequest", PolicyName=req.policy_name, ExpiresAt=str(expires_at))
    notify_requester(req, f"{req.request_id} approved: your access is granted {until}.")
    schedule_revocation(req)
    return req


def _apply_extension(req: AccessRequest, actor: Actor, now: datetime) -> AccessRequest:
    start = max(req.expires_at or now, now)
    expires_at = min(start + timedelta(hours=req.extension_hours), now + timedelta(hours=max_hours()))
    hours = req.extension_hours
    _put_policy(req, actor, expires_at)
    req.expires_at, req.warn_at, req.expiry_warned_at = expires_at, None, None
    req.warn_at = _warn_at(expires_at, max(1, int((expires_at - now).total_seconds() // 3600)))
    req.extension_hours, req.extension_requested_at = None, None
    req.save()
    _event(req, "extended", actor, f"Extended by {hours} h until {expires_at:%Y-%m-%d %H:%M} UTC.")
    _audit(actor, req, "ApproveAccessRequestExtension", ExpiresAt=str(expires_at))
    notify_requester(req, f"{req.request_id}: extension approved, access until {expires_at:%Y-%m-%d %H:%M} UTC.")
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
    from policies.tasks import access_request_expire as expire_task

    def send(pk=req.pk, eta=req.expires_at):
        try:
            expire_task.apply_async(kwargs={"pk": pk}, eta=eta, queue="default", retry=False)
        except Exception:  # noqa: BLE001 - Redis down: the sweep revokes it
            pass

    transaction.on_commit(send)


def _decide(verb, *, actor, approver, access_request, authz, reason, now) -> AccessRequest:
    """Deny, or ask for changes: a reason is required; a pending extension can be denied."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the requester a reason.", fields={"reason": "required"})
    _authorize_decision(approver, access_request, authz)
    with transaction.atomic():
        req = _locked(access_request, Status.PENDING, Status.APPROVED)
        if req.extension_pending and verb == "denied":
            req.extension_hours = req.extension_requested_at = None
            req.save()
            _event(req, "extension_denied", actor, reason)
            _audit(actor, req, "DenyAccessRequestExtension", Reason=reason)
            notify_requester(req, f"{req.request_id}: extension denied: {reason}")
            return req
        if req.status != Status.PENDING:
            raise InvalidRequestState(f"Access request {req.request_id} is not pending.")
        req.status = Status.DENIED if verb == "denied" else Status.CHANGES_REQUESTED
        req.decision_reason, req.decided_by_arn, req.decided_at = reason, actor.arn, now
        req.save()
        _event(req, verb, actor, reason)
        action = "DenyAccessRequest" if verb == "denied" else "RequestAccessRequestChanges"
        _audit(actor, req, action, Reason=reason)
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


# -- the requester's steps, and ending a grant early ------------------------------------------


def access_request_cancel(*, actor: Actor, principal: Principal, access_request: AccessRequest):
    """The requester withdraws an open request (or only its pending extension)."""
    if not eligibility.is_requester(principal, access_request):
        raise InvalidRequestState("Only the requester can cancel a request.", code="AccessDenied")
    with transaction.atomic():
        req = _locked(access_request, *AccessRequest.OPEN, Status.APPROVED)
        if req.status == Status.APPROVED:
            if not req.extension_pending:
                raise InvalidRequestState("Nothing to cancel: the request is already approved.")
            req.extension_hours = req.extension_requested_at = None
            req.save()
            _event(req, "extension_cancelled", actor)
            _audit(actor, req, "CancelAccessRequestExtension")
            return req
        req.status, req.decided_at = Status.CANCELLED, timezone.now()
        req.save()
        _event(req, "cancelled", actor)
        _audit(actor, req, "CancelAccessRequest")
    return req


def access_request_extend(
    *, actor: Actor, principal: Principal, access_request: AccessRequest, hours: int, justification
) -> AccessRequest:
    """The requester asks for more time on an approved, time-bound grant (reviewed again)."""
    if not eligibility.is_requester(principal, access_request):
        raise InvalidRequestState("Only the requester can ask to extend.", code="AccessDenied")
    justification = (justification or "").strip()
    if not justification:
        raise ValidationError("Say why you need more time.", fields={"justification": "required"})
    if not MIN_HOURS <= int(hours) <= max_hours():
        raise ValidationError(f"Extend by 1 to {max_hours()} hours.", fields={"hours": "range"})
    with transaction.atomic():
        req = _locked(access_request, Status.APPROVED)
        if req.expires_at is None:
            raise InvalidRequestState("A permanent grant does not expire.")
        if req.extension_pending:
            raise InvalidRequestState("An extension is already waiting for review.")
        req.extension_hours, req.extension_justification = int(hours), justification
        req.extension_requested_at, req.round = timezone.now(), req.round + 1
        req.approvers_notified_at = None
        req.save()
        _event(req, "extension_requested", actor, justification, Hours=int(hours))
        _audit(actor, req, "RequestAccessRequestExtension", Hours=int(hours))
        _enqueue_approver_notice(req)
    return req


def access_request_revoke(
    *, actor: Actor, principal: Principal, access_request: AccessRequest, authz, reason: str = ""
) -> AccessRequest:
    """End a grant now: the requester giving it up, or whoever may delete the policy."""
    if not eligibility.is_requester(principal, access_request):
        identity = access_request.identity
        authz(
            eligibility.revoke_action(access_request.requester_kind),
            identity.arn,
            resource_tags=dict(identity.tags or {}),
        )
    with transaction.atomic():
        req = _locked(access_request, Status.APPROVED)
        end_grant(req, actor, Status.REVOKED, reason or "Revoked before its expiry.")
        _audit(actor, req, "RevokeAccessRequest", Reason=reason)
    return req


def end_grant(req: AccessRequest, actor: Actor, status: str, message: str) -> None:
    """Remove the request's inline policy (already gone is fine) and close the request."""
    try:
        inline_policy_delete(actor=actor, identity=req.identity, name=req.policy_name)
    except NoSuchEntity:
        pass  # removed by hand meanwhile: the grant is over either way
    now = timezone.now()
    req.status, req.revoked_at = status, now
    req.extension_hours = req.extension_requested_at = None
    req.save()
    _event(req, status, actor, message)
    notify_requester(req, f"{req.request_id}: your access has ended. {message}")

