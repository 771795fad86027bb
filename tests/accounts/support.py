"""Constants and helpers shared by the users, groups and roles API and page tests."""

from __future__ import annotations

from accounts.actors import system_actor
from policies.services import attachments

ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
PASSWORD = "Corr3ct-Horse!"


def denial(action: str, resource: str) -> str:
    return (
        f"User: {ALICE} is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action"
    )


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def grant(user, *statements):
    attachments.inline_policy_put(
        actor=system_actor(),
        identity=user,
        name="grant",
        document={"Version": "2012-10-17", "Statement": list(statements)},
    )


def call(client, method, url, data=None):
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    return getattr(client, method)(url, data or {}, format="json")
