"""Resource-side facts of Amazon MQ brokers and configurations for ``policies.context``."""

from __future__ import annotations

from brokers.models import Broker, Configuration
from policies.context import ResourceFacts, register_resource_resolver


def broker_facts(account_id: str, region: str, resource_id: str) -> ResourceFacts | None:
    """``broker:NAME:ID``: the broker's tags (looked up by its id)."""
    broker_id = resource_id.rsplit(":", 1)[-1]
    tags = (
        Broker.objects.filter(account__account_id=account_id, broker_id=broker_id)
        .values_list("tags", flat=True)
        .first()
    )
    return None if tags is None else ResourceFacts(tags=dict(tags or {}))


def configuration_facts(account_id: str, region: str, resource_id: str) -> ResourceFacts | None:
    """``configuration:ID``: the configuration's tags."""
    tags = (
        Configuration.objects.filter(account__account_id=account_id, configuration_id=resource_id)
        .values_list("tags", flat=True)
        .first()
    )
    return None if tags is None else ResourceFacts(tags=dict(tags or {}))


def register() -> None:
    """Called once from ``BrokersConfig.ready``."""
    register_resource_resolver("mq", "broker", broker_facts)
    register_resource_resolver("mq", "configuration", configuration_facts)
