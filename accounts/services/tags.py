"""Tagging a user, role or managed policy: authorized, AWS's merge and removal rules, audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from accounts import rules
from accounts.actors import Actor
from accounts.audit import audit_record
from policies.authorization import authorize_actor


def resource_tag(
    *,
    actor: Actor,
    resource: Any,
    tags: dict | list,
    entity: str,
    action: str,
    snapshot: Callable[[Any], Any],
    case_insensitive_keys: bool = True,
) -> Any:
    """Add or overwrite ``tags`` on ``resource`` (at most 50 in all); audit ``action``."""
    new = rules.check_tags(tags, entity=entity, case_insensitive_keys=case_insensitive_keys)
    authorize_actor(actor, action, resource.arn, request_tags=new)
    before = snapshot(resource)
    merged = rules.check_tags(
        rules.merge_tags(resource.tags, new, case_insensitive_keys=case_insensitive_keys),
        entity=entity,
        case_insensitive_keys=case_insensitive_keys,
    )
    return _save_tags(actor, resource, merged, action, {"Tags": new}, before, snapshot)


def resource_untag(
    *,
    actor: Actor,
    resource: Any,
    keys: list[str],
    action: str,
    snapshot: Callable[[Any], Any],
    case_insensitive_keys: bool = True,
) -> Any:
    """Remove the tags with these ``keys`` from ``resource``; audit ``action``."""
    authorize_actor(actor, action, resource.arn, extra={"aws:TagKeys": list(keys)})
    before = snapshot(resource)
    removed = {_fold(k, case_insensitive_keys) for k in keys}
    kept = {
        k: v for k, v in resource.tags.items() if _fold(k, case_insensitive_keys) not in removed
    }
    return _save_tags(actor, resource, kept, action, {"TagKeys": keys}, before, snapshot)


def tags_diff(current: dict, wanted: dict) -> tuple[dict, list[str]]:
    """``(changed, removed)`` that make ``current`` into ``wanted`` (keys ignore case)."""
    changed = {k: v for k, v in wanted.items() if current.get(k) != v}
    kept = {k.lower() for k in wanted}
    return changed, [k for k in current if k.lower() not in kept]


def _save_tags(actor, resource, tags: dict, action: str, parameters: dict, before, snapshot):
    """Store the new tags and their audit row in one transaction."""
    with transaction.atomic():
        resource.tags = tags
        resource.save(update_fields=["tags"])
        audit_record(
            actor=actor,
            action=action,
            resource_arn=resource.arn,
            account_id=resource.account.account_id,
            parameters=parameters,
            before=before,
            after=snapshot(resource),
        )
    return resource


def _fold(key: str, case_insensitive: bool) -> str:
    return key.lower() if case_insensitive else key
