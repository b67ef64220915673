"""End-to-end linkage of a table of records: prepare, block, compare, train, score.

A table is a dict of equal-length string columns keyed by *role* (full_name,
given_name, birth_date, phone, …; see `columns.ROLE_WORDS`). `design()` picks the
comparisons and blocking rules for the roles present, so the same engine serves
the customers table, a CSV of people and the benchmarks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import frequency, normalise
from .blocking import BlockingReport, Candidates, candidate_pairs
from .comparisons import (
    Code,
    Columns,
    Comparison,
    Division,
    Exact,
    Text,
    comparison_vectors,
    pair_frequencies,
)
from .model import FellegiSunter

Progress = Callable[[str, int, int], None]

_NORMALISERS: dict[str, Callable[[str], str]] = {
    "full_name": normalise.person_name,
    "given_name": normalise.person_name,
    "family_name": normalise.person_name,
    "org_name": normalise.company_name,
    "birth_date": normalise.date,
    "id_number": normalise.identifier,
    "credit_code": normalise.identifier,
    "phone": normalise.phone,
    "email": normalise.email,
    "street_number": normalise.identifier,
    "address": normalise.address,
    "address2": normalise.address,
    "locality": normalise.address,
    "postcode": normalise.identifier,
    "state": normalise.simplified,
    "division": normalise.identifier,
    "gender": normalise.simplified,
}
NAME_ROLES = ("full_name", "org_name", "given_name", "family_name")


def _map(fn: Callable[[str], str], values: Iterable[str]) -> np.ndarray:
    return np.array([fn(v) for v in values], dtype=object)


def prepare(table: Mapping[str, Sequence[str]]) -> Columns:
    """Normalised columns plus derived pinyin and name-frequency columns for names.

    The frequencies (`<role>_tf`, `<role>_bag_tf`) are shares of *this* table;
    the single-record check overwrites them with the population's.
    """
    cols: Columns = {}
    for role, values in table.items():
        clean = [("" if v is None else str(v)) for v in values]
        fn = _NORMALISERS.get(role, normalise.simplified)
        cols[role] = _map(fn, clean)
        if role in NAME_ROLES:
            cols[role + "_py"] = _map(normalise.pinyin, cols[role])
            cols[role + "_bag"] = _map(normalise.pinyin_bag, cols[role])
            cols[role + "_tf"] = frequency.relative_frequencies(cols[role])
            cols[role + "_bag_tf"] = frequency.relative_frequencies(cols[role + "_bag"])
    if "division" in cols:
        cols["division_city"] = _map(lambda d: d[:4], cols["division"])
        cols["division_province"] = _map(lambda d: d[:2], cols["division"])
    if "phone" in cols:
        cols["phone_tail"] = _map(lambda p: p[-4:], cols["phone"])
    if "birth_date" in cols:
        cols["birth_year"] = _map(lambda d: d[:4], cols["birth_date"])
    if "given_name" in cols and "family_name" in cols:
        # A person's whole name regardless of order, for blocking.
        both = [f"{g} {f}" for g, f in zip(cols["given_name"], cols["family_name"], strict=True)]
        cols["whole_bag"] = _map(normalise.pinyin_bag, both)
    return cols


def _name(role: str, label: str, cols: Columns) -> Text:
    swap = ""
    if role == "given_name" and "family_name" in cols:
        swap = "family_name"
    elif role == "family_name" and "given_name" in cols:
        swap = "given_name"
    return Text(
        label,
        role,
        thresholds=(0.92, 0.88, 0.7),
        fuzzy_column=role + "_py",
        pinyin_column=role + "_bag",
        swap_column=swap,
        swap_fuzzy_column=swap + "_py" if swap else "",
        tf_column=role + "_tf",
        tf_pinyin_column=role + "_bag_tf",
    )


def design(cols: Columns) -> tuple[list[Comparison], list[tuple[str, ...]]]:
    """Comparisons and blocking rules for the roles present in `cols`."""
    comparisons: list[Comparison] = []
    labels = {
        "full_name": "姓名", "org_name": "企业名称", "given_name": "名", "family_name": "姓",
    }  # fmt: skip
    for role in NAME_ROLES:
        if role in cols:
            comparisons.append(_name(role, labels[role], cols))
    codes = {
        "birth_date": "出生日期", "id_number": "证件号", "phone": "电话",
        "postcode": "邮编", "street_number": "门牌号",
    }  # fmt: skip
    for role, label in codes.items():
        if role in cols:
            comparisons.append(Code(label, role))
    for role, label in (("address", "地址"), ("address2", "地址2")):
        if role in cols:
            comparisons.append(Text(label, role, thresholds=(0.9, 0.7)))
    if "locality" in cols:
        comparisons.append(Text("城市", "locality", thresholds=(0.92, 0.8)))
    exact = {"email": "电子邮箱", "credit_code": "信用代码", "state": "省份", "gender": "性别"}
    for role, label in exact.items():
        if role in cols:
            comparisons.append(Exact(label, role))
    if "division" in cols:
        comparisons.append(Division("行政区划", "division"))

    present = set(cols)
    name_key = next((k for k in ("whole_bag", "full_name_bag", "org_name") if k in present), "")
    candidates: list[tuple[str, ...]] = [
        ("id_number",), ("phone",), ("email",), ("credit_code",),
        (name_key,), (name_key, "birth_year"), (name_key, "division"), (name_key, "locality"),
        ("family_name_bag", "birth_date"), ("given_name_bag", "birth_date"),
        ("birth_date", "postcode"), ("postcode", "street_number"),
        ("family_name_bag", "postcode"), ("birth_date", "locality"),
        ("given_name_bag", "family_name_bag"), ("org_name",), ("org_name_bag",),
        ("org_name_bag", "locality"), ("birth_date", "address"), ("birth_date", "phone_tail"),
        (name_key, "phone_tail"), ("address", "phone_tail"),
    ]  # fmt: skip
    rules = list(dict.fromkeys(r for r in candidates if all(c and c in present for c in r)))
    return comparisons, rules


@dataclass
class Linkage:
    left: np.ndarray
    right: np.ndarray
    gamma: np.ndarray
    probability: np.ndarray
    model: FellegiSunter
    comparisons: list[Comparison]
    blocking: list[BlockingReport] = field(default_factory=list)
    # {comparison index: per-pair frequency of the agreed name}; empty without tf adjustment.
    frequencies: dict[int, np.ndarray] = field(default_factory=dict)

    def reasons(self, k: int) -> list[tuple[str, str, float]]:
        """(field, level label, weight) for pair k: why it scored what it did."""
        one = {c: f[k : k + 1] for c, f in self.frequencies.items()}
        return reasons(self.model, self.comparisons, self.gamma[k], one)


def reasons(
    model: FellegiSunter,
    comparisons: Sequence[Comparison],
    levels: np.ndarray,
    frequencies: Mapping[int, np.ndarray] | None = None,
) -> list[tuple[str, str, float]]:
    """(field, level label, weight) per known field of one pair.

    A name weight adjusted for the name's frequency says so in its label, with
    the bits it gained or lost, so the reviewer sees why "same name" counted little.
    """
    weights = model.weights()
    adjusted = model.adjustments(levels[None, :], frequencies)
    out = []
    for c, comparison in enumerate(comparisons):
        level = int(levels[c])
        if level < 0:
            continue
        label, weight = comparison.labels[level], float(weights[c][level])
        bits = float(adjusted[c][0]) if c in adjusted else 0.0
        if bits:
            label = f"{label}（按名称常见程度调整 {bits:+.1f}）"
            weight += bits
        out.append((comparison.name, label, weight))
    return out


def compare_in_chunks(
    comparisons: Sequence[Comparison],
    cols: Columns,
    left: np.ndarray,
    right: np.ndarray,
    *,
    chunk: int = 250_000,
    progress: Progress | None = None,
) -> np.ndarray:
    gamma = np.empty((len(left), len(comparisons)), dtype=np.int8)
    for start in range(0, len(left), chunk):
        stop = start + chunk
        gamma[start:stop] = comparison_vectors(
            comparisons, cols, left[start:stop], right[start:stop]
        )
        if progress:
            progress("compare", min(stop, len(left)), len(left))
    return gamma


def link(
    cols: Columns,
    *,
    model: FellegiSunter | None = None,
    max_block: int = 300,
    u_sample: int = 300_000,
    seed: int = 20261123,
    m_prior: list[np.ndarray] | None = None,
    u_prior: list[np.ndarray] | None = None,
    progress: Progress | None = None,
    term_frequencies: bool = True,
) -> Linkage:
    """Score every blocked pair; trains the model on these records unless one is given.

    With `term_frequencies`, name agreements are weighed by the name's frequency
    in `cols` (frequency.py); training is the same either way.
    """
    comparisons, rules = design(cols)
    found = candidate_pairs(cols, rules, max_block=max_block)
    left, right = found.left, found.right
    if progress:
        progress("block", len(left), len(left))
    gamma = compare_in_chunks(comparisons, cols, left, right, progress=progress)
    if model is None:
        model = train(
            cols,
            comparisons,
            gamma,
            rules,
            found,
            u_sample=u_sample,
            seed=seed,
            m_prior=m_prior,
            u_prior=u_prior,
        )
    freqs = pair_frequencies(comparisons, cols, left, gamma) if term_frequencies else {}
    probability = model.probabilities(gamma, freqs)
    return Linkage(left, right, gamma, probability, model, comparisons, found.reports, freqs)


def _roles_of(rule: Sequence[str]) -> set[str]:
    """The base roles a blocking rule's columns are derived from."""
    out: set[str] = set()
    for column in rule:
        if column == "whole_bag":
            out |= {"given_name", "family_name"}
        elif column == "birth_year":
            out.add("birth_date")
        elif column == "phone_tail":
            out.add("phone")
        else:
            out.add(column.removesuffix("_py").removesuffix("_bag"))
    return out


def train(
    cols: Columns,
    comparisons: Sequence[Comparison],
    gamma: np.ndarray,
    rules: Sequence[Sequence[str]],
    found: Candidates,
    *,
    u_sample: int = 300_000,
    seed: int = 20261123,
    min_pairs: int = 50,
    m_prior: list[np.ndarray] | None = None,
    u_prior: list[np.ndarray] | None = None,
    strength: float = 2000.0,
) -> FellegiSunter:
    """u from random pairs (nearly all non-matches); m by EM once per blocking rule.

    Each rule's session leaves out the comparisons of the fields it blocks on and
    learns m for the others; a comparison's m is the mean over the sessions that
    learnt it. Training on all blocked pairs at once lets a frequent key take
    over: with many people called 张伟 EM decides that "same name" is what a
    match is. Finally λ (the share of matches among all blocked pairs) is fitted
    with m and u fixed. `m_prior` (how duplicates differ, learnt on the labelled
    Chinese set) anchors m when the data hold few duplicates; see model.fit.
    """
    n = len(next(iter(cols.values())))
    n_levels = [c.n_levels for c in comparisons]
    model = FellegiSunter.untrained(n_levels)
    if m_prior is not None:
        model.m = [m.copy() for m in m_prior]
    if n >= 2:
        if n * (n - 1) // 2 <= u_sample:
            # A small table: every pair once, rather than the same few pairs many times.
            a, b = np.triu_indices(n, 1)
        else:
            rng = np.random.default_rng(seed)
            a = rng.integers(0, n, u_sample)
            b = rng.integers(0, n, u_sample)
        keep = a != b
        random_gamma = compare_in_chunks(comparisons, cols, a[keep], b[keep])
        model.u = FellegiSunter.level_frequencies(random_gamma, n_levels)
        if u_prior is not None:
            # A small table's random pairs are few and may all be one duplicate
            # pair; pseudo-pairs from the prior keep u sane until the data outweigh them.
            sampled = len(random_gamma)
            model.u = [
                (u * sampled + strength * p) / (sampled + strength)
                for u, p in zip(model.u, u_prior, strict=True)
            ]
    if not len(gamma):
        return model
    learnt: list[list[np.ndarray]] = [[] for _ in comparisons]
    for rule, positions in zip(rules, found.by_rule, strict=True):
        if len(positions) < min_pairs:
            continue
        blocked = _roles_of(rule)
        ignore = frozenset(k for k, c in enumerate(comparisons) if c.column in blocked)
        session = FellegiSunter([m.copy() for m in model.m], model.u, 0.3)
        session.fit(gamma[positions], ignore=ignore, m_prior=m_prior, strength=strength)
        for k in range(len(comparisons)):
            if k not in ignore:
                learnt[k].append(session.m[k])
    model.m = [np.mean(ms, axis=0) if ms else m for ms, m in zip(learnt, model.m, strict=True)]
    model.prior = 0.1
    model.fit(gamma, only_prior=True)
    return model
