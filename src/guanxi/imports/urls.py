from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("new/", views.batch_upload, name="upload"),
    path("<int:pk>/", views.batch_detail, name="detail"),
    path("<int:pk>/mapping/", views.batch_mapping, name="mapping"),
    path("<int:pk>/preview/", views.batch_preview, name="preview"),
    path("<int:pk>/run/", views.batch_run, name="run"),
    path("<int:pk>/progress/", views.batch_progress, name="progress"),
    path("<int:pk>/errors.csv", views.batch_report, {"file_format": "csv"}, name="report_csv"),
    path("<int:pk>/errors.xlsx", views.batch_report, {"file_format": "xlsx"}, name="report_xlsx"),
]
