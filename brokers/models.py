"""Amazon MQ brokers and configurations: the resources that mq:* actions protect."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower

from accounts.identifiers import broker_arn, configuration_arn


class Broker(models.Model):
    """An Amazon MQ broker; ``broker_id`` is ``b-`` + a UUID, the ARN embeds name and id."""

    class EngineType(models.TextChoices):
        ACTIVEMQ = "ACTIVEMQ"
        RABBITMQ = "RABBITMQ"

    class DeploymentMode(models.TextChoices):
        SINGLE_INSTANCE = "SINGLE_INSTANCE"
        ACTIVE_STANDBY_MULTI_AZ = "ACTIVE_STANDBY_MULTI_AZ"
        CLUSTER_MULTI_AZ = "CLUSTER_MULTI_AZ"

    class State(models.TextChoices):
        CREATION_IN_PROGRESS = "CREATION_IN_PROGRESS"
        CREATION_FAILED = "CREATION_FAILED"
        DELETION_IN_PROGRESS = "DELETION_IN_PROGRESS"
        RUNNING = "RUNNING"
        REBOOT_IN_PROGRESS = "REBOOT_IN_PROGRESS"
        CRITICAL_ACTION_REQUIRED = "CRITICAL_ACTION_REQUIRED"
        REPLICA = "REPLICA"

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="brokers"
    )
    region = models.CharField(max_length=32)
    broker_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=50)
    engine_type = models.CharField(max_length=16, choices=EngineType.choices)
    engine_version = models.CharField(max_length=32)
    deployment_mode = models.CharField(max_length=32, choices=DeploymentMode.choices)
    host_instance_type = models.CharField(max_length=32)
    state = models.CharField(
        max_length=32, choices=State.choices, default=State.CREATION_IN_PROGRESS
    )
    publicly_accessible = models.BooleanField(default=False)
    auto_minor_version_upgrade = models.BooleanField(default=True)
    configuration = models.ForeignKey(
        "brokers.Configuration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="brokers",
    )
    tags = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "account", "region", Lower("name"), name="broker_name_unique_per_region"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def arn(self) -> str:
        return broker_arn(self.region, self.account.account_id, self.name, self.broker_id)


class Configuration(models.Model):
    """An Amazon MQ configuration (engine-specific document with revisions)."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="configurations"
    )
    region = models.CharField(max_length=32)
    configuration_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=150)
    description = models.CharField(max_length=1000, blank=True, default="")
    engine_type = models.CharField(max_length=16, choices=Broker.EngineType.choices)
    engine_version = models.CharField(max_length=32)
    tags = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def arn(self) -> str:
        return configuration_arn(self.region, self.account.account_id, self.configuration_id)
