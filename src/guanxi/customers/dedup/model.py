"""Fellegi–Sunter model: m/u probabilities per comparison level, learned by EM.

u (how often non-matches agree at a level) is estimated from random pairs, which
are almost all non-matches; m (how often matches agree) and the share of matches
among blocked pairs (λ) are learned by expectation–maximisation with u held
fixed, the way splink trains. EM runs over the distinct comparison patterns with
their counts, so millions of pairs cost milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import frequency

SMOOTH = 1e-4


def distinct_patterns(gamma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of gamma with their counts, via one int64 code per row (fast at 10^8 rows)."""
    if not len(gamma):
        return gamma, np.zeros(0)
    radix = int(gamma.max()) + 2
    code = np.zeros(len(gamma), dtype=np.int64)
    for k in range(gamma.shape[1]):
        code = code * radix + (gamma[:, k].astype(np.int64) + 1)
    codes, first, counts = np.unique(code, return_index=True, return_counts=True)
    return gamma[first], counts.astype(float)


@dataclass
class FellegiSunter:
    m: list[np.ndarray]
    u: list[np.ndarray]
    prior: float  # λ: share of matches among the scored pairs

    @classmethod
    def untrained(cls, n_levels: list[int], prior: float = 0.01) -> FellegiSunter:
        m = [np.linspace(0.05, 1.0, n) ** 3 for n in n_levels]
        u = [np.linspace(1.0, 0.05, n) ** 3 for n in n_levels]
        return cls([x / x.sum() for x in m], [x / x.sum() for x in u], prior)

    # --- training -----------------------------------------------------------------------
    @staticmethod
    def level_frequencies(gamma: np.ndarray, n_levels: list[int]) -> list[np.ndarray]:
        out = []
        for k, n in enumerate(n_levels):
            col = gamma[:, k]
            counts = np.bincount(col[col >= 0].astype(np.int64), minlength=n)[:n] + SMOOTH
            out.append(counts / counts.sum())
        return out

    def fit(
        self,
        gamma: np.ndarray,
        *,
        ignore: frozenset[int] = frozenset(),
        only_prior: bool = False,
        m_prior: list[np.ndarray] | None = None,
        strength: float = 0.0,
        iterations: int = 50,
        tolerance: float = 1e-6,
    ) -> FellegiSunter:
        """EM for m and λ on blocked pairs, u fixed; returns self.

        Comparisons in `ignore` are left out of the likelihood and keep their m:
        on pairs blocked by a field every pair agrees on it, so those pairs say
        nothing about how often matches agree there (splink trains the same way).
        With `m_prior`, m is a MAP estimate: `strength` pseudo-matches distributed
        as m_prior are added to the counts, so a table with few or no duplicates
        keeps the prior instead of inventing a "match" cluster of look-alikes.
        """
        gamma = gamma.copy()
        for k in ignore:
            gamma[:, k] = -1
        patterns, counts = distinct_patterns(gamma)
        for _ in range(iterations):
            p = self.probabilities(patterns)
            weight = counts * p
            new_prior = float(weight.sum() / counts.sum())
            new_m = []
            for k, old in enumerate(self.m):
                if k in ignore or only_prior:
                    new_m.append(old)
                    continue
                col = patterns[:, k]
                known = col >= 0
                num = np.bincount(
                    col[known].astype(np.int64), weights=weight[known], minlength=len(old)
                )
                num = num[: len(old)] + SMOOTH
                if m_prior is not None:
                    num = num + strength * m_prior[k]
                new_m.append(num / num.sum())
            change = max(float(np.abs(a - b).max()) for a, b in zip(new_m, self.m, strict=True))
            change = max(change, abs(new_prior - self.prior))
            self.m, self.prior = new_m, min(max(new_prior, 1e-6), 0.999)
            if change < tolerance:
                break
        return self

    # --- scoring ------------------------------------------------------------------------
    def weights(self) -> list[np.ndarray]:
        """log2(m/u) per level: the evidence each agreement level carries."""
        return [np.log2(m / u) for m, u in zip(self.m, self.u, strict=True)]

    def match_weights(
        self, gamma: np.ndarray, frequencies: Mapping[int, np.ndarray] | None = None
    ) -> np.ndarray:
        """Prior odds plus each field's log2(m/u), in bits.

        `frequencies` ({comparison: per-pair value frequency}, see frequency.py)
        replaces u by the agreed value's own frequency where it is given: a shared
        common name counts for less, a shared rare one for more.
        """
        total = np.full(len(gamma), np.log2(self.prior / (1 - self.prior)))
        for k, w in enumerate(self.weights()):
            col = gamma[:, k]
            known = col >= 0
            total[known] += w[col[known].astype(np.int64)]
        for adjustment in self.adjustments(gamma, frequencies).values():
            total += adjustment
        return total

    def adjustments(
        self, gamma: np.ndarray, frequencies: Mapping[int, np.ndarray] | None
    ) -> dict[int, np.ndarray]:
        """{comparison: per-pair term-frequency adjustment in bits} (0 where none applies)."""
        out = {}
        for k, freq in (frequencies or {}).items():
            levels = np.maximum(gamma[:, k], 0).astype(np.int64)
            out[k] = frequency.adjustment(self.u[k][levels], freq)
        return out

    def probabilities(
        self, gamma: np.ndarray, frequencies: Mapping[int, np.ndarray] | None = None
    ) -> np.ndarray:
        return 1.0 / (1.0 + np.power(2.0, -self.match_weights(gamma, frequencies)))

    # --- persistence (stored as JSON in the dedup settings) ---------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "m": [x.tolist() for x in self.m],
            "u": [x.tolist() for x in self.u],
            "prior": self.prior,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FellegiSunter:
        return cls(
            [np.array(x) for x in data["m"]], [np.array(x) for x in data["u"]], data["prior"]
        )
