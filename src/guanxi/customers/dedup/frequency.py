"""Term-frequency adjustment: agreeing on a common name is weaker evidence than on a rare one.

The model's u for "same name" is an average over all names: the chance that two
random strangers share *a* name. But two strangers called 王伟 agree far more often
than two called 欧阳靖雯. Following Winkler's frequency-based matching (and
splink's term-frequency adjustments), the u of an exact agreement on value v is
taken as v's share of the population, p(v), and the match weight of such a pair
moves by log2(u / p(v)): negative for a name commoner than average, positive for
a rare one. Why p(v) and not p(v)²: conditioned on agreeing on v, matches carry v
with probability ∝ p(v) and non-matches with ∝ p(v)², so m/u becomes m / p(v).

The same is done for the 同音 level with the frequency of the pinyin bag (wang wei
is shared by 王伟, 王薇, 汪伟 …). Frequencies are per record here, computed over
the table being linked; for the single-record check they come from the counts the
last scan stored (see `scoring`).
"""

from __future__ import annotations

import numpy as np

# A pair's frequency can never be below one record in a million: this bounds the
# bonus of a singleton value in a tiny table (where 1/n overstates rarity).
FLOOR = 1e-6


def relative_frequencies(values: np.ndarray) -> np.ndarray:
    """Per record, the share of non-blank records holding the same value (0 for blanks)."""
    freq = np.zeros(len(values), dtype=np.float64)
    present = np.flatnonzero(values != "")
    if not len(present):
        return freq
    _uniques, inverse, counts = np.unique(
        values[present].astype(str), return_inverse=True, return_counts=True
    )
    freq[present] = counts[inverse] / len(present)
    return freq


def value_counts(values: np.ndarray, *, at_least: int = 2) -> dict[str, int]:
    """{value: records holding it} for non-blank values held by at least `at_least` records."""
    present = values[values != ""].astype(str)
    if not len(present):
        return {}
    uniques, counts = np.unique(present, return_counts=True)
    keep = counts >= at_least
    return dict(zip(uniques[keep].tolist(), counts[keep].tolist(), strict=True))


def adjustment(u_level: np.ndarray, frequency: np.ndarray) -> np.ndarray:
    """log2(u / p(v)) per pair; `frequency` 0 means "no adjustment" (other levels, unknown)."""
    out = np.zeros(len(frequency), dtype=np.float64)
    has = frequency > 0
    out[has] = np.log2(u_level[has] / np.maximum(frequency[has], FLOOR))
    return out
