"""Value classes 高价值/潜力/一般/流失 from RFM and CLV, by the admin-edited rules.

Rules are tried in order and the first that matches decides; the rule's code is
kept with the class so every customer's class can be explained. The order and
the defaults are documented in docs/architecture.md ("Value assessment").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from guanxi.customers.choices import ValueClass

from .choices import ClassRule
from .models import AssessmentConfig

Array = NDArray[np.float64]


@dataclass
class ClassInputs:
    purchases: Array  # order count
    recency_days: Array  # nan without purchases
    tenure_days: Array  # days since the first purchase (nan without purchases)
    monetary: Array
    recent_orders: Array
    previous_orders: Array
    p_alive: Array  # nan when the model could not be fitted
    clv: Array  # nan when the model could not be fitted


def top_share(values: Array, mask: NDArray[np.bool_], share: float) -> NDArray[np.bool_]:
    """Customers in `mask` whose value is within the top `share` of `mask` customers."""
    chosen = np.zeros(values.size, dtype=bool)
    candidates = mask & ~np.isnan(values)
    if share <= 0 or not candidates.any():
        return chosen
    threshold = np.quantile(values[candidates], 1.0 - min(share, 1.0))
    chosen[candidates] = values[candidates] >= threshold
    return chosen


def classify(
    inputs: ClassInputs, config: AssessmentConfig
) -> tuple[NDArray[np.str_], NDArray[np.str_]]:
    """(value class, rule) for every customer, vectorised."""
    n = inputs.purchases.size
    value_class = np.full(n, ValueClass.GENERAL.value, dtype=object)
    rule = np.full(n, ClassRule.REST.value, dtype=object)
    decided = np.zeros(n, dtype=bool)

    def apply(mask: NDArray[np.bool_], cls: str, why: str) -> None:
        take = mask & ~decided
        value_class[take] = str(cls)
        rule[take] = str(why)
        decided[take] = True

    buyers = inputs.purchases > 0
    recency = np.nan_to_num(inputs.recency_days, nan=np.inf)
    apply(~buyers, ValueClass.GENERAL, ClassRule.NO_PURCHASE)
    apply(recency > config.churn_inactive_days, ValueClass.CHURNED, ClassRule.INACTIVE)
    p_alive = np.nan_to_num(inputs.p_alive, nan=1.0)
    apply(p_alive < config.churn_p_alive, ValueClass.CHURNED, ClassRule.NOT_ALIVE)
    top_spenders = top_share(inputs.monetary, buyers, config.high_top_share)
    apply(
        top_spenders & (recency <= config.high_recent_days), ValueClass.HIGH, ClassRule.TOP_MONETARY
    )
    tenure = np.nan_to_num(inputs.tenure_days, nan=np.inf)
    apply(tenure <= config.potential_new_days, ValueClass.POTENTIAL, ClassRule.NEW_BUYER)
    apply(
        top_share(inputs.clv, buyers, config.potential_clv_share),
        ValueClass.POTENTIAL,
        ClassRule.HIGH_CLV,
    )
    rising = (inputs.recent_orders > inputs.previous_orders) & (inputs.recent_orders >= 2)
    apply(rising, ValueClass.POTENTIAL, ClassRule.RISING)
    return value_class.astype(str), rule.astype(str)
