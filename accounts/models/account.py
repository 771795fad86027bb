"""An AWS account and its root user."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models.functions import Lower

from accounts.identifiers import root_arn


class Account(models.Model):
    """An AWS account: a 12-digit id and an optional unique alias."""

    account_id = models.CharField(max_length=12, unique=True)
    alias = models.CharField(max_length=63, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account_id"]

    def __str__(self) -> str:
        return f"{self.account_id} ({self.alias})" if self.alias else self.account_id

    @property
    def root_arn(self) -> str:
        return root_arn(self.account_id)


class RootUser(models.Model):
    """The account's root user: signs in with email and password, bypasses IAM in its account."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="root_user")
    email = models.EmailField(max_length=254)
    password = models.CharField(max_length=256)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    last_login_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="root_email_unique_ci")]

    def __str__(self) -> str:
        return f"root of {self.account.account_id}"

    @property
    def arn(self) -> str:
        return root_arn(self.account.account_id)

    def set_password(self, raw_password: str) -> None:
        self.password = make_password(raw_password)

    def check_password(self, raw_password: str) -> bool:
        return check_password(raw_password, self.password)
