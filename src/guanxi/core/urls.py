from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("divisions/cities/", views.cities, name="cities"),
    path("divisions/districts/", views.districts, name="districts"),
]
