"""Purchase summaries per customer, aggregated by the database, and RFM scores from them.

One GROUP BY over the orders returns, per active customer, everything RFM and
the CLV models need; Python only receives one row per customer and turns the
columns into NumPy arrays. Timestamps come back as epoch seconds and days as
day numbers in the display time zone, so the two databases agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import connection
from numpy.typing import NDArray
from scipy.stats import rankdata

Array = NDArray[np.float64]
DAY = 86_400


@dataclass
class Purchases:
    """Columns of per-customer purchase aggregates; customers without purchases have count 0."""

    customer_id: NDArray[np.int64]
    count: Array  # orders
    amount: Array  # total spend
    first_at: Array  # epoch seconds (nan without purchases)
    last_at: Array
    days: Array  # distinct purchase days (same-day orders merged)
    first_day: Array  # day numbers in the display zone
    last_day: Array
    recent: Array  # orders in the last `window` days
    previous: Array  # orders in the window before that

    @property
    def size(self) -> int:
        return int(self.customer_id.size)


def zone_offset_seconds(at: datetime) -> int:
    """The display zone's UTC offset, used to cut days on SQLite (no zone database there).

    Asia/Shanghai has no daylight saving, so one offset is exact for it; zones
    with DST get day boundaries that are off by an hour for half the year.
    """
    offset = at.astimezone(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    return int(offset.total_seconds()) if offset else 0


def _aggregate_sql(vendor: str) -> str:
    if vendor == "postgresql":
        epoch = "EXTRACT(EPOCH FROM {})::float8"
        day = "FLOOR((EXTRACT(EPOCH FROM o.ordered_at) + %(offset)s) / 86400)::bigint"
        amount = "SUM(o.total_amount)::float8"
    else:
        epoch = "CAST(strftime('%%s', {}) AS REAL)"
        day = "CAST((julianday(o.ordered_at) - 2440587.5) * 86400 + %(offset)s AS INTEGER) / 86400"
        amount = "SUM(o.total_amount)"
    return f"""
        SELECT c.id, COALESCE(a.n, 0), COALESCE(a.amount, 0), a.first_at, a.last_at,
               COALESCE(a.days, 0), a.first_day, a.last_day,
               COALESCE(a.recent, 0), COALESCE(a.previous, 0)
        FROM customers_customer c
        LEFT JOIN (
            SELECT o.customer_id AS customer_id, COUNT(*) AS n, {amount} AS amount,
                   {epoch.format("MIN(o.ordered_at)")} AS first_at,
                   {epoch.format("MAX(o.ordered_at)")} AS last_at,
                   COUNT(DISTINCT {day}) AS days, MIN({day}) AS first_day, MAX({day}) AS last_day,
                   SUM(CASE WHEN o.ordered_at >= %(recent)s THEN 1 ELSE 0 END) AS recent,
                   SUM(CASE WHEN o.ordered_at >= %(previous)s AND o.ordered_at < %(recent)s
                       THEN 1 ELSE 0 END) AS previous
            FROM sales_order o
            WHERE o.ordered_at <= %(now)s
            GROUP BY o.customer_id
        ) a ON a.customer_id = c.id
        WHERE c.merged_into_id IS NULL
        ORDER BY c.id
    """


def _as_db_time(value: datetime) -> object:
    # SQLite compares the stored text; Django stores UTC "YYYY-MM-DD HH:MM:SS[.ffffff]".
    if connection.vendor == "sqlite":
        return value.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def load_purchases(now: datetime, window_days: int) -> Purchases:
    """Aggregate every active customer's orders up to `now` in one query."""
    from datetime import timedelta

    params = {
        "offset": zone_offset_seconds(now),
        "now": _as_db_time(now),
        "recent": _as_db_time(now - timedelta(days=window_days)),
        "previous": _as_db_time(now - timedelta(days=2 * window_days)),
    }
    with connection.cursor() as cursor:
        cursor.execute(_aggregate_sql(connection.vendor), params)
        rows = cursor.fetchall()
    if not rows:
        empty = np.zeros(0)
        return Purchases(np.zeros(0, dtype=np.int64), *([empty] * 9))
    table = np.array(rows, dtype=np.float64)  # None becomes nan
    return Purchases(
        customer_id=table[:, 0].astype(np.int64),
        count=table[:, 1],
        amount=table[:, 2],
        first_at=table[:, 3],
        last_at=table[:, 4],
        days=table[:, 5],
        first_day=table[:, 6],
        last_day=table[:, 7],
        recent=table[:, 8],
        previous=table[:, 9],
    )


def bin_scores(values: Array, mask: NDArray[np.bool_], bins: int) -> NDArray[np.int64]:
    """Score 1…bins by rank among `mask` customers (quantile bins; ties share a bin); 0 outside."""
    scores = np.zeros(values.size, dtype=np.int64)
    if not mask.any():
        return scores
    ranks = rankdata(values[mask], method="average")
    share = (ranks - 0.5) / ranks.size
    scores[mask] = np.minimum(np.floor(share * bins).astype(np.int64) + 1, bins)
    return scores


@dataclass
class Rfm:
    recency_days: Array  # nan without purchases
    r: NDArray[np.int64]
    f: NDArray[np.int64]
    m: NDArray[np.int64]
    average_order: Array
    purchasing_power: Array
    contribution: Array


def score_rfm(purchases: Purchases, now: datetime, bins: int) -> Rfm:
    """RFM scores, purchasing power (spend per year of tenure) and share of all revenue."""
    buyers = purchases.count > 0
    now_s = now.timestamp()
    recency = np.where(buyers, np.floor((now_s - purchases.last_at) / DAY), np.nan)
    tenure_days = np.where(buyers, (now_s - purchases.first_at) / DAY, np.nan)
    total = float(purchases.amount.sum())
    safe_count = np.where(buyers, purchases.count, 1.0)
    return Rfm(
        recency_days=recency,
        # Recent buyers score high: rank the negated recency.
        r=bin_scores(-np.nan_to_num(recency), buyers, bins),
        f=bin_scores(purchases.count, buyers, bins),
        m=bin_scores(purchases.amount, buyers, bins),
        average_order=np.where(buyers, purchases.amount / safe_count, 0.0),
        # A new customer's one order is not a year's spend: tenure counts as ≥ 1 year.
        purchasing_power=np.where(
            buyers, purchases.amount / np.maximum(np.nan_to_num(tenure_days), 365.0) * 365.0, 0.0
        ),
        contribution=purchases.amount / total if total > 0 else np.zeros(purchases.size),
    )
