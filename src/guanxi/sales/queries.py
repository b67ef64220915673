"""Reads of the product catalogue, through restrict()."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Product


def catalogue(user: Any, filters: dict[str, str] | None = None) -> QuerySet[Product]:
    """The catalogue as the products page lists it (it has no filters), by code.

    The page and its export share this, so a download holds what the page shows.
    """
    return Product.objects.restrict(user, "view").order_by("code")
