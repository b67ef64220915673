"""REST endpoints for the knowledge base: /api/v1/articles… (staff) and /api/v1/help/… (public).

Staff read what `restrict()` lets them (writers: every status; others: published);
admins and service agents write (others: 403). The help endpoints need no login
and only ever return public, published articles.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from guanxi.core.api import (
    ERRORS,
    Strict,
    actor,
    clamp_limit,
    form_data,
    form_error,
    newest_first_page,
    not_found,
    permission_denied,
)
from guanxi.core.choices import Scope
from guanxi.core.models import User
from guanxi.core.permissions import CHANGE, VIEW, knowledge_scope

from . import actions
from .choices import ArticleStatus, Visibility
from .forms import ArticleForm
from .models import Article, ArticleVersion
from .queries import article_list, search_articles, suggest_articles

router = Router(tags=["knowledge"])


class ArticleSummaryOut(Schema):
    id: int
    title: str
    category_id: int | None
    category: str | None
    visibility: str
    status: str
    version: int
    updated_at: datetime


class ArticleOut(ArticleSummaryOut):
    body: str
    keywords: str
    published_at: datetime | None
    helpful_count: int
    unhelpful_count: int


class ArticleListOut(Schema):
    items: list[ArticleSummaryOut]
    next_cursor: str | None


class ArticleIn(Strict):
    title: str
    body: str
    category_id: int | None = None
    keywords: str = ""
    visibility: Visibility = Visibility.INTERNAL
    publish: bool = False
    note: str = ""


class ArticlePatch(Strict):
    title: str | None = None
    body: str | None = None
    category_id: int | None = None
    keywords: str | None = None
    visibility: Visibility | None = None
    note: str = ""
    base_version: int | None = None


class VersionOut(Schema):
    number: int
    title: str
    body: str
    keywords: str
    visibility: str
    category_id: int | None
    note: str
    restored_from: int | None
    created_by: str | None
    created_at: datetime


class PublicArticleOut(Schema):
    id: int
    title: str
    body: str
    category: str | None
    updated_at: datetime


def summary_out(a: Article) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "category_id": a.category_id,
        "category": str(a.category) if a.category_id else None,
        "visibility": a.visibility,
        "status": a.status,
        "version": a.version,
        "updated_at": a.updated_at,
    }


def article_out(a: Article) -> dict[str, Any]:
    return {
        **summary_out(a),
        "body": a.body,
        "keywords": a.keywords,
        "published_at": a.published_at,
        "helpful_count": a.helpful_count,
        "unhelpful_count": a.unhelpful_count,
    }


def _article(user: User | None, id: int, action: str = VIEW) -> Article:
    article = (
        Article.objects.restrict(user, action).select_related("category").filter(pk=id).first()
    )
    if article is None:
        raise not_found()
    return article


def _require_writer(user: User) -> None:
    """403 for roles that never write articles (the record's existence is not at stake)."""
    if knowledge_scope(user, CHANGE) == Scope.NONE:
        raise permission_denied()


# --- public help centre: no login, public published articles only ---------------------
# Declared first so they lead the OpenAPI document (clients of the public part
# find it at the top).


@router.get("/help/articles", auth=None, response={200: list[ArticleSummaryOut], **ERRORS})
def public_search(request: HttpRequest, q: str = "", limit: int | None = None) -> Any:
    """Search the public help centre (or its newest articles when `q` is empty)."""
    size = clamp_limit(limit, 20)
    if q.strip():
        rows = search_articles(q, None, limit=size)
    else:
        rows = list(
            Article.objects.restrict(None, VIEW)
            .select_related("category")
            .order_by("-published_at", "-id")[:size]
        )
    return [summary_out(a) for a in rows]


@router.get("/help/articles/{id}", auth=None, response={200: PublicArticleOut, **ERRORS})
def public_article(request: HttpRequest, id: int) -> dict[str, Any]:
    article = _article(None, id)
    return {
        "id": article.pk,
        "title": article.title,
        "body": article.body,
        "category": str(article.category) if article.category_id else None,
        "updated_at": article.updated_at,
    }


# --- staff ----------------------------------------------------------------------------


@router.get("/articles", response={200: ArticleListOut, **ERRORS})
def list_articles(
    request: HttpRequest,
    q: str = "",
    status: ArticleStatus | None = None,
    category_id: int | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Newest first, or ranked by relevance when `q` is given (then without a cursor)."""
    user = actor(request)
    size = clamp_limit(limit, 50)
    filters = {"status": status.value if status else "", "category": str(category_id or "")}
    qs = article_list(user, filters)
    if q.strip():
        rows = search_articles(q, user, limit=size, queryset=qs)
        return {"items": [summary_out(a) for a in rows], "next_cursor": None}
    rows, next_cursor = newest_first_page(qs, "updated_at", cursor, size)
    return {"items": [summary_out(a) for a in rows], "next_cursor": next_cursor}


@router.get("/articles/suggestions", response={200: list[ArticleSummaryOut], **ERRORS})
def article_suggestions(request: HttpRequest, q: str = "", limit: int = 5) -> list[dict[str, Any]]:
    """Published articles that best answer free text (a ticket or chat being written)."""
    size = clamp_limit(limit, 5)
    return [summary_out(a) for a in suggest_articles(q, actor(request), size)]


@router.get("/articles/{id}", response={200: ArticleOut, **ERRORS})
def get_article(request: HttpRequest, id: int) -> dict[str, Any]:
    return article_out(_article(actor(request), id))


@router.get("/articles/{id}/versions", response={200: list[VersionOut], **ERRORS})
def article_versions(request: HttpRequest, id: int) -> list[dict[str, Any]]:
    """The history, newest first (writers only: it holds drafts)."""
    user = actor(request)
    _require_writer(user)
    article = _article(user, id)
    versions = ArticleVersion.objects.restrict(user, VIEW).filter(article=article)
    return [
        {
            **{f: getattr(v, f) for f in ("number", "title", "body", "keywords", "visibility")},
            "category_id": v.category_id,
            "note": v.note,
            "restored_from": v.restored_from,
            "created_by": str(v.created_by) if v.created_by_id else None,
            "created_at": v.created_at,
        }
        for v in versions.select_related("created_by")
    ]


def _validated(payload: dict[str, Any], instance: Article | None = None) -> ArticleForm:
    form = ArticleForm(data=form_data(payload, {"category_id": "category"}), instance=instance)
    if not form.is_valid():
        raise form_error(form, rename={"category": "category_id"})
    return form


@router.post("/articles", response={201: ArticleOut, **ERRORS})
def create_article(request: HttpRequest, payload: ArticleIn) -> tuple[int, dict[str, Any]]:
    user = actor(request)
    _require_writer(user)
    form = _validated(payload.model_dump())
    d = form.cleaned_data
    article = actions.create_article(d, by=user, publish=payload.publish, note=d["note"])
    return 201, article_out(article)


@router.patch("/articles/{id}", response={200: ArticleOut, **ERRORS})
def update_article(request: HttpRequest, id: int, payload: ArticlePatch) -> dict[str, Any]:
    """Change some fields; the result is validated whole and saved as a new version."""
    user = actor(request)
    _require_writer(user)
    article = _article(user, id, CHANGE)
    given = payload.model_dump(exclude_unset=True)
    current = {
        "title": article.title, "body": article.body, "category_id": article.category_id,
        "keywords": article.keywords, "visibility": article.visibility,
    }  # fmt: skip
    form = _validated({**current, **given}, instance=article)
    d = form.cleaned_data
    article = actions.update_article(
        article, d, by=user, note=payload.note, base_version=payload.base_version
    )
    return article_out(_article(user, article.pk))


@router.post("/articles/{id}/publish", response={200: ArticleOut, **ERRORS})
def publish_article(request: HttpRequest, id: int) -> dict[str, Any]:
    user = actor(request)
    _require_writer(user)
    return article_out(actions.publish_article(_article(user, id, CHANGE), by=user))


@router.post("/articles/{id}/archive", response={200: ArticleOut, **ERRORS})
def archive_article(request: HttpRequest, id: int) -> dict[str, Any]:
    user = actor(request)
    _require_writer(user)
    return article_out(actions.archive_article(_article(user, id, CHANGE), by=user))
