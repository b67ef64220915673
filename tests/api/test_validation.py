"""Bad input gets a field-level error in the one error shape, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.core.models import Event
from guanxi.customers.models import Customer

from .conftest import field_errors
from .test_customers import NEW_PERSON

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]


@pytest.fixture
def bob(users: dict[str, Any], api_as: Any) -> Any:
    return api_as("bob")


def test_it_rejects_an_invalid_phone(bob: Any) -> None:
    response = bob.post("/customers", {**NEW_PERSON, "phone": "12345"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"] == [
        {"field": "phone", "message": "无效的电话号码：12345。", "code": "invalid_phone"}
    ]
    assert not Customer.objects.exists()


def test_it_rejects_an_id_number_with_a_bad_checksum(bob: Any) -> None:
    response = bob.post("/customers", {**NEW_PERSON, "id_number": "110105194912310021"})
    assert field_errors(response) == {"id_number": "invalid_id"}


def test_it_rejects_an_unknown_province_and_a_city_outside_it(bob: Any) -> None:
    response = bob.post("/customers", {**NEW_PERSON, "province_code": "990000"})
    assert "province_code" in field_errors(response)
    response = bob.post(
        "/customers", {**NEW_PERSON, "province_code": "310000", "city_code": "440100"}
    )
    assert "city_code" in field_errors(response)


def test_it_rejects_a_negative_amount(bob: Any) -> None:
    response = bob.post("/customers", {**NEW_PERSON, "annual_revenue": "-5"})
    assert field_errors(response) == {"annual_revenue": "min_value"}


def test_it_names_a_missing_required_field(bob: Any) -> None:
    response = bob.post("/customers", {"kind": "person"})
    assert response.status_code == 422
    assert field_errors(response) == {"name": "missing"}


def test_it_reports_a_wrongly_typed_field_by_its_name(bob: Any) -> None:
    response = bob.post("/customers", {**NEW_PERSON, "employees": "many"})
    assert "employees" in field_errors(response)


def test_it_rejects_a_body_that_is_not_json(bob: Any) -> None:
    response = bob.client.post(
        "/api/v1/customers", "{not json", content_type="application/json", headers=bob.headers
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize(
    "field, value",
    [
        ("owner", 1),
        ("owner_id", 1),
        ("role", "admin"),
        ("id", 999),
        ("team", 1),
        ("team_id", 1),
        ("region_id", 1),
        ("pinyin", "x"),
        ("phone_bidx", "x"),
        ("total_amount", "1000000"),
        ("purchase_count", 9),
        ("created_at", "2020-01-01T00:00:00+08:00"),
    ],
)
def test_it_refuses_mass_assignment(bob: Any, bob_customer: Any, field: str, value: Any) -> None:
    before = Customer.objects.filter(pk=bob_customer.pk).values().get()
    events_before = Event.objects.count()
    created = bob.post("/customers", {**NEW_PERSON, field: value})
    patched = bob.patch(f"/customers/{bob_customer.pk}", {"name": "新名字", field: value})
    for response in (created, patched):
        assert response.status_code == 422
        assert field_errors(response) == {field: "extra_forbidden"}
    assert Customer.objects.filter(pk=bob_customer.pk).values().get() == before
    assert Customer.objects.count() == 1
    assert Event.objects.count() == events_before


def test_it_refuses_mass_assignment_on_contacts_and_products(
    bob: Any, bob_customer: Any, api_as: Any
) -> None:
    response = bob.post(
        f"/customers/{bob_customer.pk}/contacts", {"name": "李四", "customer_id": 9}
    )
    assert field_errors(response) == {"customer_id": "extra_forbidden"}
    product = {"code": "P", "name": "p", "category": "fuel", "unit": "t", "list_price": 1, "id": 5}
    assert field_errors(api_as("alice").post("/products", product)) == {"id": "extra_forbidden"}


def test_an_invalid_patch_changes_nothing(bob: Any, bob_customer: Any) -> None:
    response = bob.patch(f"/customers/{bob_customer.pk}", {"name": "新名字", "phone": "000"})
    assert field_errors(response) == {"phone": "invalid_phone"}
    bob_customer.refresh_from_db()
    assert bob_customer.name == "张伟"


def test_it_rejects_a_filter_value_outside_the_choices(bob: Any) -> None:
    response = bob.get("/customers", value_class="vip")
    assert response.status_code == 422
    assert "value_class" in field_errors(response)
    assert field_errors(bob.get("/customers", sort="phone")) == {"sort": "invalid"}
    assert field_errors(bob.get("/customers", limit=500)) == {"limit": "out_of_range"}
    assert field_errors(bob.get("/customers", cursor="garbage")) == {"cursor": "invalid"}
