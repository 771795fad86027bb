"""The rest-json protocol of Amazon MQ: request context, handler registry, error responses.

botocore reads an error's code from the ``x-amzn-ErrorType`` header (cut at ``:``) and its
message from the body's ``message``; modelled errors (``ForbiddenException``…) also carry
``errorAttribute``. Authentication failures use the names AWS's JSON front door uses
(docs/sigv4.md).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse

from accounts.actors import Actor
from accounts.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    IAMError,
    InvalidInput,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    ValidationError,
)
from accounts.models import Account
from accounts.principals import Principal
from accounts.sigv4 import REST_JSON_ERROR_TYPES, SigV4Error
from brokers.authz import RequestAuthorizer
from brokers.errors import MQError, bad_request
from policies.authorization import AccessDenied

DEFAULT_MAX_RESULTS = 20
MAX_RESULTS = (1, 100)

Handler = Callable[["MQContext", dict], dict]
HANDLERS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register the handler of the reference operation ``name``."""

    def register(function: Handler) -> Handler:
        HANDLERS[name] = function
        return function

    return register


@dataclass
class MQContext:
    """One authenticated Amazon MQ API call: who, in which account and region, which op."""

    request: Any
    principal: Principal
    account: Account
    region: str
    actor: Actor
    operation: dict

    @property
    def authz(self) -> RequestAuthorizer:
        return RequestAuthorizer(self.request, self.principal, self.region)

    def authorize(self, resource: str) -> None:
        """Authorize this operation's own IAM action (the reference's required_permission)."""
        self.authz(self.operation["required_permission"], resource)


def json_response(status: int, body: dict | None, request_id: str, **headers) -> HttpResponse:
    content = b"" if body is None else json.dumps(body).encode()
    response = HttpResponse(content, status=status, content_type="application/json")
    response["x-amzn-RequestId"] = request_id
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error_response(
    code: str, message: str, status: int, request_id: str, attribute: str | None = None
) -> HttpResponse:
    body: dict = {"message": message}
    if attribute:
        body["errorAttribute"] = attribute
    return json_response(status, body, request_id, x_amzn_ErrorType=code)


_IAM_TO_MQ = (
    (
        (ValidationError, InvalidInput, MalformedPolicyDocument, LimitExceeded),
        "BadRequestException",
    ),
    ((NoSuchEntity,), "NotFoundException"),
    ((EntityAlreadyExists, DeleteConflict), "ConflictException"),
)


def error_for(error: Exception, request_id: str, errors: dict) -> HttpResponse:
    """The MQ-shaped response of a domain or authentication error."""
    if isinstance(error, SigV4Error):
        code = REST_JSON_ERROR_TYPES.get(error.code, error.code)
        return error_response(code, error.message, error.http_status, request_id)
    if isinstance(error, AccessDenied):
        return error_response("ForbiddenException", error.message, 403, request_id)
    if isinstance(error, MQError):
        return error_response(
            error.code, error.message, error.http_status, request_id, error.error_attribute
        )
    if isinstance(error, IAMError):
        code = next(
            (name for kinds, name in _IAM_TO_MQ if isinstance(error, kinds)),
            "InternalServerErrorException",
        )
        attribute = next(iter(error.fields), None) if error.fields else None
        return error_response(
            code, error.message, errors[code]["http_status"], request_id, attribute
        )
    raise error


def page(items, params: dict) -> tuple[list, str | None, int]:
    """One page of ``items`` by maxResults/nextToken; the token is an opaque offset."""
    max_results = params.get("maxResults", DEFAULT_MAX_RESULTS)
    if not MAX_RESULTS[0] <= max_results <= MAX_RESULTS[1]:
        raise bad_request(
            f"maxResults must be between {MAX_RESULTS[0]} and {MAX_RESULTS[1]}.", "maxResults"
        )
    offset = 0
    token = params.get("nextToken")
    if token:
        try:
            offset = int(base64.urlsafe_b64decode(token.encode()).decode())
        except (ValueError, binascii.Error, UnicodeDecodeError) as error:
            raise bad_request("The nextToken is invalid.", "nextToken") from error
    chunk = items[offset : offset + max_results]
    following = offset + max_results
    total = items.count() if isinstance(items, QuerySet) else len(items)
    next_token = None
    if following < total:
        next_token = base64.urlsafe_b64encode(str(following).encode()).decode()
    return list(chunk), next_token, max_results


def decode_data(value: str) -> str:
    """Configuration data travels base64-encoded on Amazon MQ's wire."""
    try:
        return base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeError) as error:
        raise bad_request("data must be base64-encoded UTF-8 text.", "data") from error
