"""The customers table as role columns for the linkage engine (the whole database at once).

Phones and ID numbers are compared through their blind indexes (exact equality
only): decrypting a million ciphertexts for a scan would put every number in
memory in clear for no gain in recall that matters.
"""

from __future__ import annotations

import numpy as np

from guanxi.customers.choices import CustomerKind
from guanxi.customers.models import Customer

from . import normalise
from .comparisons import Columns
from .linkage import prepare

FIELDS = (
    "id", "kind", "name", "birth_date", "id_number_bidx", "phone_bidx", "email", "credit_code",
    "province_code", "city_code", "district_code", "gender",
)  # fmt: skip


def load_customers(*, chunk: int = 20_000) -> tuple[np.ndarray, Columns]:
    """(customer ids, prepared columns) of every active (not merged) customer."""
    ids: list[int] = []
    table: dict[str, list[str]] = {k: [] for k in (
        "full_name", "birth_date", "id_number", "phone", "email", "credit_code", "division", "gender",
    )}  # fmt: skip
    rows = Customer.objects.active().order_by().values_list(*FIELDS).iterator(chunk_size=chunk)
    for pk, kind, name, born, idx, phone, email, credit, prov, city, district, gender in rows:
        ids.append(pk)
        # Companies compare by the core of their name (suffixes, brackets, place removed).
        org = kind == CustomerKind.ORGANIZATION
        table["full_name"].append(normalise.company_name(name) if org else name)
        table["birth_date"].append(born.isoformat() if born else "")
        table["id_number"].append(idx)
        table["phone"].append(phone)
        table["email"].append(email)
        table["credit_code"].append(credit)
        table["division"].append(district or city or prov)
        table["gender"].append(gender)
    cols = prepare(table)
    # Blind indexes are exact-only: a one-character "typo" in an HMAC means nothing.
    return np.array(ids, dtype=np.int64), cols
