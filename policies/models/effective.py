"""The effective-permissions matrix: one row per principal x action, bitmaps over resources.

Each account's resources (brokers, configurations, and ``*`` for actions without resource
types) get a fixed bit position; a row holds three bitmaps over those positions — allowed,
conditional, explicitly denied — so "what can P do" reads a principal's rows and "who can do
A on R" tests one bit in one index range (DESIGN.md §8). Bitmaps are little-endian bit sets
(bit p is bit p % 8 of byte p // 8), the layout PostgreSQL's ``get_bit`` reads.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class MatrixResource(models.Model):
    """A resource of an account and its fixed bit position in every bitmap of that account."""

    class Kind(models.TextChoices):
        STAR = "star"  # "*": the resource of actions without resource types
        BROKER = "broker"
        CONFIGURATION = "configuration"

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="matrix_resources"
    )
    position = models.PositiveIntegerField()
    arn = models.CharField(max_length=2048)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=256, blank=True, default="")
    region = models.CharField(max_length=32, blank=True, default="")
    tags = models.JSONField(default=dict, blank=True)
    # A deleted resource keeps its position until the next full recompute compacts nothing:
    # positions are never reused, so an old bitmap can never be read against a new resource.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["account", "position"]
        constraints = [
            models.UniqueConstraint(fields=["account", "position"], name="matrix_position_unique"),
            models.UniqueConstraint(fields=["account", "arn"], name="matrix_arn_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.arn}"


class EffectivePermission(models.Model):
    """What one principal may do for one action, on every resource of its account."""

    # No index of its own: "matrix_who_can_covering" (account, action, …) serves account
    # lookups too.
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.CASCADE,
        related_name="effective_permissions",
        db_index=False,
    )
    principal_kind = models.CharField(max_length=8)  # user | role
    principal_id = models.BigIntegerField()
    principal_arn = models.CharField(max_length=2048)
    action = models.CharField(max_length=128)
    allowed = models.BinaryField(default=bytes)
    conditional = models.BinaryField(default=bytes)
    explicit_deny = models.BinaryField(default=bytes)
    # {"s": [[source index, true cells, unknown cells], …]}: indexes into the principal's
    # PrincipalProvenance; cells as hex bit sets, "*" = every cell of the action.
    details = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["principal_kind", "principal_id", "action"], name="matrix_row_unique"
            )
        ]
        # "What can P do" uses the unique index's (principal_kind, principal_id) prefix; a
        # separate index on it would only slow every COPY of the worker down.
        # "Who can A on R" reads every row of (account, action) and tests one bit: covering
        # the columns it reads makes that an index-only scan (3x faster than heap visits
        # scattered over every principal's rows; the worker vacuums, so pages stay visible).
        indexes = [
            models.Index(
                fields=["account", "action"],
                include=[
                    "principal_kind",
                    "principal_id",
                    "principal_arn",
                    "allowed",
                    "conditional",
                ],
                name="matrix_who_can_covering",
            )
        ]

    def __str__(self) -> str:
        return f"{self.principal_arn} {self.action}"


class PrincipalProvenance(models.Model):
    """The statements behind a principal's cells, stored once per principal.

    Each matrix row refers to these by index (``details["s"]``), with the cells each
    statement reaches, so the policy names, paths and conditions are not repeated on every
    one of the principal's action rows.
    """

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="matrix_provenance"
    )
    principal_kind = models.CharField(max_length=8)
    principal_id = models.BigIntegerField()
    sources = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["principal_kind", "principal_id"], name="provenance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"provenance of {self.principal_kind} {self.principal_id}"


class PermissionChange(models.Model):
    """The outbox: a committed change that may alter decisions, waiting to be recomputed.

    Written in the same transaction as the change (from the audit trail writer), so a change
    can never commit without its outbox row; the worker processes rows and marks them done,
    and a periodic sweep picks up rows whose task was lost (Redis or the worker down).
    """

    class Scope(models.TextChoices):
        PRINCIPAL = "principal"  # a user or role, by ARN (the ARN after the change)
        GROUP = "group"  # every member of a group
        POLICY = "policy"  # every identity the managed policy is attached to or bounds
        ACCOUNT = "account"  # everything (resources changed)

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="permission_changes"
    )
    scope = models.CharField(max_length=16, choices=Scope.choices)
    target = models.CharField(max_length=2048, blank=True, default="")
    reason = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    # A recompute claims rows for a lease; rows whose claim expired are claimed again, so a
    # task lost with its worker cannot strand them.
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["account", "id"],
                name="outbox_pending",
                condition=Q(processed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.target} ({self.reason})"


class MatrixState(models.Model):
    """An account's matrix: its version (bumped by every applied recompute) and freshness."""

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, related_name="matrix_state"
    )
    version = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    next_position = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"matrix v{self.version} of {self.account}"


class RecomputeJob(models.Model):
    """One recompute run, with progress the UI can show (NetBox ``Job``)."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="recompute_jobs"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    full = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # The chunks counted in ``done`` (their first principal): a redelivered chunk is not
    # counted twice.
    chunks_done = models.JSONField(default=list, blank=True)
    change_ids = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"recompute of {self.account} ({self.status})"


class PreviewJob(models.Model):
    """A blast radius too large to compute during the request, computed by the worker.

    Addressed by a random id (it names who may do what); only the principal who asked reads
    it. Progress lives in the Celery task's state: the computation runs in one transaction,
    whose writes no one else could see before it ends.
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        DONE = "done"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="preview_jobs"
    )
    requested_by = models.CharField(max_length=2048)  # the principal ARN that asked
    change = models.JSONField()  # the description policies.effective.changes resolves
    principals = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    task_id = models.CharField(max_length=64, blank=True, default="")
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"preview {self.id} ({self.status})"
