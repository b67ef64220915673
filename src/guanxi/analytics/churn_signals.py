"""The raw warning signals of every customer, aggregated by the database.

Orders give the trend (orders and amount in the last window against the window
before); tickets give complaints, satisfaction (CSAT survey answers) and the
last time the customer called; completed follow-up tasks are touches too.

Inside the recompute the trend comes from the value step's single pass over
the orders (`rfm.load_purchases`, `Purchases.trend`), so `contact_signals`
reads only the customers' creation times (a narrow index) and the sparse
ticket, survey and task aggregates, and places them against the customer ids
in NumPy. `load_signals` (the classifier's history) still reads the trend with
its own query, in one LEFT JOIN from the customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection
from numpy.typing import NDArray

from .rfm import Trend, fetch_floats

Array = NDArray[np.float64]


@dataclass
class ChurnSignals:
    """Columns per active customer (id order); nan where a customer has no such record."""

    customer_id: NDArray[np.int64]
    created_at: Array  # epoch seconds
    recent_orders: Array  # orders in the last `trend_days`
    previous_orders: Array  # orders in the `trend_days` before those
    recent_amount: Array
    previous_amount: Array
    complaints: Array  # complaint tickets received in the last `complaint_days`
    csat: Array  # mean survey score (1–5) of answers in the last `csat_days`
    last_ticket_at: Array  # epoch seconds of the newest ticket
    last_task_at: Array  # epoch seconds of the newest completed follow-up task

    @property
    def size(self) -> int:
        return int(self.customer_id.size)


def db_time(value: datetime) -> object:
    # SQLite compares the stored text; Django stores UTC "YYYY-MM-DD HH:MM:SS[.ffffff]".
    if connection.vendor == "sqlite":
        return value.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _epoch(vendor: str, expression: str) -> str:
    if vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {expression})::float8"
    return f"CAST(strftime('%%s', {expression}) AS REAL)"


def _signals_sql(vendor: str) -> str:
    amount = "o.total_amount::float8" if vendor == "postgresql" else "o.total_amount"
    # SQLite would range-scan the ordered_at index and then fetch a third of all
    # orders one by one (43 s at 5.5M orders); unary + hides the index, and one
    # sequential pass is 4× faster (11 s). PostgreSQL's planner chooses itself.
    ordered_at = "o.ordered_at" if vendor == "postgresql" else "+o.ordered_at"
    # Each subquery reads only its window (orders, tickets) or its small table
    # (surveys, tasks) and groups by customer; the customers table drives the
    # join so every active customer gets exactly one row.
    return f"""
        SELECT c.id, {_epoch(vendor, "c.created_at")},
               COALESCE(o.recent_n, 0), COALESCE(o.previous_n, 0),
               COALESCE(o.recent_amount, 0), COALESCE(o.previous_amount, 0),
               COALESCE(t.complaints, 0), s.csat, {_epoch(vendor, "t.last_at")},
               {_epoch(vendor, "f.last_done")}
        FROM customers_customer c
        LEFT JOIN (
            SELECT o.customer_id,
                   SUM(CASE WHEN o.ordered_at >= %(recent)s THEN 1 ELSE 0 END) AS recent_n,
                   SUM(CASE WHEN o.ordered_at < %(recent)s THEN 1 ELSE 0 END) AS previous_n,
                   SUM(CASE WHEN o.ordered_at >= %(recent)s THEN {amount} ELSE 0 END)
                       AS recent_amount,
                   SUM(CASE WHEN o.ordered_at < %(recent)s THEN {amount} ELSE 0 END)
                       AS previous_amount
            FROM sales_order o
            WHERE {ordered_at} >= %(previous)s AND {ordered_at} <= %(now)s
            GROUP BY o.customer_id
        ) o ON o.customer_id = c.id
        LEFT JOIN (
            SELECT t.customer_id,
                   SUM(CASE WHEN t.ticket_type = 'complaint' AND t.received_at >= %(complaints)s
                       THEN 1 ELSE 0 END) AS complaints,
                   MAX(t.received_at) AS last_at
            FROM service_ticket t
            WHERE t.customer_id IS NOT NULL AND t.received_at <= %(now)s
            GROUP BY t.customer_id
        ) t ON t.customer_id = c.id
        LEFT JOIN (
            SELECT t.customer_id, AVG(CAST(s.score AS DOUBLE PRECISION)) AS csat
            FROM service_surveyresponse s JOIN service_ticket t ON t.id = s.ticket_id
            WHERE t.customer_id IS NOT NULL AND s.created_at >= %(csat)s
              AND s.created_at <= %(now)s
            GROUP BY t.customer_id
        ) s ON s.customer_id = c.id
        LEFT JOIN (
            SELECT f.customer_id, MAX(f.completed_at) AS last_done
            FROM engagement_followuptask f
            WHERE f.status = 'done' AND f.completed_at <= %(now)s
            GROUP BY f.customer_id
        ) f ON f.customer_id = c.id
        WHERE c.merged_into_id IS NULL
        ORDER BY c.id
    """


# The non-order signals, each a GROUP BY over its own (small) table returning
# only the customers that have such records; `contact_signals` places them.
CREATED_SQL = "SELECT id, {created} FROM customers_customer"
TICKETS_SQL = """
    SELECT t.customer_id,
           SUM(CASE WHEN t.ticket_type = 'complaint' AND t.received_at >= %(complaints)s
               THEN 1 ELSE 0 END),
           {last_at}
    FROM service_ticket t
    WHERE t.customer_id IS NOT NULL AND t.received_at <= %(now)s
    GROUP BY t.customer_id
"""
CSAT_SQL = """
    SELECT t.customer_id, AVG(CAST(s.score AS DOUBLE PRECISION))
    FROM service_surveyresponse s JOIN service_ticket t ON t.id = s.ticket_id
    WHERE t.customer_id IS NOT NULL AND s.created_at >= %(csat)s AND s.created_at <= %(now)s
    GROUP BY t.customer_id
"""
TASKS_SQL = """
    SELECT f.customer_id, {last_done}
    FROM engagement_followuptask f
    WHERE f.status = 'done' AND f.completed_at <= %(now)s
    GROUP BY f.customer_id
"""


def _place(customer_id: NDArray[np.int64], table: Array, empty: list[float]) -> list[Array]:
    """Columns 1… of `table` (column 0 = customer id) in `customer_id` order; `empty`
    per column where a customer has no row (rows of other customers are dropped)."""
    n = customer_id.size
    out = [np.full(n, value) for value in empty]
    if n == 0 or table.shape[0] == 0:
        return out
    ids = table[:, 0].astype(np.int64)
    where = np.minimum(np.searchsorted(customer_id, ids), n - 1)
    found = customer_id[where] == ids
    for column, values in enumerate(out, 1):
        values[where[found]] = table[found, column]
    return out


def _rows(sql: str, params: dict[str, object], columns: int) -> Array:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # None (a NULL aggregate) becomes nan.
    return np.array(rows, dtype=np.float64).reshape(-1, columns)


def contact_signals(
    now: datetime,
    customer_id: NDArray[np.int64],
    trend: Trend,
    *,
    complaint_days: int,
    csat_days: int,
) -> ChurnSignals:
    """Signals of `customer_id` (sorted) with the order trend already aggregated."""
    vendor = connection.vendor
    params = {
        "now": db_time(now),
        "complaints": db_time(now - timedelta(days=complaint_days)),
        "csat": db_time(now - timedelta(days=csat_days)),
    }
    with connection.cursor() as cursor:
        # (id, created_at) is a narrow index (cust_created) on SQLite; no NULLs.
        # Empty params, not none: the driver must turn the epoch's %% into %.
        cursor.execute(CREATED_SQL.format(created=_epoch(vendor, "created_at")), [])
        created = fetch_floats(cursor, 2)
    (created_at,) = _place(customer_id, created, [np.nan])
    tickets = _rows(TICKETS_SQL.format(last_at=_epoch(vendor, "MAX(t.received_at)")), params, 3)
    complaints, last_ticket_at = _place(customer_id, tickets, [0.0, np.nan])
    (csat,) = _place(customer_id, _rows(CSAT_SQL, params, 2), [np.nan])
    tasks = _rows(TASKS_SQL.format(last_done=_epoch(vendor, "MAX(f.completed_at)")), params, 2)
    (last_task_at,) = _place(customer_id, tasks, [np.nan])
    return ChurnSignals(
        customer_id=customer_id,
        created_at=created_at,
        recent_orders=trend.recent_orders,
        previous_orders=trend.previous_orders,
        recent_amount=trend.recent_amount,
        previous_amount=trend.previous_amount,
        complaints=complaints,
        csat=csat,
        last_ticket_at=last_ticket_at,
        last_task_at=last_task_at,
    )


def load_signals(
    now: datetime, *, trend_days: int, complaint_days: int, csat_days: int
) -> ChurnSignals:
    """Every active customer's warning-signal inputs as of `now` (nothing after it counts).

    Standalone, with its own pass over the orders' trend windows; the recompute
    uses `contact_signals` with the trend of its single orders aggregate.
    """
    params = {
        "now": db_time(now),
        "recent": db_time(now - timedelta(days=trend_days)),
        "previous": db_time(now - timedelta(days=2 * trend_days)),
        "complaints": db_time(now - timedelta(days=complaint_days)),
        "csat": db_time(now - timedelta(days=csat_days)),
    }
    with connection.cursor() as cursor:
        cursor.execute(_signals_sql(connection.vendor), params)
        rows = cursor.fetchall()
    if not rows:
        empty = np.zeros(0)
        return ChurnSignals(np.zeros(0, dtype=np.int64), *([empty] * 9))
    table = np.array(rows, dtype=np.float64)  # None becomes nan
    return ChurnSignals(
        customer_id=table[:, 0].astype(np.int64),
        created_at=table[:, 1],
        recent_orders=table[:, 2],
        previous_orders=table[:, 3],
        recent_amount=table[:, 4],
        previous_amount=table[:, 5],
        complaints=table[:, 6],
        csat=table[:, 7],
        last_ticket_at=table[:, 8],
        last_task_at=table[:, 9],
    )
