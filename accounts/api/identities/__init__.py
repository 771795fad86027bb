"""The identities API: users, groups and roles under /api/v1/, AWS's field names and errors.

The same services, selectors and FilterSets as the console pages; every endpoint authorizes
the IAM action AWS would, on the ARN AWS would, before it changes anything.
"""

from accounts.api.identities.common import FORCE, TAG_KEYS, ListCreateApi, TagsApi
from accounts.api.identities.groups import (
    GroupDetailApi,
    GroupListApi,
    GroupMemberApi,
    GroupMembersApi,
)
from accounts.api.identities.roles import (
    TRUST_EXAMPLE,
    RoleDetailApi,
    RoleListApi,
    RoleTagsApi,
    RoleTrustPolicyApi,
)
from accounts.api.identities.users import (
    USER_EXAMPLE,
    LoginProfileApi,
    UserDetailApi,
    UserGroupsApi,
    UserListApi,
    UserTagsApi,
)

__all__ = [
    "FORCE",
    "TAG_KEYS",
    "TRUST_EXAMPLE",
    "USER_EXAMPLE",
    "GroupDetailApi",
    "GroupListApi",
    "GroupMemberApi",
    "GroupMembersApi",
    "ListCreateApi",
    "LoginProfileApi",
    "RoleDetailApi",
    "RoleListApi",
    "RoleTagsApi",
    "RoleTrustPolicyApi",
    "TagsApi",
    "UserDetailApi",
    "UserGroupsApi",
    "UserListApi",
    "UserTagsApi",
]
