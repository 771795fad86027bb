"""Top-level URLs: the console pages, the REST API with its schema and docs, health."""

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from config import views
from config.health import healthz

api_v1 = [
    path("", views.ApiRootView.as_view(), name="api-root"),
    path("", include("accounts.api.urls")),
    path("", include("policies.api.urls")),
    path("", include("policies.effective.api_urls")),
    path("", include("policies.simulator.api_urls")),
    path("", include("brokers.api.urls")),
    path("", include("policies.requests.api_urls")),
]

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("policies.urls")),
    path("", include("policies.effective.urls")),
    path("", include("policies.simulator.urls")),
    path("", include("brokers.urls")),
    path("", include("policies.requests.urls")),
    path("healthz", healthz, name="healthz"),
    path("v1/", include("brokers.mq_api.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

# Django's own 400 and 500 answers in each interface's error shape; 503 when the database
# is the cause (config/resilience.py).
handler400 = "config.resilience.bad_request"
handler500 = "config.resilience.server_error"
