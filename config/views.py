"""Project-level views: the landing page and the API root."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiRootView(APIView):
    """Entry point of /api/v1/: links to every collection and to the schema."""

    permission_classes = [AllowAny]

    @extend_schema(summary="API root", responses={200: dict})
    def get(self, request):
        return Response(
            {
                "schema": reverse("api-schema", request=request),
                "docs": reverse("api-docs", request=request),
            }
        )


def safe_next(request, default: str) -> str:
    """The ``next`` path of the request if it stays on this site, else ``default``.

    Only same-site paths: an open redirect (after sign-in, after a confirmation) would help
    phishing.
    """
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return default
