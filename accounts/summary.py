"""Account-level reads: entity counts against IAM's quotas, and security hints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from accounts import rules
from accounts.models import AccessKey, Account, Group, IAMUser, MFADevice, Role
from accounts.services.access_keys import ACCESS_KEYS_PER_USER
from policies.models import ManagedPolicy, PolicyAttachment

KEY_AGE_WARNING_DAYS = 90
UNUSED_ROLE_DAYS = 90


def account_summary(account: Account) -> dict:
    """AWS's GetAccountSummary SummaryMap for the account."""
    root = account.root_user
    devices = MFADevice.objects.filter(account=account)
    attachments = PolicyAttachment.objects.filter(
        Q(user__account=account) | Q(group__account=account) | Q(role__account=account)
    )
    return {
        "Users": IAMUser.objects.filter(account=account).count(),
        "UsersQuota": 5000,
        "Groups": Group.objects.filter(account=account).count(),
        "GroupsQuota": 300,
        "Roles": Role.objects.filter(account=account).count(),
        "RolesQuota": 1000,
        "Policies": ManagedPolicy.objects.filter(account=account).count(),
        "PoliciesQuota": 1500,
        "PolicySizeQuota": 6144,
        "PolicyVersionsInUse": attachments.count(),
        "PolicyVersionsInUseQuota": 10000,
        "VersionsPerPolicyQuota": rules.POLICY_VERSIONS_MAX,
        "UserPolicySizeQuota": 2048,
        "GroupPolicySizeQuota": 5120,
        "RolePolicySizeQuota": 10240,
        "AssumeRolePolicySizeQuota": 2048,
        "GroupsPerUserQuota": rules.GROUPS_PER_USER,
        "AttachedPoliciesPerUserQuota": rules.MANAGED_POLICIES_PER_ENTITY,
        "AttachedPoliciesPerGroupQuota": rules.MANAGED_POLICIES_PER_ENTITY,
        "AttachedPoliciesPerRoleQuota": rules.MANAGED_POLICIES_PER_ENTITY,
        "AccessKeysPerUserQuota": ACCESS_KEYS_PER_USER,
        "SigningCertificatesPerUserQuota": 2,
        "MFADevices": devices.count(),
        "MFADevicesInUse": devices.filter(enabled_at__isnull=False).count(),
        "AccountMFAEnabled": int(devices.filter(root_user=root, enabled_at__isnull=False).exists()),
        "AccountAccessKeysPresent": int(AccessKey.objects.filter(root_user=root).exists()),
        "AccountPasswordPresent": 1,
        "AccountSigningCertificatesPresent": 0,
        "ServerCertificates": 0,
        "ServerCertificatesQuota": 20,
        "InstanceProfiles": 0,
        "InstanceProfilesQuota": 1000,
        "Providers": 0,
        "GlobalEndpointTokenVersion": 1,
    }


@dataclass(frozen=True)
class SecurityHint:
    severity: str  # danger | warning | info
    title: str
    detail: str
    items: tuple[str, ...] = ()


def security_hints(account: Account) -> list[SecurityHint]:
    """What an auditor would flag first, most serious first."""
    hints = []
    root = account.root_user
    summary_root_keys = AccessKey.objects.filter(root_user=root)
    if summary_root_keys.exists():
        hints.append(
            SecurityHint(
                "danger",
                "The root user has access keys",
                "Root access keys can do anything in the account. Delete them and use IAM users or "
                "roles.",
                tuple(k.access_key_id for k in summary_root_keys),
            )
        )
    if not MFADevice.objects.filter(root_user=root, enabled_at__isnull=False).exists():
        hints.append(
            SecurityHint(
                "danger",
                "The root user has no MFA",
                "Assign a virtual MFA device to the root user.",
            )
        )
    without_mfa = (
        IAMUser.objects.filter(account=account)
        .exclude(password="")
        .exclude(mfa_devices__enabled_at__isnull=False)
        .order_by("name")
        .values_list("name", flat=True)
    )
    if without_mfa:
        hints.append(
            SecurityHint(
                "warning",
                f"{len(without_mfa)} console user(s) without MFA",
                "Users who sign in to the console should have MFA.",
                tuple(without_mfa[:20]),
            )
        )
    cutoff = timezone.now() - timedelta(days=KEY_AGE_WARNING_DAYS)
    old_keys = (
        AccessKey.objects.filter(user__account=account, status="Active", created_at__lt=cutoff)
        .select_related("user")
        .order_by("created_at")
    )
    if old_keys:
        hints.append(
            SecurityHint(
                "warning",
                f"{len(old_keys)} active access key(s) older than {KEY_AGE_WARNING_DAYS} days",
                "Rotate long-lived keys: create a new key, switch to it, deactivate the old one.",
                tuple(f"{k.user.name}: {k.access_key_id}" for k in old_keys[:20]),
            )
        )
    unused_cutoff = timezone.now() - timedelta(days=UNUSED_ROLE_DAYS)
    unused = (
        Role.objects.filter(account=account, is_service_linked=False)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=unused_cutoff))
        .filter(created_at__lt=unused_cutoff)
        .order_by("name")
        .values_list("name", flat=True)
    )
    if unused:
        hints.append(
            SecurityHint(
                "info",
                f"{len(unused)} role(s) unused for {UNUSED_ROLE_DAYS} days",
                "Delete roles nobody assumes any more.",
                tuple(unused[:20]),
            )
        )
    return hints
