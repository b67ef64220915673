"""The customers table as role columns for the linkage engine (the whole database at once).

Phones and ID numbers are compared through their blind indexes (exact equality
only): decrypting a million ciphertexts for a scan would put every number in
memory in clear for no gain in recall that matters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np

from guanxi.customers.choices import CustomerKind
from guanxi.customers.models import Customer

from . import frequency, normalise
from .comparisons import Columns
from .linkage import link, prepare
from .model import FellegiSunter

FIELDS = (
    "id", "kind", "name", "birth_date", "id_number_bidx", "phone_bidx", "email", "credit_code",
    "province_code", "city_code", "district_code", "gender",
)  # fmt: skip


def customer_table(rows: Iterable[tuple[Any, ...]]) -> tuple[list[int], dict[str, list[str]]]:
    """Role columns from (id, kind, name, birth date, id key, phone key, e-mail, credit code,
    province, city, district, gender) tuples: the database's rows or the labelled set's."""
    ids: list[int] = []
    table: dict[str, list[str]] = {k: [] for k in (
        "full_name", "birth_date", "id_number", "phone", "email", "credit_code", "division", "gender",
    )}  # fmt: skip
    for pk, kind, name, born, idx, phone, email, credit, prov, city, district, gender in rows:
        ids.append(pk)
        # Companies compare by the core of their name (suffixes, brackets, place removed).
        org = kind == CustomerKind.ORGANIZATION
        table["full_name"].append(normalise.company_name(name) if org else name)
        table["birth_date"].append(born.isoformat() if hasattr(born, "isoformat") else born or "")
        table["id_number"].append(idx)
        table["phone"].append(phone)
        table["email"].append(email)
        table["credit_code"].append(credit)
        table["division"].append(district or city or prov)
        table["gender"].append(gender)
    return ids, table


# Priors for the credit-code comparison (see default_model).
CREDIT_CODE_TYPO = 0.01
CREDIT_CODE_SHARED = 1e-4


@cache
def default_model() -> FellegiSunter:
    """How duplicates differ, learnt by EM on the labelled Chinese set in the customers' shape.

    A customers table may hold few duplicates or none; EM alone would then call
    the most similar strangers "matches". These m values anchor it (see train).
    """
    from . import synthetic

    rows = synthetic.generate(1500, seed=7)
    shaped = (
        (k, CustomerKind.ORGANIZATION if r["company"] else CustomerKind.INDIVIDUAL,
         r["company"] or r["name"], normalise.date(r["birth_date"]), normalise.identifier(r["id_number"]),
         normalise.phone(r["phone"]), r["email"], "", "", "", r["division"], r["gender"])
        for k, r in enumerate(rows)
    )  # fmt: skip
    _ids, table = customer_table(shaped)
    linkage = link(prepare(table), u_sample=100_000)
    model = linkage.model
    # The labelled set has no credit codes, so EM left their m and u at 50/50 and a
    # different 统一社会信用代码 cost only 1 bit: on the 1M demo data thousands of
    # look-alike companies with different codes stayed likely. A credit code is one
    # company's legal identifier: duplicates differ only by a typo (prior 1 in 100),
    # strangers share one only by an entry error (1 in 10,000). Priors, not learnt:
    # the scan's EM and random pairs move them (see train).
    k = [c.column for c in linkage.comparisons].index("credit_code")
    model.m[k] = np.array([CREDIT_CODE_TYPO, 1 - CREDIT_CODE_TYPO])
    model.u[k] = np.array([1 - CREDIT_CODE_SHARED, CREDIT_CODE_SHARED])
    return model


def default_m() -> tuple[np.ndarray, ...]:
    return tuple(default_model().m)


def load_customers(*, chunk: int = 20_000, limit: int | None = None) -> tuple[np.ndarray, Columns]:
    """(customer ids, prepared columns) of every active (not merged) customer."""
    query = Customer.objects.active().order_by().values_list(*FIELDS)
    rows = (query[:limit] if limit else query).iterator(chunk_size=chunk)
    ids, table = customer_table(rows)
    cols = prepare(table)
    # Blind indexes are exact-only: a one-character "typo" in an HMAC means nothing.
    return np.array(ids, dtype=np.int64), cols


def store_frequencies(cols: Columns) -> dict[str, int]:
    """Replace the stored name and pinyin counts with this table's.

    Called by the scan inside its transaction. Returns the denominators, the
    non-blank names and pinyin bags, which the scan keeps with the model
    (`tf_population`).
    """
    from guanxi.dedup.models import NameFrequency

    rows = [
        NameFrequency(kind=kind, value=value, count=count)
        for kind, column in (
            (NameFrequency.NAME, "full_name"),
            (NameFrequency.PINYIN, "full_name_bag"),
        )
        for value, count in frequency.value_counts(cols[column]).items()
        if len(value) <= 255
    ]
    NameFrequency.objects.all().delete()
    NameFrequency.objects.bulk_create(rows, batch_size=5000)
    return {
        NameFrequency.NAME: int((cols["full_name"] != "").sum()),
        NameFrequency.PINYIN: int((cols["full_name_bag"] != "").sum()),
    }


def population_frequencies(
    names: Sequence[str], bags: Sequence[str], totals: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Per record, the shares of the population bearing its name and its pinyin bag,
    from the last scan's counts.

    0 before any scan and for a blank value (no adjustment); a value the scan did
    not store was held by at most one customer, so it counts as one. One query per
    900 distinct values, so an import's chunk of pairs costs what one record did.
    """
    from guanxi.dedup.models import NameFrequency

    name_total = totals.get(NameFrequency.NAME, 0)
    bag_total = totals.get(NameFrequency.PINYIN, 0)
    counts: dict[tuple[str, str], int] = {}
    values = sorted({*names, *bags} - {""}) if name_total or bag_total else []
    for start in range(0, len(values), 900):  # under SQLite's host-parameter limit
        found = NameFrequency.objects.filter(
            kind__in=[NameFrequency.NAME, NameFrequency.PINYIN],
            value__in=values[start : start + 900],
        ).values_list("kind", "value", "count")
        counts.update(((kind, value), count) for kind, value, count in found)

    def shares(kind: str, of: Sequence[str], total: int) -> np.ndarray:
        return np.array(
            [counts.get((kind, v), 1) / total if v and total else 0.0 for v in of], dtype=np.float64
        )

    return (
        shares(NameFrequency.NAME, names, name_total),
        shares(NameFrequency.PINYIN, bags, bag_total),
    )
