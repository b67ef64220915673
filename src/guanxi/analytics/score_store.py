"""Bulk writes of one assessment: score rows upserted, class changes recorded, classes set.

A million customers are written with executemany (SQLite) or COPY into a
staging table (PostgreSQL), and the class history and the customers'
`value_class` are derived from the score table by two set-based statements,
so no per-customer Python loop touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import numpy as np
from django.db import connection

from .assessment import Assessment

COLUMNS = [
    "customer_id", "run_id", "computed_at", "recency_days", "frequency", "purchase_days",
    "monetary", "average_order", "purchasing_power", "contribution", "r_score", "f_score",
    "m_score", "recent_orders", "previous_orders", "p_alive", "expected_purchases",
    "expected_spend", "clv", "value_class", "rule",
]  # fmt: skip
TABLE = "analytics_customerscore"
CHUNK = 50_000


def _nullable(values: np.ndarray, digits: int | None = None) -> list[Any]:
    rounded = np.round(values, digits) if digits is not None else values
    return np.where(np.isnan(values), None, rounded).tolist()


def _ints(values: np.ndarray) -> list[Any]:
    return np.nan_to_num(values).astype(np.int64).tolist()


def score_rows(assessment: Assessment, run_id: int) -> Iterator[tuple[Any, ...]]:
    p, rfm, model = assessment.purchases, assessment.rfm, assessment.clv
    n = p.size
    computed_at = connection.ops.adapt_datetimefield_value(assessment.now)
    recency = np.where(np.isnan(rfm.recency_days), None, rfm.recency_days)
    columns = [
        p.customer_id.tolist(),
        [run_id] * n,
        [computed_at] * n,
        [None if v is None else int(v) for v in recency.tolist()],
        _ints(p.count),
        _ints(p.days),
        np.round(p.amount, 2).tolist(),
        np.round(rfm.average_order, 2).tolist(),
        np.round(rfm.purchasing_power, 2).tolist(),
        rfm.contribution.tolist(),
        rfm.r.tolist(),
        rfm.f.tolist(),
        rfm.m.tolist(),
        _ints(p.recent),
        _ints(p.previous),
        _nullable(model.p_alive),
        _nullable(model.expected_purchases),
        _nullable(model.expected_spend, 2),
        _nullable(model.value, 2),
        assessment.value_class.tolist(),
        assessment.rule.tolist(),
    ]
    return zip(*columns, strict=True)


def upsert_scores(
    assessment: Assessment, run_id: int, advance: Callable[[int], None] | None = None
) -> None:
    rows = score_rows(assessment, run_id)
    step = advance or (lambda _n: None)
    names = ", ".join(COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Dropped at commit; also dropped here for a second run inside one
            # outer transaction (tests, or a caller's atomic block).
            cursor.execute("DROP TABLE IF EXISTS score_stage")
            cursor.execute(
                f"CREATE TEMP TABLE score_stage (LIKE {TABLE} INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            with cursor.cursor.copy(f"COPY score_stage ({names}) FROM STDIN") as copy:
                for index, row in enumerate(rows, 1):
                    copy.write_row(row)
                    if index % CHUNK == 0:
                        step(CHUNK)
            cursor.execute(
                f"INSERT INTO {TABLE} ({names}) SELECT {names} FROM score_stage "
                f"ON CONFLICT (customer_id) DO UPDATE SET {updates}"
            )
        else:
            sql = (
                f"INSERT INTO {TABLE} ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
                f"ON CONFLICT (customer_id) DO UPDATE SET {updates}"
            )
            while chunk := [row for _, row in zip(range(CHUNK), rows, strict=False)]:
                cursor.executemany(sql, chunk)
                step(len(chunk))
        # Customers merged away since the last run keep no score.
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE customer_id IN "
            "(SELECT id FROM customers_customer WHERE merged_into_id IS NOT NULL)"
        )


def record_class_changes(run_id: int, now: datetime) -> int:
    """History rows for customers whose stored class differs from the new one; returns count."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO analytics_valueclasschange (customer_id, run_id, changed_at, from_class,"
            " to_class, rule, recency_days, frequency, monetary, p_alive, clv)"
            " SELECT c.id, %s, %s, c.value_class, s.value_class, s.rule, s.recency_days,"
            " s.frequency, s.monetary, s.p_alive, s.clv"
            f" FROM customers_customer c JOIN {TABLE} s ON s.customer_id = c.id"
            " WHERE c.value_class <> s.value_class",
            [run_id, connection.ops.adapt_datetimefield_value(now)],
        )
        changed = cursor.rowcount
        cursor.execute(
            "UPDATE customers_customer SET value_class = s.value_class"
            f" FROM {TABLE} s WHERE s.customer_id = customers_customer.id"
            " AND customers_customer.value_class <> s.value_class"
        )
    return int(changed)
