"""Console URLs of the brokers app."""

from django.urls import path

from brokers.views import brokers, configurations, tags, users, wizard

urlpatterns = [
    path("brokers", brokers.BrokerListView.as_view(), name="broker-list"),
    path("brokers/create/<str:step>", wizard.BrokerCreateView.as_view(), name="broker-create"),
    path("brokers/<str:broker_id>", brokers.BrokerDetailView.as_view(), name="broker-detail"),
    path("brokers/<str:broker_id>/state", brokers.BrokerStateView.as_view(), name="broker-state"),
    path("brokers/<str:broker_id>/edit", brokers.BrokerUpdateView.as_view(), name="broker-update"),
    path(
        "brokers/<str:broker_id>/reboot", brokers.BrokerRebootView.as_view(), name="broker-reboot"
    ),
    path(
        "brokers/<str:broker_id>/delete", brokers.BrokerDeleteView.as_view(), name="broker-delete"
    ),
    path(
        "brokers/<str:resource_id>/tags",
        tags.TagsUpdateView.as_view(kind="broker"),
        name="broker-tags",
    ),
    path(
        "brokers/<str:broker_id>/users/create",
        users.BrokerUserCreateView.as_view(),
        name="broker-user-create",
    ),
    path(
        "brokers/<str:broker_id>/users/<str:username>/edit",
        users.BrokerUserUpdateView.as_view(),
        name="broker-user-update",
    ),
    path(
        "brokers/<str:broker_id>/users/<str:username>/delete",
        users.BrokerUserDeleteView.as_view(),
        name="broker-user-delete",
    ),
    path(
        "configurations",
        configurations.ConfigurationListView.as_view(),
        name="configuration-list",
    ),
    path(
        "configurations/create",
        configurations.ConfigurationCreateView.as_view(),
        name="configuration-create",
    ),
    path(
        "configurations/<str:configuration_id>",
        configurations.ConfigurationDetailView.as_view(),
        name="configuration-detail",
    ),
    path(
        "configurations/<str:configuration_id>/edit",
        configurations.ConfigurationUpdateView.as_view(),
        name="configuration-update",
    ),
    path(
        "configurations/<str:configuration_id>/validate",
        configurations.ConfigurationValidateView.as_view(),
        name="configuration-validate",
    ),
    path(
        "configurations/<str:configuration_id>/diff",
        configurations.RevisionDiffView.as_view(),
        name="configuration-diff",
    ),
    path(
        "configurations/<str:configuration_id>/delete",
        configurations.ConfigurationDeleteView.as_view(),
        name="configuration-delete",
    ),
    path(
        "configurations/<str:resource_id>/tags",
        tags.TagsUpdateView.as_view(kind="configuration"),
        name="configuration-tags",
    ),
    path(
        "configurations/<str:configuration_id>/revisions/<int:revision>",
        configurations.RevisionDetailView.as_view(),
        name="configuration-revision",
    ),
    path(
        "configurations/<str:configuration_id>/revisions/<int:revision>/apply",
        configurations.RevisionApplyView.as_view(),
        name="configuration-revision-apply",
    ),
]
