"""Comparison vectors: each comparison turns a pair of records into an agreement level.

Level -1 means "one side is blank" (the field says nothing), 0 is plain
disagreement, higher levels are closer agreement. The levels are what the
Fellegi–Sunter model learns m/u probabilities for, and their labels are the
reasons shown in the review queue. Work is vectorised over arrays of pairs with
rapidfuzz's C loops (`cpdist`), never a Python loop per pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler

Columns = dict[str, np.ndarray]


def _pairs(col: np.ndarray, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return col[i], col[j]


def _blank(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == "") | (b == "")


def jaro_winkler(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) == 0:
        return np.zeros(0)
    return process.cpdist(a, b, scorer=JaroWinkler.normalized_similarity, workers=-1)


def edits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Optimal string alignment distance: a typo or a swap of two neighbours costs 1."""
    if len(a) == 0:
        return np.zeros(0, dtype=np.int32)
    return process.cpdist(a, b, scorer=OSA.distance, workers=-1)


@dataclass
class Comparison:
    """One field's comparison; `labels[level]` explains each level (0 = disagree)."""

    name: str
    column: str
    labels: list[str] = field(default_factory=list)

    @property
    def n_levels(self) -> int:
        return len(self.labels)

    def levels(
        self, cols: Columns, i: np.ndarray, j: np.ndarray, swapped: np.ndarray | None = None
    ) -> np.ndarray:
        raise NotImplementedError


@dataclass
class Exact(Comparison):
    """Same value or not (blind indexes, e-mail, gender, credit code)."""

    labels: list[str] = field(default_factory=lambda: ["不同", "相同"])

    def levels(
        self, cols: Columns, i: np.ndarray, j: np.ndarray, swapped: np.ndarray | None = None
    ) -> np.ndarray:
        a, b = _pairs(cols[self.column], i, j)
        out = (a == b).astype(np.int8)
        out[_blank(a, b)] = -1
        return out


@dataclass
class Code(Comparison):
    """Identifiers typed by hand (ID numbers, phones, postcodes, dates): exact, 1 or 2 typos."""

    labels: list[str] = field(default_factory=lambda: ["不同", "差两个字符", "差一个字符", "相同"])

    def levels(
        self, cols: Columns, i: np.ndarray, j: np.ndarray, swapped: np.ndarray | None = None
    ) -> np.ndarray:
        a, b = _pairs(cols[self.column], i, j)
        d = edits(a, b)
        out = np.select([d == 0, d == 1, d == 2], [3, 2, 1], 0).astype(np.int8)
        out[_blank(a, b)] = -1
        return out


@dataclass
class Text(Comparison):
    """Free text (names, streets): exact, then Jaro–Winkler bands; optionally same pinyin.

    With `pinyin_column`, two spellings that sound the same (同音字, 繁/简, romanised
    or swapped name order, all folded into a sorted syllable bag) get their own
    level just below exact.
    """

    thresholds: Sequence[float] = (0.92, 0.8)
    fuzzy_column: str = ""
    pinyin_column: str = ""
    swap_column: str = ""
    swap_fuzzy_column: str = ""
    # Per-record frequency columns (see frequency.py): of the value itself, for the
    # exact level, and of its pinyin bag, for the 同音 level.
    tf_column: str = ""
    tf_pinyin_column: str = ""

    def __post_init__(self) -> None:
        bands = [f"相似度≥{t:g}" for t in reversed(self.thresholds)]
        self.labels = ["不同", *bands, *(["同音"] if self.pinyin_column else []), "相同"]

    def levels(
        self, cols: Columns, i: np.ndarray, j: np.ndarray, swapped: np.ndarray | None = None
    ) -> np.ndarray:
        a, b = _pairs(cols[self.column], i, j)
        fa, fb = _pairs(cols[self.fuzzy_column or self.column], i, j)
        if self.swap_column and swapped is not None:
            # Given and family names written the other way round: compare crosswise.
            b = np.where(swapped, cols[self.swap_column][j], b)
            fb = np.where(swapped, cols[self.swap_fuzzy_column or self.swap_column][j], fb)
        sim = jaro_winkler(fa, fb)
        top = self.n_levels - 1
        conditions = [a == b]
        choices = [top]
        if self.pinyin_column:
            pa, pb = _pairs(cols[self.pinyin_column], i, j)
            if self.swap_column and swapped is not None:
                pb = np.where(swapped, cols[self.swap_column + "_py"][j], pb)
            conditions.append((pa == pb) & (pa != ""))
            choices.append(top - 1)
        for k, t in enumerate(self.thresholds):
            conditions.append(sim >= t)
            choices.append(len(self.thresholds) - k)
        out = np.select(conditions, choices, 0).astype(np.int8)
        out[_blank(a, b)] = -1
        return out

    def frequencies(self, cols: Columns, i: np.ndarray, levels: np.ndarray) -> np.ndarray | None:
        """Per pair, how common the agreed value is; 0 where no frequency applies.

        At the exact and 同音 levels both records hold the same value (or pinyin
        bag), so the left record's frequency is the pair's.
        """
        if not self.tf_column or self.tf_column not in cols:
            return None
        top = self.n_levels - 1
        out = np.zeros(len(i), dtype=np.float32)
        exact = levels == top
        out[exact] = cols[self.tf_column][i[exact]]
        if self.pinyin_column and self.tf_pinyin_column in cols:
            same_sound = levels == top - 1
            out[same_sound] = cols[self.tf_pinyin_column][i[same_sound]]
        return out


@dataclass
class Division(Comparison):
    """GB/T 2260 codes: same district, same city, same province."""

    labels: list[str] = field(default_factory=lambda: ["不同省", "同省", "同城市", "同区县"])

    def levels(
        self, cols: Columns, i: np.ndarray, j: np.ndarray, swapped: np.ndarray | None = None
    ) -> np.ndarray:
        a, b = _pairs(cols[self.column], i, j)
        # Prefix columns are made once per record in prepare(), not once per pair.
        a4, b4 = _pairs(cols[self.column + "_city"], i, j)
        a2, b2 = _pairs(cols[self.column + "_province"], i, j)
        out = np.select([a == b, a4 == b4, a2 == b2], [3, 2, 1], 0).astype(np.int8)
        out[_blank(a, b)] = -1
        return out


def swapped_names(
    cols: Columns, given: str, family: str, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """Pairs where given/family agree better crosswise than straight."""
    gi, gj = _pairs(cols[given], i, j)
    fi, fj = _pairs(cols[family], i, j)
    straight = jaro_winkler(gi, gj) + jaro_winkler(fi, fj)
    cross = jaro_winkler(gi, fj) + jaro_winkler(fi, gj)
    return (cross > straight + 0.2) & (cross >= 1.8)


def comparison_vectors(
    comparisons: Sequence[Comparison], cols: Columns, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """(pairs × comparisons) int8 matrix of agreement levels."""
    gamma = np.empty((len(i), len(comparisons)), dtype=np.int8)
    swapped = None
    for comparison in comparisons:
        if isinstance(comparison, Text) and comparison.swap_column:
            swapped = swapped_names(cols, comparison.column, comparison.swap_column, i, j)
            break
    for k, comparison in enumerate(comparisons):
        gamma[:, k] = comparison.levels(cols, i, j, swapped)
    return gamma


def pair_frequencies(
    comparisons: Sequence[Comparison], cols: Columns, i: np.ndarray, gamma: np.ndarray
) -> dict[int, np.ndarray]:
    """{comparison index: per-pair value frequency} for the comparisons that adjust by it."""
    out = {}
    for k, comparison in enumerate(comparisons):
        if isinstance(comparison, Text):
            freq = comparison.frequencies(cols, i, gamma[:, k])
            if freq is not None:
                out[k] = freq
    return out
