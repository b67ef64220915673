from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("customers.csv", views.customer_export, {"file_format": "csv"}, name="customers_csv"),
    path("customers.xlsx", views.customer_export, {"file_format": "xlsx"}, name="customers_xlsx"),
]
