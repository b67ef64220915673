from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("export.csv", views.dashboard_csv, name="dashboard_csv"),
    path("report/", views.report_view, name="report"),
    path("report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("report.pdf", views.report_pdf_view, name="report_pdf"),
    path("targets/", views.targets_view, name="targets"),
]
