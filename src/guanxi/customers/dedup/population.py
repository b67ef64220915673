"""The customers table as role columns for the linkage engine (the whole database at once).

Phones and ID numbers are compared through their blind indexes (exact equality
only): decrypting a million ciphertexts for a scan would put every number in
memory in clear for no gain in recall that matters.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import numpy as np

from guanxi.customers.choices import CustomerKind
from guanxi.customers.models import Customer

from . import normalise
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
    return link(prepare(table), u_sample=100_000).model


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
