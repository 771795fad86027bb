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
    RecomputeJob,
)

__all__ = [
    "EffectivePermission",
    "InlinePolicy",
    "ManagedPolicy",
    "MatrixResource",
    "MatrixState",
    "PermissionChange",
    "PolicyAttachment",
    "PolicyDocumentMixin",
    "PolicyVersion",
    "RecomputeJob",
    "document_hash",
]
