"""Bulk writes of one assessment: score rows replaced, class changes recorded, classes set.

A million customers are written with executemany (SQLite) or COPY
(PostgreSQL) into the emptied score table — every active customer gets a row
each run, so a DELETE plus plain appends in key order is cheaper than an
upsert that finds and rewrites each row (and its run_id index entry). Class
moves are found by comparing the stored classes with the new ones in NumPy, so
only the customers that move are written to the history and to
`customers_customer`, whose 16 indexes make every touched row expensive.
No per-customer Python loop issues its own statement.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from math import isnan
from typing import Any

import numpy as np
from django.db import connection
from numpy.typing import NDArray

from guanxi.core.bulkload import indexes_built_after

from .assessment import Assessment

COLUMNS = [
    "customer_id", "run_id", "computed_at", "recency_days", "frequency", "purchase_days",
    "monetary", "average_order", "purchasing_power", "contribution", "r_score", "f_score",
    "m_score", "recent_orders", "previous_orders", "p_alive", "expected_purchases",
    "expected_spend", "clv", "value_class", "rule",
]  # fmt: skip
TABLE = "analytics_customerscore"
CHUNK = 50_000
# Page cache (KiB, SQLite's negative cache_size) while a score table is
# rewritten: the table and its rebuilt indexes stay in memory until commit
# instead of spilling to the WAL and being read back; the default is 64 MiB.
WRITE_CACHE_KIB = 262_144


@contextmanager
def emptied_for_bulk_load(cursor: Any, table: str) -> Iterator[None]:
    """Empty `table` for a bulk load in the caller's transaction.

    On SQLite the table's secondary indexes are dropped for the load and built
    again afterwards (core/bulkload.py): building an index by one sort is
    cheaper than a million inserts at random places in it (ChurnScore's risk
    order). It is all one transaction, so readers see the old table, with its
    indexes, until commit, and a failure rolls the DDL back too.
    """
    # No TRUNCATE on PostgreSQL: its lock would block the 360 page meanwhile.
    cursor.execute(f"DELETE FROM {table}")
    with indexes_built_after([table], cache_kib=WRITE_CACHE_KIB):
        yield


def _nullable(values: np.ndarray, digits: int | None = None) -> list[Any]:
    rounded = np.round(values, digits) if digits is not None else values
    return np.where(np.isnan(values), None, rounded).tolist()


def _ints(values: np.ndarray) -> list[Any]:
    return np.nan_to_num(values).astype(np.int64).tolist()


def score_rows(assessment: Assessment, run_id: int) -> Iterator[tuple[Any, ...]]:
    """Score rows in customer order, converted to Python values CHUNK customers at a time.

    Converting all 21 columns of a million customers at once held ~21 million
    Python objects (most of the recompute's peak memory); a chunk at a time
    holds 50,000 rows' worth.
    """
    p, rfm, model = assessment.purchases, assessment.rfm, assessment.clv
    computed_at = connection.ops.adapt_datetimefield_value(assessment.now)
    for start in range(0, p.size, CHUNK):
        part = slice(start, start + CHUNK)
        n = p.customer_id[part].size
        recency = rfm.recency_days[part]
        columns = [
            p.customer_id[part].tolist(),
            [run_id] * n,
            [computed_at] * n,
            [None if isnan(v) else int(v) for v in recency.tolist()],
            _ints(p.count[part]),
            _ints(p.days[part]),
            np.round(p.amount[part], 2).tolist(),
            np.round(rfm.average_order[part], 2).tolist(),
            np.round(rfm.purchasing_power[part], 2).tolist(),
            rfm.contribution[part].tolist(),
            rfm.r[part].tolist(),
            rfm.f[part].tolist(),
            rfm.m[part].tolist(),
            _ints(p.recent[part]),
            _ints(p.previous[part]),
            _nullable(model.p_alive[part]),
            _nullable(model.expected_purchases[part]),
            _nullable(model.expected_spend[part], 2),
            _nullable(model.value[part], 2),
            assessment.value_class[part].tolist(),
            assessment.rule[part].tolist(),
        ]
        yield from zip(*columns, strict=True)


def replace_scores(
    assessment: Assessment, run_id: int, advance: Callable[[int], None] | None = None
) -> None:
    """Every active customer's score row, replacing the previous run's (same transaction)."""
    rows = score_rows(assessment, run_id)
    step = advance or (lambda _n: None)
    names = ", ".join(COLUMNS)
    # Readers keep seeing the old rows until the caller's transaction commits.
    # Customers merged away since the last run drop out on the way.
    with connection.cursor() as cursor, emptied_for_bulk_load(cursor, TABLE):
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {TABLE} ({names}) FROM STDIN") as copy:
                for index, row in enumerate(rows, 1):
                    copy.write_row(row)
                    if index % CHUNK == 0:
                        step(CHUNK)
        else:
            sql = f"INSERT INTO {TABLE} ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
            while chunk := [row for _, row in zip(range(CHUNK), rows, strict=False)]:
                cursor.executemany(sql, chunk)
                step(len(chunk))


def stored_classes() -> tuple[NDArray[np.int64], NDArray[np.str_]]:
    """(customer id, value_class) as stored now, read inside the write transaction.

    Two narrow columns: SQLite answers from a covering index on value_class
    instead of the wide customer rows, and a manual edit made while the
    assessment was computed is still seen (and recorded as the move's origin).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, value_class FROM customers_customer")
        rows = cursor.fetchall()
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=str)
    ids, classes = zip(*rows, strict=True)
    return np.fromiter(ids, dtype=np.int64, count=len(ids)), np.array(classes, dtype=str)


def record_class_changes(assessment: Assessment, run_id: int, now: datetime) -> int:
    """History rows and `value_class` for customers whose class moved; returns how many."""
    customer = assessment.purchases.customer_id
    if customer.size == 0:
        return 0
    ids, old = stored_classes()
    # Stored classes in assessment order (customer ids are sorted; a customer
    # created meanwhile has no score yet and is left for the next run).
    where = np.minimum(np.searchsorted(customer, ids), customer.size - 1)
    known = customer[where] == ids
    before = np.full(customer.size, "", dtype=object)
    before[where[known]] = old[known]
    moved = np.flatnonzero((before != "") & (before != assessment.value_class.astype(object)))
    if moved.size == 0:
        return 0
    p, rfm, model = assessment.purchases, assessment.rfm, assessment.clv
    recency = rfm.recency_days[moved]
    history = zip(
        customer[moved].tolist(),
        [run_id] * moved.size,
        [connection.ops.adapt_datetimefield_value(now)] * moved.size,
        before[moved].tolist(),
        assessment.value_class[moved].tolist(),
        assessment.rule[moved].tolist(),
        [None if isnan(v) else int(v) for v in recency.tolist()],
        _ints(p.count[moved]),
        np.round(p.amount[moved], 2).tolist(),
        _nullable(model.p_alive[moved]),
        _nullable(model.value[moved], 2),
        strict=True,
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO analytics_valueclasschange (customer_id, run_id, changed_at, from_class,"
            " to_class, rule, recency_days, frequency, monetary, p_alive, clv)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            list(history),
        )
        # One UPDATE per target class with the ids as one parameter, not one
        # statement per customer.
        targets = assessment.value_class[moved]
        for target in np.unique(targets):
            members = customer[moved][targets == target].tolist()
            for start in range(0, len(members), CHUNK):
                _set_class(cursor, str(target), members[start : start + CHUNK])
    return int(moved.size)


def _set_class(cursor: Any, value_class: str, ids: list[int]) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(
            "UPDATE customers_customer SET value_class = %s WHERE id = ANY(%s)", [value_class, ids]
        )
    else:
        # A JSON array is one bound value; json_each unpacks it inside SQLite
        # (a plain IN list would hit the 32,766 bound-parameter limit).
        cursor.execute(
            "UPDATE customers_customer SET value_class = %s"
            " WHERE id IN (SELECT value FROM json_each(%s))",
            [value_class, json.dumps(ids)],
        )
