"""API URLs of the accounts app (mounted under /api/v1/)."""

from django.urls import path

from accounts.api import views

urlpatterns = [
    path("caller-identity/", views.CallerIdentityApi.as_view(), name="caller-identity"),
    path(
        "users/<str:user_name>/access-keys/",
        views.AccessKeyListApi.as_view(),
        name="access-key-list",
    ),
    path(
        "users/<str:user_name>/access-keys/<str:access_key_id>/",
        views.AccessKeyDetailApi.as_view(),
        name="access-key-detail",
    ),
    path("assume-role/", views.AssumeRoleApi.as_view(), name="assume-role"),
    path("audit-events/", views.AuditEventListApi.as_view(), name="audit-event-list"),
]
