"""How the customer base splits: by value class, stage, industry, region, size, and CLV.

Current snapshots (a customer's class and stage as they are now), one GROUP BY
each. Every slice carries the customer-list query that shows its customers
(drill-down), or None where the list has no such filter (size bands, CLV).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from guanxi.analytics.models import CustomerScore
from guanxi.customers.choices import Stage, ValueClass

from .base import KpiBase, size_q
from .choices import SizeBand


@dataclass(frozen=True)
class Slice:
    key: Any
    label: str
    count: int
    drill: dict[str, Any] | None  # customer-list parameters added to the dashboard's own


DIMENSIONS = {
    "value_class": _("按价值分类"),
    "stage": _("按关系阶段"),
    "industry": _("按行业"),
    "region": _("按区域"),
    "size": _("按规模"),
}


def _choices(base: KpiBase, field: str, labels: dict[str, Any]) -> list[Slice]:
    counts = dict(
        base.customers.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n")
    )
    return [
        Slice(key, str(label), counts.get(key, 0), {field: key}) for key, label in labels.items()
    ]


def _related(base: KpiBase, field: str) -> list[Slice]:
    rows = (
        base.customers.order_by()
        .values(f"{field}_id", f"{field}__name")
        .annotate(n=Count("pk"))
        .order_by("-n", f"{field}_id")
    )
    return [
        Slice(
            r[f"{field}_id"],
            str(r[f"{field}__name"] or _("未填写")),
            r["n"],
            {field: r[f"{field}_id"]} if r[f"{field}_id"] else None,
        )
        for r in rows
    ]


def _sizes(base: KpiBase) -> list[Slice]:
    band = Case(
        *[When(size_q(b), then=Value(i)) for i, b in enumerate(SizeBand.values)],
        output_field=IntegerField(),
    )
    counts = dict(
        base.customers.order_by()
        .annotate(band=band)
        .values("band")
        .annotate(n=Count("pk"))
        .values_list("band", "n")
    )
    # The customer list has no headcount filter; size slices do not drill down.
    return [
        Slice(value, str(label), counts.get(i, 0), None)
        for i, (value, label) in enumerate(SizeBand.choices)
    ]


def distribution(base: KpiBase, dimension: str) -> list[Slice]:
    if dimension == "value_class":
        return _choices(base, "value_class", dict(ValueClass.choices))
    if dimension == "stage":
        return _choices(base, "stage", dict(Stage.choices))
    if dimension in ("industry", "region"):
        return _related(base, dimension)
    if dimension == "size":
        return _sizes(base)
    raise ValueError(f"unknown dimension {dimension!r}")


# CLV buckets in yuan: [0, 1k), [1k, 5k) … [1M, ∞).
CLV_BOUNDS = [0, 1_000, 5_000, 10_000, 50_000, 100_000, 500_000, 1_000_000]


def _yuan(amount: int) -> str:
    return f"{amount / 10_000:g}万" if amount >= 10_000 else f"{amount:,}"


def _clv_label(i: int) -> str:
    low = CLV_BOUNDS[i]
    if i + 1 == len(CLV_BOUNDS):
        return f"≥{_yuan(low)}"
    return f"{_yuan(low)}–{_yuan(CLV_BOUNDS[i + 1])}"


def clv_histogram(base: KpiBase) -> list[Slice]:
    """Customers per CLV bucket (last value assessment); unscored customers are left out."""
    whens = [
        When(clv__lt=Decimal(CLV_BOUNDS[i + 1]), then=Value(i)) for i in range(len(CLV_BOUNDS) - 1)
    ]
    bucket = Case(*whens, default=Value(len(CLV_BOUNDS) - 1), output_field=IntegerField())
    counts = dict(
        CustomerScore.objects.filter(customer__in=base.customers, clv__isnull=False)
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(n=Count("pk"))
        .values_list("bucket", "n")
    )
    return [Slice(i, _clv_label(i), counts.get(i, 0), None) for i in range(len(CLV_BOUNDS))]
