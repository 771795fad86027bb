"""The rules of access requests that every step shares: the account's settings, what an
intent means, which targets and durations are allowed, and building the policy itself
(``synthesis.synthesize`` with the catalog, its errors in the API's form)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from accounts.errors import IAMError, InvalidInput, NoSuchEntity, ValidationError
from accounts.models import Account, IAMUser, Role
from accounts.principals import ASSUMED_ROLE, Principal
from brokers.models import Broker, Configuration
from policies.catalog import get_catalog
from policies.documents import check_policy_document, policy_size_of_text
from policies.models import AccessRequest, AccessRequestSettings, InlinePolicy
from policies.requests.synthesis import (
    CUSTOM,
    INTENTS,
    Synthesis,
    SynthesisError,
    Target,
    synthesize,
)

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
        raise ValidationError(
            error.message, fields={error.field or "actions": "invalid"}
        ) from error


def identity_of(principal: Principal) -> IAMUser | Role:
    """The identity a principal's grant goes to: the IAM user, or a session's role."""
    if principal.is_root:
        raise InvalidInput("The root user may do everything in its account: it needs no request.")
    if principal.kind == ASSUMED_ROLE:
        return Role.objects.select_related("account").get(pk=principal.role_pk)
    return IAMUser.objects.select_related("account").get(pk=principal.pk)


def check_size(identity, kind: str, text: str, policy_name: str) -> None:
    others = InlinePolicy.objects.filter(**{kind: identity}).exclude(name=policy_name)
    used = sum(policy_size_of_text(p.document) for p in others)
    check_policy_document(text, kind="identity", entity=kind, used_size=used)


def provisional_expiry(duration_hours: int | None, now: datetime) -> datetime | None:
    return None if duration_hours is None else now + timedelta(hours=duration_hours)


def narrow(req: AccessRequest, duration_hours, targets) -> dict:
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


def warn_at(expires_at: datetime | None, hours: int | None) -> datetime | None:
    """Warn a day before expiry, or at the last quarter of a shorter grant."""
    if expires_at is None or hours is None:
        return None
    lead = min(
        timedelta(hours=settings.MQIAM.get("ACCESS_REQUEST_WARNING_HOURS", 24)),
        timedelta(hours=hours) / 4,
    )
    return expires_at - lead
