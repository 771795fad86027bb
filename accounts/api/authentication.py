"""DRF authentication: AWS Signature Version 4 with access keys, or the console session."""

from __future__ import annotations

import re
from collections.abc import Callable

from rest_framework.authentication import BaseAuthentication, CSRFCheck
from rest_framework.exceptions import PermissionDenied

import accounts.api.schema  # noqa: F401 - registers their OpenAPI descriptions with the classes
from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.credentials import key_owner, record_key_use, resolve_access_key
from accounts.errors import PasswordResetRequired
from accounts.models import AuditEvent
from accounts.session import principal_from_session, session_must_change_password
from accounts.sigv4 import (
    MISSING_AUTHENTICATION_TOKEN,
    SignedRequest,
    SigV4Error,
    check_scope_in_valid_region,
    signed_request_from_django,
    verify,
)
from policies.authorization import client_ip


def _is_signed(request) -> bool:
    meta = request.META
    return meta.get("HTTP_AUTHORIZATION", "").startswith(
        "AWS4-HMAC-SHA256"
    ) or "X-Amz-Signature=" in meta.get("QUERY_STRING", "")


REST_API_SIGNING_SERVICE = "execute-api"  # docs/sigv4.md: the service /api/v1/ is signed for
_CREDENTIAL_KEY_ID = re.compile(r"Credential=([A-Za-z0-9]{16,128})/")


def authenticate_sigv4(django_request, *, scope: Callable[[SignedRequest], None] | None = None):
    """(principal, credential) for a SigV4-signed request; raises SigV4Error when it fails.

    ``scope`` checks the credential scope (service, region) before the key is looked up, in
    AWS's order. Every failure is audited (sigv4_failure_audit).
    """
    signed = None
    try:
        signed = signed_request_from_django(django_request)
        if scope is not None:
            scope(signed)
        credential = resolve_access_key(signed.access_key_id, signed.security_token)
        verify(signed, credential.secret_access_key)
    except SigV4Error as error:
        sigv4_failure_audit(django_request, signed, error)
        raise
    record_key_use(credential.access_key, service=signed.service, region=signed.region)
    django_request.principal = credential.principal
    django_request.sigv4 = signed
    return credential.principal, credential


def rest_api_scope(signed: SignedRequest) -> None:
    """/api/v1/: signed for ``execute-api`` in any valid region (docs/sigv4.md)."""
    check_scope_in_valid_region(signed, service=REST_API_SIGNING_SERVICE)


def _claimed_key_id(django_request, signed: SignedRequest | None) -> str:
    if signed is not None:
        return signed.access_key_id
    found = _CREDENTIAL_KEY_ID.search(django_request.META.get("HTTP_AUTHORIZATION", ""))
    if found is None:
        credential = django_request.GET.get("X-Amz-Credential", "")
        return credential.split("/", 1)[0][:128] if "/" in credential else ""
    return found.group(1)


def sigv4_failure_audit(django_request, signed: SignedRequest | None, error: SigV4Error) -> None:
    """Audit a failed signature in the key owner's account (wrong secret, expired, inactive…).

    A request without any signature, or with a key id that belongs to no one, is not recorded.
    """
    if error.code == MISSING_AUTHENTICATION_TOKEN:
        return
    key_id = _claimed_key_id(django_request, signed)
    owner_arn, account_id = key_owner(key_id) if key_id else ("", "")
    if not owner_arn:
        # A key id no account has: there is no owner to tell (CloudTrail has no trail to
        # deliver to either), and recording it would let anyone fill the audit table.
        return
    actor = Actor(
        arn=owner_arn,
        account_id=account_id,
        kind="user",
        source_ip=client_ip(django_request),
        user_agent=django_request.META.get("HTTP_USER_AGENT", "")[:512],
    )
    audit_record(
        actor=actor,
        action="sigv4:Authenticate",
        resource_arn=owner_arn,
        account_id=account_id,
        parameters={
            "AccessKeyId": key_id,
            "Service": signed.service if signed else "",
            "Region": signed.region if signed else "",
            "Method": django_request.method,
            "Path": django_request.path[:512],
        },
        decision=AuditEvent.Decision.ERROR,
        error_code=error.code,
        message=error.message,
    )


class SigV4Authentication(BaseAuthentication):
    """``Authorization: AWS4-HMAC-SHA256 …`` or a presigned URL, verified with the key's secret.

    Failures raise the engine-independent SigV4Error (an IAMError with AWS's code), which the
    API's exception handler renders as 403 with ``SignatureDoesNotMatch``,
    ``InvalidClientTokenId``, ``ExpiredToken``, ``RequestExpired``….
    """

    def authenticate(self, request):
        if not _is_signed(request._request):
            return None
        return authenticate_sigv4(request._request, scope=rest_api_scope)

    def authenticate_header(self, request):
        return "AWS4-HMAC-SHA256"


class ConsoleSessionAuthentication(BaseAuthentication):
    """The browser's console session (CSRF enforced on unsafe methods, as DRF's own class)."""

    def authenticate(self, request):
        django_request = request._request
        principal = principal_from_session(django_request)
        if principal is None:
            return None
        if session_must_change_password(django_request):
            # The console lets such a session reach only the password change page; the API
            # sharing its cookie must not be a way around it.
            raise PasswordResetRequired(
                "You must change your password before you can use the console or its API."
            )
        self._enforce_csrf(django_request)
        django_request.principal = principal
        return principal, None

    def _enforce_csrf(self, django_request):
        check = CSRFCheck(lambda req: None)
        check.process_request(django_request)
        reason = check.process_view(django_request, None, (), {})
        if reason:
            raise PermissionDenied(f"CSRF Failed: {reason}")
