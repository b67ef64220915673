"""Purchases roll into the customer's totals exactly, and refuse bad lines."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from guanxi.customers.actions import NotFound
from guanxi.sales.actions import record_purchase
from guanxi.sales.forms import LineFormSet, PurchaseLineForm

SH = ZoneInfo("Asia/Shanghai")


def test_purchases_update_count_total_and_first_last_dates(
    users: dict[str, Any], bob_customer: Any, product: Any
) -> None:
    bob = users["bob"]
    march, january = datetime(2026, 3, 1, 10, tzinfo=SH), datetime(2026, 1, 15, 9, tzinfo=SH)
    record_purchase(
        bob_customer,
        {"ordered_at": march},
        [{"product": product, "quantity": Decimal("2.5"), "unit_price": Decimal("7800.00")}],
        by=bob,
    )
    order = record_purchase(
        bob_customer, {"ordered_at": january},
        [{"product": product, "quantity": Decimal("1"), "unit_price": Decimal("100.005")},
         {"product": product, "quantity": Decimal("3"), "unit_price": Decimal("0.10")}],
        by=bob,
    )  # fmt: skip
    bob_customer.refresh_from_db()
    assert order.total_amount == Decimal("100.31")  # 100.01 + 0.30, each line rounded to the fen
    assert bob_customer.purchase_count == 2
    assert bob_customer.total_amount == Decimal("19600.31")
    assert bob_customer.first_purchase_at == january and bob_customer.last_purchase_at == march
    assert sum(line.amount for line in order.lines.all()) == order.total_amount


def test_a_rep_cannot_record_a_purchase_for_another_reps_customer(
    users: dict[str, Any], mallory_customer: Any, product: Any
) -> None:
    with pytest.raises(NotFound):
        record_purchase(
            mallory_customer,
            {},
            [{"product": product, "quantity": 1, "unit_price": 1}],
            by=users["bob"],
        )
    mallory_customer.refresh_from_db()
    assert mallory_customer.purchase_count == 0 and not mallory_customer.orders.exists()


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "1", "unit_price": "-3"}, "unit_price"),
    ],
)
def test_line_validation_names_the_field(product: Any, line: dict[str, str], field: str) -> None:
    form = PurchaseLineForm(data={"product": product.pk, **line})
    assert not form.is_valid()
    assert field in form.errors


def test_an_order_needs_at_least_one_line(product: Any) -> None:
    formset = LineFormSet(data={"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0"})
    assert not formset.is_valid()
    assert "至少需要一条明细" in str(formset.non_form_errors())


def test_a_line_without_a_price_takes_the_list_price(product: Any) -> None:
    form = PurchaseLineForm(data={"product": product.pk, "quantity": "2"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["unit_price"] == Decimal("7800.00")
