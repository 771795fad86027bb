"""The query API's one view: authenticate (SigV4), dispatch by scope and Action, answer XML."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import replace

from botocore.model import OperationNotFoundError
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt

from accounts.api.authentication import authenticate_sigv4
from accounts.errors import AWSError, IAMError
from accounts.principals import ROOT, USER
from accounts.query_api import xml
from accounts.query_api.protocol import (
    API_VERSIONS,
    QueryValidationError,
    error_statuses,
    namespace,
    parse_input,
    service_model,
)
from accounts.query_api.registry import OPERATIONS, Call, NotImplementedOperation
from accounts.sigv4 import (
    IAM_SIGNING_REGION,
    SIGNATURE_DOES_NOT_MATCH,
    SigV4Error,
    check_scope,
    check_scope_in_valid_region,
)
from policies.authorization import AccessDenied, AuthorizationResult, actor_for, audit_denial

# Importing the handler modules registers their operations.
from accounts.query_api import (  # noqa: F401  isort: skip
    iam_access,
    iam_account,
    iam_attachments,
    iam_details,
    iam_groups,
    iam_mfa,
    iam_policies,
    iam_roles,
    iam_users,
    simulate,
    sts,
)

logger = logging.getLogger(__name__)
_SCOPE_SERVICE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/,\s]+/([^/,\s]+)/")
_QUERY_SCOPE_SERVICE = re.compile(r"^[^/]+/\d{8}/[^/]+/([^/]+)/")
# Operations whose services commit their own steps, and must: a wrong MFA code's audit row
# (the throttle's counter) is committed although the call fails (accounts.services.sts_mfa).
OWN_TRANSACTIONS = frozenset({("sts", "AssumeRole"), ("sts", "GetSessionToken")})
# GetSessionToken credentials may call only these STS operations (AWS's rule).
SESSION_TOKEN_STS_OPERATIONS = frozenset({"AssumeRole", "GetCallerIdentity"})
# Answers that carry a secret (a secret access key, session credentials, an MFA seed): sent
# with Cache-Control: no-store, so no cache between the client and the console keeps them.
SECRET_OPERATIONS = frozenset(
    {
        ("iam", "CreateAccessKey"),
        ("iam", "CreateVirtualMFADevice"),
        ("sts", "AssumeRole"),
        ("sts", "GetSessionToken"),
    }
)


class MissingAction(IAMError):
    code = "MissingAction"
    http_status = 400


def is_query_api_request(request) -> bool:
    """``POST /`` or ``GET /?Action=…``: the AWS query protocols at the console's base URL."""
    return request.method == "POST" or (request.method == "GET" and "Action" in request.GET)


def _claimed_service(request) -> str:
    """The service the credential scope names (for an error's namespace before auth succeeds)."""
    found = _SCOPE_SERVICE.search(request.META.get("HTTP_AUTHORIZATION", ""))
    if found is None:
        found = _QUERY_SCOPE_SERVICE.match(request.GET.get("X-Amz-Credential", ""))
    service = found.group(1) if found else "iam"
    return service if service in API_VERSIONS else "iam"


def _fields(request) -> dict[str, str]:
    fields = {k: v for k, v in request.GET.items() if not k.startswith("X-Amz-")}
    if request.method == "POST":
        fields.update(request.POST.items())
    return fields


def _error(exc: AWSError, service: str, request_id: str) -> HttpResponse:
    status = error_statuses(service).get(exc.code, exc.http_status)
    body = xml.error(
        exc.code, exc.message, status=status, xmlns=namespace(service), request_id=request_id
    )
    response = HttpResponse(body, status=status, content_type="text/xml")
    response["x-amzn-RequestId"] = request_id
    return response


def _check_session_token_limits(call: Call) -> None:
    """GetSessionToken credentials: IAM only with MFA, STS only AssumeRole/GetCallerIdentity."""
    principal = call.principal
    if principal.kind not in (USER, ROOT) or principal.credential != "session":
        return
    if call.service == "sts" and call.operation in SESSION_TOKEN_STS_OPERATIONS:
        return
    if call.service == "iam" and principal.mfa_authenticated_at is not None:
        return
    action = f"{call.service}:{call.operation}"
    why = (
        "because temporary credentials from GetSessionToken may call only AssumeRole and "
        "GetCallerIdentity in STS"
        if call.service == "sts"
        else "because IAM operations need temporary credentials authenticated with MFA"
    )
    message = f"User: {principal.arn} is not authorized to perform: {action} {why}"
    result = AuthorizationResult(principal, action, "*", "implicitDeny", "session", message)
    audit_denial(call.actor, result)
    raise AccessDenied(result)


def query_api_scope(signed) -> None:
    """IAM is global and signed for us-east-1; STS may be signed for any valid region."""
    if signed.service not in API_VERSIONS:
        raise SigV4Error(
            SIGNATURE_DOES_NOT_MATCH, "Credential should be scoped to correct service: 'iam'."
        )
    if signed.service == "iam":
        check_scope(signed, service="iam", region=IAM_SIGNING_REGION)
    else:
        check_scope_in_valid_region(signed, service=signed.service)


def _dispatch(request, request_id: str) -> tuple[str, HttpResponse]:
    principal, _credential = authenticate_sigv4(request, scope=query_api_scope)
    signed = request.sigv4
    service = signed.service
    fields = _fields(request)
    action = fields.pop("Action", "")
    version = fields.pop("Version", API_VERSIONS[service])
    if not action:
        raise MissingAction("Missing Action")
    try:
        if version != API_VERSIONS[service]:
            raise OperationNotFoundError(action)
        model = service_model(service).operation_model(action)
    except OperationNotFoundError:
        raise NotImplementedOperation(
            f"Could not find operation {action} for version {version}"
        ) from None
    handler = OPERATIONS.get((service, action))
    if handler is None:
        raise NotImplementedOperation(f"The action {action} is not implemented by this console.")
    params = parse_input(model.input_shape, fields)
    actor = replace(
        actor_for(request, principal=principal, region=signed.region), request_id=request_id
    )
    call = Call(request, service, action, params, principal, actor, signed.region)
    _check_session_token_limits(call)
    if (service, action) in OWN_TRANSACTIONS:
        result = handler(call)
    else:
        try:
            # One operation is one transaction: a multi-step operation (CreateUser with tags
            # and a boundary) never half-happens.
            with transaction.atomic():
                result = handler(call)
        except AccessDenied as denied:
            audit_denial(actor, denied.result)  # the denial's audit row went with the rollback
            raise
    body = xml.response(action, model.output_shape, result, namespace(service), request_id)
    response = HttpResponse(body, content_type="text/xml")
    if (service, action) in SECRET_OPERATIONS:
        add_never_cache_headers(response)
    return service, response


@csrf_exempt
def query_api(request):
    """IAM (``Version=2010-05-08``) and STS (``2011-06-15``) by the credential scope's service."""
    request_id = str(uuid.uuid4())
    service = _claimed_service(request)
    try:
        service, response = _dispatch(request, request_id)
    except AWSError as exc:
        signed = getattr(request, "sigv4", None)
        if signed is not None and signed.service in API_VERSIONS:
            service = signed.service
        return _error(exc, service, request_id)
    except (RequestDataTooBig, SuspiciousOperation) as exc:
        return _error(QueryValidationError(str(exc)), service, request_id)
    except Exception:
        logger.exception("query API failure (request %s)", request_id)
        return _error(IAMError("An internal error occurred."), service, request_id)
    response["x-amzn-RequestId"] = request_id
    return response
