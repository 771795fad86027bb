"""Attach the signed-in principal to every request and keep console pages behind sign-in."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from accounts.session import principal_from_session, session_must_change_password

# Paths that answer without a console session: sign-in itself, health, static files, and the
# APIs, which authenticate each request on their own (SigV4 or session, per endpoint).
PUBLIC_PREFIXES = ("/signin", "/healthz", "/static/", "/api/", "/v1/", "/favicon.ico")


def _is_public(request) -> bool:
    path = request.path
    if path == "/" and (request.method == "POST" or "Action" in request.GET):
        return True  # the AWS query API (IAM/STS) at the console's base URL
    return path.startswith(PUBLIC_PREFIXES)


class PrincipalMiddleware:
    """``request.principal``: the Principal the browser session acts as, or None.

    Public paths get None here; the APIs resolve their caller in their authentication classes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.principal = None
        if not _is_public(request):
            request.principal = principal_from_session(request)
            if request.principal is None:
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('signin')}?{query}")
            if session_must_change_password(request) and request.path not in (
                reverse("password-change"),
                reverse("signout"),
            ):
                return redirect("password-change")
        return self.get_response(request)
