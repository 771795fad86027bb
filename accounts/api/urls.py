"""API URLs of the accounts app (mounted under /api/v1/)."""

from django.urls import path

from accounts.api import identities, views

urlpatterns = [
    path("caller-identity/", views.CallerIdentityApi.as_view(), name="caller-identity"),
    path(
        "users/<str:user_name>/access-keys/",
        views.AccessKeyListApi.as_view(),
        name="access-key-list",
    ),
    path(
        "users/<str:user_name>/access-keys/<str:access_key_id>/",
        views.AccessKeyDetailApi.as_view(),
        name="access-key-detail",
    ),
    path("assume-role/", views.AssumeRoleApi.as_view(), name="assume-role"),
    path("audit-events/", views.AuditEventListApi.as_view(), name="audit-event-list"),
    path("users/", identities.UserListApi.as_view(), name="user-list"),
    path("users/<str:name>/", identities.UserDetailApi.as_view(), name="user-detail"),
    path("users/<str:name>/tags/", identities.UserTagsApi.as_view(), name="user-tags"),
    path(
        "users/<str:name>/login-profile/",
        identities.LoginProfileApi.as_view(),
        name="user-login-profile",
    ),
    path("users/<str:name>/groups/", identities.UserGroupsApi.as_view(), name="user-groups"),
    path("groups/", identities.GroupListApi.as_view(), name="group-list"),
    path("groups/<str:name>/", identities.GroupDetailApi.as_view(), name="group-detail"),
    path("groups/<str:name>/members/", identities.GroupMembersApi.as_view(), name="group-members"),
    path(
        "groups/<str:name>/members/<str:user_name>/",
        identities.GroupMemberApi.as_view(),
        name="group-member",
    ),
    path("roles/", identities.RoleListApi.as_view(), name="role-list"),
    path("roles/<str:name>/", identities.RoleDetailApi.as_view(), name="role-detail"),
    path(
        "roles/<str:name>/trust-policy/",
        identities.RoleTrustPolicyApi.as_view(),
        name="role-trust-policy",
    ),
    path("roles/<str:name>/tags/", identities.RoleTagsApi.as_view(), name="role-tags"),
]
