"""The console's one denial handler: a page whose service said AccessDenied shows AWS's 403.

Services raise ``policies.authorization.AccessDenied`` (already audited); console views do
not catch it. The REST API, the IAM/STS query API and the Amazon MQ API render the same
exception in their own shapes through their own single handlers.
"""

from __future__ import annotations

from policies.authorization import AccessDenied
from policies.permissions import render_denied


class DenialMiddleware:
    """Render ``AccessDenied`` raised by a console view as the console's 403 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, AccessDenied):
            return render_denied(request, exception.result)
        return None
