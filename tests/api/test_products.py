"""The product catalogue: everyone signed in reads it, only admins change it."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.core.models import Event
from guanxi.sales.models import Product

from .conftest import field_errors

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]

DIESEL = {
    "code": "DSL-10",
    "name": "-10号柴油",
    "category": "fuel",
    "unit": "t",
    "list_price": "8100.50",
}


def test_an_admin_creates_and_patches_a_product(users: dict[str, Any], api_as: Any) -> None:
    alice = api_as("alice")
    created = alice.post("/products", DIESEL)
    assert created.status_code == 201, created.content
    product = created.json()
    assert product["list_price"] == "8100.50"
    assert product["active"] is True
    patched = alice.patch(f"/products/{product['id']}", {"list_price": "8000"})
    assert patched.status_code == 200, patched.content
    assert patched.json()["list_price"] == "8000.00"
    assert patched.json()["code"] == "DSL-10"
    event = Event.objects.get(verb="product.updated")
    assert set(event.changes) == {"list_price"}


def test_everyone_reads_the_catalogue(product: Any, api_as: Any) -> None:
    for name in ("bob", "carol", "mona", "frank"):
        api = api_as(name)
        assert [p["code"] for p in api.get("/products").json()["items"]] == ["DSL-0"]
        assert api.get(f"/products/{product.pk}").json()["name"] == "0号柴油"


@pytest.mark.parametrize("name", ["bob", "dave", "erin", "carol", "mona", "frank"])
def test_only_an_admin_may_write_products(product: Any, api_as: Any, name: str) -> None:
    api = api_as(name)
    assert api.post("/products", DIESEL).status_code == 403
    response = api.patch(f"/products/{product.pk}", {"name": "x"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Product.objects.get().name == "0号柴油"


def test_it_rejects_a_negative_price_and_a_duplicate_code(product: Any, api_as: Any) -> None:
    alice = api_as("alice")
    assert field_errors(alice.post("/products", {**DIESEL, "list_price": "-1"})) == {
        "list_price": "min_value"
    }
    assert "code" in field_errors(alice.post("/products", {**DIESEL, "code": "DSL-0"}))
    assert "unit" in field_errors(alice.post("/products", {**DIESEL, "unit": "barrel"}))
    assert Product.objects.count() == 1


def test_a_missing_product_is_404(users: dict[str, Any], api_as: Any) -> None:
    assert api_as("alice").get("/products/424242").json()["code"] == "not_found"
