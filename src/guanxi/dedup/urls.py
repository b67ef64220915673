from django.urls import path

from . import views

app_name = "dedup"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("settings/", views.settings_form, name="settings"),
    path("scan/", views.start_scan, name="scan"),
    path("dismiss/", views.dismiss_many, name="dismiss_many"),
    path("pairs/<int:pk>/", views.pair, name="pair"),
    path("pairs/<int:pk>/merge/", views.merge, name="merge"),
    path("pairs/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("pairs/<int:pk>/undo/", views.undo, name="undo"),
]
