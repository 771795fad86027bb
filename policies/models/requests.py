"""Access requests: a principal asks for permissions, approvers decide, grants expire.

An approved request becomes an inline policy on the requester's identity (the IAM user, or
for a role session the role) named after the request; its history, approvals and the
in-app notifications it causes are kept beside it.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone


class AccessRequestSettings(models.Model):
    """An account's rules for access requests (defaults from settings.MQIAM when absent)."""

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, related_name="access_request_settings"
    )
    require_two_approvers = models.BooleanField(default=False)
    allow_permanent = models.BooleanField(default=False)
    pending_expiry_days = models.PositiveSmallIntegerField(default=7)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"access request settings of {self.account_id}"


class AccessRequest(models.Model):
    """One request for permissions, from submission to its end (denied, expired, revoked…)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    class Kind(models.TextChoices):
        USER = "user", "IAM user"
        ROLE = "role", "Role"

    OPEN = (Status.PENDING, Status.CHANGES_REQUESTED)

    request_id = models.CharField(max_length=32, unique=True)
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="access_requests"
    )
    # Who asked: the caller's ARN (a session ARN for a role session), the identity that
    # receives the policy, and for a role session who assumed the role (self-approval rule).
    requester_arn = models.CharField(max_length=2048)
    requester_principal_arn = models.CharField(max_length=2048, db_index=True)
    requester_source_arn = models.CharField(max_length=2048, blank=True, default="")
    requester_kind = models.CharField(max_length=8, choices=Kind.choices)
    user = models.ForeignKey(
        "accounts.IAMUser",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="access_requests",
    )
    role = models.ForeignKey(
        "accounts.Role",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="access_requests",
    )
    intent = models.CharField(max_length=32)
    actions = models.JSONField(default=list)
    dependent_actions = models.JSONField(default=list, blank=True)
    targets = models.JSONField(default=list, blank=True)  # [{"Arn"} | {"TagKey","TagValue"}]
    duration_hours = models.PositiveIntegerField(null=True, blank=True)  # None: permanent
    justification = models.TextField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    policy_document = models.TextField()
    policy_name = models.CharField(max_length=128)
    # Bumped by a resubmission or an extension: approvals count within one round.
    round = models.PositiveIntegerField(default=1)
    decision_reason = models.TextField(blank=True, default="")
    decided_by_arn = models.CharField(max_length=2048, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    extension_hours = models.PositiveIntegerField(null=True, blank=True)
    extension_justification = models.TextField(blank=True, default="")
    extension_requested_at = models.DateTimeField(null=True, blank=True)
    approvers_notified_at = models.DateTimeField(null=True, blank=True)
    # When the current version was submitted: pending requests expire counted from here.
    submitted_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "status"]),
            models.Index(fields=["status", "expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, role__isnull=True)
                | models.Q(user__isnull=True, role__isnull=False),
                name="access_request_one_identity",
            )
        ]

    def __str__(self) -> str:
        return self.request_id

    def get_absolute_url(self) -> str:
        return reverse("access-request-detail", args=[self.request_id])

    @property
    def identity(self):
        """The IAM user or role that receives (or received) the policy."""
        return self.user if self.requester_kind == self.Kind.USER else self.role

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_permanent(self) -> bool:
        return self.duration_hours is None

    @property
    def extension_pending(self) -> bool:
        return self.status == self.Status.APPROVED and self.extension_hours is not None

    @property
    def awaiting_review(self) -> bool:
        return self.status == self.Status.PENDING or self.extension_pending


class AccessRequestApproval(models.Model):
    """One approver's approval in one round (two distinct ones when the account asks so)."""

    access_request = models.ForeignKey(
        AccessRequest, on_delete=models.CASCADE, related_name="approvals"
    )
    round = models.PositiveIntegerField()
    approver_arn = models.CharField(max_length=2048)
    # The principal behind the approver (role ARN of a session): "distinct" compares these.
    approver_principal_arn = models.CharField(max_length=2048)
    approver_source_arn = models.CharField(max_length=2048, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["access_request", "round", "approver_principal_arn"],
                name="access_request_approval_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.approver_arn} approved {self.access_request_id}"


class AccessRequestEvent(models.Model):
    """The request's history: who did what, when, and the details shown on its page."""

    access_request = models.ForeignKey(
        AccessRequest, on_delete=models.CASCADE, related_name="events"
    )
    verb = models.CharField(max_length=32)
    actor_arn = models.CharField(max_length=2048)
    message = models.TextField(blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.access_request_id} {self.verb}"


class Notification(models.Model):
    """An in-app notice for a principal (user, role or root ARN), optionally also emailed."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="notifications"
    )
    recipient_arn = models.CharField(max_length=2048)
    text = models.CharField(max_length=500)
    link = models.CharField(max_length=500, blank=True, default="")
    access_request = models.ForeignKey(
        AccessRequest,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField(max_length=254, blank=True, default="")
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient_arn", "read_at"]),
            models.Index(fields=["emailed_at", "created_at"], name="notification_email_due"),
        ]

    def __str__(self) -> str:
        return f"to {self.recipient_arn}: {self.text[:40]}"
