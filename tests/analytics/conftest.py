from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _huey_runs_inline() -> Iterator[None]:
    """Background tasks run inside the request in tests, so their effect is checked directly."""
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


@pytest.fixture
def buy(users: dict[str, Any], product: Any) -> Callable[..., Any]:
    """buy(customer, days_ago, amount): a purchase recorded through the real action."""
    from datetime import timedelta

    from guanxi.sales.actions import record_purchase

    def do(customer: Any, days_ago: float, amount: int = 100) -> Any:
        return record_purchase(
            customer,
            {"ordered_at": NOW - timedelta(days=days_ago), "channel": "direct"},
            [{"product": product, "quantity": 1, "unit_price": amount}],
            by=users["alice"],
        )

    return do
