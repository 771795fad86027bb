"""IAM groups: list, create (with policies), detail tabs, members, policies, edit, delete."""

from accounts.views.groups.common import (
    PolicyAttachForm,
    apply_group_error,
    group_or_404,
    policy_choices,
)
from accounts.views.groups.create import GroupCreateForm, GroupCreateView, GroupListView
from accounts.views.groups.detail import (
    GroupDetailView,
    GroupMemberAddView,
    GroupMemberRemoveView,
    GroupPolicyAttachView,
    GroupPolicyDetachView,
    MemberAddForm,
)
from accounts.views.groups.edit import (
    GroupDeleteView,
    GroupUpdateForm,
    GroupUpdateView,
)

__all__ = [
    "GroupCreateForm",
    "GroupCreateView",
    "GroupDeleteView",
    "GroupDetailView",
    "GroupListView",
    "GroupMemberAddView",
    "GroupMemberRemoveView",
    "GroupPolicyAttachView",
    "GroupPolicyDetachView",
    "GroupUpdateForm",
    "GroupUpdateView",
    "MemberAddForm",
    "PolicyAttachForm",
    "apply_group_error",
    "group_or_404",
    "policy_choices",
]
