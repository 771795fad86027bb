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
