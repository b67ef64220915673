"""The KPIs of 监督与评估 (SPEC §12), one function each, all aggregated in the database.

Every function takes a `KpiBase` (the user's customers narrowed by the filters,
and the period) and `by` — None for one overall figure, or a customer column
("team_id", "owner_id") for the per-team / per-person breakdown — and returns
{group key: Measure} from one or two GROUP BY queries, never a per-customer
loop in Python. Adding a KPI later (NPS once surveys land, referral rate once
referrals do) is one more function decorated with `@kpi`.

Definitions (docs/architecture.md "KPI dashboard and evaluation reports"):
period P = [start, end) in Beijing time; P' = the previous comparable period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi.analytics.models import CustomerScore
from guanxi.sales.models import Order
from guanxi.service.choices import TicketType

from .base import KpiBase
from .choices import Direction

# What the service desk counts as satisfied on its 1–5 CSAT scale (service.queries).
SATISFIED_SCORE = 4
# Revenue concentration: the share of revenue from the top fifth of buyers.
TOP_SHARE_DENOMINATOR = 5  # top 1/5 = 20 %
LORENZ_POINTS = 20


@dataclass(frozen=True)
class Measure:
    """A KPI value with the counts behind it; `denominator` None means a plain amount."""

    numerator: float
    denominator: float | None = None
    scale: float = 100.0

    @property
    def value(self) -> float | None:
        if self.denominator is None:
            return round(float(self.numerator), 2)
        if not self.denominator:
            return None
        return round(self.scale * float(self.numerator) / float(self.denominator), 2)


Breakdown = dict[Any, Measure]
Compute = Callable[[KpiBase, str | None], Breakdown]


@dataclass(frozen=True)
class Kpi:
    key: str
    name: str | Promise
    unit: str | Promise
    better: str  # Direction: which way is good
    explanation: str | Promise
    compute: Compute | None  # None: no data source yet (暂无数据)
    note: str | Promise = ""

    @property
    def available(self) -> bool:
        return self.compute is not None


KPIS: dict[str, Kpi] = {}


def kpi(
    key: str, name: str | Promise, unit: str | Promise, better: str, explanation: str | Promise
) -> Callable[[Compute], Compute]:
    """Register a KPI function under `key`; the dashboard, reports and API pick it up."""

    def register(func: Compute) -> Compute:
        KPIS[key] = Kpi(key, name, unit, better, explanation, func)
        return func

    return register


def unavailable(
    key: str, name: str | Promise, unit: str | Promise, better: str, note: str | Promise
) -> None:
    """A KPI the manuals ask for whose data does not exist yet: shown as 暂无数据, never faked."""
    KPIS[key] = Kpi(key, name, unit, better, note, None, note)


# --- helpers ----------------------------------------------------------------------------


def _grouped(qs: QuerySet[Any], path: str, by: str | None, **aggregates: Any) -> dict[Any, Any]:
    """{group: row of aggregates}: one query, GROUP BY `path + by` (or none)."""
    if by is None:
        return {None: qs.aggregate(**aggregates)}
    column = f"{path}{by}"
    return {
        row[column]: row
        for row in qs.order_by().values(column).annotate(**aggregates).order_by(column)
    }


def _period_orders(base: KpiBase, start: Any = None, end: Any = None) -> QuerySet[Order]:
    return Order.objects.filter(
        ordered_at__gte=start or base.period.start_at, ordered_at__lt=end or base.period.end_at
    )


def _bought(base: KpiBase, start: Any = None, end: Any = None) -> Exists:
    """The customer has an order in [start, end) (default: the period).

    A correlated EXISTS probes the (customer, ordered_at) index once per customer
    in scope, where `id IN (customers of the period's orders)` read every order of
    the period whatever the scope (a region's KPIs at 1M on SQLite: 12.8 s → 0.3 s).
    """
    return Exists(_period_orders(base, start, end).filter(customer_id=OuterRef("pk")))


# --- customers and purchases -----------------------------------------------------------


@kpi(
    "active_customers",
    _("活跃客户数"),
    _("户"),
    Direction.AT_LEAST,
    _("本期至少有一笔购买的客户数。"),
)
def active_customers(base: KpiBase, by: str | None) -> Breakdown:
    buyers = base.customers.filter(_bought(base))
    rows = _grouped(buyers, "", by, n=Count("pk"))
    return {k: Measure(r["n"] or 0) for k, r in rows.items()}


@kpi(
    "revenue",
    _("销售额"),
    _("元"),
    Direction.AT_LEAST,
    _("本期全部购买记录金额之和。"),
)
def revenue(base: KpiBase, by: str | None) -> Breakdown:
    orders = _period_orders(base).filter(customer__in=base.customers)
    rows = _grouped(orders, "customer__", by, amount=Sum("total_amount"))
    return {k: Measure(float(r["amount"] or 0)) for k, r in rows.items()}


@kpi(
    "repeat_purchase_rate",
    _("重复购买率"),
    "%",
    Direction.AT_LEAST,
    _(
        "本期有购买的客户中，截至期末累计至少两笔订单的比例："
        "本期购买两笔及以上，或本期之前已购买过。"
    ),
)
def repeat_purchase_rate(base: KpiBase, by: str | None) -> Breakdown:
    buyers = base.customers.filter(_bought(base))
    # A second order before the period's end (LIMIT 1 OFFSET 1 inside EXISTS).
    earlier = Order.objects.filter(customer_id=OuterRef("pk"), ordered_at__lt=base.period.end_at)
    second = Exists(earlier.order_by()[1:2])
    rows = _grouped(buyers, "", by, buyers=Count("pk"), repeaters=Count("pk", filter=Q(second)))
    return {k: Measure(r["repeaters"] or 0, r["buyers"] or 0) for k, r in rows.items()}


def _retention_counts(base: KpiBase, by: str | None) -> dict[Any, tuple[int, int]]:
    """{group: (buyers of the previous period, of whom bought again in this one)}."""
    key = f"retention:{by}"
    if key not in base.cache:
        previous = base.period.previous()
        cohort = base.customers.filter(_bought(base, previous.start_at, previous.end_at))
        rows = _grouped(
            cohort, "", by, cohort=Count("pk"), kept=Count("pk", filter=Q(_bought(base)))
        )
        base.cache[key] = {k: (r["cohort"] or 0, r["kept"] or 0) for k, r in rows.items()}
    counts: dict[Any, tuple[int, int]] = base.cache[key]
    return counts


@kpi(
    "retention_rate",
    _("客户保持率"),
    "%",
    Direction.AT_LEAST,
    _("上一可比期间有购买的客户中，本期再次购买的比例。"),
)
def retention_rate(base: KpiBase, by: str | None) -> Breakdown:
    return {k: Measure(kept, cohort) for k, (cohort, kept) in _retention_counts(base, by).items()}


@kpi(
    "churn_rate",
    _("客户流失率"),
    "%",
    Direction.AT_MOST,
    _(
        "上一可比期间有购买、本期没有任何购买的客户所占比例（= 100% − 保持率）。"
        "价值分类为“流失客户”的人数见分类分布。"
    ),
)
def churn_rate(base: KpiBase, by: str | None) -> Breakdown:
    return {
        k: Measure(cohort - kept, cohort)
        for k, (cohort, kept) in _retention_counts(base, by).items()
    }


@kpi(
    "revenue_top20_share",
    _("收入集中度（前 20% 客户）"),
    "%",
    Direction.AT_MOST,
    _("本期按销售额从高到低排列的购买客户中，前 20%（向上取整）贡献的销售额占本期销售额的比例。"),
)
def revenue_top20_share(base: KpiBase, by: str | None) -> Breakdown:
    result: Breakdown = {}
    for group, buckets in _revenue_buckets(base, by).items():
        total = sum(b[2] for b in buckets)
        top = sum(b[3] for b in buckets)
        result[group] = Measure(top, total)
    return result


def _revenue_buckets(
    base: KpiBase, by: str | None
) -> dict[Any, list[tuple[int, int, float, float]]]:
    """{group: [(bucket, customers, revenue, revenue of the top fifth)]}, buyers ranked by revenue.

    One statement with window functions (SQLite ≥ 3.25 and PostgreSQL): buyers are
    numbered by period revenue (rn, ties broken by id) out of n in their group,
    bucket = ⌊(rn − 1)·20 / n⌋ gives twenty equal slices for the Lorenz curve, and
    rn·5 ≤ n + 4 ⇔ rn ≤ ⌈n / 5⌉ marks the top fifth.
    """
    key = f"buckets:{by}"
    if key in base.cache:
        cached: dict[Any, list[tuple[int, int, float, float]]] = base.cache[key]
        return cached
    orders = _period_orders(base).filter(customer__in=base.customers).order_by()
    if by is None:
        per_customer = orders.values("customer_id").annotate(rev=Sum("total_amount"))
        group_sql, partition = "0", ""
    else:
        per_customer = (
            orders.annotate(g=F(f"customer__{by}"))
            .values("customer_id", "g")
            .annotate(rev=Sum("total_amount"))
        )
        group_sql, partition = "g", "PARTITION BY g"
    inner, params = per_customer.query.sql_with_params()
    k, top = LORENZ_POINTS, TOP_SHARE_DENOMINATOR
    sql = f"""
        SELECT g, ((rn - 1) * {k}) / n AS bucket, COUNT(*), SUM(rev),
               SUM(CASE WHEN rn * {top} <= n + {top - 1} THEN rev ELSE 0 END)
        FROM (
            SELECT {group_sql} AS g, rev,
                   ROW_NUMBER() OVER ({partition} ORDER BY rev DESC, customer_id) AS rn,
                   COUNT(*) OVER ({partition}) AS n
            FROM ({inner}) per_customer
        ) ranked
        GROUP BY g, bucket ORDER BY g, bucket
    """  # noqa: S608 - only constants and the ORM's own parametrised SQL are interpolated
    result: dict[Any, list[tuple[int, int, float, float]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for g, bucket, count, rev, top_rev in cursor.fetchall():
            group = None if by is None else g
            result.setdefault(group, []).append(
                (int(bucket), int(count), float(rev or 0), float(top_rev or 0))
            )
    if by is None and None not in result:
        result[None] = []
    base.cache[key] = result
    return result


def lorenz_curve(base: KpiBase) -> list[tuple[float, float]]:
    """Pareto/Lorenz points (share of buyers, share of revenue), best customers first, in %."""
    buckets = _revenue_buckets(base, None).get(None, [])
    customers = sum(b[1] for b in buckets)
    total = sum(b[2] for b in buckets)
    points = [(0.0, 0.0)]
    seen, earned = 0, 0.0
    for _bucket, count, rev, _top in buckets:
        seen += count
        earned += rev
        points.append(
            (round(100 * seen / customers, 2), round(100 * earned / total, 2) if total else 0.0)
        )
    return points


@kpi(
    "average_clv",
    _("平均客户生命周期价值"),
    _("元"),
    Direction.AT_LEAST,
    _(
        "最近一次价值评估算出的 CLV（未来 12 个月预期贡献的折现值）在已评分客户上的平均值；不随期间变化。"
    ),
)
def average_clv(base: KpiBase, by: str | None) -> Breakdown:
    scores = CustomerScore.objects.filter(customer__in=base.customers, clv__isnull=False)
    rows = _grouped(scores, "customer__", by, clv=Avg("clv"), n=Count("pk"))
    return {k: Measure(float(r["clv"] or 0)) for k, r in rows.items() if r["n"]}


# --- service ----------------------------------------------------------------------------


def _period_tickets(base: KpiBase) -> QuerySet[Any]:
    return base.tickets.filter(
        received_at__gte=base.period.start_at, received_at__lt=base.period.end_at
    )


@kpi(
    "complaint_rate",
    _("投诉率"),
    _("件/百户"),
    Direction.AT_MOST,
    _("本期受理的投诉工单数 ÷ 期末已建档的客户数 × 100。"),
)
def complaint_rate(base: KpiBase, by: str | None) -> Breakdown:
    complaints = _grouped(
        _period_tickets(base).filter(ticket_type=TicketType.COMPLAINT),
        "customer__",
        by,
        n=Count("pk"),
    )
    customers = _grouped(
        base.customers.filter(created_at__lt=base.period.end_at), "", by, n=Count("pk")
    )
    keys = set(customers) | ({k for k in complaints if k is not None} if by else set())
    return {
        k: Measure(complaints.get(k, {}).get("n") or 0, (customers.get(k) or {}).get("n") or 0)
        for k in keys
    }


@kpi(
    "satisfaction",
    _("满意度"),
    "%",
    Direction.AT_LEAST,
    _("本期受理、已回收满意度调查的工单中，评分 4 或 5 分（满分 5）的比例（与服务指标页相同）。"),
)
def satisfaction(base: KpiBase, by: str | None) -> Breakdown:
    rows = _grouped(
        _period_tickets(base),
        "customer__",
        by,
        surveys=Count("survey"),
        satisfied=Count("survey", filter=Q(survey__score__gte=SATISFIED_SCORE)),
    )
    return {k: Measure(r["satisfied"] or 0, r["surveys"] or 0) for k, r in rows.items()}


@kpi(
    "resolution_rate",
    _("解决率"),
    "%",
    Direction.AT_LEAST,
    _("本期受理的工单中已解决的比例（与服务指标页相同）。"),
)
def resolution_rate(base: KpiBase, by: str | None) -> Breakdown:
    rows = _grouped(
        _period_tickets(base),
        "customer__",
        by,
        tickets=Count("pk"),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
    )
    return {k: Measure(r["resolved"] or 0, r["tickets"] or 0) for k, r in rows.items()}


@kpi(
    "first_response_rate",
    _("首次响应及时率"),
    "%",
    Direction.AT_LEAST,
    _(
        "本期受理、有响应期限的工单中，在期限内首次响应（投诉为首次处理意见）的比例；"
        "尚未响应且未到期限的工单不计入。"
    ),
)
def first_response_rate(base: KpiBase, by: str | None) -> Breakdown:
    from django.utils import timezone

    counted = (
        _period_tickets(base)
        .filter(first_response_due__isnull=False)
        .filter(Q(first_responded_at__isnull=False) | Q(first_response_due__lte=timezone.now()))
    )
    rows = _grouped(
        counted,
        "customer__",
        by,
        due=Count("pk"),
        met=Count("pk", filter=Q(first_responded_at__lte=F("first_response_due"))),
    )
    return {k: Measure(r["met"] or 0, r["due"] or 0) for k, r in rows.items()}


# --- not yet measurable -------------------------------------------------------------------

unavailable(
    "referral_rate",
    _("推荐率"),
    "%",
    Direction.AT_LEAST,
    _("暂无数据：推荐记录（忠诚度计划）上线后计算——本期有新客户经推荐的老客户所占比例。"),
)
unavailable(
    "nps",
    _("净推荐值（NPS）"),
    _("分"),
    Direction.AT_LEAST,
    _("暂无数据：NPS 问卷（满意度调查）上线后计算——推荐者比例 − 贬损者比例。"),
)


def compute(
    base: KpiBase, keys: list[str] | None = None, by: str | None = None
) -> dict[str, Breakdown]:
    """The named KPIs (all by default); unavailable ones map to an empty breakdown."""
    result: dict[str, Breakdown] = {}
    for key in keys or list(KPIS):
        definition = KPIS[key]
        result[key] = definition.compute(base, by) if definition.compute else {}
    return result
