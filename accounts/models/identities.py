"""IAM users, groups (with membership) and roles."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models.functions import Lower

from accounts.identifiers import iam_arn
from accounts.models.account import Account


class IAMEntity(models.Model):
    """What users, groups and roles share: account, case-insensitively unique name, path, id."""

    arn_kind = ""

    account = models.ForeignKey(Account, on_delete=models.PROTECT)
    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    unique_id = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def arn(self) -> str:
        return iam_arn(self.account.account_id, self.arn_kind, self.path, self.name)


class IAMUser(IAMEntity):
    """An IAM user: optional console password (login profile), tags, boundary."""

    arn_kind = "user"

    password = models.CharField(max_length=256, blank=True, default="")
    password_reset_required = models.BooleanField(default=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    password_last_used_at = models.DateTimeField(null=True, blank=True)
    permissions_boundary = models.ForeignKey(
        "policies.ManagedPolicy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="boundary_of_users",
    )
    tags = models.JSONField(default=dict, blank=True)
    groups = models.ManyToManyField(
        "accounts.Group", through="accounts.GroupMembership", related_name="users"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="user_name_unique_ci")
        ]
        indexes = [models.Index(fields=["account", "path"])]

    @property
    def has_console_password(self) -> bool:
        return bool(self.password)

    def set_password(self, raw_password: str) -> None:
        self.password = make_password(raw_password)

    def check_password(self, raw_password: str) -> bool:
        return bool(self.password) and check_password(raw_password, self.password)


class Group(IAMEntity):
    """An IAM group: a set of users that share the group's policies (never a principal)."""

    arn_kind = "group"

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="group_name_unique_ci")
        ]


class GroupMembership(models.Model):
    """A user's membership of a group."""

    user = models.ForeignKey(IAMUser, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"


class Role(IAMEntity):
    """An IAM role: a trust policy (who may assume it), max session duration, boundary, tags."""

    arn_kind = "role"

    description = models.CharField(max_length=1000, blank=True, default="")
    trust_policy = models.TextField()
    # ARN -> unique id of each IAM user/role the trust policy named when it was saved.
    trust_principal_ids = models.JSONField(default=dict, blank=True)
    max_session_duration = models.PositiveIntegerField(default=3600)
    permissions_boundary = models.ForeignKey(
        "policies.ManagedPolicy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="boundary_of_roles",
    )
    tags = models.JSONField(default=dict, blank=True)
    is_service_linked = models.BooleanField(default=False)
    service_name = models.CharField(max_length=128, blank=True, default="")
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_region = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="role_name_unique_ci")
        ]
