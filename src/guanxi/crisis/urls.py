from django.urls import path

from . import views

app_name = "crisis"
urlpatterns = [
    path("", views.crisis_list_view, name="list"),
    path("new/", views.crisis_create, name="create"),
    path("<int:pk>/", views.crisis_detail, name="detail"),
    path("<int:pk>/edit/", views.crisis_edit, name="edit"),
    path("<int:pk>/status/", views.crisis_status, name="status"),
    path("<int:pk>/customers/add/", views.crisis_link, name="link"),
    path("<int:pk>/updates/", views.crisis_update, name="update"),
    path("<int:pk>/communications/", views.crisis_communication, name="communication"),
    path("<int:pk>/recovery/", views.crisis_recovery, name="recovery"),
]
