"""Console URLs of the accounts app."""

from django.urls import path

from accounts.views.account import AccountSettingsView, CredentialReportView
from accounts.views.audit import AuditEventListView
from accounts.views.auth import PasswordChangeView, SignInMFAView, SignInView, SignOutView
from accounts.views.credentials import (
    AccessKeyCreateView,
    AccessKeyUpdateView,
    MFADeactivateView,
    MFAEnrolView,
    MyCredentialsView,
)
from accounts.views.groups import (
    GroupCreateView,
    GroupDeleteView,
    GroupDetailView,
    GroupListView,
    GroupMemberAddView,
    GroupMemberRemoveView,
    GroupPolicyAttachView,
    GroupPolicyDetachView,
    GroupUpdateView,
)
from accounts.views.home import home_or_query_api
from accounts.views.roles import (
    RoleCreateView,
    RoleDeleteView,
    RoleDetailView,
    RoleListView,
    RolePolicyAttachView,
    RolePolicyDetachView,
    RoleSessionEndView,
    RoleTagsUpdateView,
    RoleTrustPreviewView,
    RoleTrustUpdateView,
    RoleUpdateView,
)
from accounts.views.switch_role import (
    RoleSessionListView,
    RoleSessionRevokeView,
    SwitchBackView,
    SwitchRoleView,
)
from accounts.views.user_page import (
    UserAccessKeyCreateView,
    UserAccessKeyUpdateView,
    UserDetailView,
    UserGroupAddView,
    UserMFAAssignView,
    UserMFARemoveView,
    UserPasswordRemoveView,
    UserPasswordView,
    UserPolicyAttachView,
    UserTagsUpdateView,
)
from accounts.views.users import (
    UserCreateView,
    UserDeleteView,
    UserListView,
    UserUpdateView,
)

urlpatterns = [
    # The base URL is also the AWS IAM/STS query endpoint (POST /, GET /?Action=…).
    path("", home_or_query_api, name="home"),
    path("signin", SignInView.as_view(), name="signin"),
    path("signin/mfa", SignInMFAView.as_view(), name="signin-mfa"),
    path("signout", SignOutView.as_view(), name="signout"),
    path("password/change", PasswordChangeView.as_view(), name="password-change"),
    path("security-credentials", MyCredentialsView.as_view(), name="my-credentials"),
    path(
        "security-credentials/access-keys", AccessKeyCreateView.as_view(), name="access-key-create"
    ),
    path(
        "security-credentials/access-keys/<str:access_key_id>",
        AccessKeyUpdateView.as_view(),
        name="access-key-update",
    ),
    path("security-credentials/mfa", MFAEnrolView.as_view(), name="mfa-enrol"),
    path("security-credentials/mfa/deactivate", MFADeactivateView.as_view(), name="mfa-deactivate"),
    path("switch-role", SwitchRoleView.as_view(), name="switch-role"),
    path("switch-role/back", SwitchBackView.as_view(), name="switch-role-back"),
    path("role-sessions", RoleSessionListView.as_view(), name="role-sessions"),
    path(
        "role-sessions/<str:access_key_id>/revoke",
        RoleSessionRevokeView.as_view(),
        name="role-session-revoke",
    ),
    path("audit", AuditEventListView.as_view(), name="audit-list"),
    path("account/settings", AccountSettingsView.as_view(), name="account-settings"),
    path("account/credential-report", CredentialReportView.as_view(), name="credential-report"),
    path("users", UserListView.as_view(), name="user-list"),
    path("users/create", UserCreateView.as_view(), name="user-create"),
    path("users/<str:name>", UserDetailView.as_view(), name="user-detail"),
    path("users/<str:name>/edit", UserUpdateView.as_view(), name="user-update"),
    path("users/<str:name>/delete", UserDeleteView.as_view(), name="user-delete"),
    path(
        "users/<str:name>/policies/attach",
        UserPolicyAttachView.as_view(),
        name="user-policy-attach",
    ),
    path("users/<str:name>/groups", UserGroupAddView.as_view(), name="user-group-add"),
    path("users/<str:name>/tags", UserTagsUpdateView.as_view(), name="user-tags"),
    path("users/<str:name>/password", UserPasswordView.as_view(), name="user-password"),
    path(
        "users/<str:name>/password/delete",
        UserPasswordRemoveView.as_view(),
        name="user-password-delete",
    ),
    path(
        "users/<str:name>/access-keys",
        UserAccessKeyCreateView.as_view(),
        name="user-access-key-create",
    ),
    path(
        "users/<str:name>/access-keys/<str:access_key_id>",
        UserAccessKeyUpdateView.as_view(),
        name="user-access-key-update",
    ),
    path("users/<str:name>/mfa/assign", UserMFAAssignView.as_view(), name="user-mfa-assign"),
    path("users/<str:name>/mfa/remove", UserMFARemoveView.as_view(), name="user-mfa-remove"),
    path("groups", GroupListView.as_view(), name="group-list"),
    path("groups/create", GroupCreateView.as_view(), name="group-create"),
    path("groups/<str:name>", GroupDetailView.as_view(), name="group-detail"),
    path("groups/<str:name>/edit", GroupUpdateView.as_view(), name="group-update"),
    path("groups/<str:name>/delete", GroupDeleteView.as_view(), name="group-delete"),
    path("groups/<str:name>/members", GroupMemberAddView.as_view(), name="group-member-add"),
    path(
        "groups/<str:name>/members/<str:user_name>/remove",
        GroupMemberRemoveView.as_view(),
        name="group-member-remove",
    ),
    path(
        "groups/<str:name>/policies/attach",
        GroupPolicyAttachView.as_view(),
        name="group-policy-attach",
    ),
    path(
        "groups/<str:name>/policies/detach",
        GroupPolicyDetachView.as_view(),
        name="group-policy-detach",
    ),
    path("roles", RoleListView.as_view(), name="role-list"),
    path("roles/create", RoleCreateView.as_view(), name="role-create"),
    path("roles/trust-preview", RoleTrustPreviewView.as_view(), name="role-trust-preview"),
    path("roles/<str:name>", RoleDetailView.as_view(), name="role-detail"),
    path("roles/<str:name>/edit", RoleUpdateView.as_view(), name="role-update"),
    path("roles/<str:name>/trust-policy", RoleTrustUpdateView.as_view(), name="role-trust-update"),
    path("roles/<str:name>/tags", RoleTagsUpdateView.as_view(), name="role-tags"),
    path(
        "roles/<str:name>/policies/attach",
        RolePolicyAttachView.as_view(),
        name="role-policy-attach",
    ),
    path(
        "roles/<str:name>/policies/detach",
        RolePolicyDetachView.as_view(),
        name="role-policy-detach",
    ),
    path(
        "roles/<str:name>/sessions/<str:access_key_id>/revoke",
        RoleSessionEndView.as_view(),
        name="role-session-end",
    ),
    path("roles/<str:name>/delete", RoleDeleteView.as_view(), name="role-delete"),
]
