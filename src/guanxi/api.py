"""The REST API (django-ninja): /api/v1/, OpenAPI at /api/v1/openapi.json.

Every route needs a user: a per-user API token (`Authorization: Bearer gx_…`) or
the web UI's session (CSRF-checked on unsafe methods). The interactive docs page
is switched off (`docs_url=None`) because ninja's page loads Swagger UI from a
CDN, and Guanxi loads nothing from the internet at run time; the OpenAPI
document itself is served and can be opened in any local viewer.
"""

from django.http import HttpRequest
from ninja import NinjaAPI

from guanxi.analytics.api import router as analytics_router
from guanxi.chat.api import router as chat_router
from guanxi.core.api import AUTH, install_error_handlers
from guanxi.crisis.api import router as crisis_router
from guanxi.customers.api import router as customers_router
from guanxi.dedup.api import router as dedup_router
from guanxi.engagement.api import router as engagement_router
from guanxi.evaluation.api import router as evaluation_router
from guanxi.knowledge.api import router as knowledge_router
from guanxi.sales.api import router as sales_router
from guanxi.service.api import router as service_router

api = NinjaAPI(
    title="Guanxi API",
    version="1",
    urls_namespace="api",
    auth=AUTH,
    docs_url=None,
    description="Guanxi 关系 CRM. Errors: {code, message, errors: [{field, message, code}]}.",
)
install_error_handlers(api)


@api.get("/health", auth=None, tags=["meta"])
def health(request: HttpRequest) -> dict[str, str]:
    """Liveness probe; also the trivial endpoint benchmarks compare against."""
    return {"status": "ok"}


api.add_router("", customers_router)
api.add_router("", analytics_router)
api.add_router("", engagement_router)
api.add_router("", dedup_router)
api.add_router("", evaluation_router)
api.add_router("", knowledge_router)
api.add_router("", sales_router)
api.add_router("", service_router)
api.add_router("", chat_router)
api.add_router("", crisis_router)
