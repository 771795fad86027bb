"""Tags of brokers and configurations: CreateTags, DeleteTags, addressed by ARN."""

from __future__ import annotations

import re

from django.db import transaction

from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.models import Account
from brokers import rules
from brokers.authz import Authorizer, authorize
from brokers.errors import bad_request, broker_not_found, configuration_not_found
from brokers.models import Broker, Configuration

ARN_RE = re.compile(
    r"^arn:aws:mq:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?:broker:(?P<name>[^:]+):(?P<broker_id>[^:]+)|configuration:(?P<configuration_id>[^:]+))$"
)


def resource_for_arn(account: Account, arn: str) -> Broker | Configuration:
    """The broker or configuration an ARN names in ``account``; NotFound otherwise."""
    match = ARN_RE.match(arn or "")
    if match is None:
        raise bad_request(f"[{arn}] is not a valid Amazon MQ resource ARN.", "resource-arn")
    if match.group("broker_id"):
        broker = (
            Broker.objects.select_related("account")
            .filter(
                account=account, region=match.group("region"), broker_id=match.group("broker_id")
            )
            .first()
        )
        if broker is None or match.group("account") != account.account_id or broker.arn != arn:
            raise broker_not_found(match.group("broker_id"))
        return broker
    configuration = (
        Configuration.objects.select_related("account")
        .filter(
            account=account,
            region=match.group("region"),
            configuration_id=match.group("configuration_id"),
        )
        .first()
    )
    if configuration is None or match.group("account") != account.account_id:
        raise configuration_not_found(match.group("configuration_id"))
    return configuration


def tags_create(
    *,
    actor: Actor,
    resource: Broker | Configuration,
    tags: dict,
    authz: Authorizer | None = None,
) -> dict:
    """Add or overwrite tags; returns the resource's tags."""
    authorize(
        authz,
        "mq:CreateTags",
        resource.arn,
        request_tags=dict(tags or {}),
    )
    tags = rules.check_tags(tags)
    with transaction.atomic():
        locked = type(resource).objects.select_for_update().get(pk=resource.pk)
        before = dict(locked.tags)
        merged = rules.check_tags({**locked.tags, **tags})
        locked.tags = merged
        locked.save(update_fields=["tags"])
        audit_record(
            actor=actor,
            action="mq:CreateTags",
            resource_arn=resource.arn,
            account_id=resource.account.account_id,
            parameters={"Tags": tags},
            before={"Tags": before},
            after={"Tags": merged},
        )
    resource.tags = merged
    return merged


def tags_delete(
    *,
    actor: Actor,
    resource: Broker | Configuration,
    keys: list[str],
    authz: Authorizer | None = None,
) -> dict:
    """Remove tag keys (absent keys are ignored); returns the resource's tags."""
    keys = list(keys or [])
    if not keys:
        raise bad_request("tagKeys must name at least one tag key.", "tagKeys")
    authorize(
        authz,
        "mq:DeleteTags",
        resource.arn,
        extra={"aws:TagKeys": keys},
    )
    with transaction.atomic():
        locked = type(resource).objects.select_for_update().get(pk=resource.pk)
        before = dict(locked.tags)
        locked.tags = {k: v for k, v in locked.tags.items() if k not in keys}
        locked.save(update_fields=["tags"])
        audit_record(
            actor=actor,
            action="mq:DeleteTags",
            resource_arn=resource.arn,
            account_id=resource.account.account_id,
            parameters={"TagKeys": keys},
            before={"Tags": before},
            after={"Tags": locked.tags},
        )
    resource.tags = locked.tags
    return locked.tags
