"""What every access-request step writes beside its change: a history event, an audit row;
and how it takes the request's row lock."""

from __future__ import annotations

from accounts.actors import Actor
from accounts.audit import audit_record
from policies.models import AccessRequest, AccessRequestEvent
from policies.requests.rules import InvalidRequestState


def record_event(req: AccessRequest, verb: str, actor: Actor, message: str = "", **details):
    """One line of the request's history."""
    AccessRequestEvent.objects.create(
        access_request=req, verb=verb, actor_arn=actor.arn, message=message, details=details
    )


def record_audit(actor: Actor, req: AccessRequest, action: str, **parameters) -> None:
    """The audit row of a step (``console:<action>`` on the requester's identity)."""
    audit_record(
        actor=actor,
        action=f"console:{action}",
        resource_arn=req.identity.arn,
        account_id=req.account.account_id,
        parameters={"AccessRequestId": req.request_id, **parameters},
    )


def locked(req: AccessRequest, *allowed: str) -> AccessRequest:
    """The request re-read under a row lock; InvalidRequestState unless in ``allowed``."""
    locked = (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("account", "user__account", "role__account")
        .get(pk=req.pk)
    )
    if allowed and locked.status not in allowed:
        raise InvalidRequestState(
            f"Access request {locked.request_id} is {locked.get_status_display().lower()}."
        )
    return locked
