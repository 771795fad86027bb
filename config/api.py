"""What every API endpoint shares: one JSON error format and one pagination style."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.errors import AWSError


class StandardPagination(PageNumberPagination):
    """Page-number pagination with a client-chosen page size up to 500."""

    page_size_query_param = "page_size"
    max_page_size = 500


# DRF's own exception classes mapped to AWS-style error codes.
_CODES = {
    exceptions.NotAuthenticated: "NotAuthenticated",
    exceptions.AuthenticationFailed: "AuthenticationFailed",
    exceptions.PermissionDenied: "AccessDenied",
    exceptions.NotFound: "NoSuchEntity",
    exceptions.MethodNotAllowed: "MethodNotAllowed",
    exceptions.ParseError: "MalformedInput",
    exceptions.UnsupportedMediaType: "UnsupportedMediaType",
    exceptions.Throttled: "Throttling",
    exceptions.ValidationError: "ValidationError",
}


def error_body(code: str, message: str, *, fields: dict | None = None) -> dict:
    """The one error shape of the API: ``{"error": {"code", "message", "fields"?}}``."""
    body: dict = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return body


def exception_handler(exc, context):
    """Map Django and DRF exceptions (and domain errors carrying a ``code``) to error_body."""
    if isinstance(exc, AWSError):
        return Response(
            error_body(exc.code, exc.message, fields=getattr(exc, "fields", None)),
            status=exc.http_status,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), "Error")
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        message = "; ".join(
            f"{name}: {' '.join(str(m) for m in (msgs if isinstance(msgs, list) else [msgs]))}"
            for name, msgs in fields.items()
        )
        response.data = error_body(code, message, fields=fields)
    else:
        detail = getattr(exc, "detail", str(exc))
        response.data = error_body(getattr(exc, "aws_code", code), str(detail))
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response.status_code = status.HTTP_403_FORBIDDEN
    return response
