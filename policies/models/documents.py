"""Managed policies with versions, inline policies and attachments."""

from __future__ import annotations

import hashlib
import json
from functools import cached_property

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from accounts.identifiers import aws_managed_policy_arn, iam_arn


def document_hash(text: str) -> str:
    """A content hash of a policy document, independent of white space and key order."""
    try:
        canonical = json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = text
    return hashlib.sha256(canonical.encode()).hexdigest()


class PolicyDocumentMixin(models.Model):
    """A policy document kept as the text the author wrote, with a content hash."""

    document = models.TextField()
    document_hash = models.CharField(max_length=64, db_index=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.document_hash = document_hash(self.document)
        self.__dict__.pop("document_json", None)
        super().save(*args, **kwargs)

    @cached_property
    def document_json(self) -> dict:
        return json.loads(self.document)


class ManagedPolicy(models.Model):
    """A standalone policy: AWS managed (read-only, no account) or customer managed."""

    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_policies",
    )
    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    unique_id = models.CharField(max_length=32, unique=True)
    description = models.CharField(max_length=1000, blank=True, default="")
    is_aws_managed = models.BooleanField(default=False)
    tags = models.JSONField(default=dict, blank=True)
    # AWS numbers versions v1, v2, … and never reuses a number, even after deletions.
    next_version_number = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "managed policies"
        constraints = [
            models.UniqueConstraint(
                "account",
                Lower("name"),
                name="customer_policy_name_unique_ci",
                condition=Q(account__isnull=False),
            ),
            models.UniqueConstraint(
                Lower("name"), name="aws_policy_name_unique_ci", condition=Q(account__isnull=True)
            ),
            models.CheckConstraint(
                condition=Q(is_aws_managed=True, account__isnull=True)
                | Q(is_aws_managed=False, account__isnull=False),
                name="policy_owner_matches_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def arn(self) -> str:
        if self.is_aws_managed:
            return aws_managed_policy_arn(self.path, self.name)
        return iam_arn(self.account.account_id, "policy", self.path, self.name)

    @property
    def default_version(self) -> PolicyVersion:
        return self.versions.get(is_default=True)


class PolicyVersion(PolicyDocumentMixin):
    """One version (v1…) of a managed policy; exactly one per policy is the default."""

    policy = models.ForeignKey(ManagedPolicy, on_delete=models.CASCADE, related_name="versions")
    version_id = models.CharField(max_length=16)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["policy", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "version_id"], name="version_id_unique"),
            models.UniqueConstraint(
                fields=["policy"], condition=Q(is_default=True), name="one_default_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy.name} {self.version_id}"


class InlinePolicy(PolicyDocumentMixin):
    """A policy embedded in exactly one user, group or role; names unique per entity."""

    name = models.CharField(max_length=128)
    user = models.ForeignKey(
        "accounts.IAMUser",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="inline_policies",
    )
    group = models.ForeignKey(
        "accounts.Group",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="inline_policies",
    )
    role = models.ForeignKey(
        "accounts.Role",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="inline_policies",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "inline policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, group__isnull=True, role__isnull=True)
                | Q(user__isnull=True, group__isnull=False, role__isnull=True)
                | Q(user__isnull=True, group__isnull=True, role__isnull=False),
                name="inline_policy_has_one_owner",
            ),
            models.UniqueConstraint(
                fields=["user", "name"],
                name="inline_user_name_unique",
                condition=Q(user__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["group", "name"],
                name="inline_group_name_unique",
                condition=Q(group__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["role", "name"],
                name="inline_role_name_unique",
                condition=Q(role__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner(self):
        return self.user or self.group or self.role


class PolicyAttachment(models.Model):
    """A managed policy attached to one user, group or role."""

    policy = models.ForeignKey(ManagedPolicy, on_delete=models.PROTECT, related_name="attachments")
    user = models.ForeignKey(
        "accounts.IAMUser",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policy_attachments",
    )
    group = models.ForeignKey(
        "accounts.Group",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policy_attachments",
    )
    role = models.ForeignKey(
        "accounts.Role",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policy_attachments",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, group__isnull=True, role__isnull=True)
                | Q(user__isnull=True, group__isnull=False, role__isnull=True)
                | Q(user__isnull=True, group__isnull=True, role__isnull=False),
                name="attachment_has_one_target",
            ),
            models.UniqueConstraint(
                fields=["policy", "user"],
                name="attachment_user_unique",
                condition=Q(user__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["policy", "group"],
                name="attachment_group_unique",
                condition=Q(group__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["policy", "role"],
                name="attachment_role_unique",
                condition=Q(role__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} -> {self.user or self.group or self.role}"
