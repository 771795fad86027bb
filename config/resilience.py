"""Clean failures on every surface: bodies over the size limit, and the database gone.

The console has four surfaces, each with its own error shape: the browser pages (HTML), the
REST API under ``/api/`` (``{"error": {"code", "message"}}``), the IAM/STS query API at ``/``
(AWS's XML ``ErrorResponse``) and the Amazon MQ API under ``/v1/`` (``x-amzn-ErrorType`` and
``{"message"}``). ``RequestGuardMiddleware`` answers, in the caller's shape,

* 413 to a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` before anything reads it (the
  MQ API and SigV4 read ``request.body`` themselves, and DRF's parsers read the stream
  without Django's limit), and
* 503 with ``Retry-After`` instead of a 500 when the request failed because PostgreSQL is
  unreachable (restarting, failed over): views and middleware that touch the database fail
  with ``OperationalError``/``InterfaceError``, and the query and MQ APIs catch every
  exception into their own 500. ``CONN_HEALTH_CHECKS`` makes the next request reconnect.

``bad_request`` and ``server_error`` are the URLconf's 400 and 500 handlers, shaping
Django's own error answers (too many form fields, an uncaught error) by surface too.
"""

from __future__ import annotations

import logging
import sys
import uuid

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils.html import escape
from django.views import defaults

log = logging.getLogger("mqiam.resilience")

CONSOLE, REST, QUERY, MQ = "console", "rest", "query", "mq"
RETRY_AFTER_S = 5
_QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}


def surface(request) -> str:
    """Which of the console's interfaces ``request`` addresses."""
    path = request.path
    if path.startswith("/v1/"):
        return MQ
    if path.startswith("/api/"):
        return REST
    if path == "/" and (request.method == "POST" or "Action" in request.GET):
        return QUERY
    return CONSOLE


def _query_service(request) -> str:
    scope = request.META.get("HTTP_AUTHORIZATION", "") + request.GET.get("X-Amz-Credential", "")
    return "sts" if "/sts/aws4_request" in scope else "iam"


def error_response(request, status: int, code: str, message: str) -> HttpResponse:
    """An error in the shape the caller's interface uses."""
    kind = surface(request)
    request_id = str(uuid.uuid4())
    if kind == REST:
        response: HttpResponse = JsonResponse(
            {"error": {"code": code, "message": message}}, status=status
        )
    elif kind == QUERY:
        fault = "Sender" if status < 500 else "Receiver"
        namespace = _QUERY_NAMESPACES[_query_service(request)]
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<ErrorResponse xmlns="{namespace}"><Error><Type>{fault}</Type>'
            f"<Code>{code}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        response = HttpResponse(body, status=status, content_type="text/xml")
    elif kind == MQ:
        response = JsonResponse({"message": message}, status=status)
        response["x-amzn-ErrorType"] = f"{code}Exception"
    else:
        response = HttpResponse(_page(status, message), status=status)
        response["X-Frame-Options"] = "DENY"
    if kind in (QUERY, MQ):
        response["x-amzn-RequestId"] = request_id
    return response


def _page(status: int, message: str) -> str:
    """A self-contained page: it must render with the database down (no template context)."""
    titles = {
        400: "Bad request",
        413: "Request too large",
        500: "Something went wrong",
        503: "The console is briefly unavailable",
    }
    title = titles.get(status, "Error")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title} · MQ IAM console</title>"
        f'<link rel="stylesheet" href="{_stylesheet()}">'
        '</head><body><main class="container py-5"><h1 class="h3">'
        f'{title}</h1><p class="lead">{escape(message)}</p>'
        '<p><a class="btn btn-primary" href="/">Back to the dashboard</a></p>'
        "</main></body></html>"
    )


def _stylesheet() -> str:
    try:
        return static("vendor/bootstrap/css/bootstrap.min.css")
    except ValueError:  # not collected yet (manifest storage): the page still reads fine
        return ""


def too_large(request, limit: int) -> HttpResponse:
    """413: the body is over the upload limit (checked from Content-Length, never read)."""
    code = "BadRequest" if surface(request) == MQ else "RequestEntityTooLarge"
    return error_response(
        request, 413, code, f"The request body is larger than the limit of {limit} bytes."
    )


def unavailable(request) -> HttpResponse:
    """503 with Retry-After: the database is unreachable; the same request may succeed soon."""
    response = error_response(
        request,
        503,
        "ServiceUnavailable",
        "The service is unavailable: its database is restarting. Retry in a few seconds.",
    )
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


def database_unavailable() -> bool:
    """True when PostgreSQL does not answer on this process's connection."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (OperationalError, InterfaceError):
        return True
    except DatabaseError:  # e.g. a transaction left aborted: the server itself answered
        return False
    return False


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RequestGuardMiddleware:
    """Refuse oversized bodies up front; turn failures caused by a lost database into 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and _content_length(request) > limit:
            return too_large(request, limit)
        response = self.get_response(request)
        if response.status_code == 500 and database_unavailable():
            log.warning("database unavailable: %s %s answered 503", request.method, request.path)
            return unavailable(request)
        return response


def bad_request(request, exception=None):
    """handler400: Django's 400 (too many fields, a bad Host…) in the caller's shape."""
    kind = surface(request)
    if kind == CONSOLE:
        return defaults.bad_request(request, exception)
    code = {MQ: "BadRequest", QUERY: "MalformedInput"}.get(kind, "MalformedInput")
    return error_response(request, 400, code, "The request could not be read.")


def server_error(request):
    """handler500: 503 when the database is the cause, else a 500 in the caller's shape."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)) or database_unavailable():
        return unavailable(request)
    kind = surface(request)
    if kind == CONSOLE:
        return defaults.server_error(request)
    code = {MQ: "InternalServerError", QUERY: "InternalFailure"}.get(kind, "InternalError")
    return error_response(request, 500, code, "An internal error occurred.")
