"""IAM roles: list, create (trust policy from a form or JSON), detail tabs, edit, delete.

Service-linked roles (AWSServiceRoleForAmazonMQ) are shown read-only: only their description
may change, and the services refuse everything else with UnmodifiableEntity anyway.
"""

from accounts.views.roles.common import (
    apply_role_error,
    read_only_reason,
    trust_findings,
)
from accounts.views.roles.create import (
    RoleCreateForm,
    RoleCreateView,
    RoleListView,
    RoleTrustPreviewView,
    TrustForm,
)
from accounts.views.roles.detail import (
    RoleDetailView,
    RolePolicyAttachView,
    RolePolicyDetachView,
    RoleSessionEndView,
    RoleTagsForm,
    RoleTagsUpdateView,
)
from accounts.views.roles.edit import (
    RoleDeleteView,
    RoleTrustUpdateView,
    RoleUpdateForm,
    RoleUpdateView,
    TrustPolicyForm,
)

__all__ = [
    "RoleCreateForm",
    "RoleCreateView",
    "RoleDeleteView",
    "RoleDetailView",
    "RoleListView",
    "RolePolicyAttachView",
    "RolePolicyDetachView",
    "RoleSessionEndView",
    "RoleTagsForm",
    "RoleTagsUpdateView",
    "RoleTrustPreviewView",
    "RoleTrustUpdateView",
    "RoleUpdateForm",
    "RoleUpdateView",
    "TrustForm",
    "TrustPolicyForm",
    "apply_role_error",
    "read_only_reason",
    "trust_findings",
]
