"""Who performs a change, and from where: passed as ``actor`` to every service.

An actor is a plain value so that views, API views, Celery tasks and management commands
can all build one; the audit trail records it (STYLE.md: audit without request middleware).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from accounts.principals import Principal

SYSTEM_ARN = "arn:aws:iam::aws:system/console"


@dataclass(frozen=True)
class Actor:
    """The principal behind a change plus the request it came from."""

    arn: str
    account_id: str = ""
    # root | user | assumed-role | anonymous | system. Only system_actor() says "system": an
    # actor built without a kind is never mistaken for the console acting on its own.
    kind: str = "anonymous"
    source_ip: str | None = None
    user_agent: str = ""
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    # The signed-in principal whose IAM permissions the services check, and the transport
    # facts of its request (``aws:SecureTransport``, ``aws:RequestedRegion``). None only for
    # the console acting on its own (``system_actor``) and anonymous requests.
    principal: Principal | None = field(default=None, compare=False, repr=False)
    secure: bool = False
    region: str = "us-east-1"

    @property
    def is_system(self) -> bool:
        return self.kind == "system"

    def with_request(self, *, source_ip: str | None, user_agent: str = "") -> Actor:
        return replace(self, source_ip=source_ip, user_agent=user_agent[:512])


def system_actor(account_id: str = "", *, via: str = "console") -> Actor:
    """The console itself acting (commands, tasks, migrations); audited as such."""
    return Actor(arn=SYSTEM_ARN, account_id=account_id, kind="system", user_agent=via)
