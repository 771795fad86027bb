"""Domain errors carrying AWS's error codes, raised by services and shown by UI and API alike."""

from __future__ import annotations


class AWSError(Exception):
    """An error with an AWS error code (``EntityAlreadyExists``…), message and HTTP status.

    Each interface has one handler that renders an ``AWSError`` in its own shape (console page,
    REST JSON, IAM XML, Amazon MQ JSON).
    """

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


class IAMError(AWSError):
    """An operation's own error: bad input, a missing entity, a conflict, a quota.

    Authorization's ``AccessDenied`` is an ``AWSError`` but not an ``IAMError``: a form that
    shows an operation's errors next to its fields never swallows a denial, which every
    interface renders through its one denial handler.
    """


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
