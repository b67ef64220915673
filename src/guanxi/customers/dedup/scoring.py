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

from .comparisons import Comparison, comparison_vectors, pair_frequencies
from .linkage import design, prepare, reasons
from .match import Match, Reason
from .model import FellegiSunter
from .population import customer_table, default_model, population_frequencies


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


def current_model(
    comparisons: Sequence[Comparison], stored: Mapping[str, Any] | None = None
) -> FellegiSunter:
    """The last scan's model if it was trained on these comparisons, else the default one."""
    from guanxi.dedup.models import DedupSettings

    if stored is None:
        stored = DedupSettings.current().model
    if stored.get("comparisons") == [c.name for c in comparisons]:
        return FellegiSunter.from_json(dict(stored))
    return default_model()


def _use_population_frequencies(cols: dict[str, np.ndarray], stored: Mapping[str, Any]) -> None:
    """Name frequencies of the whole table (as the last scan counted), not of these few rows.

    Row 0 is the new record; a pair agrees exactly (or by sound) only on row 0's
    own name (or pinyin bag), so row 0's frequency is every such pair's. Before
    any scan there are no counts and the frequencies are 0: no adjustment.
    """
    name_f, bag_f = population_frequencies(
        str(cols["full_name"][0]), str(cols["full_name_bag"][0]), stored.get("tf_population", {})
    )
    n = len(cols["full_name"])
    cols["full_name_tf"] = np.full(n, name_f)
    cols["full_name_bag_tf"] = np.full(n, bag_f)


def score_candidates(
    data: Mapping[str, Any], candidates: Sequence[Customer], *, threshold: float | None = None
) -> list[Match]:
    """Matches at or above the warn threshold (an admin setting), best first."""
    from guanxi.dedup.models import DedupSettings

    if not candidates:
        return []
    config = DedupSettings.current()
    if threshold is None:
        threshold = config.warn_threshold
    _ids, table = customer_table([_new_row(data), *(_row(c) for c in candidates)])
    cols = prepare(table)
    _use_population_frequencies(cols, config.model)
    comparisons, _rules = design(cols)
    left = np.zeros(len(candidates), dtype=np.int64)
    right = np.arange(1, len(candidates) + 1, dtype=np.int64)
    gamma = comparison_vectors(comparisons, cols, left, right)
    freqs = pair_frequencies(comparisons, cols, left, gamma)
    model = current_model(comparisons, config.model)
    probability = model.probabilities(gamma, freqs)
    column = {c.name: c.column for c in comparisons}
    matches = []
    for k, customer in enumerate(candidates):
        if probability[k] < threshold:
            continue
        one = {c: f[k : k + 1] for c, f in freqs.items()}
        why = [
            Reason(column[name], f"{name}：{label}", round(weight, 2))
            for name, label, weight in reasons(model, comparisons, gamma[k], one)
        ]
        matches.append(Match(customer, float(probability[k]), why))
    matches.sort(key=lambda m: -m.probability)
    return matches
