"""Accounts, identities, credentials and the audit trail."""

from accounts.models.account import Account, RootUser
from accounts.models.audit import AuditEvent
from accounts.models.credentials import AccessKey
from accounts.models.identities import Group, GroupMembership, IAMUser, Role
from accounts.models.security import (
    CredentialReport,
    MFADevice,
    PasswordHistory,
    PasswordPolicy,
    RoleSession,
)

__all__ = [
    "AccessKey",
    "Account",
    "AuditEvent",
    "CredentialReport",
    "Group",
    "GroupMembership",
    "IAMUser",
    "MFADevice",
    "PasswordHistory",
    "PasswordPolicy",
    "Role",
    "RoleSession",
    "RootUser",
]
