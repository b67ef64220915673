"""Reusable reads of the knowledge base, every one scoped through `restrict()`.

`suggest_articles(text, user, limit)` is the entry point the service desk and
the live-chat console use: give it what the customer wrote, get the best
matching articles the user may read. Keep its name and signature stable.
"""

from __future__ import annotations

from typing import Any

from guanxi.core.permissions import VIEW

from . import search
from .choices import ArticleStatus
from .models import Article, Category

# How many ranked candidates the database returns before the page is cut.
SEARCH_LIMIT = 50


def readable(user: Any) -> Any:
    """Articles `user` may read; `None` is the public help centre."""
    return Article.objects.restrict(user, VIEW)


def search_articles(
    text: str, user: Any, *, limit: int = 20, queryset: Any = None
) -> list[Article]:
    """Articles matching every word of `text`, best first (title hits weigh more).

    `queryset` narrows the candidates further (a category, a status); it must
    already be restricted — by default it is `readable(user)`.
    """
    candidates = queryset if queryset is not None else readable(user)
    ranking = search.ranked_ids(candidates, search.query_groups(text), limit=limit)
    rows = candidates.filter(pk__in=[pk for pk, _ in ranking]).select_related("category")
    return search.in_rank_order(rows, ranking)


def suggest_articles(text: str, user: Any, limit: int = 5) -> list[Article]:
    """The published articles that best answer free text (a ticket, a chat message).

    Unlike the search box, any word may match (OR): a customer's sentence rarely
    contains every word of the article's title. Bigrams of function characters
    (我的, 了吗) are left out so they do not pull in every article. Drafts and
    archived articles are never suggested, even to writers.
    """
    tokens = search.query_tokens(text)
    if not tokens:
        return []
    candidates = readable(user).filter(status=ArticleStatus.PUBLISHED)
    ranking = search.ranked_ids(candidates, [tokens], limit=limit)
    rows = candidates.filter(pk__in=[pk for pk, _ in ranking]).select_related("category")
    return search.in_rank_order(rows, ranking)


def article_list(user: Any, filters: dict[str, str]) -> Any:
    """The staff list: readable articles narrowed by status, visibility and category."""
    qs = readable(user).select_related("category", "updated_by")
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("visibility"):
        qs = qs.filter(visibility=filters["visibility"])
    if filters.get("category", "").isdigit():
        category = int(filters["category"])
        qs = qs.filter(category_id__in=[category, *category_children(category)])
    return qs


def category_children(category_id: int) -> list[int]:
    return list(Category.objects.filter(parent_id=category_id).values_list("id", flat=True))


def help_categories() -> list[dict[str, Any]]:
    """Categories with their public article count, for the help centre's front page.

    Only categories holding a public published article appear: an internal
    shelf's name is not the public's business.
    """
    from django.db.models import Count

    counts = dict(
        readable(None)
        .values_list("category_id")
        .annotate(n=Count("id"))
        .values_list("category_id", "n")
    )
    rows = []
    for category in Category.objects.restrict(None, VIEW).select_related("parent"):
        n = counts.get(category.pk, 0)
        if n:
            rows.append({"category": category, "count": n})
    return rows


def popular_public(limit: int = 10) -> list[Article]:
    return list(readable(None).order_by("-helpful_count", "-published_at", "-id")[:limit])
