"""Only the API, so the API tests do not depend on the state of the web UI's URLs."""

from django.urls import path

from guanxi.api import api

urlpatterns = [path("api/v1/", api.urls)]
