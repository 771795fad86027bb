"""Policies, versions, attachments, and the effective-permissions matrix with its outbox."""

from policies.models.documents import (
    InlinePolicy,
    ManagedPolicy,
    PolicyAttachment,
    PolicyDocumentMixin,
    PolicyVersion,
    document_hash,
)
from policies.models.effective import (
    EffectivePermission,
    MatrixResource,
    MatrixState,
    PermissionChange,
    PreviewJob,
    PrincipalProvenance,
    RecomputeJob,
)
from policies.models.requests import (
    AccessRequest,
    AccessRequestApproval,
    AccessRequestEvent,
    AccessRequestSettings,
    Notification,
)

__all__ = [
    "AccessRequest",
    "AccessRequestApproval",
    "AccessRequestEvent",
    "AccessRequestSettings",
    "EffectivePermission",
    "InlinePolicy",
    "ManagedPolicy",
    "MatrixResource",
    "MatrixState",
    "Notification",
    "PermissionChange",
    "PolicyAttachment",
    "PolicyDocumentMixin",
    "PolicyVersion",
    "PreviewJob",
    "PrincipalProvenance",
    "RecomputeJob",
    "document_hash",
]
