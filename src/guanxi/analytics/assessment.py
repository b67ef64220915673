"""One value assessment: aggregate purchases, score RFM, fit CLV, classify — all as arrays.

Nothing here writes; `actions.recompute_value_assessment` stores the result.
Times for the CLV models are in weeks measured in whole days, like the papers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import clv
from .classes import ClassInputs, classify
from .models import AssessmentConfig
from .rfm import DAY, Purchases, Rfm, load_purchases, score_rfm, zone_offset_seconds

Array = NDArray[np.float64]
Progress = Callable[[str], None]
# Buyers the CLV parameters are fitted on at most (see fit_and_score_clv).
FIT_SAMPLE = 200_000


@dataclass
class ClvResult:
    bgnbd: clv.BgNbdParams | None
    gamma_gamma: clv.GammaGammaParams | None
    p_alive: Array
    expected_purchases: Array
    expected_spend: Array
    value: Array
    error: str = ""


@dataclass
class Assessment:
    now: datetime
    purchases: Purchases
    rfm: Rfm
    clv: ClvResult
    value_class: NDArray[np.str_]
    rule: NDArray[np.str_]
    seconds: dict[str, float] = field(default_factory=dict)

    def class_counts(self) -> dict[str, int]:
        classes, counts = np.unique(self.value_class, return_counts=True)
        return {str(c): int(n) for c, n in zip(classes, counts, strict=True)}


def model_inputs(purchases: Purchases, now: datetime) -> tuple[Array, Array, Array]:
    """(x, t_x, T) in weeks for every customer (zeros without purchases)."""
    today = np.floor((now.timestamp() + zone_offset_seconds(now)) / DAY)
    buyers = purchases.count > 0
    x = np.where(buyers, purchases.days - 1, 0.0)
    t_x = np.where(buyers, (purchases.last_day - purchases.first_day) / 7, 0.0)
    T = np.where(buyers, (today - purchases.first_day) / 7, 0.0)
    return x, t_x, np.maximum(T, t_x)


def fit_and_score_clv(purchases: Purchases, now: datetime, config: AssessmentConfig) -> ClvResult:
    """Fit BG/NBD and Gamma-Gamma on this base and predict for every buyer.

    The spend per purchase day (all days, the first included) stands in for the
    papers' mean repeat-transaction value: the aggregate query does not split
    off the first day's amount, and for repeat buyers the two differ little.
    """
    n = purchases.size
    nan = np.full(n, np.nan)
    buyers = purchases.count > 0
    x, t_x, T = model_inputs(purchases, now)
    spend_per_day = np.divide(
        purchases.amount, purchases.days, out=np.zeros(n), where=purchases.days > 0
    )
    fit_rows = np.flatnonzero(buyers)
    if fit_rows.size > FIT_SAMPLE:
        # Four parameters do not need a million likelihood terms: a fixed-seed
        # sample of FIT_SAMPLE buyers estimates them to well under 1 %, and
        # every customer is still scored with them below.
        fit_rows = np.sort(np.random.default_rng(0).choice(fit_rows, FIT_SAMPLE, replace=False))
    try:
        bgnbd = clv.fit_bgnbd(x[fit_rows], t_x[fit_rows], T[fit_rows])
        gamma_gamma = clv.fit_gamma_gamma(x[fit_rows], spend_per_day[fit_rows])
    except clv.FitError as exc:
        return ClvResult(None, None, nan, nan, nan, nan.copy(), error=str(exc))
    # Scored over buyers only; the expensive hyp2f1 terms run once per
    # distinct (x, T) pair inside horizon_purchases, the rest per customer.
    bx, btx, bT = x[buyers], t_x[buyers], T[buyers]
    discounted, horizon = clv.horizon_purchases(
        bgnbd,
        bx,
        btx,
        bT,
        months=config.clv_horizon_months,
        monthly_discount_rate=config.monthly_discount_rate,
    )
    b_spend = clv.expected_average_spend(gamma_gamma, bx, spend_per_day[buyers])

    def spread(values: Array) -> Array:
        out = np.full(n, np.nan)
        out[buyers] = values
        return out

    p_alive = spread(clv.probability_alive(bgnbd, bx, btx, bT))
    expected = spread(horizon)
    spend = spread(b_spend)
    value = spread(discounted * np.nan_to_num(b_spend))
    return ClvResult(bgnbd, gamma_gamma, p_alive, expected, spend, value)


def assess(now: datetime, config: AssessmentConfig, progress: Progress | None = None) -> Assessment:
    say = progress or (lambda _step: None)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    say("aggregate")
    # The churn step's trend windows ride along in the same pass over the orders.
    purchases = load_purchases(now, config.rising_window_days, config.churn_trend_days)
    seconds["aggregate"] = time.perf_counter() - started
    mark = time.perf_counter()
    say("rfm")
    rfm = score_rfm(purchases, now, config.rfm_bins)
    seconds["rfm"] = time.perf_counter() - mark
    mark = time.perf_counter()
    say("clv")
    clv_result = fit_and_score_clv(purchases, now, config)
    seconds["clv"] = time.perf_counter() - mark
    mark = time.perf_counter()
    say("classes")
    tenure = np.where(purchases.count > 0, (now.timestamp() - purchases.first_at) / DAY, np.nan)
    value_class, rule = classify(
        ClassInputs(
            purchases=purchases.count,
            recency_days=rfm.recency_days,
            tenure_days=tenure,
            monetary=purchases.amount,
            recent_orders=purchases.recent,
            previous_orders=purchases.previous,
            p_alive=clv_result.p_alive,
            clv=clv_result.value,
        ),
        config,
    )
    seconds["classes"] = time.perf_counter() - mark
    return Assessment(now, purchases, rfm, clv_result, value_class, rule, seconds)


def model_summary(result: ClvResult) -> dict[str, Any]:
    return {
        "bgnbd": result.bgnbd.as_dict() if result.bgnbd else {},
        "gamma_gamma": result.gamma_gamma.as_dict() if result.gamma_gamma else {},
    }
