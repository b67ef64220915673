"""Churn risk 0–100 of every customer from the warning signals, as arrays, and its bulk write.

Each signal has a threshold (it *fires* or not) and a strength in [0, 1] when
it fires; the score is 100 × Σ weight × strength ÷ Σ weight over the signals in
use, so each reason's share of the score is its points and the points add up
to the score. The thresholds, weights and level cut-offs are AssessmentConfig
fields (docs/architecture.md, "Churn risk"). A trained classifier, when an
analyst has activated one, is one more signal (its probability).

`score_all` runs inside the value-assessment recompute, after the CLV step, on
the same customer arrays: no per-customer Python loop touches the database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.db import connection
from numpy.typing import NDArray

from guanxi.customers.choices import ValueClass

from .assessment import Assessment
from .choices import ChurnReason, RiskLevel
from .churn_signals import ChurnSignals, contact_signals, load_signals
from .models import REASON_COLUMNS, AssessmentConfig
from .score_store import emptied_for_bulk_load

Array = NDArray[np.float64]
DAY = 86_400.0
TABLE = "analytics_churnscore"
CHUNK = 50_000


@dataclass
class ChurnResult:
    customer_id: NDArray[np.int64]
    risk: NDArray[np.int64]
    level: NDArray[np.str_]
    points: dict[str, Array]  # ChurnReason → points of the score
    signals: ChurnSignals
    p_alive: Array
    days_since_contact: Array
    contact_due_days: Array
    model_probability: Array
    seconds: dict[str, float]

    def level_counts(self) -> dict[str, int]:
        levels, counts = np.unique(self.level, return_counts=True)
        return {str(k): int(n) for k, n in zip(levels, counts, strict=True)}


def align(signals: ChurnSignals, customer_id: NDArray[np.int64]) -> ChurnSignals:
    """Signals re-ordered to `customer_id` (customers added between the two queries get none)."""
    if np.array_equal(signals.customer_id, customer_id):
        return signals
    index = np.searchsorted(signals.customer_id, customer_id)
    index = np.clip(index, 0, max(signals.size - 1, 0))
    found = signals.size > 0 and signals.customer_id[index] == customer_id

    def pick(values: Array, missing: float) -> Array:
        if signals.size == 0:
            return np.full(customer_id.size, missing)
        return np.where(found, values[index], missing)

    return ChurnSignals(
        customer_id=customer_id,
        created_at=pick(signals.created_at, np.nan),
        recent_orders=pick(signals.recent_orders, 0.0),
        previous_orders=pick(signals.previous_orders, 0.0),
        recent_amount=pick(signals.recent_amount, 0.0),
        previous_amount=pick(signals.previous_amount, 0.0),
        complaints=pick(signals.complaints, 0.0),
        csat=pick(signals.csat, np.nan),
        last_ticket_at=pick(signals.last_ticket_at, np.nan),
        last_task_at=pick(signals.last_task_at, np.nan),
    )


def contact_due_days(value_class: NDArray[np.str_], config: AssessmentConfig) -> Array:
    """Days allowed between touches for each customer's value class (SPEC §4 seeds)."""
    due = {
        ValueClass.HIGH: config.contact_days_high,
        ValueClass.POTENTIAL: config.contact_days_potential,
        ValueClass.GENERAL: config.contact_days_general,
        ValueClass.CHURNED: config.contact_days_churned,
    }
    out = np.full(value_class.size, float(config.contact_days_general))
    for klass, days in due.items():
        out[value_class == str(klass)] = float(days)
    return out


def days_since_touch(signals: ChurnSignals, last_purchase_at: Array, now: datetime) -> Array:
    """Days since the latest purchase, ticket or completed task; since creation if none."""
    stacked = np.vstack([last_purchase_at, signals.last_ticket_at, signals.last_task_at])
    latest = np.nanmax(np.where(np.isnan(stacked), -np.inf, stacked), axis=0)
    latest = np.where(np.isfinite(latest), latest, signals.created_at)
    return np.maximum(np.floor((now.timestamp() - latest) / DAY), 0.0)


def _drop(recent: Array, previous: Array, share: float) -> Array:
    """Strength of a fall from the previous window to the recent one (0 unless ≥ share)."""
    ratio = np.divide(recent, previous, out=np.ones_like(recent), where=previous > 0)
    fall = np.clip(1.0 - ratio, 0.0, 1.0)
    return np.where((previous > 0) & (fall >= share) & (fall > 0), fall, 0.0)


def strengths(
    signals: ChurnSignals,
    p_alive: Array,
    days_since: Array,
    due_days: Array,
    model_probability: Array | None,
    config: AssessmentConfig,
) -> dict[str, Array]:
    """Each signal's strength in [0, 1] per customer; 0 where it does not fire."""
    alive = np.nan_to_num(p_alive, nan=1.0)  # no purchase or no model: no evidence
    csat = signals.csat
    low_csat = ~np.isnan(csat) & (csat < config.churn_csat_below)
    span = max(config.churn_csat_below - 1.0, 1e-9)
    out = {
        ChurnReason.NOT_ALIVE: np.where(alive < config.churn_alive_below, 1.0 - alive, 0.0),
        ChurnReason.FREQUENCY: _drop(
            signals.recent_orders, signals.previous_orders, config.churn_drop_share
        ),
        ChurnReason.AMOUNT: _drop(
            signals.recent_amount, signals.previous_amount, config.churn_drop_share
        ),
        ChurnReason.COMPLAINTS: np.minimum(signals.complaints / config.churn_complaints_full, 1.0),
        ChurnReason.SATISFACTION: np.where(
            low_csat, np.clip((config.churn_csat_below - np.nan_to_num(csat)) / span, 0, 1), 0.0
        ),
        ChurnReason.CONTACT: np.where(
            days_since > due_days, np.minimum((days_since - due_days) / due_days, 1.0), 0.0
        ),
    }
    if model_probability is not None:
        probability = np.nan_to_num(model_probability)
        out[ChurnReason.MODEL] = np.where(probability >= config.churn_model_above, probability, 0)
    return {str(k): v for k, v in out.items()}


def weights(config: AssessmentConfig, with_model: bool) -> dict[str, float]:
    weight = {
        ChurnReason.NOT_ALIVE: config.churn_weight_not_alive,
        ChurnReason.FREQUENCY: config.churn_weight_frequency,
        ChurnReason.AMOUNT: config.churn_weight_amount,
        ChurnReason.COMPLAINTS: config.churn_weight_complaints,
        ChurnReason.SATISFACTION: config.churn_weight_satisfaction,
        ChurnReason.CONTACT: config.churn_weight_contact,
    }
    if with_model:
        weight[ChurnReason.MODEL] = config.churn_weight_model
    return {str(k): float(v) for k, v in weight.items()}


def levels(risk: NDArray[np.int64], config: AssessmentConfig) -> NDArray[np.str_]:
    return np.where(
        risk >= config.churn_high_from,
        str(RiskLevel.HIGH),
        np.where(risk >= config.churn_medium_from, str(RiskLevel.MEDIUM), str(RiskLevel.LOW)),
    )


def score(assessment: Assessment, config: AssessmentConfig) -> ChurnResult:
    """Churn risk of every customer of `assessment`, with the points of each reason."""
    from . import churn_model

    seconds: dict[str, float] = {}
    mark = time.perf_counter()
    purchases, now = assessment.purchases, assessment.now
    if purchases.trend.days == config.churn_trend_days:
        # The trend windows came with the value step's pass over the orders.
        signals = contact_signals(
            now,
            purchases.customer_id,
            purchases.trend,
            complaint_days=config.churn_complaint_days,
            csat_days=config.churn_csat_days,
        )
    else:  # aggregated for other windows: a second pass over the orders
        signals = align(
            load_signals(
                now,
                trend_days=config.churn_trend_days,
                complaint_days=config.churn_complaint_days,
                csat_days=config.churn_csat_days,
            ),
            purchases.customer_id,
        )
    seconds["churn_signals"] = time.perf_counter() - mark
    mark = time.perf_counter()
    since = days_since_touch(signals, purchases.last_at, now)
    due = contact_due_days(assessment.value_class, config)
    probability = churn_model.score_with_active_model(purchases, signals, since, now)
    strength = strengths(signals, assessment.clv.p_alive, since, due, probability, config)
    weight = weights(config, probability is not None)
    total = sum(weight.values())
    points = {
        reason: (100.0 * weight[reason] / total) * strength[reason]
        if total > 0
        else np.zeros(purchases.size)
        for reason in weight
    }
    raw = np.sum(list(points.values()), axis=0) if points else np.zeros(purchases.size)
    risk = np.clip(np.rint(raw), 0, 100).astype(np.int64)
    seconds["churn_score"] = time.perf_counter() - mark
    return ChurnResult(
        customer_id=purchases.customer_id,
        risk=risk,
        level=levels(risk, config),
        points=points,
        signals=signals,
        p_alive=assessment.clv.p_alive,
        days_since_contact=since,
        contact_due_days=due,
        model_probability=probability
        if probability is not None
        else np.full(purchases.size, np.nan),
        seconds=seconds,
    )


# --- the bulk write -----------------------------------------------------------------------

COLUMNS = [
    "customer_id", "run_id", "computed_at", "risk", "level", *REASON_COLUMNS.values(),
    "p_alive", "recent_orders", "previous_orders", "recent_amount", "previous_amount",
    "complaints", "csat", "days_since_contact", "contact_due_days", "model_probability",
]  # fmt: skip


def _nullable(values: Array, digits: int = 4) -> list[Any]:
    return np.where(np.isnan(values), None, np.round(values, digits)).tolist()


def _ints(values: Array) -> list[int]:
    return np.nan_to_num(values).astype(np.int64).tolist()


def score_rows(result: ChurnResult, run_id: int, now: datetime) -> Iterator[tuple[Any, ...]]:
    """Rows in customer order, converted to Python values CHUNK customers at a time
    (a million customers' 22 columns at once would hold ~22M Python objects)."""
    s = result.signals
    computed_at = connection.ops.adapt_datetimefield_value(now)
    zero = np.zeros(result.customer_id.size)
    for begin in range(0, result.customer_id.size, CHUNK):
        part = slice(begin, begin + CHUNK)
        n = result.customer_id[part].size
        columns = [
            result.customer_id[part].tolist(),
            [run_id] * n,
            [computed_at] * n,
            result.risk[part].tolist(),
            result.level[part].tolist(),
            *[np.round(result.points.get(str(r), zero)[part], 2).tolist() for r in REASON_COLUMNS],
            _nullable(result.p_alive[part]),
            _ints(s.recent_orders[part]),
            _ints(s.previous_orders[part]),
            np.round(s.recent_amount[part], 2).tolist(),
            np.round(s.previous_amount[part], 2).tolist(),
            _ints(s.complaints[part]),
            _nullable(s.csat[part], 2),
            _ints(result.days_since_contact[part]),
            _ints(result.contact_due_days[part]),
            _nullable(result.model_probability[part]),
        ]
        yield from zip(*columns, strict=True)


def store(result: ChurnResult, run_id: int, now: datetime) -> None:
    """Replace every churn score: COPY (PostgreSQL) or executemany (SQLite), in the caller's
    transaction, so readers see the old scores or the new ones, never a mix."""
    rows = score_rows(result, run_id, now)
    names = ", ".join(COLUMNS)
    # Every active customer gets a row, so the table is rewritten whole: a
    # DELETE plus plain inserts is cheaper than an upsert of every row, and
    # merged-away customers drop out on the way.
    with connection.cursor() as cursor, emptied_for_bulk_load(cursor, TABLE):
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {TABLE} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {TABLE} ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
        while chunk := [row for _, row in zip(range(CHUNK), rows, strict=False)]:
            cursor.executemany(sql, chunk)


def score_all(assessment: Assessment, run_id: int, config: AssessmentConfig) -> ChurnResult:
    """Score and store every customer's churn risk (one step of the value recompute)."""
    result = score(assessment, config)
    mark = time.perf_counter()
    store(result, run_id, assessment.now)
    result.seconds["churn_write"] = time.perf_counter() - mark
    assessment.seconds.update(result.seconds)
    return result
