from django.urls import path

from . import views
from .registry import LISTS

app_name = "exports"
# One view; a route per registered list and format (customers.csv → exports:customers_csv).
# Spelled out rather than <kind>.<format>, so an unknown list is a plain 404 and the
# route walker in tests/test_every_route.py sees every download.
urlpatterns = [
    path(
        f"{kind}.{file_format}",
        views.list_export,
        {"kind": kind, "file_format": file_format},
        name=f"{kind}_{file_format}",
    )
    for kind in LISTS
    for file_format in views.FORMATS
]
urlpatterns.append(path("settings/", views.settings_form, name="settings"))
