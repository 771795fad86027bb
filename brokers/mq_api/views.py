"""One view per Amazon MQ path; it dispatches on the HTTP method to the reference operation.

Every call is SigV4-authenticated (service ``mq``), its input checked against the reference's
request members, handled by the operation's handler, and its output filtered through the
reference's response shape, so boto3's ``mq`` client works unchanged.
"""

from __future__ import annotations

import logging

from django.views.decorators.csrf import csrf_exempt

from accounts.api.authentication import authenticate_sigv4
from accounts.errors import AWSError
from accounts.models import Account
from accounts.sigv4 import check_scope
from brokers import shapes
from brokers.errors import bad_request
from brokers.mq_api import handlers  # noqa: F401  (registers the handlers)
from brokers.mq_api.protocol import (
    HANDLERS,
    MQContext,
    error_for,
    error_response,
    json_response,
)
from config import jsonsafe
from policies.authorization import actor_for
from policies.aws_managed import mq_reference

logger = logging.getLogger(__name__)


def _query_value(member: dict, request):
    name, type_name = member["name"], member["type"]
    if type_name.startswith("list<"):
        return request.GET.getlist(name) or None
    raw = request.GET.get(name)
    if raw is None or type_name != "integer":
        return raw
    try:
        return int(raw)
    except ValueError as error:
        raise bad_request(f"{name} must be an integer.", name) from error


def parse_input(operation: dict, request, uri: dict) -> dict:
    """The operation's input, keyed by wire name, checked against the reference types."""
    params: dict = {}
    body_members = []
    for member in operation["request"]:
        location = member.get("location", "body")
        if location == "uri":
            params[member["name"]] = uri[member["name"].replace("-", "_")]
        elif location == "querystring":
            value = _query_value(member, request)
            if value is None and member.get("required"):
                raise bad_request(f"{member['name']} is required.", member["name"])
            if value is not None:
                params[member["name"]] = value
        else:
            body_members.append(member)
    if body_members:
        try:
            body = jsonsafe.loads(request.body or b"{}")
        except jsonsafe.JSONTooDeep as error:
            raise bad_request(f"The request body is not valid: {error}.", "body") from error
        except (ValueError, UnicodeDecodeError) as error:
            raise bad_request("The request body is not valid JSON.", "body") from error
        params.update(shapes.read_members(body_members, body))
    return params


def _mq_scope(signed) -> None:
    check_scope(signed, service=mq_reference()["signing_name"])


def make_view(operations_by_method: dict[str, dict]):
    """The view of one path: the operations served there, by HTTP method."""

    @csrf_exempt
    def view(request, **uri):
        request_id = actor_for(request).request_id
        errors = mq_reference()["api_errors"]
        operation = operations_by_method.get(request.method)
        if operation is None:
            return error_response(
                "UnknownOperationException",
                f"{request.method} is not an operation of {request.path}.",
                404,
                request_id,
            )
        try:
            principal, _credential = authenticate_sigv4(request, scope=_mq_scope)
            context = MQContext(
                request=request,
                principal=principal,
                account=Account.objects.get(account_id=principal.account_id),
                region=request.sigv4.region,
                actor=actor_for(request, principal=principal, region=request.sigv4.region),
                operation=operation,
            )
            request_id = context.actor.request_id
            params = parse_input(operation, request, uri)
            result = HANDLERS[operation["name"]](context, params)
        except AWSError as error:
            return error_for(error, request_id, errors)
        except Exception:
            # Whatever broke, the client gets Amazon MQ's 500 shape (and the log the details).
            logger.exception("Amazon MQ API %s failed", operation["name"])
            return error_response(
                "InternalServerErrorException", "Internal server error.", 500, request_id
            )
        status = operation["success_status"]
        if status == 204:
            return json_response(204, None, request_id)
        body = shapes.write_members(shapes.output_shape(operation), result or {})
        return json_response(status, body, request_id)

    return view
