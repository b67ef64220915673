"""Service KPIs (complaint rate, satisfaction, resolution, first response) on hand-built tickets.

Period: the ten days up to today. bob's two customers; tickets received:
    A complaint, 1 hour ago, still at 受理 (first handling due in 48 h: not yet counted)
    B inquiry, 5 days ago, answered now (late: due in 24 h), resolved, closed, CSAT 5
    C inquiry, 5 days ago, never answered (overdue: counts as missed), resolved, closed, CSAT 2
    D inquiry, 1 hour ago, answered now (on time)
complaints 1 per 2 customers → 50 per 100; resolved B, C of 4 → 50 %; satisfied 1 of 2
surveys → 50 %; first response on time D of {B, C, D} → 33.33 %.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from guanxi.evaluation import periods
from guanxi.evaluation.base import KpiFilter, kpi_base
from guanxi.evaluation.kpis import compute


@pytest.fixture
def period() -> periods.Period:
    today = timezone.localdate()
    return periods.custom(today - timedelta(days=10), today + timedelta(days=1))


@pytest.fixture
def tickets(make_customer: Any, users: dict[str, Any]) -> dict[str, Any]:
    from guanxi.service.actions import add_message, create_ticket, submit_survey, transition

    bob = users["bob"]
    first, second = make_customer("bob"), make_customer("bob")
    now = timezone.now()

    def ticket(kind: str, customer: Any, ago: timedelta) -> Any:
        data = {"ticket_type": kind, "channel": "hotline", "subject": f"{kind} 工单",
                "received_at": now - ago}  # fmt: skip
        return create_ticket(data, by=bob, customer=customer)

    made = {
        "A": ticket("complaint", first, timedelta(hours=1)),
        "B": ticket("inquiry", first, timedelta(days=5)),
        "C": ticket("inquiry", second, timedelta(days=5)),
        "D": ticket("inquiry", second, timedelta(hours=1)),
    }
    add_message(made["B"], "已为您查询。", kind="reply", by=bob)
    add_message(made["D"], "马上处理。", kind="reply", by=bob)
    for key, score in (("B", 5), ("C", 2)):
        transition(made[key], "resolved", by=bob, resolution="已解决")
        transition(made[key], "closed", by=bob)
        submit_survey(made[key].pk, score)
    return made


def overall(user: Any, period: periods.Period) -> dict[str, Any]:
    result = compute(kpi_base(user, KpiFilter(period)))
    return {key: (b[None].value if None in b else None) for key, b in result.items()}


def test_complaints_per_hundred_customers(users: dict[str, Any], tickets: Any, period: Any) -> None:
    assert overall(users["bob"], period)["complaint_rate"] == 50.0


def test_resolution_rate_and_satisfaction(users: dict[str, Any], tickets: Any, period: Any) -> None:
    v = overall(users["bob"], period)
    assert v["resolution_rate"] == 50.0
    assert v["satisfaction"] == 50.0


def test_first_response_rate_counts_overdue_silence_as_missed_and_skips_what_is_not_yet_due(
    users: dict[str, Any], tickets: Any, period: Any
) -> None:
    assert overall(users["bob"], period)["first_response_rate"] == 33.33


def test_satisfaction_and_resolution_agree_with_the_service_desks_kpi_page(
    users: dict[str, Any], tickets: Any, period: Any
) -> None:
    from guanxi.service.queries import service_kpis

    rows = service_kpis(users["alice"], period.start_at, period.end_at, "month")
    resolved = sum(r.resolved for r in rows)
    total = sum(r.tickets for r in rows)
    satisfied = sum(round((r.satisfaction or 0) * r.surveys / 100) for r in rows)
    surveys = sum(r.surveys for r in rows)
    v = overall(users["alice"], period)
    assert v["resolution_rate"] == round(100 * resolved / total, 2)
    assert v["satisfaction"] == round(100 * satisfied / surveys, 2)


def test_mallory_sees_no_service_figures_for_bobs_customers(
    users: dict[str, Any], tickets: Any, period: Any
) -> None:
    v = overall(users["mallory"], period)
    assert v["resolution_rate"] is None
    assert v["satisfaction"] is None
