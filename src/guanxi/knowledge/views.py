"""Knowledge-base pages: the staff list/search, article, editor, history, categories,
the suggestion fragment for htmx, and the public help centre (no login).

Views stay thin: reads go through `restrict` (404 outside the reach), input
through the forms, writes through `actions`. The help centre reads with
`restrict(None, …)` — public published articles only — whoever is signed in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from guanxi.core.actions import ActionError
from guanxi.core.api import ApiError, decode_time_cursor, encode_time_cursor
from guanxi.core.choices import Scope
from guanxi.core.permissions import CHANGE, VIEW, knowledge_scope

from . import actions
from .choices import ArticleStatus, Visibility
from .forms import ArticleForm, CategoryForm, VoteForm
from .models import Article, ArticleVersion, Category
from .queries import (
    article_list,
    help_categories,
    popular_public,
    search_articles,
    suggest_articles,
)

PAGE_SIZE = 30
# A suggestion query is the text being typed; more than this adds nothing.
SUGGEST_TEXT_LIMIT = 2000


def is_writer(user: Any) -> bool:
    return knowledge_scope(user, CHANGE) == Scope.ALL


def _article(request: HttpRequest, pk: int, action: str = VIEW) -> Article:
    article = (
        Article.objects.restrict(request.user, action)
        .select_related("category", "updated_by", "created_by")
        .filter(pk=pk)
        .first()
    )
    if article is None:
        raise Http404
    return article


def _writable(request: HttpRequest, pk: int) -> Article:
    """404 unless the user may change this article (also on GET, so a probe learns nothing)."""
    return _article(request, pk, CHANGE)


# --- staff: list, search, article -----------------------------------------------------


@login_required
def article_list_view(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in ("q", "status", "visibility", "category")}
    qs = article_list(request.user, filters)
    next_cursor = None
    if filters["q"].strip():
        rows = search_articles(filters["q"], request.user, limit=PAGE_SIZE, queryset=qs)
    else:
        cursor = request.GET.get("cursor")
        if cursor:
            try:
                when, last = decode_time_cursor(cursor)
            except ApiError:
                raise Http404 from None
            qs = qs.filter(Q(updated_at__lt=when) | Q(updated_at=when, pk__lt=last))
        rows = list(qs.order_by("-updated_at", "-id")[: PAGE_SIZE + 1])
        if len(rows) > PAGE_SIZE:
            rows = rows[:PAGE_SIZE]
            next_cursor = encode_time_cursor(rows[-1].updated_at, rows[-1].pk)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "knowledge/list.html", {
        "articles": rows, "filters": filters, "next_cursor": next_cursor,
        "query": query.urlencode(), "statuses": ArticleStatus.choices,
        "visibilities": Visibility.choices, "categories": Category.objects.restrict(request.user, VIEW).select_related("parent"),
        "is_writer": is_writer(request.user),
    })  # fmt: skip


@login_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    return render(
        request,
        "knowledge/detail.html",
        {"article": article, "is_writer": is_writer(request.user)},
    )


# --- staff: write -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request: HttpRequest) -> HttpResponse:
    if not is_writer(request.user):
        raise PermissionDenied
    form = ArticleForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        article = actions.create_article(d, by=request.user, publish=d["publish"], note=d["note"])  # type: ignore[arg-type]
        messages.success(request, _("文章已保存（版本 1）。"))
        return redirect("knowledge:detail", pk=article.pk)
    return render(request, "knowledge/form.html", {"form": form, "article": None})


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = _writable(request, pk)
    form = ArticleForm(
        data=request.POST or None, instance=article, initial={"base_version": article.version}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            article = actions.update_article(
                article,
                d,
                by=request.user,
                note=d["note"],
                base_version=d["base_version"],  # type: ignore[arg-type]
            )
            if d["publish"]:
                article = actions.publish_article(article, by=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存为版本 %(v)s。") % {"v": article.version})
            return redirect("knowledge:detail", pk=article.pk)
    return render(request, "knowledge/form.html", {"form": form, "article": article})


def _status_change(request: HttpRequest, pk: int, do: Any, done: str) -> HttpResponse:
    article = _writable(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    do(article, by=request.user)
    messages.success(request, done)
    return redirect("knowledge:detail", pk=pk)


@login_required
def article_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_change(request, pk, actions.publish_article, _("文章已发布。"))


@login_required
def article_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_change(request, pk, actions.archive_article, _("文章已归档。"))


# --- staff: history -------------------------------------------------------------------


@login_required
def article_versions(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_writer(request.user):
        raise Http404
    article = _article(request, pk)
    versions = (
        ArticleVersion.objects.restrict(request.user, VIEW)
        .filter(article=article)
        .select_related("created_by")
    )
    return render(request, "knowledge/versions.html", {"article": article, "versions": versions})


def _version(request: HttpRequest, pk: int) -> ArticleVersion:
    version = (
        ArticleVersion.objects.restrict(request.user, VIEW)
        .select_related("article", "category", "created_by")
        .filter(pk=pk)
        .first()
    )
    if version is None:
        raise Http404
    return version


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    return render(request, "knowledge/version.html", {"version": version})


@login_required
def version_restore(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = actions.restore_version(version, by=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        _("已将版本 %(old)s 恢复为新版本 %(new)s。")
        % {"old": version.number, "new": article.version},
    )
    return redirect("knowledge:detail", pk=article.pk)


# --- staff: categories ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def category_list(request: HttpRequest) -> HttpResponse:
    writer = is_writer(request.user)
    if request.method == "POST" and not writer:
        raise PermissionDenied
    form = CategoryForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_category(form.cleaned_data, by=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("分类已保存。"))
            return redirect("knowledge:categories")
    categories = Category.objects.restrict(request.user, VIEW).select_related("parent")
    return render(
        request,
        "knowledge/categories.html",
        {"categories": categories, "form": form if writer else None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = Category.objects.restrict(request.user, CHANGE).filter(pk=pk).first()
    if category is None:
        raise Http404
    form = CategoryForm(data=request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_category(form.cleaned_data, by=request.user, category=category)  # type: ignore[arg-type]
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("分类已保存。"))
            return redirect("knowledge:categories")
    return render(request, "knowledge/category_form.html", {"form": form, "category": category})


# --- staff: suggestions while a ticket or chat is written (htmx fragment) ---------------


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """`GET ?q=…` (or the ticket form's `subject`/`description`/`body`) → a list of links.

    The ticket form and the chat console poll this as the agent types; it
    returns a fragment, not a page.
    """
    text = " ".join(
        request.GET.get(k, "") for k in ("q", "subject", "description", "body", "message")
    )[:SUGGEST_TEXT_LIMIT]
    articles = suggest_articles(text, request.user, limit=5)
    return render(request, "knowledge/_suggestions.html", {"articles": articles, "text": text})


# --- public help centre (no login) ----------------------------------------------------


@require_GET
def help_home(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    results = search_articles(q, None, limit=30) if q else None
    return render(request, "knowledge/help_home.html", {
        "q": q, "results": results, "categories": help_categories(),
        "popular": popular_public() if not q else [],
    })  # fmt: skip


@require_GET
def help_category(request: HttpRequest, pk: int) -> HttpResponse:
    category = Category.objects.restrict(None, VIEW).filter(pk=pk).first()
    if category is None:
        raise Http404
    ids = [category.pk, *category.children.values_list("id", flat=True)]
    articles = list(
        Article.objects.restrict(None, VIEW)
        .filter(category_id__in=ids)
        .order_by("-published_at", "-id")[:200]
    )
    if not articles:
        raise Http404  # an internal-only shelf does not exist for the public
    return render(
        request, "knowledge/help_category.html", {"category": category, "articles": articles}
    )


@require_GET
def help_article(request: HttpRequest, pk: int) -> HttpResponse:
    article = Article.objects.restrict(None, VIEW).select_related("category").filter(pk=pk).first()
    if article is None:
        raise Http404
    voted = pk in request.session.get("kb_voted", [])
    return render(
        request,
        "knowledge/help_article.html",
        {"article": article, "voted": voted, "form": VoteForm()},
    )


@require_http_methods(["POST"])
def help_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """有帮助/没帮助: one vote per article per browser session."""
    article = Article.objects.restrict(None, VIEW).filter(pk=pk).first()
    if article is None:
        raise Http404
    form = VoteForm(request.POST)
    voted: list[int] = request.session.get("kb_voted", [])
    if form.is_valid() and pk not in voted:
        actions.record_vote(
            article, form.cleaned_data["helpful"], by=None, comment=form.cleaned_data["comment"]
        )
        request.session["kb_voted"] = [*voted, pk][-200:]
    if request.headers.get("HX-Request"):
        return render(request, "knowledge/_vote_thanks.html", {"article": article})
    return redirect("knowledge:help_article", pk=pk)
