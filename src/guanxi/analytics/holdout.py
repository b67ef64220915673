"""Holdout check of the CLV model on our own purchases (the standard plots of FHL 2005).

Fit BG/NBD on a calibration period, then compare with what happened in the
holdout: cumulative repeat purchases week by week, and mean holdout purchases
by calibration frequency. Purchases come from the database as distinct
(customer, day) pairs of the customers the user may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from guanxi.sales.models import Order

from . import clv
from .rfm import DAY, zone_offset_seconds

if TYPE_CHECKING:
    from guanxi.core.models import User

MAX_BUCKET = 7  # frequencies 7+ share the last bucket, as in the paper's figure


@dataclass
class HoldoutCheck:
    calibration_end: str
    holdout_weeks: int
    customers: int = 0
    params: dict[str, float] = field(default_factory=dict)
    weeks: list[int] = field(default_factory=list)
    actual_cumulative: list[float] = field(default_factory=list)
    predicted_cumulative: list[float] = field(default_factory=list)
    buckets: list[str] = field(default_factory=list)
    actual_by_frequency: list[float] = field(default_factory=list)
    predicted_by_frequency: list[float] = field(default_factory=list)
    error: str = ""

    def chart_data(self) -> dict[str, Any]:
        return self.__dict__


def purchase_days(user: User, until: datetime) -> tuple[np.ndarray, np.ndarray]:
    """(customer id, day number) of every order up to `until`, one SQL pass, scoped."""
    offset = zone_offset_seconds(until)
    rows = np.array(
        list(
            Order.objects.restrict(user, "view")
            .filter(ordered_at__lte=until)
            .values_list("customer_id", "ordered_at")
            .iterator(chunk_size=20_000)
        ),
        dtype=object,
    )
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype="datetime64[D]")
    seconds = np.array([t.timestamp() for t in rows[:, 1]]) + offset
    days = np.floor(seconds / DAY).astype("datetime64[D]")
    return rows[:, 0].astype(np.int64), days


def holdout_check(user: User, now: datetime, holdout_weeks: int) -> HoldoutCheck:
    end_dt = now - timedelta(weeks=holdout_weeks)
    end = np.datetime64(end_dt.date(), "D")
    check = HoldoutCheck(calibration_end=str(end), holdout_weeks=holdout_weeks)
    customers, days = purchase_days(user, now)
    if customers.size == 0:
        check.error = "no_purchases"
        return check
    summary = clv.summarise_transactions(customers, days, np.ones(customers.size), end)
    try:
        fit = clv.fit_bgnbd(summary.x, summary.t_x, summary.T)
    except clv.FitError:
        check.error = "not_enough_data"
        return check
    check.customers = int(summary.x.size)
    check.params = {k: v for k, v in fit.as_dict().items() if k in ("r", "alpha", "a", "b")}
    # Cumulative repeat purchases through calibration and holdout, week by week.
    first = summary.T * 7  # days from first purchase to calibration end
    first_day = end - np.rint(first).astype(np.int64).astype("timedelta64[D]")
    total_weeks = int(np.ceil(first.max() / 7)) + holdout_weeks
    start = first_day.min()
    ids = np.searchsorted(summary.customer.astype(np.int64), customers)
    known = (ids < summary.customer.size) & (
        summary.customer.astype(np.int64)[np.minimum(ids, summary.customer.size - 1)] == customers
    )
    pairs = np.unique(np.column_stack([ids[known], (days[known] - start).astype(np.int64)]), axis=0)
    first_rel = (first_day - start).astype(np.int64)
    repeat = pairs[:, 1] > first_rel[pairs[:, 0]]
    repeat_week = pairs[repeat, 1] // 7
    actual_weekly = np.bincount(repeat_week, minlength=total_weeks)[:total_weeks]
    cohort_days, cohort_size = np.unique(first_rel, return_counts=True)
    weeks = np.arange(1, total_weeks + 1)
    predicted = np.zeros(total_weeks)
    for day, size in zip(cohort_days, cohort_size, strict=True):  # cohorts, not customers
        elapsed = np.clip(weeks - day / 7, 0, None)
        predicted += size * clv.unconditional_expected_purchases(fit, elapsed)
    check.weeks = weeks.tolist()
    check.actual_cumulative = np.cumsum(actual_weekly).astype(float).tolist()
    check.predicted_cumulative = np.round(predicted, 1).tolist()
    # Conditional expectations by calibration frequency.
    expected = clv.expected_purchases(fit, holdout_weeks, summary.x, summary.t_x, summary.T)
    bucket = np.minimum(summary.x, MAX_BUCKET).astype(int)
    for b in range(MAX_BUCKET + 1):
        members = bucket == b
        if not members.any():
            continue
        check.buckets.append(f"{b}+" if b == MAX_BUCKET else str(b))
        check.actual_by_frequency.append(round(float(summary.holdout[members].mean()), 3))
        check.predicted_by_frequency.append(round(float(expected[members].mean()), 3))
    return check
