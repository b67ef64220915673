"""Blocking: only records that share a key under some rule are compared.

Each rule is a tuple of column names; a record with a blank part has no key under
that rule. Pairs are produced block by block with NumPy (all pairs of a block of
size s at once via triangular indices) and the union over rules is kept. Blocks
larger than `max_block` are skipped and counted: a key shared by thousands of
records (a placeholder phone, 张伟 in one province) says nothing about identity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .comparisons import Columns


@dataclass
class BlockingReport:
    rule: str
    pairs: int
    skipped_blocks: int
    skipped_records: int


def _keys(cols: Columns, rule: Sequence[str]) -> np.ndarray:
    parts = [cols[c] for c in rule]
    if len(parts) == 1:
        return parts[0]
    keys = parts[0].astype(object)
    blank = keys == ""
    for part in parts[1:]:
        keys = keys + "\x1f" + part
        blank |= part == ""
    keys[blank] = ""
    return keys


def pairs_for_rule(
    cols: Columns, rule: Sequence[str], *, max_block: int = 300
) -> tuple[np.ndarray, BlockingReport]:
    """Pair codes i*n+j (i<j) of records sharing this rule's key."""
    keys = _keys(cols, rule)
    n = len(keys)
    has_key = np.flatnonzero(keys != "")
    codes, _ = _factorize(keys[has_key])
    order = np.argsort(codes, kind="stable")
    rows = has_key[order]
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    sizes = np.diff(np.r_[starts, len(sorted_codes)])
    chunks = []
    for size in np.unique(sizes):
        if size < 2 or size > max_block:
            continue
        first = starts[sizes == size]
        a, b = np.triu_indices(int(size), 1)
        left = rows[(first[:, None] + a[None, :]).ravel()]
        right = rows[(first[:, None] + b[None, :]).ravel()]
        lo, hi = np.minimum(left, right), np.maximum(left, right)
        chunks.append(lo.astype(np.int64) * n + hi)
    big = sizes > max_block
    report = BlockingReport(
        rule="+".join(rule),
        pairs=int(sum(len(c) for c in chunks)),
        skipped_blocks=int(big.sum()),
        skipped_records=int(sizes[big].sum()),
    )
    return (np.concatenate(chunks) if chunks else np.zeros(0, np.int64)), report


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    uniques, codes = np.unique(values.astype(str), return_inverse=True)
    return codes, uniques


@dataclass
class Candidates:
    left: np.ndarray
    right: np.ndarray
    by_rule: list[np.ndarray]  # per rule, the positions (in left/right) of the pairs it found
    reports: list[BlockingReport]


def candidate_pairs(
    cols: Columns, rules: Sequence[Sequence[str]], *, max_block: int = 300
) -> Candidates:
    """Record indices of every pair some rule brings together, each once."""
    n = len(next(iter(cols.values())))
    all_codes = []
    reports = []
    for rule in rules:
        codes, report = pairs_for_rule(cols, rule, max_block=max_block)
        all_codes.append(np.unique(codes))
        reports.append(report)
    codes = np.unique(np.concatenate(all_codes)) if all_codes else np.zeros(0, np.int64)
    by_rule = [np.searchsorted(codes, c) for c in all_codes]
    return Candidates(codes // n, codes % n, by_rule, reports)
