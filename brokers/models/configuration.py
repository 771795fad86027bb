"""Amazon MQ configurations and their numbered revisions (engine-specific documents)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from accounts.identifiers import configuration_arn
from brokers.models import choices


class Configuration(models.Model):
    """An Amazon MQ configuration: ``c-`` + UUID, one engine, revisions 1, 2, 3…"""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="configurations"
    )
    region = models.CharField(max_length=32)
    configuration_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=150)
    description = models.CharField(max_length=1000, blank=True, default="")
    engine_type = models.CharField(max_length=16, choices=choices.EngineType.choices)
    engine_version = models.CharField(max_length=32)
    authentication_strategy = models.CharField(
        max_length=16, choices=choices.AuthenticationStrategy.choices, default="SIMPLE"
    )
    latest_revision = models.PositiveIntegerField(default=1)
    tags = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("configuration-detail", args=[self.configuration_id])

    @property
    def arn(self) -> str:
        """``arn:aws:mq:REGION:ACCOUNT:configuration:ID``."""
        return configuration_arn(self.region, self.account.account_id, self.configuration_id)


class ConfigurationRevision(models.Model):
    """One revision of a configuration: the document as stored (sanitized) and its warnings."""

    configuration = models.ForeignKey(
        Configuration, on_delete=models.CASCADE, related_name="revisions"
    )
    revision = models.PositiveIntegerField()
    description = models.CharField(max_length=1000, blank=True, default="")
    data = models.TextField()
    # SanitizationWarning entries (wire names) from when this revision was saved.
    warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["configuration", "-revision"]
        constraints = [
            models.UniqueConstraint(
                "configuration", "revision", name="configuration_revision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.configuration.name} revision {self.revision}"
