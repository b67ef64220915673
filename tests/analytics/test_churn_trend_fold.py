"""The churn signals built from the value step's single orders aggregate are the same as
those of the standalone signal query (which the classifier's history still uses)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np

from guanxi.analytics.churn import align
from guanxi.analytics.churn_signals import contact_signals, load_signals
from guanxi.analytics.rfm import load_purchases

from .churn_history import clock, complain, purchase, rate  # noqa: F401  (fixtures)

FIELDS = [
    "created_at", "recent_orders", "previous_orders", "recent_amount", "previous_amount",
    "complaints", "csat", "last_ticket_at", "last_task_at",
]  # fmt: skip


def test_folded_trend_and_contact_signals_equal_the_standalone_query(
    make_customer: Callable[..., Any],
    purchase: Callable[..., Any],  # noqa: F811
    complain: Callable[..., Any],  # noqa: F811
    rate: Callable[..., Any],  # noqa: F811
    clock: datetime,  # noqa: F811
) -> None:
    edges = make_customer("bob", name="窗口边界")
    # Inside, on either side of, and outside the two 90-day windows.
    for days, amount in ((1, 120), (89, 80), (91, 300), (179, 40), (181, 999), (400, 7)):
        purchase(edges, days, amount)
    quiet = make_customer("bob", name="只有工单")
    complain(quiet, 10)
    complain(quiet, 200)
    rate(quiet, 2)
    make_customer("bob", name="什么都没有")
    # A merged-away customer's orders count for no one.
    merged = make_customer("bob", name="已合并")
    purchase(merged, 5, 50)
    type(merged).objects.filter(pk=merged.pk).update(merged_into=edges)

    purchases = load_purchases(clock, 180, 90)
    folded = contact_signals(
        clock, purchases.customer_id, purchases.trend, complaint_days=90, csat_days=180
    )
    standalone = align(
        load_signals(clock, trend_days=90, complaint_days=90, csat_days=180),
        purchases.customer_id,
    )
    assert merged.pk not in purchases.customer_id.tolist()
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(folded, name), getattr(standalone, name), name)
    row = purchases.customer_id.tolist().index(edges.pk)
    assert (folded.recent_orders[row], folded.previous_orders[row]) == (2, 2)
    assert (folded.recent_amount[row], folded.previous_amount[row]) == (200, 340)
    # The value classes' own (180-day) windows are unchanged beside them.
    assert (purchases.recent[row], purchases.previous[row]) == (4, 1)
    assert folded.complaints[purchases.customer_id.tolist().index(quiet.pk)] == 1
