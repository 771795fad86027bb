"""An Amazon MQ broker: settings as CreateBroker takes them, state, pending changes."""

from __future__ import annotations

import hashlib

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from accounts.identifiers import broker_arn
from brokers import engines
from brokers.models import choices

# States in which a Celery task will move the broker on (brokers/services/lifecycle.py).
IN_PROGRESS_STATES = ("CREATION_IN_PROGRESS", "REBOOT_IN_PROGRESS", "DELETION_IN_PROGRESS")


class Broker(models.Model):
    """An Amazon MQ broker; ``broker_id`` is ``b-`` + a UUID, the ARN embeds name and id."""

    EngineType = choices.EngineType
    DeploymentMode = choices.DeploymentMode
    State = choices.BrokerState
    StorageType = choices.BrokerStorageType
    AuthenticationStrategy = choices.AuthenticationStrategy
    DayOfWeek = choices.DayOfWeek

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
    storage_type = models.CharField(max_length=8, choices=StorageType.choices, default="EFS")
    storage_size = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(
        max_length=32, choices=State.choices, default=State.CREATION_IN_PROGRESS
    )
    publicly_accessible = models.BooleanField(default=False)
    auto_minor_version_upgrade = models.BooleanField(default=True)
    authentication_strategy = models.CharField(
        max_length=16, choices=AuthenticationStrategy.choices, default="SIMPLE"
    )
    # LDAP server metadata as DescribeBroker returns it (the service password is kept apart).
    ldap_server_metadata = models.JSONField(null=True, blank=True)
    ldap_service_account_password = models.BinaryField(null=True, blank=True, editable=False)
    logs_general = models.BooleanField(default=False)
    logs_audit = models.BooleanField(default=False)
    encryption_use_aws_owned_key = models.BooleanField(default=True)
    encryption_kms_key_id = models.CharField(max_length=2048, blank=True, default="")
    maintenance_day = models.CharField(max_length=9, choices=DayOfWeek.choices, default="SUNDAY")
    maintenance_time = models.CharField(max_length=5, default="03:00")
    maintenance_time_zone = models.CharField(max_length=64, default="UTC")
    subnet_ids = models.JSONField(default=list, blank=True)
    security_groups = models.JSONField(default=list, blank=True)
    data_replication_mode = models.CharField(
        max_length=8, choices=choices.DataReplicationMode.choices, default="NONE"
    )
    configuration = models.ForeignKey(
        "brokers.Configuration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="brokers",
    )
    configuration_revision = models.PositiveIntegerField(null=True, blank=True)
    # [{"id": "c-…", "revision": n}, …]: configurations the broker ran before the current one.
    configuration_history = models.JSONField(default=list, blank=True)
    # UpdateBroker changes waiting for a reboot or the maintenance window, by wire name
    # (engineVersion, hostInstanceType, configuration, logs, securityGroups, …).
    pending = models.JSONField(default=dict, blank=True)
    actions_required = models.JSONField(default=list, blank=True)
    creator_request_id = models.CharField(max_length=128, blank=True, default="")
    tags = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    # When the running transition is due, and the token of the task that will finish it:
    # a task whose token no longer matches was superseded and does nothing.
    transition_due_at = models.DateTimeField(null=True, blank=True)
    transition_token = models.CharField(max_length=36, blank=True, default="")
    last_maintenance_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "account", "region", Lower("name"), name="broker_name_unique_per_region"
            )
        ]
        indexes = [models.Index(fields=["state", "transition_due_at"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("broker-detail", args=[self.broker_id])

    @property
    def arn(self) -> str:
        """``arn:aws:mq:REGION:ACCOUNT:broker:NAME:ID``."""
        return broker_arn(self.region, self.account.account_id, self.name, self.broker_id)

    @property
    def engine_label(self) -> str:
        return engines.engine_label(self.engine_type)

    @property
    def in_progress(self) -> bool:
        """Whether a task will move the broker on (creating, rebooting, deleting)."""
        return self.state in IN_PROGRESS_STATES

    @property
    def has_pending_changes(self) -> bool:
        """Whether a reboot would apply something (settings or users)."""
        return bool(self.pending) or self.users.exclude(pending_change="").exists()

    @property
    def maintenance_window(self) -> dict:
        """WeeklyStartTime (wire names)."""
        return {
            "dayOfWeek": self.maintenance_day,
            "timeOfDay": self.maintenance_time,
            "timeZone": self.maintenance_time_zone,
        }

    def instances(self) -> list[dict]:
        """BrokerInstance entries (wire names): none until the broker is created."""
        if self.state in ("CREATION_IN_PROGRESS", "CREATION_FAILED"):
            return []
        host = f"{self.broker_id}.mq.{self.region}.amazonaws.com"
        data = engines.engine_data()["endpoints"]
        if self.engine_type == "RABBITMQ":
            return [
                {
                    "consoleURL": f"https://{host}",
                    "endpoints": [f"{scheme}://{host}:{port}" for scheme, port in data["RABBITMQ"]],
                }
            ]
        count = 2 if self.deployment_mode == "ACTIVE_STANDBY_MULTI_AZ" else 1
        instances = []
        for number in range(1, count + 1):
            node = f"{self.broker_id}-{number}.mq.{self.region}.amazonaws.com"
            instances.append(
                {
                    "consoleURL": f"https://{node}:{data['ACTIVEMQ_CONSOLE_PORT']}",
                    "endpoints": [f"{scheme}://{node}:{port}" for scheme, port in data["ACTIVEMQ"]],
                    "ipAddress": self._ip_address(number),
                }
            )
        return instances

    def _ip_address(self, number: int) -> str:
        # A stable made-up address per node: brokers here have no network interface.
        digest = hashlib.sha256(f"{self.broker_id}-{number}".encode()).digest()
        base = (203, 0, 113) if self.publicly_accessible else (10, digest[0], digest[1])
        return ".".join(str(part) for part in (*base, 1 + digest[2] % 254))
