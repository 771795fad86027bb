"""The console's own 404, 403 and 500 pages under every settings module.

With ``DEBUG`` on (``config.settings.local``, what `make run` uses) Django answers an unknown
address with its technical 404 page, which lists every URL pattern of the console, and an
error with a traceback page. The console shows its own pages instead, in every settings
module; a server error's traceback still goes to the log (the terminal of `make run`).
Only console pages: the APIs shape their errors themselves (``config.resilience``).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import Resolver404, get_resolver
from django.views import defaults

from config.resilience import CONSOLE, server_error, surface

log = logging.getLogger("django.request")


class ConsoleErrorPagesMiddleware:
    """Render 404/403/500 with the console's templates even when ``DEBUG`` is on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and surface(request) == CONSOLE:
            try:
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404 as exc:
                return defaults.page_not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not settings.DEBUG or surface(request) != CONSOLE:
            return None  # DEBUG off: Django's handlers render the same templates
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return defaults.permission_denied(request, exception)
        log.error("Internal Server Error: %s", request.path, exc_info=exception)
        return server_error(request)
