"""API URLs of the matrix (mounted under /api/v1/)."""

from django.urls import path

from policies.effective import api

urlpatterns = [
    path("matrix/freshness/", api.FreshnessApi.as_view(), name="matrix-freshness"),
    path(
        "effective-permissions/<str:kind>/<str:name>/",
        api.EffectivePermissionsApi.as_view(),
        name="effective-permissions",
    ),
    path("who-can/", api.WhoCanApi.as_view(), name="who-can"),
    path("preview/", api.PreviewApi.as_view(), name="preview"),
]
