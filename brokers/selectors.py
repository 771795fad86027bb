"""Reads of the brokers app, narrowed to the principal's account, shaped for their lists."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import AuditEvent
from accounts.principals import Principal
from brokers.errors import broker_not_found, configuration_not_found, revision_not_found
from brokers.models import Broker, BrokerUser, Configuration, ConfigurationRevision


def broker_list(*, principal: Principal, region: str | None = None) -> QuerySet[Broker]:
    """The account's brokers (one region or all) with user and pending-change counts."""
    queryset = Broker.objects.filter(account__account_id=principal.account_id)
    if region:
        queryset = queryset.filter(region=region)
    return (
        queryset.select_related("account", "configuration")
        .annotate(
            user_count=Count("users", distinct=True),
            pending_user_count=Count("users", filter=~Q(users__pending_change=""), distinct=True),
        )
        .order_by("name", "broker_id")
    )


def broker_get(*, principal: Principal, broker_id: str, region: str | None = None) -> Broker:
    """One broker of the principal's account by id; NotFoundException otherwise."""
    queryset = Broker.objects.select_related("account", "configuration").filter(
        account__account_id=principal.account_id, broker_id=broker_id
    )
    if region:
        queryset = queryset.filter(region=region)
    broker = queryset.first()
    if broker is None:
        raise broker_not_found(broker_id)
    return broker


def broker_was_deleted(*, principal: Principal, broker_id: str) -> bool:
    """Whether a DeleteBroker of this id was allowed in the principal's account (the audit
    trail outlives the broker, so a page that watched the deletion can say it finished)."""
    return AuditEvent.objects.filter(
        account_id=principal.account_id,
        action="mq:DeleteBroker",
        decision=AuditEvent.Decision.ALLOWED,
        resource_arn__endswith=f":{broker_id}",
    ).exists()


def broker_user_list(*, broker: Broker) -> QuerySet[BrokerUser]:
    """A broker's users (applied and pending), by username."""
    return BrokerUser.objects.filter(broker=broker).order_by("username")


def configuration_list(
    *, principal: Principal, region: str | None = None
) -> QuerySet[Configuration]:
    """The account's configurations with their latest revision and how many brokers run them."""
    queryset = Configuration.objects.filter(account__account_id=principal.account_id)
    if region:
        queryset = queryset.filter(region=region)
    return (
        queryset.select_related("account")
        .annotate(broker_count=Count("brokers", distinct=True))
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=ConfigurationRevision.objects.order_by("-revision"),
                to_attr="ordered_revisions",
            )
        )
        .order_by("name", "configuration_id")
    )


def configuration_get(
    *, principal: Principal, configuration_id: str, region: str | None = None
) -> Configuration:
    """One configuration of the principal's account by id; NotFoundException otherwise."""
    queryset = Configuration.objects.select_related("account").filter(
        account__account_id=principal.account_id, configuration_id=configuration_id
    )
    if region:
        queryset = queryset.filter(region=region)
    configuration = queryset.first()
    if configuration is None:
        raise configuration_not_found(configuration_id)
    return configuration


def revision_list(*, configuration: Configuration) -> QuerySet[ConfigurationRevision]:
    """A configuration's revisions, newest first."""
    return configuration.revisions.order_by("-revision")


def revision_get(*, configuration: Configuration, revision: object) -> ConfigurationRevision:
    """One revision by number (a string from a URL or the API); NotFoundException otherwise."""
    number = str(revision)
    found = (
        configuration.revisions.filter(revision=int(number)).first() if number.isdigit() else None
    )
    if found is None:
        raise revision_not_found(configuration.configuration_id, revision)
    return found


def latest_revision(configuration: Configuration) -> ConfigurationRevision:
    """The newest revision (prefetched by configuration_list when it can be)."""
    ordered = getattr(configuration, "ordered_revisions", None)
    if ordered:
        return ordered[0]
    return configuration.revisions.order_by("-revision").first()
