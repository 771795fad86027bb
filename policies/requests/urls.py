"""Console URLs of access requests and notifications."""

from django.urls import path

from policies.requests import review, views

urlpatterns = [
    path("requests", views.AccessRequestListView.as_view(), name="access-request-list"),
    path("requests/new", views.AccessRequestCreateView.as_view(), name="access-request-create"),
    path(
        "requests/preview", views.AccessRequestPreviewView.as_view(), name="access-request-preview"
    ),
    path(
        "requests/review",
        views.AccessRequestReviewListView.as_view(),
        name="access-request-review-list",
    ),
    path(
        "requests/settings",
        views.AccessRequestSettingsView.as_view(),
        name="access-request-settings",
    ),
    path(
        "requests/<str:request_id>",
        views.AccessRequestDetailView.as_view(),
        name="access-request-detail",
    ),
    path(
        "requests/<str:request_id>/edit",
        views.AccessRequestEditView.as_view(),
        name="access-request-edit",
    ),
    path(
        "requests/<str:request_id>/cancel",
        views.AccessRequestCancelView.as_view(),
        name="access-request-cancel",
    ),
    path(
        "requests/<str:request_id>/extend",
        views.AccessRequestExtendView.as_view(),
        name="access-request-extend",
    ),
    path(
        "requests/<str:request_id>/review",
        review.AccessRequestReviewView.as_view(),
        name="access-request-review",
    ),
    path(
        "requests/<str:request_id>/blast-radius",
        review.AccessRequestBlastRadiusView.as_view(),
        name="access-request-blast-radius",
    ),
    path(
        "requests/<str:request_id>/approve",
        review.AccessRequestApproveView.as_view(),
        name="access-request-approve",
    ),
    path(
        "requests/<str:request_id>/deny",
        review.AccessRequestDenyView.as_view(),
        name="access-request-deny",
    ),
    path(
        "requests/<str:request_id>/request-changes",
        review.AccessRequestChangesView.as_view(),
        name="access-request-changes",
    ),
    path(
        "requests/<str:request_id>/revoke",
        review.AccessRequestRevokeView.as_view(),
        name="access-request-revoke",
    ),
    path("notifications", views.NotificationListView.as_view(), name="notification-list"),
    path(
        "notifications/<int:pk>/open",
        views.NotificationOpenView.as_view(),
        name="notification-open",
    ),
]
