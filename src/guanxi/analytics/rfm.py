"""Purchase summaries per customer, aggregated by the database, and RFM scores from them.

One GROUP BY over the orders returns, per buying customer, everything RFM,
the CLV models and the churn step's order trend need (the orders are read
once per recompute); Python only receives one row per customer, turns the
columns into NumPy arrays and places them against the active customers' ids. Timestamps come back as epoch seconds and days as
day numbers in the display time zone, so the two databases agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import connection
from numpy.typing import NDArray
from scipy.stats import rankdata

Array = NDArray[np.float64]
DAY = 86_400
FETCH_BATCH = 100_000


@dataclass
class Trend:
    """Orders and amount per customer in the churn step's two trend windows."""

    days: int  # window length
    recent_orders: Array  # orders in the last `days` (up to now)
    previous_orders: Array  # orders in the `days` before those
    recent_amount: Array
    previous_amount: Array


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
    trend: Trend  # the churn windows, from the same pass over the orders

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
    """One GROUP BY over the orders; the customers are joined in NumPy (see load_purchases).

    Per order row the database computes only the purchase day (for the count
    of distinct days) and two text/time comparisons: the first and last day
    follow from the first and last time (the day is monotone in the time, one
    fixed zone offset), so they are derived from those two per customer.
    """
    if vendor == "postgresql":
        epoch = "EXTRACT(EPOCH FROM {})::float8"
        # date_part returns float8; EXTRACT returns numeric since PostgreSQL 14,
        # several times slower per row.
        day = "FLOOR((date_part('epoch', o.ordered_at) + %(offset)s) / 86400)::bigint"
        amount = "SUM(o.total_amount)::float8"
        # Per order as float8, like the churn step's own query had it (same sums).
        order_amount = "o.total_amount::float8"
    else:
        epoch = "CAST(strftime('%%s', {}) AS REAL)"
        day = "CAST((julianday(o.ordered_at) - 2440587.5) * 86400 + %(offset)s AS INTEGER) / 86400"
        amount = "SUM(o.total_amount)"
        order_amount = "o.total_amount"
    trend_recent = "o.ordered_at >= %(trend_recent)s"
    trend_previous = "o.ordered_at >= %(trend_previous)s AND o.ordered_at < %(trend_recent)s"
    return f"""
        SELECT o.customer_id, COUNT(*), {amount},
               {epoch.format("MIN(o.ordered_at)")}, {epoch.format("MAX(o.ordered_at)")},
               COUNT(DISTINCT {day}),
               SUM(CASE WHEN o.ordered_at >= %(recent)s THEN 1 ELSE 0 END),
               SUM(CASE WHEN o.ordered_at >= %(previous)s AND o.ordered_at < %(recent)s
                   THEN 1 ELSE 0 END),
               SUM(CASE WHEN {trend_recent} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {trend_previous} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {trend_recent} THEN {order_amount} ELSE 0 END),
               SUM(CASE WHEN {trend_previous} THEN {order_amount} ELSE 0 END)
        FROM sales_order o
        WHERE o.ordered_at <= %(now)s
        GROUP BY o.customer_id
    """


# Active customers = all ids minus the merged-away ones: both answered from
# narrow indexes (any index covers the id; `cust_merged` is partial on the
# merged rows), where `WHERE merged_into_id IS NULL` read every wide row.
ALL_CUSTOMERS_SQL = "SELECT id FROM customers_customer"
MERGED_CUSTOMERS_SQL = "SELECT id FROM customers_customer WHERE merged_into_id IS NOT NULL"
AGGREGATE_COLUMNS = 12


def _as_db_time(value: datetime) -> object:
    # SQLite compares the stored text; Django stores UTC "YYYY-MM-DD HH:MM:SS[.ffffff]".
    if connection.vendor == "sqlite":
        return value.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def fetch_floats(cursor: Any, columns: int) -> NDArray[np.float64]:
    """The cursor's remaining rows as an (n, columns) float array, read in batches.

    np.fromiter over the flattened batch avoids building a million-row list
    of tuples and then an object array from it (the rows have no NULLs).
    """
    parts = []
    while batch := cursor.fetchmany(FETCH_BATCH):
        flat = np.fromiter(chain.from_iterable(batch), dtype=np.float64, count=len(batch) * columns)
        parts.append(flat.reshape(-1, columns))
    return np.concatenate(parts) if parts else np.zeros((0, columns))


def load_purchases(now: datetime, window_days: int, trend_days: int | None = None) -> Purchases:
    """Aggregate every active customer's orders up to `now` (one pass over the orders).

    `window_days` are the value classes' rising-orders windows, `trend_days`
    the churn step's trend windows (the same when not given).
    """
    from datetime import timedelta

    offset = zone_offset_seconds(now)
    trend_days = window_days if trend_days is None else trend_days
    params = {
        "offset": offset,
        "now": _as_db_time(now),
        "recent": _as_db_time(now - timedelta(days=window_days)),
        "previous": _as_db_time(now - timedelta(days=2 * window_days)),
        "trend_recent": _as_db_time(now - timedelta(days=trend_days)),
        "trend_previous": _as_db_time(now - timedelta(days=2 * trend_days)),
    }
    with connection.cursor() as cursor:
        cursor.execute(ALL_CUSTOMERS_SQL)
        everyone = fetch_floats(cursor, 1)[:, 0].astype(np.int64)
        cursor.execute(MERGED_CUSTOMERS_SQL)
        merged = fetch_floats(cursor, 1)[:, 0].astype(np.int64)
        customer_id = np.setdiff1d(everyone, merged)  # sorted
        cursor.execute(_aggregate_sql(connection.vendor), params)
        table = fetch_floats(cursor, AGGREGATE_COLUMNS)
    n = customer_id.size
    # Orders of customers merged away (or of none) find no active customer.
    where = np.searchsorted(customer_id, table[:, 0].astype(np.int64))
    found = where < n
    found[found] &= customer_id[where[found]] == table[found, 0].astype(np.int64)
    rows, table = where[found], table[found]

    def column(index: int, empty: float = 0.0) -> Array:
        out = np.full(n, empty)
        out[rows] = table[:, index]
        return out

    first_at, last_at = column(3, np.nan), column(4, np.nan)
    return Purchases(
        customer_id=customer_id,
        count=column(1),
        amount=column(2),
        first_at=first_at,
        last_at=last_at,
        days=column(5),
        first_day=np.floor((first_at + offset) / DAY),
        last_day=np.floor((last_at + offset) / DAY),
        recent=column(6),
        previous=column(7),
        trend=Trend(trend_days, column(8), column(9), column(10), column(11)),
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
