"""Console URLs of the effective-permissions pages."""

from django.urls import path

from policies.effective import views

urlpatterns = [
    path("access/freshness", views.FreshnessView.as_view(), name="matrix-freshness"),
    path("access/blast-radius", views.BlastRadiusView.as_view(), name="blast-radius"),
    path("access/blast-radius/<uuid:job_id>", views.PreviewJobView.as_view(), name="preview-job"),
    path("access/who-can", views.WhoCanView.as_view(), name="who-can"),
    path("access/resource", views.ResourceAccessView.as_view(), name="resource-access"),
    path("access/graph.json", views.GraphDataView.as_view(), name="access-graph-data"),
    path(
        "access/<str:kind>/<str:name>", views.PrincipalMatrixView.as_view(), name="principal-matrix"
    ),
    path("access/<str:kind>/<str:name>/cell", views.CellView.as_view(), name="matrix-cell"),
]
