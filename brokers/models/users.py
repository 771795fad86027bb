"""ActiveMQ broker users with Amazon MQ's pending changes (applied when the broker reboots)."""

from __future__ import annotations

from django.db import models

from brokers.models import choices


class BrokerUser(models.Model):
    """A broker user as ListUsers shows it: applied values plus a pending CREATE/UPDATE/DELETE.

    ``applied`` is False for a user whose creation is still pending; the ``pending_*`` fields
    hold what an UPDATE will set. Passwords are hashed: Amazon MQ never returns them.
    """

    ChangeType = choices.ChangeType

    broker = models.ForeignKey("brokers.Broker", on_delete=models.CASCADE, related_name="users")
    username = models.CharField(max_length=100)
    password = models.CharField(max_length=256)
    console_access = models.BooleanField(default=False)
    groups = models.JSONField(default=list, blank=True)
    replication_user = models.BooleanField(default=False)
    applied = models.BooleanField(default=False)
    pending_change = models.CharField(
        max_length=8, choices=ChangeType.choices, blank=True, default=""
    )
    pending_console_access = models.BooleanField(null=True, blank=True)
    pending_groups = models.JSONField(null=True, blank=True)
    pending_password = models.CharField(max_length=256, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["broker", "username"]
        constraints = [models.UniqueConstraint("broker", "username", name="broker_username_unique")]

    def __str__(self) -> str:
        return self.username
