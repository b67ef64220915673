"""The REST API (django-ninja): /api/v1/, OpenAPI at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(title="Guanxi API", version="1", urls_namespace="api")


@api.get("/health", auth=None, tags=["meta"])
def health(request):  # type: ignore[no-untyped-def]
    """Liveness probe; also the trivial endpoint benchmarks compare against."""
    return {"status": "ok"}
