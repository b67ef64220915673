"""The OpenAPI document describes every route, and real responses match it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from guanxi.api import api

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]

ROUTES = {
    ("get", "/api/v1/health"),
    ("get", "/api/v1/customers"),
    ("post", "/api/v1/customers"),
    ("get", "/api/v1/customers/{id}"),
    ("patch", "/api/v1/customers/{id}"),
    ("post", "/api/v1/customers/{id}/assign"),
    ("get", "/api/v1/customers/{id}/events"),
    ("get", "/api/v1/customers/{id}/contacts"),
    ("post", "/api/v1/customers/{id}/contacts"),
    ("get", "/api/v1/contacts/{id}"),
    ("patch", "/api/v1/contacts/{id}"),
    ("get", "/api/v1/customers/{id}/addresses"),
    ("post", "/api/v1/customers/{id}/addresses"),
    ("patch", "/api/v1/addresses/{id}"),
    ("get", "/api/v1/products"),
    ("post", "/api/v1/products"),
    ("get", "/api/v1/products/{id}"),
    ("patch", "/api/v1/products/{id}"),
    ("get", "/api/v1/purchases"),
    ("post", "/api/v1/purchases"),
    ("get", "/api/v1/purchases/{id}"),
    ("get", "/api/v1/tickets"),
    ("post", "/api/v1/tickets"),
    ("get", "/api/v1/tickets/{id}"),
    ("post", "/api/v1/tickets/{id}/messages"),
    ("post", "/api/v1/tickets/{id}/transitions"),
    ("post", "/api/v1/tickets/{id}/assignee"),
    ("post", "/api/v1/tickets/{id}/waiting"),
    ("post", "/api/v1/tickets/{id}/resume"),
    ("post", "/api/v1/tickets/{id}/disputes"),
    ("post", "/api/v1/tickets/{id}/repair-lines"),
    ("get", "/api/v1/service/kpis"),
    ("post", "/api/v1/dedup/check"),
    # knowledge base: staff, and the public help centre (no credentials)
    ("get", "/api/v1/articles"),
    ("post", "/api/v1/articles"),
    ("get", "/api/v1/articles/suggestions"),
    ("get", "/api/v1/articles/{id}"),
    ("patch", "/api/v1/articles/{id}"),
    ("post", "/api/v1/articles/{id}/archive"),
    ("post", "/api/v1/articles/{id}/publish"),
    ("get", "/api/v1/articles/{id}/versions"),
    ("get", "/api/v1/help/articles"),
    ("get", "/api/v1/help/articles/{id}"),
    # live chat transcripts
    ("get", "/api/v1/chat/conversations"),
    ("get", "/api/v1/chat/conversations/{id}"),
    ("post", "/api/v1/chat/conversations/{id}/ticket"),
    # churn early warning and follow-up tasks
    ("get", "/api/v1/churn/warnings"),
    ("post", "/api/v1/churn/win-back"),
    ("get", "/api/v1/tasks"),
    ("post", "/api/v1/tasks"),
    ("get", "/api/v1/tasks/{id}"),
    ("post", "/api/v1/tasks/{id}/cancel"),
    ("post", "/api/v1/tasks/{id}/complete"),
    # crisis events
    ("get", "/api/v1/crises"),
    ("post", "/api/v1/crises"),
    ("get", "/api/v1/crises/{id}"),
    ("patch", "/api/v1/crises/{id}"),
    ("post", "/api/v1/crises/{id}/communications"),
    ("get", "/api/v1/crises/{id}/customers"),
    ("post", "/api/v1/crises/{id}/customers"),
    ("post", "/api/v1/crises/{id}/recovery"),
    ("post", "/api/v1/crises/{id}/transitions"),
    ("post", "/api/v1/crises/{id}/updates"),
    # KPIs and the evaluation report
    ("get", "/api/v1/kpis"),
    ("get", "/api/v1/evaluation/report"),
    ("get", "/api/v1/evaluation/report.pdf"),
    ("get", "/api/v1/evaluation/report.xlsx"),
}


@pytest.fixture
def document(client: Any) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_it_lists_every_route(document: dict[str, Any]) -> None:
    served = {(method, path) for path, ops in document["paths"].items() for method in ops}
    assert served == ROUTES


def test_every_path_parameter_is_an_id(document: dict[str, Any]) -> None:
    """The every-route walker fills `id`/`…_id` parameters with record ids."""
    for path in document["paths"]:
        for name in re.findall(r"{(\w+)}", path):
            assert name == "id" or name.endswith("_id"), path


def test_every_route_but_health_and_help_requires_credentials(document: dict[str, Any]) -> None:
    # The public help centre's articles are for customers without an account.
    public = ("/api/v1/health", "/api/v1/help/")
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            if path.startswith(public):
                assert "security" not in op
            else:
                assert {"ApiTokenAuth": []} in op["security"], (method, path)


def test_the_docs_page_is_off_because_it_would_load_from_a_cdn(client: Any) -> None:
    assert client.get("/api/v1/docs").status_code == 404


def conforms(document: dict[str, Any], method: str, path: str, response: Any) -> None:
    """Validate a real response body against the documented schema for its status."""
    operation = document["paths"][path][method]
    spec = operation["responses"][str(response.status_code)]
    schema = spec["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    errors = sorted(validator.iter_errors(response.json()), key=str)
    assert not errors, f"{method} {path}: {errors[0]}"


def test_real_responses_match_the_document(
    document: dict[str, Any],
    bob_customer: Any,
    product: Any,
    api_as: Any,
) -> None:
    bob = api_as("bob")
    contact = bob.post(
        f"/customers/{bob_customer.pk}/contacts", {"name": "李四", "phone": "13700001111"}
    )
    conforms(document, "post", "/api/v1/customers/{id}/contacts", contact)
    address = bob.post(f"/customers/{bob_customer.pk}/addresses", {"province_code": "110000"})
    conforms(document, "post", "/api/v1/customers/{id}/addresses", address)
    order = bob.post(
        "/purchases",
        {"customer_id": bob_customer.pk, "lines": [{"product_id": product.pk, "quantity": 2}]},
    )
    conforms(document, "post", "/api/v1/purchases", order)
    checks = [
        ("get", "/api/v1/customers", bob.get("/customers")),
        ("get", "/api/v1/customers/{id}", bob.get(f"/customers/{bob_customer.pk}")),
        ("get", "/api/v1/customers/{id}/events", bob.get(f"/customers/{bob_customer.pk}/events")),
        ("get", "/api/v1/customers/{id}/contacts", bob.get(f"/customers/{bob_customer.pk}/contacts")),
        ("get", "/api/v1/contacts/{id}", bob.get(f"/contacts/{contact.json()['id']}")),
        ("get", "/api/v1/products", bob.get("/products")),
        ("get", "/api/v1/purchases", bob.get("/purchases")),
        ("get", "/api/v1/purchases/{id}", bob.get(f"/purchases/{order.json()['id']}")),
        # the error shape is documented too
        ("get", "/api/v1/customers/{id}", bob.get("/customers/999999")),
        ("post", "/api/v1/customers", bob.post("/customers", {"kind": "person", "name": "x", "phone": "1"})),
        ("patch", "/api/v1/products/{id}", bob.patch(f"/products/{product.pk}", {"name": "x"})),
        ("get", "/api/v1/customers", api_as("frank").get("/customers", limit=0)),
    ]  # fmt: skip
    for method, path, response in checks:
        assert response.status_code < 500
        conforms(document, method, path, response)


def test_the_schema_is_built_from_the_same_api_object(document: dict[str, Any]) -> None:
    assert document["info"]["title"] == api.title


@pytest.mark.urls("guanxi.urls")
def test_the_real_url_conf_serves_the_api_under_v1(client: Any) -> None:
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/customers").status_code == 401
