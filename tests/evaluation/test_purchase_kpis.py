"""Purchase KPIs (repeat purchase, retention, churn, revenue, concentration) on a hand-built set.

Period P = 2025 下半年 [2025-07-01, 2026-01-01) Beijing time; P' = 2025 上半年.

    customer  orders (Beijing time, amount)                          in P  P'   repeat in P
    c1        2025-03-01 ¥80 · 2025-08-01 ¥100                       100   yes  yes (bought before)
    c2        2025-09-01 ¥200 · 2025-10-01 ¥300                      500   —    yes (two in P)
    c3        2025-11-01 ¥50 · 2026-01-01 00:30 ¥70 (after P)         50   —    no
    c4        2025-04-01 ¥60                                           —   yes  (churned)
    c5        2025-05-01 ¥90 · 2025-12-31 23:30 ¥1000                1000  yes  yes
    c6        no orders
    m1 (mallory's) 2025-08-15 ¥5000                                  5000  —    no

bob sees c1–c6: buyers in P 4, repeaters 3 → 75 %; cohort P' {c1,c4,c5}, kept {c1,c5}
→ retention 66.67 %, churn 33.33 %; revenue ¥1,650; top fifth = ⌈4/5⌉ = 1 buyer (c5)
→ 1000/1650 = 60.61 %. alice sees m1 too: 5 buyers, ¥6,650, top ⌈5/5⌉ = 1 (m1) → 75.19 %.
"""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.evaluation import periods
from guanxi.evaluation.base import KpiFilter, kpi_base
from guanxi.evaluation.kpis import compute, lorenz_curve

from .conftest import bj

P = periods.half_year(2025, 2)


@pytest.fixture
def purchases(make_customer: Any, buy: Any, users: dict[str, Any]) -> dict[str, Any]:
    c = {f"c{i}": make_customer("bob", name=f"客户{i}") for i in range(1, 7)}
    c["m1"] = make_customer("mallory", name="马丽的客户", province_code="310000",
                            city_code="310000", district_code="310115")  # fmt: skip
    buy(c["c1"], bj(2025, 3, 1), 80)
    buy(c["c1"], bj(2025, 8, 1), 100)
    buy(c["c2"], bj(2025, 9, 1), 200)
    buy(c["c2"], bj(2025, 10, 1), 300)
    buy(c["c3"], bj(2025, 11, 1), 50)
    buy(c["c3"], bj(2026, 1, 1, 0, 30), 70)  # 2025-12-31 16:30 UTC, but after P in Beijing
    buy(c["c4"], bj(2025, 4, 1), 60)
    buy(c["c5"], bj(2025, 5, 1), 90)
    buy(c["c5"], bj(2025, 12, 31, 23, 30), 1000)
    buy(c["m1"], bj(2025, 8, 15), 5000)
    return c


def values(user: Any, period: periods.Period = P, **filters: Any) -> dict[str, Any]:
    result = compute(kpi_base(user, KpiFilter(period, **filters)))
    return {key: (b[None].value if None in b else None) for key, b in result.items()}


def test_the_previous_comparable_period_of_h2_is_h1_of_the_same_year() -> None:
    assert (P.previous().start, P.previous().end) == (bj(2025, 1, 1).date(), bj(2025, 7, 1).date())
    assert periods.half_year(2026, 1).previous().label == "2025年下半年"
    assert periods.year(2026).previous().label == "2025年"


def test_repeat_purchase_rate_counts_buyers_with_two_orders_by_the_period_end(
    users: dict[str, Any], purchases: dict[str, Any]
) -> None:
    v = values(users["bob"])
    assert v["active_customers"] == 4
    assert v["repeat_purchase_rate"] == 75.0


def test_retention_and_churn_follow_the_previous_periods_buyers(
    users: dict[str, Any], purchases: dict[str, Any]
) -> None:
    v = values(users["bob"])
    assert v["retention_rate"] == 66.67
    assert v["churn_rate"] == 33.33


def test_revenue_and_its_concentration_in_the_top_fifth_of_buyers(
    users: dict[str, Any], purchases: dict[str, Any]
) -> None:
    v = values(users["bob"])
    assert v["revenue"] == 1650.0
    assert v["revenue_top20_share"] == 60.61


def test_the_lorenz_curve_climbs_from_the_best_customer_down(
    users: dict[str, Any], purchases: dict[str, Any]
) -> None:
    points = lorenz_curve(kpi_base(users["bob"], KpiFilter(P)))
    assert points == [(0.0, 0.0), (25.0, 60.61), (50.0, 90.91), (75.0, 96.97), (100.0, 100.0)]


def test_bobs_kpis_leave_out_mallorys_customer_and_alices_include_it(
    users: dict[str, Any], purchases: dict[str, Any]
) -> None:
    assert values(users["bob"])["revenue"] == 1650.0
    alice = values(users["alice"])
    assert alice["revenue"] == 6650.0
    assert alice["active_customers"] == 5
    assert alice["revenue_top20_share"] == 75.19
    assert values(users["mallory"])["revenue"] == 5000.0


def test_a_region_filter_narrows_the_customers(
    users: dict[str, Any], purchases: dict[str, Any], region_east: Any
) -> None:
    v = values(users["alice"], region_id=region_east.pk)
    assert v["revenue"] == 5000.0
    assert v["active_customers"] == 1


def test_the_breakdown_by_owner_gives_each_person_their_own_figures(
    users: dict[str, Any], purchases: dict[str, Any]
) -> None:
    result = compute(
        kpi_base(users["alice"], KpiFilter(P)), ["revenue", "repeat_purchase_rate"], by="owner_id"
    )
    bob, mallory = users["bob"].pk, users["mallory"].pk
    assert result["revenue"][bob].value == 1650.0
    assert result["revenue"][mallory].value == 5000.0
    assert result["repeat_purchase_rate"][bob].value == 75.0
    assert result["repeat_purchase_rate"][mallory].value == 0.0


def test_a_period_without_buyers_has_no_rate_rather_than_zero(
    users: dict[str, Any], purchases: dict[str, Any]
) -> None:
    v = values(users["bob"], periods.year(2020))
    assert v["repeat_purchase_rate"] is None
    assert v["retention_rate"] is None
    assert v["revenue"] == 0.0


def test_referral_rate_and_nps_have_no_data_yet(
    users: dict[str, Any], purchases: dict[str, Any]
) -> None:
    v = values(users["alice"])
    assert v["referral_rate"] is None
    assert v["nps"] is None
