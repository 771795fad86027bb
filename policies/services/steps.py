"""Operations as steps: every IAM action an operation performs is authorized before it writes.

A step pairs a write with the checks AWS makes for it (``iam:AttachUserPolicy`` with
``iam:PolicyARN``, ``iam:CreatePolicy`` plus ``iam:TagPolicy`` with the request tags …). A
service performs one step; an operation of several steps (delete a policy after detaching it
everywhere) authorizes all of them first, so a denial part-way writes nothing and its audit
row is kept, then runs them in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from accounts.actors import Actor
from policies.authorization import authorize_actor


@dataclass(frozen=True)
class Check:
    """One IAM action on one resource, with the request-side keys of the call."""

    action: str
    resource: str
    request_tags: dict | None = None  # aws:RequestTag/* and aws:TagKeys
    extra: dict | None = None  # request parameters: iam:PolicyARN, aws:TagKeys …


@dataclass(frozen=True)
class Step:
    """A write (``run(actor)``) and the checks that must all allow it first."""

    checks: tuple[Check, ...]
    run: Callable[[Actor], Any]

    def authorize(self, actor: Actor) -> None:
        """Raise AccessDenied (audited) unless IAM allows every check; system actors pass."""
        for check in self.checks:
            authorize_actor(
                actor,
                check.action,
                check.resource,
                request_tags=check.request_tags,
                extra=check.extra,
            )


def perform(actor: Actor, step: Step) -> Any:
    """Authorize ``step`` for ``actor``, then run it."""
    step.authorize(actor)
    return step.run(actor)


def perform_all(actor: Actor, steps: Sequence[Step]) -> list:
    """Authorize every step, then run them all in one transaction (all or nothing)."""
    for step in steps:
        step.authorize(actor)
    with transaction.atomic():
        return [step.run(actor) for step in steps]
