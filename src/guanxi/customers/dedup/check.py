"""The duplicate check before a customer is saved (create form, API, import)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q

from guanxi.core import crypto
from guanxi.core.models import User
from guanxi.customers.models import Customer
from guanxi.customers.search import phone_indexes

from . import normalise
from .match import Match


def candidate_filter(data: Mapping[str, Any]) -> Q | None:
    """Index lookups that find the records worth scoring (the blocking of a single record)."""
    q = Q()
    found = False
    if data.get("phone"):
        q |= Q(phone_bidx=phone_indexes(data["phone"])[0])
        found = True
    if data.get("id_number"):
        q |= Q(id_number_bidx=crypto.blind_index(data["id_number"], "id_number"))
        found = True
    if data.get("credit_code"):
        q |= Q(credit_code=data["credit_code"])
        found = True
    if data.get("email"):
        q |= Q(email__iexact=data["email"])
        found = True
    name = str(data.get("name") or "")
    if name:
        from guanxi.customers.search import pinyin_keys

        # Same pinyin covers 同音字 and 繁/简 (pypinyin reads both); plus the exact name.
        q |= Q(name=name) | Q(pinyin=pinyin_keys(normalise.simplified(name))[0])
        found = True
    return q if found else None


def likely_duplicates(data: Mapping[str, Any], *, user: User, limit: int = 5) -> list[Match]:
    """Existing customers `user` may see that are probably the customer described by `data`.

    `data` is a cleaned CustomerForm dict (E.164 phone, normalised ID number).
    Customers outside the user's view scope are never returned (nor hinted at).
    """
    from .scoring import score_candidates

    q = candidate_filter(data)
    if q is None:
        return []
    candidates = list(
        Customer.objects.restrict(user, "view").active().filter(q).order_by("id")[:200]
    )
    return score_candidates(data, candidates)[:limit]
