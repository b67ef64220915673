"""Knowledge base: categories, articles, their immutable versions and helpfulness votes.

Articles are shared content, not customer records: reach is by role only
(`core.permissions.KNOWLEDGE_SCOPES`). Writers (admins, service agents) see every
article in any status; other staff see published articles, internal or public;
the public help centre (no user) sees public published articles only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import Scope
from guanxi.core.permissions import CHANGE, VIEW, knowledge_scope
from guanxi.core.querysets import RestrictedQuerySet

from .choices import ArticleStatus, Visibility

USER = settings.AUTH_USER_MODEL


def _is_writer(user: Any) -> bool:
    return knowledge_scope(user, CHANGE) == Scope.ALL


class CategoryQuerySet(RestrictedQuerySet["Category"]):
    def restrict(self, user: Any, action: str = VIEW) -> CategoryQuerySet:
        """Category names are not secret: staff and the public read them; writers change them."""
        if action == VIEW:
            return self
        return self if knowledge_scope(user, action) == Scope.ALL else self.none()


class Category(models.Model):
    """A shelf of the knowledge base; one level of sub-categories, ordered by `position`."""

    name = models.CharField(_("名称"), max_length=64)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级分类"),
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("知识分类")
        verbose_name_plural = _("知识分类")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="kb_category_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class ArticleQuerySet(RestrictedQuerySet["Article"]):
    def restrict(self, user: Any, action: str = VIEW) -> ArticleQuerySet:
        """Writers: everything; other staff: published; no user (the help centre): public published."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.public() if action == VIEW else self.none()
        if knowledge_scope(user, action) == Scope.NONE:
            return self.none()
        return self if _is_writer(user) else self.published()

    def published(self) -> ArticleQuerySet:
        return self.filter(status=ArticleStatus.PUBLISHED)

    def public(self) -> ArticleQuerySet:
        return self.filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)


class Article(models.Model):
    """One answer: the current text, where it is shelved and who may read it.

    The text the reader sees is always the latest version; every save makes a new
    `ArticleVersion`, and `version` is its number. `search_title`/`search_body`
    hold the CJK bigram tokens the database's full-text index reads (search.py).
    """

    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("分类"),
    )
    keywords = models.CharField(
        _("关键词"), max_length=200, blank=True, help_text=_("用逗号或空格分隔，参与搜索。")
    )
    visibility = models.CharField(
        _("可见范围"), max_length=8, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    unhelpful_count = models.PositiveIntegerField(default=0, editable=False)
    search_title = models.TextField(blank=True, default="", editable=False)
    search_body = models.TextField(blank=True, default="", editable=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("知识文章")
        verbose_name_plural = _("知识文章")
        indexes = [
            models.Index(fields=["status", "visibility", "updated_at"], name="kb_article_status"),
            models.Index(fields=["category", "status"], name="kb_article_category"),
            models.Index(fields=["updated_at", "id"], name="kb_article_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED and self.visibility == Visibility.PUBLIC

    def keyword_list(self) -> list[str]:
        return [k for k in self.keywords.replace("，", ",").replace(",", " ").split() if k]


class WritersOnlyQuerySet(RestrictedQuerySet[Any]):
    def restrict(self, user: Any, action: str = VIEW) -> WritersOnlyQuerySet:
        """History (with the drafts in it) and individual votes are for the writers only."""
        return self if _is_writer(user) else self.none()


class ArticleVersion(models.Model):
    """What an article said after one save: written once, never changed or deleted."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    visibility = models.CharField(_("可见范围"), max_length=8, choices=Visibility.choices)
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = WritersOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("article versions are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("article versions are immutable")


class ArticleVote(models.Model):
    """A reader's "有帮助/没帮助" on the help centre; the article keeps the running counts."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    helpful = models.BooleanField()
    comment = models.CharField(max_length=500, blank=True)
    voter = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = WritersOnlyQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["article", "created_at"], name="kb_vote_article")]

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}"
