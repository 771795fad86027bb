"""API URLs of access requests (mounted under /api/v1/, namespace ``api``)."""

from django.urls import path

from policies.requests import api

urlpatterns = [
    path("access-requests/", api.AccessRequestListApi.as_view(), name="access-request-list"),
    path(
        "access-requests/preview/",
        api.AccessRequestPreviewApi.as_view(),
        name="access-request-preview",
    ),
    path(
        "access-requests/<str:request_id>/",
        api.AccessRequestDetailApi.as_view(),
        name="access-request-detail",
    ),
    path(
        "access-requests/<str:request_id>/approve/",
        api.AccessRequestApproveApi.as_view(),
        name="access-request-approve",
    ),
    path(
        "access-requests/<str:request_id>/deny/",
        api.AccessRequestDenyApi.as_view(),
        name="access-request-deny",
    ),
    path(
        "access-requests/<str:request_id>/request-changes/",
        api.AccessRequestChangesApi.as_view(),
        name="access-request-changes",
    ),
    path(
        "access-requests/<str:request_id>/cancel/",
        api.AccessRequestCancelApi.as_view(),
        name="access-request-cancel",
    ),
    path(
        "access-requests/<str:request_id>/extend/",
        api.AccessRequestExtendApi.as_view(),
        name="access-request-extend",
    ),
    path(
        "access-requests/<str:request_id>/revoke/",
        api.AccessRequestRevokeApi.as_view(),
        name="access-request-revoke",
    ),
    path("notifications/", api.NotificationListApi.as_view(), name="notification-list"),
]
