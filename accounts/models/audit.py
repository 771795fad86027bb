"""The audit trail: one row per state change or denial, written in the same transaction."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.db.models.fields.json import KeyTransform


class AuditEvent(models.Model):
    """Who did what to which resource, from where, with what outcome, and the before/after."""

    class Decision(models.TextChoices):
        ALLOWED = "allowed"
        EXPLICIT_DENY = "explicitDeny"
        IMPLICIT_DENY = "implicitDeny"
        ERROR = "error"

    time = models.DateTimeField(auto_now_add=True, db_index=True)
    account_id = models.CharField(max_length=12, blank=True, default="", db_index=True)
    principal_arn = models.CharField(max_length=2048, db_index=True)
    action = models.CharField(max_length=128, db_index=True)
    resource_arn = models.CharField(max_length=2048, blank=True, default="", db_index=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True, default="")
    request_id = models.CharField(max_length=64, blank=True, default="")
    decision = models.CharField(max_length=16, choices=Decision.choices, default="allowed")
    error_code = models.CharField(max_length=64, blank=True, default="")
    message = models.TextField(blank=True, default="")
    request_parameters = models.JSONField(default=dict, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["account_id", "-time"]),
            # The sign-in throttle's counters (accounts/services/signin_throttle.py): failures
            # per user name and per address, newest first, only over failed sign-ins.
            models.Index(
                KeyTransform("Subject", "request_parameters"),
                F("time").desc(),
                name="audit_signin_fail_subject",
                condition=Q(action="signin:ConsoleLogin", decision="error"),
            ),
            models.Index(
                F("source_ip"),
                F("time").desc(),
                name="audit_signin_fail_source",
                condition=Q(action="signin:ConsoleLogin", decision="error"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.principal_arn} {self.action} {self.decision}"
