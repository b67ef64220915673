"""Score one new record against a handful of existing customers (first version: exact keys)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from guanxi.core import crypto
from guanxi.customers.models import Customer
from guanxi.customers.search import phone_indexes

from . import normalise
from .match import Match, Reason


def score_candidates(data: Mapping[str, Any], candidates: Sequence[Customer]) -> list[Match]:
    matches = []
    phone = phone_indexes(data["phone"])[0] if data.get("phone") else ""
    idx = crypto.blind_index(data["id_number"], "id_number") if data.get("id_number") else ""
    for c in candidates:
        reasons = []
        if phone and c.phone_bidx == phone:
            reasons.append(Reason("phone", "相同", 10.0))
        if idx and c.id_number_bidx == idx:
            reasons.append(Reason("id_number", "相同", 15.0))
        if normalise.person_name(c.name) == normalise.person_name(str(data.get("name", ""))):
            reasons.append(Reason("name", "相同", 5.0))
        total = sum(r.weight for r in reasons) - 8
        matches.append(Match(c, 1 / (1 + 2.0**-total), reasons))
    matches.sort(key=lambda m: -m.probability)
    return [m for m in matches if m.probability >= 0.5]
