"""Password policies and history, virtual MFA devices, and role sessions (temporary keys)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.identifiers import assumed_role_arn
from accounts.models.account import Account, RootUser
from accounts.models.identities import IAMUser, Role


class PasswordPolicy(models.Model):
    """An account's password policy (AWS UpdateAccountPasswordPolicy fields)."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, related_name="password_policy"
    )
    minimum_length = models.PositiveSmallIntegerField(default=8)
    require_symbols = models.BooleanField(default=False)
    require_numbers = models.BooleanField(default=False)
    require_uppercase = models.BooleanField(default=False)
    require_lowercase = models.BooleanField(default=False)
    allow_users_to_change = models.BooleanField(default=True)
    max_age_days = models.PositiveSmallIntegerField(null=True, blank=True)
    reuse_prevention = models.PositiveSmallIntegerField(null=True, blank=True)
    hard_expiry = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"password policy of {self.account}"


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords, for the reuse-prevention rule."""

    user = models.ForeignKey(IAMUser, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"old password of {self.user}"


class MFADevice(models.Model):
    """A virtual (TOTP) MFA device of an IAM user or a root user; the seed is encrypted."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mfa_devices")
    name = models.CharField(max_length=128)
    user = models.ForeignKey(
        IAMUser, null=True, blank=True, on_delete=models.PROTECT, related_name="mfa_devices"
    )
    root_user = models.ForeignKey(
        RootUser, null=True, blank=True, on_delete=models.CASCADE, related_name="mfa_devices"
    )
    seed_encrypted = models.BinaryField()
    enabled_at = models.DateTimeField(null=True, blank=True)
    # The last TOTP time step accepted: a code is never accepted twice (replay protection).
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="mfa_name_unique"),
            models.CheckConstraint(
                condition=Q(user__isnull=True) | Q(root_user__isnull=True),
                name="mfa_at_most_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.serial_number

    @property
    def serial_number(self) -> str:
        return f"arn:aws:iam::{self.account.account_id}:mfa/{self.name}"

    @property
    def is_enabled(self) -> bool:
        return self.enabled_at is not None


class RoleSession(models.Model):
    """Temporary credentials issued by AssumeRole (ASIA… key, secret, session token)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="sessions")
    session_name = models.CharField(max_length=64)
    access_key_id = models.CharField(max_length=32, unique=True)
    secret_encrypted = models.BinaryField()
    token_hash = models.CharField(max_length=64, unique=True)
    # Who assumed the role: the ARN and, for the browser's "switch back", its kind and id.
    source_arn = models.CharField(max_length=2048)
    source_identity = models.CharField(max_length=64, blank=True, default="")
    session_policy = models.TextField(blank=True, default="")
    session_policy_arns = models.JSONField(default=list, blank=True)
    session_tags = models.JSONField(default=dict, blank=True)
    # Keys of session_tags that pass on to sessions chained from this one (TransitiveTagKeys).
    transitive_tag_keys = models.JSONField(default=list, blank=True)
    mfa_authenticated_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    via_console = models.BooleanField(default=False)
    display_color = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.arn

    @property
    def arn(self) -> str:
        return assumed_role_arn(self.role.account.account_id, self.role.name, self.session_name)


class CredentialReport(models.Model):
    """An account's credential report, built by a worker task with progress (AWS layout)."""

    class Status(models.TextChoices):
        STARTED = "STARTED"
        INPROGRESS = "INPROGRESS"
        COMPLETE = "COMPLETE"
        FAILED = "FAILED"

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="credential_reports"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.STARTED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    content = models.TextField(blank=True, default="")
    requested_by = models.CharField(max_length=2048, blank=True, default="")
    requested_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"credential report of {self.account} ({self.status})"

    @property
    def progress_percent(self) -> int:
        return (
            100
            if self.status == self.Status.COMPLETE
            else (round(100 * self.done / self.total) if self.total else 0)
        )
