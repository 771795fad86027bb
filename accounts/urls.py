"""Console URLs of the accounts app."""

from django.urls import path

from accounts.views.audit import AuditEventListView
from accounts.views.auth import PasswordChangeView, SignInMFAView, SignInView, SignOutView
from accounts.views.credentials import (
    AccessKeyCreateView,
    AccessKeyUpdateView,
    MFADeactivateView,
    MFAEnrolView,
    MyCredentialsView,
)
from accounts.views.home import HomeView
from accounts.views.switch_role import (
    RoleSessionListView,
    RoleSessionRevokeView,
    SwitchBackView,
    SwitchRoleView,
)
from accounts.views.users import (
    UserCreateView,
    UserDeleteView,
    UserDetailView,
    UserListView,
    UserUpdateView,
)

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
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
        "role-sessions/<int:pk>/revoke", RoleSessionRevokeView.as_view(), name="role-session-revoke"
    ),
    path("audit", AuditEventListView.as_view(), name="audit-list"),
    path("users", UserListView.as_view(), name="user-list"),
    path("users/create", UserCreateView.as_view(), name="user-create"),
    path("users/<str:name>", UserDetailView.as_view(), name="user-detail"),
    path("users/<str:name>/edit", UserUpdateView.as_view(), name="user-update"),
    path("users/<str:name>/delete", UserDeleteView.as_view(), name="user-delete"),
]
