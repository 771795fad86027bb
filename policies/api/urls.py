"""API URLs of the policies app (mounted under /api/v1/, namespace ``api``)."""

from django.urls import path

from policies.api import views

urlpatterns = [
    path("policies/", views.PolicyListApi.as_view(), name="policy-list"),
    path("policies/validate/", views.PolicyValidateApi.as_view(), name="policy-validate"),
    path("policies/<str:policy_id>/", views.PolicyDetailApi.as_view(), name="policy-detail"),
    path(
        "policies/<str:policy_id>/versions/",
        views.PolicyVersionListApi.as_view(),
        name="policy-version-list",
    ),
    path(
        "policies/<str:policy_id>/versions/<str:version_id>/",
        views.PolicyVersionDetailApi.as_view(),
        name="policy-version-detail",
    ),
    path(
        "policies/<str:policy_id>/versions/<str:version_id>/set-default/",
        views.PolicyVersionSetDefaultApi.as_view(),
        name="policy-version-set-default",
    ),
    path(
        "policies/<str:policy_id>/entities/",
        views.PolicyEntitiesApi.as_view(),
        name="policy-entities",
    ),
    path("policies/<str:policy_id>/tags/", views.PolicyTagsApi.as_view(), name="policy-tags"),
]

# The same endpoints for users, groups and roles (boundaries: users and roles only).
for kind in ("user", "group", "role"):
    urlpatterns += [
        path(
            f"{kind}s/<str:name>/attached-policies/",
            views.AttachedPolicyListApi.as_view(kind=kind),
            name=f"{kind}-attached-policies",
        ),
        path(
            f"{kind}s/<str:name>/attached-policies/<str:policy_id>/",
            views.AttachedPolicyDetailApi.as_view(kind=kind),
            name=f"{kind}-attached-policy",
        ),
        path(
            f"{kind}s/<str:name>/inline-policies/",
            views.InlinePolicyListApi.as_view(kind=kind),
            name=f"{kind}-inline-policies",
        ),
        path(
            f"{kind}s/<str:name>/inline-policies/<str:policy_name>/",
            views.InlinePolicyDetailApi.as_view(kind=kind),
            name=f"{kind}-inline-policy",
        ),
    ]
    if kind != "group":
        urlpatterns.append(
            path(
                f"{kind}s/<str:name>/permissions-boundary/",
                views.BoundaryApi.as_view(kind=kind),
                name=f"{kind}-permissions-boundary",
            )
        )
