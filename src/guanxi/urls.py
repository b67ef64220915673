"""Root URLs: the web UI per app, the REST API under /api/v1/, language switching."""

from django.urls import include, path

from guanxi.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("guanxi.core.urls")),
    path("customers/", include("guanxi.customers.urls")),
    path("sales/", include("guanxi.sales.urls")),
    path("dedup/", include("guanxi.dedup.urls")),
    path("analytics/", include("guanxi.analytics.urls")),
    path("exports/", include("guanxi.exports.urls")),
    path("imports/", include("guanxi.imports.urls")),
    path("service/", include("guanxi.service.urls")),
    path("knowledge/", include("guanxi.knowledge.urls")),
    path("chat/", include("guanxi.chat.urls")),
    path("crisis/", include("guanxi.crisis.urls")),
    path("engagement/", include("guanxi.engagement.urls")),
    path("evaluation/", include("guanxi.evaluation.urls")),
]
