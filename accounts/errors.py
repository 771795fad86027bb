"""Domain errors carrying AWS's error codes, raised by services and shown by UI and API alike."""

from __future__ import annotations


class IAMError(Exception):
    """An error with an AWS error code (``EntityAlreadyExists``…), message and HTTP status."""

    code = "ServiceFailure"
    http_status = 500

    def __init__(self, message: str, *, fields: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ValidationError(IAMError):
    """A value breaks AWS's format rules (HTTP 400, code ``ValidationError``)."""

    code = "ValidationError"
    http_status = 400


class InvalidInput(IAMError):
    code = "InvalidInput"
    http_status = 400


class MalformedPolicyDocument(IAMError):
    code = "MalformedPolicyDocument"
    http_status = 400


class EntityAlreadyExists(IAMError):
    code = "EntityAlreadyExists"
    http_status = 409


class NoSuchEntity(IAMError):
    code = "NoSuchEntity"
    http_status = 404


class LimitExceeded(IAMError):
    code = "LimitExceeded"
    http_status = 409


class DeleteConflict(IAMError):
    code = "DeleteConflict"
    http_status = 409


class UnmodifiableEntity(IAMError):
    code = "UnmodifiableEntity"
    http_status = 400


class AccessDenied(IAMError):
    code = "AccessDenied"
    http_status = 403


class PasswordResetRequired(IAMError):
    """The caller's password must be changed first (HTTP 403, AWS's ``PasswordResetRequired``)."""

    code = "PasswordResetRequired"
    http_status = 403
