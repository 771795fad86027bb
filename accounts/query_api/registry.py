"""The operation registry and what every handler is given: the call, its caller, helpers."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from accounts.actors import Actor
from accounts.errors import IAMError, InvalidInput
from accounts.models import Account
from accounts.principals import Principal
from policies.authorization import AuthorizationResult
from policies.permissions import require

Handler = Callable[["Call"], dict | None]
OPERATIONS: dict[tuple[str, str], Handler] = {}
DEFAULT_MAX_ITEMS = 100


def operation(service: str, name: str) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of ``service``'s operation ``name``."""

    def register(fn: Handler) -> Handler:
        OPERATIONS[(service, name)] = fn
        return fn

    return register


class NotImplementedOperation(IAMError):
    """An operation of the model that the console does not provide."""

    code = "InvalidAction"
    http_status = 400


@dataclass
class Call:
    """One query-API request: the parsed input, the authenticated caller and the audit actor."""

    request: Any
    service: str
    operation: str
    params: dict
    principal: Principal
    actor: Actor
    region: str

    @cached_property
    def account(self) -> Account:
        return Account.objects.get(account_id=self.principal.account_id)

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def require(
        self,
        action: str,
        resource: str,
        *,
        request_tags: dict | None = None,
        extra: dict | None = None,
    ) -> AuthorizationResult:
        """Authorize as the console does (denials audited, AccessDenied with AWS's message)."""
        return require(
            self.request,
            action,
            resource,
            principal=self.principal,
            region=self.region,
            request_tags=request_tags,
            extra=extra,
        )

    def arn(self, kind: str, path: str, name: str) -> str:
        """``arn:aws:iam::ACCOUNT:KIND/PATH/NAME`` in the caller's account."""
        return f"arn:aws:iam::{self.principal.account_id}:{kind}{path}{name}"


def tags_in(tags: Sequence[dict] | None) -> dict | None:
    """``[{Key, Value}]`` from the wire as the ``{key: value}`` the services take."""
    if tags is None:
        return None
    return {t["Key"]: t.get("Value", "") for t in tags}


def tags_out(tags: dict | None) -> list[dict]:
    """``{key: value}`` as the ``[{Key, Value}]`` list IAM returns."""
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


def _marker(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(marker: str | None) -> int:
    if not marker:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(marker.encode()).decode().partition(":")
        if kind == "offset" and number.isdigit():
            return int(number)
    except (ValueError, UnicodeError):
        pass
    raise InvalidInput("The specified value for Marker is not valid.")


def paginate(
    call: Call, items: Iterable | Sequence, key: str, render: Callable[[Any], Any] = lambda x: x
) -> dict:
    """``{key: page, IsTruncated, Marker?}`` from ``MaxItems`` and an opaque ``Marker``.

    ``items`` may be a queryset: only the page (plus one row, to know if more follow) is read.
    """
    limit = call.get("MaxItems") or DEFAULT_MAX_ITEMS
    start = _offset(call.get("Marker"))
    window = list(items[start : start + limit + 1])  # type: ignore[index]
    truncated = len(window) > limit
    page = {key: [render(item) for item in window[:limit]], "IsTruncated": truncated}
    if truncated:
        page["Marker"] = _marker(start + limit)
    return page
