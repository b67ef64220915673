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

from . import normalise
from .blocking import BlockingReport, candidate_pairs
from .comparisons import Code, Columns, Comparison, Division, Exact, Text, comparison_vectors
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
    """Normalised columns plus derived pinyin columns for names."""
    cols: Columns = {}
    for role, values in table.items():
        clean = [("" if v is None else str(v)) for v in values]
        fn = _NORMALISERS.get(role, normalise.simplified)
        cols[role] = _map(fn, clean)
        if role in NAME_ROLES:
            cols[role + "_py"] = _map(normalise.pinyin, cols[role])
            cols[role + "_bag"] = _map(normalise.pinyin_bag, cols[role])
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
        ("given_name_bag", "family_name_bag"),
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

    def reasons(self, k: int) -> list[tuple[str, str, float]]:
        """(field, level label, weight) for pair k: why it scored what it did."""
        weights = self.model.weights()
        out = []
        for c, comparison in enumerate(self.comparisons):
            level = int(self.gamma[k, c])
            if level >= 0:
                out.append((comparison.name, comparison.labels[level], float(weights[c][level])))
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
    progress: Progress | None = None,
) -> Linkage:
    """Score every blocked pair; trains the model on these records unless one is given."""
    comparisons, rules = design(cols)
    left, right, reports = candidate_pairs(cols, rules, max_block=max_block)
    if progress:
        progress("block", len(left), len(left))
    gamma = compare_in_chunks(comparisons, cols, left, right, progress=progress)
    if model is None:
        model = train(cols, comparisons, gamma, u_sample=u_sample, seed=seed)
    probability = model.probabilities(gamma)
    return Linkage(left, right, gamma, probability, model, comparisons, reports)


def train(
    cols: Columns,
    comparisons: Sequence[Comparison],
    gamma: np.ndarray,
    *,
    u_sample: int = 300_000,
    seed: int = 20261123,
) -> FellegiSunter:
    """u from random pairs (nearly all non-matches), then m and λ by EM on the blocked pairs."""
    n = len(next(iter(cols.values())))
    n_levels = [c.n_levels for c in comparisons]
    model = FellegiSunter.untrained(n_levels)
    if n >= 2:
        rng = np.random.default_rng(seed)
        a = rng.integers(0, n, u_sample)
        b = rng.integers(0, n, u_sample)
        keep = a != b
        random_gamma = compare_in_chunks(comparisons, cols, a[keep], b[keep])
        model.u = FellegiSunter.level_frequencies(random_gamma, n_levels)
    if len(gamma):
        model.prior = 0.1
        model.fit(gamma)
    return model
