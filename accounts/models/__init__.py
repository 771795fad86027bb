"""Accounts, identities, credentials and the audit trail."""

from accounts.models.account import Account, RootUser
from accounts.models.audit import AuditEvent
from accounts.models.credentials import AccessKey
from accounts.models.identities import Group, GroupMembership, IAMUser, Role

__all__ = [
    "AccessKey",
    "Account",
    "AuditEvent",
    "Group",
    "GroupMembership",
    "IAMUser",
    "Role",
    "RootUser",
]
