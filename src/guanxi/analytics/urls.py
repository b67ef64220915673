from django.urls import path

from . import churn_views, views

app_name = "analytics"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("recompute/", views.recompute, name="recompute"),
    path("holdout/", views.holdout, name="holdout"),
    path("settings/", views.value_settings, name="value_settings"),
    path("churn/", churn_views.churn_list, name="churn"),
    path("churn/export.csv", churn_views.churn_export, name="churn_export"),
    path("churn/win-back/", churn_views.churn_win_back, name="churn_win_back"),
    path("churn/settings/", churn_views.churn_settings, name="churn_settings"),
    path("churn/model/", churn_views.churn_model_page, name="churn_model"),
    path("churn/model/train/", churn_views.churn_train, name="churn_train"),
]
