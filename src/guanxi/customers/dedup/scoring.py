"""Score one new record against a few existing customers with the Fellegi–Sunter model,
or a few given pairs of customers (an import's merge-review rows) for the review queue.

The model is the one the last `guanxi dedup scan` trained on this database (its
u values know how common 张伟 is here); before any scan, the default learnt on
the labelled Chinese set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


def _use_population_frequencies(
    cols: dict[str, np.ndarray], stored: Mapping[str, Any], rows: np.ndarray
) -> None:
    """Name frequencies of the whole table (as the last scan counted), not of these few rows.

    Only `rows`, the pairs' left records, get one: a pair agrees exactly (or by
    sound) only on its left record's own name (or pinyin bag), so that record's
    frequency is the pair's. Before any scan there are no counts and the
    frequencies are 0: no adjustment.
    """
    names, bags = population_frequencies(
        [str(v) for v in cols["full_name"][rows]],
        [str(v) for v in cols["full_name_bag"][rows]],
        stored.get("tf_population", {}),
    )
    n = len(cols["full_name"])
    cols["full_name_tf"], cols["full_name_bag_tf"] = np.zeros(n), np.zeros(n)
    cols["full_name_tf"][rows], cols["full_name_bag_tf"][rows] = names, bags


@dataclass
class Compared:
    """Pairs of a few rows scored with the current model: the parts reasons are made of."""

    model: FellegiSunter
    comparisons: list[Comparison]
    gamma: np.ndarray
    frequencies: dict[int, np.ndarray]
    probability: np.ndarray

    def reasons(self, k: int) -> list[tuple[str, str, float]]:
        """(field, level label, weight) for pair k, as the scan stores them."""
        one = {c: f[k : k + 1] for c, f in self.frequencies.items()}
        return reasons(self.model, self.comparisons, self.gamma[k], one)


def compare(
    rows: Sequence[tuple[Any, ...]], left: np.ndarray, right: np.ndarray, stored: Mapping[str, Any]
) -> Compared:
    """Pairs (rows[left[k]], rows[right[k]]) of customer-shaped rows (population.FIELDS),
    compared and scored as the scan would, with the population's name frequencies."""
    _ids, table = customer_table(rows)
    cols = prepare(table)
    _use_population_frequencies(cols, stored, np.unique(left))
    comparisons, _rules = design(cols)
    gamma = comparison_vectors(comparisons, cols, left, right)
    freqs = pair_frequencies(comparisons, cols, left, gamma)
    model = current_model(comparisons, stored)
    return Compared(model, comparisons, gamma, freqs, model.probabilities(gamma, freqs))


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
    left = np.zeros(len(candidates), dtype=np.int64)
    right = np.arange(1, len(candidates) + 1, dtype=np.int64)
    rows = [_new_row(data), *(_row(c) for c in candidates)]
    compared = compare(rows, left, right, config.model)
    column = {c.name: c.column for c in compared.comparisons}
    matches = []
    for k, customer in enumerate(candidates):
        if compared.probability[k] < threshold:
            continue
        why = [
            Reason(column[name], f"{name}：{label}", round(weight, 2))
            for name, label, weight in compared.reasons(k)
        ]
        matches.append(Match(customer, float(compared.probability[k]), why))
    matches.sort(key=lambda m: -m.probability)
    return matches


@dataclass
class PairScore:
    """One pair in the review queue's terms (DuplicateCandidate's fields)."""

    probability: float
    match_weight: float
    reasons: list[tuple[str, str, float]]


def score_pairs(
    rows: Sequence[tuple[Any, ...]], left: np.ndarray, right: np.ndarray
) -> list[PairScore]:
    """Each pair (rows[left[k]], rows[right[k]]) of customer-shaped rows, all at once."""
    from guanxi.dedup.models import DedupSettings

    if not len(left):
        return []
    compared = compare(rows, left, right, DedupSettings.current().model)
    weights = compared.model.match_weights(compared.gamma, compared.frequencies)
    return [
        PairScore(float(compared.probability[k]), float(weights[k]), compared.reasons(k))
        for k in range(len(left))
    ]
