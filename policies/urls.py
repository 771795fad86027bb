"""Console URLs of the policies app."""

from django.urls import path, register_converter

from policies.pages import attachments, editor, inline, policies, versions


class IdentityKindConverter:
    """``user``, ``group`` or ``role`` in a URL."""

    regex = "user|group|role"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IdentityKindConverter, "identity_kind")

urlpatterns = [
    path("policies", policies.PolicyListView.as_view(), name="policy-list"),
    path("policies/create", policies.PolicyCreateView.as_view(), name="policy-create"),
    path("policies/validate", editor.PolicyValidateView.as_view(), name="policy-validate"),
    # Inline policies and boundaries of users, groups and roles (linked from their pages).
    path(
        "policies/inline/<identity_kind:kind>/<str:name>",
        inline.InlinePolicyListView.as_view(),
        name="inline-policy-list",
    ),
    # Not ".../<name>/create": that would shadow an inline policy called "create".
    path(
        "policies/create-inline/<identity_kind:kind>/<str:name>",
        inline.InlinePolicyCreateView.as_view(),
        name="inline-policy-create",
    ),
    path(
        "policies/inline/<identity_kind:kind>/<str:name>/<str:policy_name>",
        inline.InlinePolicyEditView.as_view(),
        name="inline-policy-edit",
    ),
    path(
        "policies/inline/<identity_kind:kind>/<str:name>/<str:policy_name>/delete",
        inline.InlinePolicyDeleteView.as_view(),
        name="inline-policy-delete",
    ),
    path(
        "policies/boundary/<identity_kind:kind>/<str:name>",
        inline.BoundaryEditView.as_view(),
        name="boundary-edit",
    ),
    path(
        "policies/boundary/<identity_kind:kind>/<str:name>/delete",
        inline.BoundaryDeleteView.as_view(),
        name="boundary-delete",
    ),
    # Managed policies by PolicyId (ANPA…): unambiguous, unlike names, and free of slashes.
    path("policies/<str:policy_id>", policies.PolicyDetailView.as_view(), name="policy-detail"),
    path(
        "policies/<str:policy_id>/delete",
        policies.PolicyDeleteView.as_view(),
        name="policy-delete",
    ),
    path("policies/<str:policy_id>/tags", policies.PolicyTagsView.as_view(), name="policy-tags"),
    path(
        "policies/<str:policy_id>/attach",
        attachments.PolicyAttachView.as_view(),
        name="policy-attach",
    ),
    path(
        "policies/<str:policy_id>/detach/<identity_kind:kind>/<str:name>",
        attachments.PolicyDetachView.as_view(),
        name="policy-detach",
    ),
    path(
        "policies/<str:policy_id>/versions/create",
        versions.PolicyVersionCreateView.as_view(),
        name="policy-version-create",
    ),
    path(
        "policies/<str:policy_id>/versions/compare",
        versions.PolicyVersionDiffView.as_view(),
        name="policy-version-diff",
    ),
    path(
        "policies/<str:policy_id>/versions/<str:version_id>",
        versions.PolicyVersionDetailView.as_view(),
        name="policy-version-detail",
    ),
    path(
        "policies/<str:policy_id>/versions/<str:version_id>/set-default",
        versions.PolicyVersionSetDefaultView.as_view(),
        name="policy-version-set-default",
    ),
    path(
        "policies/<str:policy_id>/versions/<str:version_id>/delete",
        versions.PolicyVersionDeleteView.as_view(),
        name="policy-version-delete",
    ),
]
