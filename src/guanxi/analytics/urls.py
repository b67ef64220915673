from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("recompute/", views.recompute, name="recompute"),
    path("holdout/", views.holdout, name="holdout"),
]
