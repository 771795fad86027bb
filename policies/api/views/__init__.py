"""The policies API: managed policies, versions, tags and validation; identities' policies.

Attachments, inline policies and boundaries of users, groups and roles too. Each endpoint
authorizes the IAM action AWS would, then calls the same services as the console pages.
"""

from policies.api.views.common import EXAMPLE_DOCUMENT, LABELS
from policies.api.views.identities import (
    AttachedPolicyDetailApi,
    AttachedPolicyListApi,
    BoundaryApi,
    IdentityPolicyApi,
    InlinePolicyDetailApi,
    InlinePolicyListApi,
)
from policies.api.views.managed import (
    PolicyDetailApi,
    PolicyEntitiesApi,
    PolicyListApi,
    PolicyTagsApi,
    PolicyValidateApi,
    PolicyVersionDetailApi,
    PolicyVersionListApi,
    PolicyVersionSetDefaultApi,
)

__all__ = [
    "EXAMPLE_DOCUMENT",
    "LABELS",
    "AttachedPolicyDetailApi",
    "AttachedPolicyListApi",
    "BoundaryApi",
    "IdentityPolicyApi",
    "InlinePolicyDetailApi",
    "InlinePolicyListApi",
    "PolicyDetailApi",
    "PolicyEntitiesApi",
    "PolicyListApi",
    "PolicyTagsApi",
    "PolicyValidateApi",
    "PolicyVersionDetailApi",
    "PolicyVersionListApi",
    "PolicyVersionSetDefaultApi",
]
