"""Customer distributions (class, stage, industry, region, size), the CLV histogram, segment filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from guanxi.evaluation import periods
from guanxi.evaluation.base import KpiFilter, kpi_base
from guanxi.evaluation.distributions import clv_histogram, distribution

P = periods.year(2025)


@pytest.fixture
def base_set(make_customer: Any) -> dict[str, Any]:
    from guanxi.customers.models import Industry

    energy = Industry.objects.order_by("code").first()
    made = {
        "micro": make_customer("bob", kind="org", name="微型公司", employees=5, stage="contact",
                               industry=energy.pk),
        "medium": make_customer("bob", kind="org", name="中型公司", employees=300,
                                value_class="high", stage="stable", industry=energy.pk),
        "large": make_customer("bob", kind="org", name="大型公司", employees=1000,
                               value_class="high"),
        "person": make_customer("bob", name="个人甲"),
        "east": make_customer("mallory", name="华东客户", province_code="310000",
                              city_code="310000", district_code="310115"),
    }  # fmt: skip
    made["energy"] = energy
    return made


def counts(slices: list[Any]) -> dict[Any, int]:
    return {s.key: s.count for s in slices if s.count}


def test_customers_by_value_class_and_stage(users: dict[str, Any], base_set: Any) -> None:
    base = kpi_base(users["bob"], KpiFilter(P))
    assert counts(distribution(base, "value_class")) == {"high": 2, "general": 2}
    assert counts(distribution(base, "stage")) == {"contact": 1, "stable": 1, "awareness": 2}


def test_customers_by_size_band_put_individuals_under_unknown(
    users: dict[str, Any], base_set: Any
) -> None:
    base = kpi_base(users["bob"], KpiFilter(P))
    assert counts(distribution(base, "size")) == {
        "micro": 1, "medium": 1, "large": 1, "unknown": 1,
    }  # fmt: skip


def test_customers_by_industry_and_region_drill_by_id(
    users: dict[str, Any], base_set: Any, region_north: Any, region_east: Any
) -> None:
    base = kpi_base(users["alice"], KpiFilter(P))
    industries = distribution(base, "industry")
    energy = next(s for s in industries if s.key == base_set["energy"].pk)
    assert energy.count == 2 and energy.drill == {"industry": base_set["energy"].pk}
    regions = counts(distribution(base, "region"))
    assert regions == {region_north.pk: 4, region_east.pk: 1}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"size": "large"}, 1),
        ({"size": "unknown"}, 2),  # bob's individual and mallory's
        ({"value_class": "high"}, 2),
        ({"industry": True}, 2),
        ({"team": "bob"}, 4),
        ({"team": "mallory"}, 1),
        ({"region": "east"}, 1),
    ],
)
def test_segment_team_region_and_industry_filters_narrow_the_base(
    users: dict[str, Any], base_set: Any, region_east: Any, filters: dict[str, Any], expected: int
) -> None:
    kwargs: dict[str, Any] = {}
    if "size" in filters:
        kwargs["size"] = filters["size"]
    if "value_class" in filters:
        kwargs["value_class"] = filters["value_class"]
    if "industry" in filters:
        kwargs["industry_id"] = base_set["energy"].pk
    if "team" in filters:
        kwargs["team_id"] = users[filters["team"]].team_id
    if "region" in filters:
        kwargs["region_id"] = region_east.pk
    base = kpi_base(users["alice"], KpiFilter(P, **kwargs))
    assert base.customers.count() == expected


def test_the_clv_histogram_counts_scored_customers_per_bucket(
    users: dict[str, Any], base_set: Any
) -> None:
    from guanxi.analytics.models import CustomerScore

    for key, clv in (
        ("micro", "500"),
        ("medium", "999.99"),
        ("large", "1000"),
        ("east", "2000000"),
    ):
        CustomerScore.objects.create(
            customer=base_set[key], computed_at=timezone.now(), clv=Decimal(clv),
            value_class="general", rule="no_purchase",
        )  # fmt: skip
    bob = {s.label: s.count for s in clv_histogram(kpi_base(users["bob"], KpiFilter(P)))}
    assert bob["0–1,000"] == 2
    assert bob["1,000–5,000"] == 1
    assert bob["≥100万"] == 0
    alice = {s.label: s.count for s in clv_histogram(kpi_base(users["alice"], KpiFilter(P)))}
    assert alice["≥100万"] == 1
    assert sum(alice.values()) == 4  # the unscored individual is left out


def test_a_customer_merged_into_another_is_counted_once(
    users: dict[str, Any], base_set: Any
) -> None:
    from guanxi.customers.dedup.merge import merge_customers

    base = kpi_base(users["bob"], KpiFilter(P))
    before = sum(s.count for s in distribution(base, "value_class"))
    merge_customers(base_set["micro"], base_set["person"], by=users["bob"])
    after = sum(s.count for s in distribution(kpi_base(users["bob"], KpiFilter(P)), "value_class"))
    assert (before, after) == (4, 3)
