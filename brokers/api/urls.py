"""API URLs of the brokers app (mounted under /api/v1/)."""

from django.urls import path

from brokers.api import configurations, views

urlpatterns = [
    path("brokers/", views.BrokerListApi.as_view(), name="broker-list"),
    path("brokers/<str:broker_id>/", views.BrokerDetailApi.as_view(), name="broker-detail"),
    path("brokers/<str:broker_id>/reboot/", views.BrokerRebootApi.as_view(), name="broker-reboot"),
    path(
        "brokers/<str:broker_id>/users/",
        views.BrokerUserListApi.as_view(),
        name="broker-user-list",
    ),
    path(
        "brokers/<str:broker_id>/users/<str:username>/",
        views.BrokerUserDetailApi.as_view(),
        name="broker-user-detail",
    ),
    path(
        "brokers/<str:resource_id>/tags/",
        configurations.TagsApi.as_view(kind="broker"),
        name="broker-tags",
    ),
    path(
        "configurations/", configurations.ConfigurationListApi.as_view(), name="configuration-list"
    ),
    path(
        "configurations/<str:configuration_id>/",
        configurations.ConfigurationDetailApi.as_view(),
        name="configuration-detail",
    ),
    path(
        "configurations/<str:configuration_id>/revisions/",
        configurations.RevisionListApi.as_view(),
        name="configuration-revision-list",
    ),
    path(
        "configurations/<str:configuration_id>/revisions/<int:revision>/",
        configurations.RevisionDetailApi.as_view(),
        name="configuration-revision-detail",
    ),
    path(
        "configurations/<str:resource_id>/tags/",
        configurations.TagsApi.as_view(kind="configuration"),
        name="configuration-tags",
    ),
]
