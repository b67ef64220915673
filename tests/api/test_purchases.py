"""Purchases: recorded with validated lines, listed newest first, scoped by customer."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from guanxi.core.models import Event
from guanxi.customers.models import Customer
from guanxi.sales.models import Order

from .conftest import field_errors

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]


def purchase(customer: Any, product: Any, **extra: Any) -> dict[str, Any]:
    return {
        "customer_id": customer.pk,
        "ordered_at": "2026-11-20T10:30:00+08:00",
        "channel": "contract",
        "lines": [
            {"product_id": product.pk, "quantity": "2.5"},
            {"product_id": product.pk, "quantity": 1, "unit_price": "7500"},
        ],
        **extra,
    }


def test_it_records_a_purchase_and_rolls_it_into_the_totals(
    bob_customer: Any, product: Any, api_as: Any
) -> None:
    response = api_as("bob").post("/purchases", purchase(bob_customer, product))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["total_amount"] == "27000.00"  # 2.5 × 7800 + 1 × 7500
    assert [line["amount"] for line in body["lines"]] == ["19500.00", "7500.00"]
    assert body["lines"][0]["product"]["code"] == "DSL-0"
    assert body["customer"] == {"id": bob_customer.pk, "name": "张伟"}
    bob_customer.refresh_from_db()
    assert bob_customer.total_amount == Decimal("27000.00")
    assert bob_customer.purchase_count == 1
    assert Event.objects.filter(verb="purchase.recorded", customer=bob_customer).count() == 1
    assert api_as("bob").get(f"/purchases/{body['id']}").json() == body


def test_it_names_the_line_at_fault(bob_customer: Any, product: Any, api_as: Any) -> None:
    body = purchase(bob_customer, product)
    body["lines"].append({"product_id": product.pk, "quantity": "-3"})
    body["lines"].append({"product_id": 987654, "quantity": "1"})
    body["lines"].append({"product_id": product.pk, "quantity": "1", "unit_price": "-1"})
    response = api_as("bob").post("/purchases", body)
    assert response.status_code == 422
    assert field_errors(response) == {
        "lines[2].quantity": "min_value",
        "lines[3].product_id": "invalid_choice",
        "lines[4].unit_price": "min_value",
    }
    assert not Order.objects.exists()
    assert Customer.objects.get(pk=bob_customer.pk).total_amount == 0


def test_it_needs_at_least_one_line(bob_customer: Any, product: Any, api_as: Any) -> None:
    response = api_as("bob").post("/purchases", purchase(bob_customer, product, lines=[]))
    assert field_errors(response) == {"lines": "no_lines"}


def test_it_refuses_unknown_fields_on_lines(bob_customer: Any, product: Any, api_as: Any) -> None:
    body = purchase(bob_customer, product)
    body["lines"][0]["amount"] = "1"
    response = api_as("bob").post("/purchases", body)
    assert field_errors(response) == {"lines[0].amount": "extra_forbidden"}


def test_bob_cannot_buy_for_mallorys_customer(
    mallory_customer: Any, product: Any, api_as: Any
) -> None:
    bob = api_as("bob")
    events_before = Event.objects.count()
    response = bob.post("/purchases", purchase(mallory_customer, product))
    assert response.status_code == 404
    assert not Order.objects.exists()
    assert Event.objects.count() == events_before


def test_an_analyst_cannot_record_purchases(bob_customer: Any, product: Any, api_as: Any) -> None:
    assert api_as("frank").post("/purchases", purchase(bob_customer, product)).status_code == 403


def test_purchases_are_listed_in_scope_newest_first_with_a_cursor(
    bob_customer: Any, mallory_customer: Any, product: Any, api_as: Any
) -> None:
    from guanxi.sales.actions import record_purchase

    base = timezone.make_aware(datetime(2026, 6, 1, 12, 0))
    lines = [{"product": product, "quantity": Decimal("1"), "unit_price": Decimal("1")}]
    for i in range(5):
        # two orders share each timestamp, so the id has to break the tie
        record_purchase(
            bob_customer,
            {"ordered_at": base + timedelta(days=i // 2)},
            lines,
            by=bob_customer.owner,
        )
    record_purchase(mallory_customer, {"ordered_at": base}, lines, by=mallory_customer.owner)
    bob = api_as("bob")
    seen, cursor = [], None
    while True:
        page = bob.get("/purchases", limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [(o["ordered_at"], o["id"]) for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 5
    assert seen == sorted(seen, reverse=True)
    assert bob.get("/purchases", customer=mallory_customer.pk).json()["items"] == []
    order = Order.objects.get(customer=mallory_customer)
    assert bob.get(f"/purchases/{order.pk}").status_code == 404
    assert len(api_as("alice").get("/purchases", customer=mallory_customer.pk).json()["items"]) == 1


def test_the_purchase_list_costs_the_same_queries_for_3_and_30_orders(
    bob_customer: Any, product: Any, api_as: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guanxi.sales.actions import record_purchase

    bob = api_as("bob")
    bob.get("/health")
    lines = [{"product": product, "quantity": Decimal("1"), "unit_price": Decimal("1")}] * 2

    def count_for(rows: int) -> int:
        while Order.objects.count() < rows:
            record_purchase(bob_customer, {}, lines, by=bob_customer.owner)
        bob.get("/purchases")
        with CaptureQueriesContext(connection) as queries:
            assert len(bob.get("/purchases", limit=200).json()["items"]) == rows
        return len(queries)

    few = count_for(3)
    assert few == count_for(30)
    assert few == 3  # token, orders with their customers, lines with their products
