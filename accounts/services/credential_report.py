"""The IAM credential report: one CSV row per IAM user and the root user, in AWS's columns.

GenerateCredentialReport starts a report that stays valid for four hours; the start is the
audit row ``iam:GenerateCredentialReport`` (so every web process sees it, without a table).
GetCredentialReport then answers with the CSV as of the moment it is read (``GeneratedTime``
is that moment), which is never staler than AWS's, and fails with AWS's ``ReportNotPresent``
or ``ReportExpired`` when no report was started in the last four hours.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit import audit_record
from accounts.errors import IAMError
from accounts.models import AccessKey, Account, AuditEvent, IAMUser, MFADevice
from accounts.services.passwords import password_policy_for

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


class ReportExpired(IAMError):
    code = "ReportExpired"
    http_status = 410


def _when(value: datetime | None, default: str = NA) -> str:
    if value is None:
        return default
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def _bool(value: bool) -> str:
    return "TRUE" if value else "FALSE"


def _key_columns(keys: list[AccessKey]) -> list[str]:
    out: list[str] = []
    for index in range(2):
        key = keys[index] if index < len(keys) else None
        if key is None:
            out += ["FALSE", NA, NA, NA, NA]
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
    return ["FALSE", NA, "FALSE", NA]  # signing certificates do not exist in this console


def credential_report_rows(account: Account) -> list[list[str]]:
    """The report's rows: the root user first, then every IAM user by name."""
    policy = password_policy_for(account)
    root = account.root_user
    root_keys = list(AccessKey.objects.filter(root_user=root).order_by("created_at", "id"))
    root_mfa = MFADevice.objects.filter(root_user=root, enabled_at__isnull=False).exists()
    rows = [
        [
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
    ]
    users = (
        IAMUser.objects.filter(account=account)
        .select_related("account")
        .prefetch_related(
            Prefetch("access_keys", queryset=AccessKey.objects.order_by("created_at", "id")),
            Prefetch("mfa_devices", queryset=MFADevice.objects.filter(enabled_at__isnull=False)),
        )
        .order_by("name")
    )
    for user in users:
        has_password = user.has_console_password
        rotation = NA
        if has_password and policy.max_age_days and user.password_changed_at:
            rotation = _when(user.password_changed_at + timedelta(days=policy.max_age_days))
        rows.append(
            [
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
        )
    return rows


def credential_report_csv(account: Account) -> str:
    """The report as AWS's CSV text (header line, then one line per user)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(credential_report_rows(account))
    return buffer.getvalue()


def _latest_start(account: Account) -> AuditEvent | None:
    return (
        AuditEvent.objects.filter(
            account_id=account.account_id, action=GENERATE_ACTION, decision="allowed"
        )
        .order_by("-time", "-id")
        .first()
    )


def credential_report_generate(*, actor: Actor, account: Account) -> tuple[str, str]:
    """(State, Description): ``COMPLETE`` while a report is fresh, else ``STARTED`` anew."""
    latest = _latest_start(account)
    if latest is not None and timezone.now() - latest.time < REPORT_VALID_FOR:
        return "COMPLETE", "A credential report generated in the last four hours is available."
    audit_record(
        actor=actor, action=GENERATE_ACTION, resource_arn="*", account_id=account.account_id
    )
    return "STARTED", "No report exists. Starting a new report generation task"


def credential_report_get(*, account: Account) -> tuple[str, datetime]:
    """(CSV, generated time) of the account's report; AWS's errors when there is none."""
    latest = _latest_start(account)
    if latest is None:
        raise ReportNotPresent(
            "Credential report not present. Call GenerateCredentialReport first."
        )
    now = timezone.now()
    if now - latest.time >= REPORT_VALID_FOR:
        raise ReportExpired(
            "Credential report expired; reports are valid for four hours. "
            "Call GenerateCredentialReport again."
        )
    return credential_report_csv(account), now
