"""The IAM credential report: one CSV row per IAM user and the root user, in AWS's columns.

GenerateCredentialReport records a request and a worker task builds the CSV, reporting its
progress; the finished report stays valid for four hours (AWS's rule), after which a new
request builds a new one. GetCredentialReport returns the stored CSV, or AWS's
``ReportNotPresent`` / ``ReportInProgress`` / ``ReportExpired``.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import IAMError
from accounts.models import AccessKey, Account, CredentialReport, IAMUser, MFADevice
from accounts.services.passwords import password_policy_for
from config.queue import task

COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)
REPORT_VALID_FOR = timedelta(hours=4)
GENERATE_ACTION = "iam:GenerateCredentialReport"
NA = "N/A"


class ReportNotPresent(IAMError):
    code = "ReportNotPresent"
    http_status = 410


class ReportInProgress(IAMError):
    code = "ReportInProgress"
    http_status = 404


class ReportExpired(IAMError):
    code = "ReportExpired"
    http_status = 410


def _when(value: datetime | None, default: str = NA) -> str:
    if value is None:
        return default
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def _bool(value: bool) -> str:
    return "true" if value else "false"  # as real reports spell it


def _key_columns(keys: list[AccessKey]) -> list[str]:
    out: list[str] = []
    for index in range(2):
        key = keys[index] if index < len(keys) else None
        if key is None:
            out += ["false", NA, NA, NA, NA]
            continue
        used = key.last_used_at is not None
        out += [
            _bool(key.status == AccessKey.Status.ACTIVE),
            _when(key.created_at),
            _when(key.last_used_at),
            key.last_used_region or NA if used else NA,
            key.last_used_service or NA if used else NA,
        ]
    return out


def _cert_columns() -> list[str]:
    return ["false", NA, "false", NA]  # signing certificates do not exist in this console


def _root_row(account: Account) -> list[str]:
    root = account.root_user
    root_keys = list(AccessKey.objects.filter(root_user=root).order_by("created_at", "id"))
    root_mfa = MFADevice.objects.filter(root_user=root, enabled_at__isnull=False).exists()
    return [
        "<root_account>",
        root.arn,
        _when(account.created_at),
        "not_supported",
        _when(root.last_login_at, "no_information"),
        "not_supported",
        "not_supported",
        _bool(root_mfa),
        *_key_columns(root_keys),
        *_cert_columns(),
    ]


def _user_row(user: IAMUser, max_age_days: int | None) -> list[str]:
    has_password = user.has_console_password
    rotation = NA
    if has_password and max_age_days and user.password_changed_at:
        rotation = _when(user.password_changed_at + timedelta(days=max_age_days))
    return [
        user.name,
        user.arn,
        _when(user.created_at),
        _bool(has_password),
        _when(user.password_last_used_at, "no_information") if has_password else NA,
        _when(user.password_changed_at) if has_password else NA,
        rotation,
        _bool(bool(user.mfa_devices.all())),
        *_key_columns(list(user.access_keys.all())),
        *_cert_columns(),
    ]


def credential_report_rows(account: Account, *, progress=None, chunk: int = 500):
    """The report's rows: the root user first, then every IAM user by name.

    ``progress(done, total)`` is called after each chunk of users, for the UI's progress bar.
    """
    policy = password_policy_for(account)
    rows = [_root_row(account)]
    users = (
        IAMUser.objects.filter(account=account)
        .select_related("account")
        .prefetch_related(
            Prefetch("access_keys", queryset=AccessKey.objects.order_by("created_at", "id")),
            Prefetch("mfa_devices", queryset=MFADevice.objects.filter(enabled_at__isnull=False)),
        )
        .order_by("name")
    )
    ids = list(users.values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        batch = users.filter(pk__in=ids[start : start + chunk])
        rows += [_user_row(user, policy.max_age_days) for user in batch]
        if progress is not None:
            progress(min(start + chunk, len(ids)), len(ids))
    return rows


def credential_report_csv(account: Account, *, progress=None) -> str:
    """The report as AWS's CSV text (header line, then one line per user)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(credential_report_rows(account, progress=progress))
    return buffer.getvalue()


def credential_report_latest(account: Account) -> CredentialReport | None:
    return CredentialReport.objects.filter(account=account).first()


def credential_report_generate(*, actor: Actor, account: Account) -> tuple[str, str]:
    """(State, Description) as AWS's GenerateCredentialReport: a fresh report is reused."""
    latest = credential_report_latest(account)
    now = timezone.now()
    if (
        latest is not None
        and latest.status == CredentialReport.Status.COMPLETE
        and latest.generated_at
        and now - latest.generated_at < REPORT_VALID_FOR
    ):
        return "COMPLETE", "A credential report generated in the last four hours is available."
    if (
        latest is not None
        and latest.status in (CredentialReport.Status.STARTED, CredentialReport.Status.INPROGRESS)
        and now - latest.requested_at < REPORT_VALID_FOR
    ):
        return "INPROGRESS", "A credential report is being generated."
    with transaction.atomic():
        report = CredentialReport.objects.create(account=account, requested_by=actor.arn)
        audit_record(
            actor=actor,
            action=GENERATE_ACTION,
            resource_arn="*",
            account_id=account.account_id,
        )
        transaction.on_commit(partial(_enqueue, report.pk))
    return "STARTED", "No report exists. Starting a new report generation task"


def _enqueue(report_pk: int) -> None:
    build_task = task("accounts.tasks.credential_report_build")
    try:
        build_task.delay(report_pk)
    except Exception:  # noqa: BLE001 - the sweep in the task module picks stale reports up
        logging.getLogger("mqiam").warning("could not enqueue credential report %s", report_pk)


def credential_report_build(*, report_pk: int) -> CredentialReport:
    """Build a requested report (idempotent: a complete report is left as it is)."""
    report = CredentialReport.objects.select_related("account").get(pk=report_pk)
    if report.status == CredentialReport.Status.COMPLETE:
        return report
    CredentialReport.objects.filter(pk=report.pk).update(status=CredentialReport.Status.INPROGRESS)

    def progress(done: int, total: int) -> None:
        CredentialReport.objects.filter(pk=report.pk).update(done=done, total=total)

    content = credential_report_csv(report.account, progress=progress)
    CredentialReport.objects.filter(pk=report.pk).update(
        status=CredentialReport.Status.COMPLETE, content=content, generated_at=timezone.now()
    )
    report.refresh_from_db()
    return report


def credential_report_get(*, account: Account) -> tuple[str, datetime]:
    """(CSV, generated time) of the account's report; AWS's errors when there is none."""
    latest = credential_report_latest(account)
    if latest is None:
        raise ReportNotPresent(
            "Credential report not present. Call GenerateCredentialReport first."
        )
    if latest.status != CredentialReport.Status.COMPLETE:
        raise ReportInProgress("Credential report is still being generated.")
    if timezone.now() - latest.generated_at >= REPORT_VALID_FOR:
        raise ReportExpired(
            "Credential report expired; reports are valid for four hours. "
            "Call GenerateCredentialReport again."
        )
    return latest.content, latest.generated_at
