"""Handlers of the Amazon MQ operations, one module per resource; importing registers them."""

from brokers.mq_api.handlers import brokers, catalog, configurations, tags, users

__all__ = ["brokers", "catalog", "configurations", "tags", "users"]
