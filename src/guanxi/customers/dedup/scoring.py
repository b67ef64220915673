"""Score one new record against a few existing customers with the Fellegi–Sunter model.

The model is the one the last `guanxi dedup scan` trained on this database (its
u values know how common 张伟 is here); before any scan, the default learnt on
the labelled Chinese set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from guanxi.core import crypto
from guanxi.customers.models import Customer
from guanxi.customers.search import phone_indexes

from .comparisons import Comparison, comparison_vectors
from .linkage import design, prepare
from .match import Match, Reason
from .model import FellegiSunter
from .population import customer_table, default_model


def _new_row(data: Mapping[str, Any]) -> tuple[Any, ...]:
    phone = phone_indexes(data["phone"])[0] if data.get("phone") else ""
    idx = crypto.blind_index(data["id_number"], "id_number") if data.get("id_number") else ""
    return (
        0, data.get("kind") or "", str(data.get("name") or ""), data.get("birth_date"), idx, phone,
        data.get("email") or "", data.get("credit_code") or "", data.get("province_code") or "",
        data.get("city_code") or "", data.get("district_code") or "", data.get("gender") or "",
    )  # fmt: skip


def _row(c: Customer) -> tuple[Any, ...]:
    return (
        c.pk, c.kind, c.name, c.birth_date, c.id_number_bidx, c.phone_bidx, c.email,
        c.credit_code, c.province_code, c.city_code, c.district_code, c.gender,
    )  # fmt: skip


def current_model(comparisons: Sequence[Comparison]) -> FellegiSunter:
    from guanxi.dedup.models import DedupSettings

    stored = DedupSettings.current().model
    if stored.get("comparisons") == [c.name for c in comparisons]:
        return FellegiSunter.from_json(stored)
    return default_model()


def score_candidates(
    data: Mapping[str, Any], candidates: Sequence[Customer], *, threshold: float | None = None
) -> list[Match]:
    """Matches at or above the warn threshold (an admin setting), best first."""
    from guanxi.dedup.models import DedupSettings

    if not candidates:
        return []
    if threshold is None:
        threshold = DedupSettings.current().warn_threshold
    _ids, table = customer_table([_new_row(data), *(_row(c) for c in candidates)])
    cols = prepare(table)
    comparisons, _rules = design(cols)
    left = np.zeros(len(candidates), dtype=np.int64)
    right = np.arange(1, len(candidates) + 1, dtype=np.int64)
    gamma = comparison_vectors(comparisons, cols, left, right)
    model = current_model(comparisons)
    probability = model.probabilities(gamma)
    weights = model.weights()
    matches = []
    for k, customer in enumerate(candidates):
        if probability[k] < threshold:
            continue
        reasons = [
            Reason(c.column, f"{c.name}：{c.labels[level]}", round(float(weights[n][level]), 2))
            for n, c in enumerate(comparisons)
            for level in [int(gamma[k, n])]
            if level >= 0
        ]
        matches.append(Match(customer, float(probability[k]), reasons))
    matches.sort(key=lambda m: -m.probability)
    return matches
