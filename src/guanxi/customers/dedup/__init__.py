"""Duplicate detection for customers (数据清洗).

Public entry point for the create form, the API and imports:
`likely_duplicates(cleaned_customer_form_data, user=…)` → best matches first.
The linkage engine (normalisers, comparisons, blocking, Fellegi–Sunter model)
lives in the modules beside this one and needs no Django, so the CLI's
`dedup find` and the benchmarks run it on any CSV; see docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .match import Match, Reason

if TYPE_CHECKING:
    from guanxi.core.models import User

__all__ = ["Match", "Reason", "likely_duplicates"]


def likely_duplicates(data: Mapping[str, Any], *, user: User, limit: int = 5) -> list[Match]:
    """Existing customers `user` may see that are probably the customer in `data`.

    `data` is a cleaned CustomerForm dict (E.164 phone, normalised ID number);
    best match first, at most `limit`, none outside the user's view scope.
    """
    from .check import likely_duplicates as check

    return check(data, user=user, limit=limit)
