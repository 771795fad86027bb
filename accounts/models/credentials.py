"""Access keys of IAM users and root users; secrets encrypted at rest."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.models.account import RootUser
from accounts.models.identities import IAMUser


class AccessKey(models.Model):
    """A long-term access key pair; the secret is Fernet-encrypted and shown once at creation."""

    class Status(models.TextChoices):
        ACTIVE = "Active"
        INACTIVE = "Inactive"

    access_key_id = models.CharField(max_length=32, unique=True)
    secret_encrypted = models.BinaryField()
    user = models.ForeignKey(
        IAMUser, null=True, blank=True, on_delete=models.PROTECT, related_name="access_keys"
    )
    root_user = models.ForeignKey(
        RootUser, null=True, blank=True, on_delete=models.CASCADE, related_name="access_keys"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_service = models.CharField(max_length=32, blank=True, default="")
    last_used_region = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(root_user__isnull=True))
                | (Q(user__isnull=True) & Q(root_user__isnull=False)),
                name="access_key_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.access_key_id
