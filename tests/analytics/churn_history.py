"""Building customer histories for the churn tests through the real actions.

Times are relative to the moment the test starts (`clock`), because tickets and
survey answers are stamped with the real time by their actions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def clock() -> datetime:
    return timezone.now()


@pytest.fixture
def purchase(users: dict[str, Any], product: Any, clock: datetime) -> Callable[..., Any]:
    """purchase(customer, days_ago, amount): an order recorded through the real action."""
    from guanxi.sales.actions import record_purchase

    def do(customer: Any, days_ago: float, amount: int = 100) -> Any:
        return record_purchase(
            customer,
            {"ordered_at": clock - timedelta(days=days_ago), "channel": "direct"},
            [{"product": product, "quantity": 1, "unit_price": amount}],
            by=users["alice"],
        )

    return do


@pytest.fixture
def complain(users: dict[str, Any], clock: datetime) -> Callable[..., Any]:
    """complain(customer, days_ago): a complaint ticket received that long ago."""
    from guanxi.service.actions import create_ticket

    def do(customer: Any, days_ago: float) -> Any:
        return create_ticket(
            {
                "ticket_type": "complaint",
                "channel": "hotline",
                "subject": "计量投诉",
                "received_at": clock - timedelta(days=days_ago),
            },
            by=users["alice"],
            customer=customer,
        )

    return do


@pytest.fixture
def rate(users: dict[str, Any]) -> Callable[..., Any]:
    """rate(customer, score): an inquiry ticket resolved, closed and rated by the customer."""
    from guanxi.service.actions import create_ticket, submit_survey, transition

    def do(customer: Any, score: int) -> Any:
        alice = users["alice"]
        ticket = create_ticket(
            {"ticket_type": "inquiry", "channel": "hotline", "subject": "咨询"},
            by=alice,
            customer=customer,
        )
        ticket = transition(ticket, "resolved", by=alice, resolution="已答复")
        ticket = transition(ticket, "closed", by=alice)
        return submit_survey(ticket.pk, score)

    return do


@pytest.fixture
def regulars(make_customer: Callable[..., Any], purchase: Callable[..., Any]) -> list[Any]:
    """Twelve steady buyers of mallory's, so the CLV model has a population to fit."""
    people = []
    for n in range(12):
        customer = make_customer("mallory", name=f"常客{n}")
        for days in range(5 + n, 400, 30 + 2 * n):
            purchase(customer, days, 100 + 10 * n)
        people.append(customer)
    return people
