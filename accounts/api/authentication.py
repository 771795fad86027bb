"""DRF authentication: AWS Signature Version 4 with access keys, or the console session."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication, CSRFCheck
from rest_framework.exceptions import PermissionDenied

import accounts.api.schema  # noqa: F401 - registers their OpenAPI descriptions with the classes
from accounts.credentials import record_key_use, resolve_access_key
from accounts.errors import PasswordResetRequired
from accounts.session import principal_from_session, session_must_change_password
from accounts.sigv4 import signed_request_from_django, verify


def _is_signed(request) -> bool:
    meta = request.META
    return meta.get("HTTP_AUTHORIZATION", "").startswith(
        "AWS4-HMAC-SHA256"
    ) or "X-Amz-Signature=" in meta.get("QUERY_STRING", "")


def authenticate_sigv4(django_request):
    """(principal, credential) for a SigV4-signed request; raises SigV4Error when it fails."""
    signed = signed_request_from_django(django_request)
    credential = resolve_access_key(signed.access_key_id, signed.security_token)
    verify(signed, credential.secret_access_key)
    record_key_use(credential.access_key, service=signed.service, region=signed.region)
    django_request.principal = credential.principal
    django_request.sigv4 = signed
    return credential.principal, credential


class SigV4Authentication(BaseAuthentication):
    """``Authorization: AWS4-HMAC-SHA256 …`` or a presigned URL, verified with the key's secret.

    Failures raise the engine-independent SigV4Error (an IAMError with AWS's code), which the
    API's exception handler renders as 403 with ``SignatureDoesNotMatch``,
    ``InvalidClientTokenId``, ``ExpiredToken``, ``RequestExpired``….
    """

    def authenticate(self, request):
        if not _is_signed(request._request):
            return None
        return authenticate_sigv4(request._request)

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
