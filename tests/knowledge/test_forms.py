"""Bad input: a form error in the UI, a field-level 422 in the API, nothing half-written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.core.models import Event
from guanxi.knowledge.models import Article, ArticleVersion, Category

pytestmark = pytest.mark.django_db


def test_the_editor_shows_field_errors_and_saves_nothing(
    users: dict[str, Any], login: Callable[[Any], Client]
) -> None:
    before = Event.objects.count()
    response = login(users["carol"]).post(
        reverse("knowledge:create"), {"title": "票", "body": "", "visibility": "secret"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"title", "body", "visibility"}
    assert "标题至少 2 个字。" in response.content.decode()
    assert Article.objects.count() == 0 and ArticleVersion.objects.count() == 0
    assert Event.objects.count() == before


def test_the_editor_saves_a_new_version_and_publishes_when_asked(
    users: dict[str, Any], login: Callable[[Any], Client], make_article: Callable[..., Any]
) -> None:
    article = make_article("积分规则", "每消费1元积1分。", publish=False)
    response = login(users["carol"]).post(
        reverse("knowledge:edit", args=[article.pk]),
        {"title": "积分规则", "body": "每消费1元积2分。", "visibility": "public",
         "keywords": "积分，会员、 积分", "note": "活动期", "publish": "on", "base_version": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.version, article.status, article.keywords) == (2, "published", "积分, 会员")


def test_a_stale_edit_in_the_ui_is_a_form_error(
    users: dict[str, Any], login: Callable[[Any], Client], make_article: Callable[..., Any]
) -> None:
    article = make_article("积分规则", "每消费1元积1分。")
    from guanxi.knowledge.actions import update_article

    update_article(article, {"body": "别人先改了。"}, by=users["alice"])
    response = login(users["carol"]).post(
        reverse("knowledge:edit", args=[article.pk]),
        {"title": "积分规则", "body": "我的修改。", "visibility": "internal", "base_version": "1"},
    )
    assert response.status_code == 200 and "请刷新后再编辑" in response.content.decode()
    article.refresh_from_db()
    assert article.body == "别人先改了。"


def test_the_api_answers_422_with_the_fields_at_fault(
    users: dict[str, Any], login: Callable[[Any], Client]
) -> None:
    client = login(users["alice"])
    response = client.post(
        "/api/v1/articles",
        json.dumps({"title": "x", "body": "短", "category_id": 999999}),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert {e["field"] for e in body["errors"]} == {"title", "body", "category_id"}
    unknown = client.post(
        "/api/v1/articles", json.dumps({"title": "标题", "body": "正文内容。", "status": "published"}),
        content_type="application/json",
    )  # fmt: skip
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "status"
    assert Article.objects.count() == 0


def test_the_api_refuses_a_stale_patch_with_a_field_error(
    users: dict[str, Any], login: Callable[[Any], Client], make_article: Callable[..., Any]
) -> None:
    article = make_article("积分规则", "每消费1元积1分。")
    client = login(users["carol"])
    client.patch(
        f"/api/v1/articles/{article.pk}",
        json.dumps({"body": "第二版的内容。"}),
        content_type="application/json",
    )
    stale = client.patch(
        f"/api/v1/articles/{article.pk}", json.dumps({"body": "第三版的内容。", "base_version": 1}),
        content_type="application/json",
    )  # fmt: skip
    assert stale.status_code == 400
    assert stale.json()["errors"] == [
        {"field": "base_version", "message": stale.json()["message"], "code": "version_conflict"}
    ]


def test_a_duplicate_category_name_is_a_form_error(
    users: dict[str, Any], login: Callable[[Any], Client]
) -> None:
    client = login(users["alice"])
    assert (
        client.post(
            reverse("knowledge:categories"), {"name": "常见问题", "position": 1}
        ).status_code
        == 302
    )
    again = client.post(reverse("knowledge:categories"), {"name": "常见问题", "position": 2})
    assert again.status_code == 200 and "同级已有同名分类" in again.content.decode()
    assert Category.objects.filter(name="常见问题").count() == 1
