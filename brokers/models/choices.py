"""Choices built from the reference's enums, so models never retype Amazon MQ's values."""

from __future__ import annotations

from django.db import models

from brokers.engines import enum


def enum_choices(name: str) -> type[models.TextChoices]:
    """A TextChoices whose values are the reference enum ``name`` (labels: Title Case)."""
    return models.TextChoices(name, [(value, value) for value in enum(name)])


EngineType = enum_choices("EngineType")
DeploymentMode = enum_choices("DeploymentMode")
BrokerState = enum_choices("BrokerState")
BrokerStorageType = enum_choices("BrokerStorageType")
AuthenticationStrategy = enum_choices("AuthenticationStrategy")
DayOfWeek = enum_choices("DayOfWeek")
ChangeType = enum_choices("ChangeType")
DataReplicationMode = enum_choices("DataReplicationMode")
