"""Builders for constructed KPI data sets: purchases and tickets at chosen times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

BEIJING = ZoneInfo("Asia/Shanghai")


def bj(*args: int) -> datetime:
    """An aware Beijing time: bj(2025, 7, 1) is 2025-07-01 00:00 +08:00."""
    return datetime(*args, tzinfo=BEIJING)  # type: ignore[misc]


@pytest.fixture
def buy(users: dict[str, Any], product: Any) -> Callable[..., Any]:
    """Record a purchase through the real action at a given time and amount."""
    from guanxi.sales.actions import record_purchase

    def do(customer: Any, when: datetime, amount: str | int) -> Any:
        owner = customer.owner or users["alice"]
        return record_purchase(
            customer,
            {"channel": "direct", "ordered_at": when},
            [{"product": product, "quantity": Decimal(1), "unit_price": Decimal(amount)}],
            by=owner,
        )

    return do


@pytest.fixture
def backdate() -> Callable[[Any, datetime], None]:
    """Customers are created "now"; a historical data set moves their creation back."""

    def do(customer: Any, when: datetime) -> None:
        from guanxi.customers.models import Customer

        Customer.objects.filter(pk=customer.pk).update(created_at=when)

    return do
