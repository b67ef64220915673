"""Every write to the knowledge base. Views, API and the CLI validate input and call these.

Each action checks the actor's reach again (`KNOWLEDGE_SCOPES`; outside it the
record is "not found"), writes in one transaction and records one event. Every
save of an article's content appends an immutable `ArticleVersion`; publishing
and archiving change the status only and make no version.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import events
from guanxi.core.actions import ActionError
from guanxi.core.choices import Scope
from guanxi.core.models import User
from guanxi.core.permissions import CHANGE, knowledge_scope

from . import search
from .choices import ArticleStatus
from .models import Article, ArticleVersion, ArticleVote, Category

CONTENT_FIELDS = ["title", "body", "category", "keywords", "visibility"]


class NotFound(ActionError):
    """Outside the actor's reach; callers answer 404."""

    def __init__(self) -> None:
        super().__init__(_("记录不存在。"), code="not_found")


def _reaches(user: User | None) -> bool:
    return knowledge_scope(user, CHANGE) == Scope.ALL


def _locked(article: Article, by: User | None) -> Article:
    """The article re-read under a row lock, or NotFound if `by` may not change it."""
    if not _reaches(by):
        raise NotFound()
    locked = Article.objects.restrict(by, CHANGE).select_for_update().filter(pk=article.pk).first()
    if locked is None:
        raise NotFound()
    return locked


def _index(article: Article) -> None:
    """Fill the token columns the full-text index reads; keywords count as title."""
    article.search_title = search.document_tokens(f"{article.title} {article.keywords}")
    article.search_body = search.document_tokens(article.body)


def _snapshot(
    article: Article, by: User | None, note: str, restored_from: int | None = None
) -> None:
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        category_id=article.category_id,
        keywords=article.keywords,
        visibility=article.visibility,
        note=note[:200],
        restored_from=restored_from,
        created_by=by,
    )


def _state(article: Article) -> dict[str, Any]:
    return {f: getattr(article, f"{f}_id" if f == "category" else f) for f in CONTENT_FIELDS}


@transaction.atomic
def create_article(
    data: dict[str, Any], *, by: User, publish: bool = False, note: str = ""
) -> Article:
    """A new article (draft unless `publish`) and its version 1."""
    if not _reaches(by):
        raise NotFound()
    article = Article(**{f: data[f] for f in CONTENT_FIELDS if f in data})
    article.keywords = article.keywords or ""
    article.created_by = article.updated_by = by
    if publish:
        article.status, article.published_at = ArticleStatus.PUBLISHED, timezone.now()
    _index(article)
    article.save()
    _snapshot(article, by, note or _("创建"))
    events.record(
        by,
        "article.created",
        article,
        summary=article.title,
        changes={"status": [None, article.status], "visibility": [None, article.visibility]},
    )
    return article


@transaction.atomic
def update_article(
    article: Article,
    data: dict[str, Any],
    *,
    by: User,
    note: str = "",
    base_version: int | None = None,
) -> Article:
    """Save new content as the next version.

    `base_version` is the version the editor started from; if someone saved in
    between, the save is refused rather than silently overwriting their text.
    """
    article = _locked(article, by)
    if base_version is not None and base_version != article.version:
        raise ActionError(
            _("该文章已被他人修改为版本 %(v)s，请刷新后再编辑。") % {"v": article.version},
            code="version_conflict",
            field="base_version",
        )
    before = _state(article)
    for field in CONTENT_FIELDS:
        if field in data:
            value = data[field]
            setattr(article, field, "" if value is None and field != "category" else value)
    after = _state(article)
    changes = events.diff(before, after, CONTENT_FIELDS)
    if not changes:
        return article
    article.version += 1
    article.updated_by, article.updated_at = by, timezone.now()
    _index(article)
    article.save()
    _snapshot(article, by, note)
    for field in ("body",):  # the diff of a long body is the version itself, not the event
        if field in changes:
            changes[field] = [f"v{article.version - 1}", f"v{article.version}"]
    events.record(by, "article.updated", article, summary=article.title, changes=changes)
    return article


@transaction.atomic
def restore_version(version: ArticleVersion, *, by: User) -> Article:
    """Bring back an old text as a new version; the history in between is kept."""
    article = _locked(version.article, by)
    source = version.number
    for field in CONTENT_FIELDS:
        value = getattr(version, "category_id" if field == "category" else field)
        setattr(article, "category_id" if field == "category" else field, value)
    article.version += 1
    article.updated_by, article.updated_at = by, timezone.now()
    _index(article)
    article.save()
    _snapshot(article, by, _("恢复自版本 %(n)s") % {"n": source}, restored_from=source)
    events.record(
        by,
        "article.restored",
        article,
        summary=article.title,
        changes={"version": [f"v{source}", f"v{article.version}"]},
    )
    return article


def _set_status(article: Article, status: str, *, by: User, verb: str) -> Article:
    article = _locked(article, by)
    if article.status == status:
        return article
    before = article.status
    article.status = status
    fields = ["status", "updated_at", "updated_by"]
    if status == ArticleStatus.PUBLISHED:
        article.published_at = timezone.now()
        fields.append("published_at")
    article.updated_by, article.updated_at = by, timezone.now()
    article.save(update_fields=fields)
    events.record(by, verb, article, summary=article.title, changes={"status": [before, status]})
    return article


@transaction.atomic
def publish_article(article: Article, *, by: User) -> Article:
    return _set_status(article, ArticleStatus.PUBLISHED, by=by, verb="article.published")


@transaction.atomic
def archive_article(article: Article, *, by: User) -> Article:
    """Withdraw an article from readers and suggestions; it stays in the history."""
    return _set_status(article, ArticleStatus.ARCHIVED, by=by, verb="article.archived")


@transaction.atomic
def record_vote(article: Article, helpful: bool, *, by: User | None, comment: str = "") -> None:
    """A reader's 有帮助/没帮助; only on an article that reader may see."""
    if not Article.objects.restrict(by, "view").filter(pk=article.pk).exists():
        raise NotFound()
    ArticleVote.objects.create(article=article, helpful=helpful, comment=comment[:500], voter=by)
    counter = "helpful_count" if helpful else "unhelpful_count"
    Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    events.record(
        by, "article.voted", article, summary=article.title, changes={"helpful": [None, helpful]}
    )


@transaction.atomic
def save_category(data: dict[str, Any], *, by: User, category: Category | None = None) -> Category:
    """Create or rename/reorder a category."""
    if not _reaches(by):
        raise NotFound()
    parent = data.get("parent")
    if category is not None and parent is not None and parent.pk == category.pk:
        raise ActionError(_("分类不能以自己为上级。"), code="invalid_parent", field="parent")
    if parent is not None and parent.parent_id is not None:
        raise ActionError(_("分类最多两级。"), code="invalid_parent", field="parent")
    creating = category is None
    category = category or Category()
    before = {f: getattr(category, f) for f in ("name", "position", "description")}
    for field in ("name", "parent", "position", "description"):
        if field in data:
            setattr(category, field, data[field])
    category.save()
    after = {f: getattr(category, f) for f in ("name", "position", "description")}
    events.record(
        by,
        "article_category.created" if creating else "article_category.changed",
        category,
        summary=category.name,
        changes=events.diff(before, after, after),
    )
    return category
