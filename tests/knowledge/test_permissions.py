"""Admins and service agents write and publish; every other role reads and is refused
(403 where the role never writes, 404 for a record probe) with nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.core.models import Event
from guanxi.knowledge import actions
from guanxi.knowledge.actions import NotFound
from guanxi.knowledge.models import Article

pytestmark = pytest.mark.django_db
READERS = ["erin", "dave", "bob", "mallory", "mona", "frank"]


@pytest.fixture
def article(make_article: Callable[..., Any]) -> Any:
    return make_article("发票抬头填写", "填写公司全称。")


@pytest.mark.parametrize("name", READERS)
def test_a_reader_cannot_write_through_the_actions(
    article: Any, users: dict[str, Any], name: str
) -> None:
    before = Event.objects.count()
    with pytest.raises(NotFound):
        actions.update_article(article, {"title": "篡改"}, by=users[name])
    with pytest.raises(NotFound):
        actions.archive_article(article, by=users[name])
    with pytest.raises(NotFound):
        actions.create_article({"title": "越权", "body": "越权内容。"}, by=users[name])
    with pytest.raises(NotFound):
        actions.restore_version(article.versions.get(), by=users[name])
    assert Event.objects.count() == before
    article.refresh_from_db()
    assert article.title == "发票抬头填写"


def test_a_rep_cannot_edit_an_article_in_the_ui(
    article: Any, users: dict[str, Any], login: Callable[[Any], Client]
) -> None:
    client = login(users["bob"])
    assert client.get(reverse("knowledge:detail", args=[article.pk])).status_code == 200
    page = client.get(reverse("knowledge:detail", args=[article.pk])).content.decode()
    assert reverse("knowledge:edit", args=[article.pk]) not in page
    assert client.get(reverse("knowledge:edit", args=[article.pk])).status_code == 404
    assert (
        client.post(
            reverse("knowledge:edit", args=[article.pk]),
            {"title": "篡改", "body": "篡改内容。", "visibility": "public"},
        ).status_code
        == 404
    )
    assert client.post(reverse("knowledge:archive", args=[article.pk])).status_code == 404
    assert client.get(reverse("knowledge:create")).status_code == 403
    assert client.get(reverse("knowledge:versions", args=[article.pk])).status_code == 404
    assert client.post(reverse("knowledge:categories"), {"name": "越权分类"}).status_code == 403
    article.refresh_from_db()
    assert article.title == "发票抬头填写" and article.status == "published"


def test_a_rep_gets_403_from_the_write_api_and_nothing_changes(
    article: Any, users: dict[str, Any], login: Callable[[Any], Client]
) -> None:
    client = login(users["bob"])
    before = Event.objects.count()
    body = json.dumps({"title": "越权文章", "body": "越权内容。"})
    assert client.post("/api/v1/articles", body, content_type="application/json").status_code == 403
    patch = client.patch(
        f"/api/v1/articles/{article.pk}",
        json.dumps({"title": "篡改"}),
        content_type="application/json",
    )
    assert patch.status_code == 403 and patch.json()["code"] == "permission_denied"
    assert client.post(f"/api/v1/articles/{article.pk}/archive").status_code == 403
    assert Event.objects.count() == before and Article.objects.count() == 1


def test_an_agent_writes_publishes_and_archives_through_the_api(
    users: dict[str, Any], login: Callable[[Any], Client]
) -> None:
    client = login(users["carol"])
    created = client.post(
        "/api/v1/articles",
        json.dumps({"title": "如何申请退款", "body": "在订单页点击退款。", "visibility": "public"}),
        content_type="application/json",
    )
    assert created.status_code == 201
    article = created.json()
    assert (article["status"], article["version"]) == ("draft", 1)
    assert Client().get(f"/api/v1/help/articles/{article['id']}").status_code == 404
    published = client.post(f"/api/v1/articles/{article['id']}/publish").json()
    assert published["status"] == "published" and published["published_at"]
    assert Client().get(f"/api/v1/help/articles/{article['id']}").status_code == 200
    patched = client.patch(
        f"/api/v1/articles/{article['id']}",
        json.dumps({"body": "在订单页点击“申请退款”。", "note": "按钮改名", "base_version": 1}),
        content_type="application/json",
    ).json()
    assert patched["version"] == 2 and patched["title"] == "如何申请退款"
    assert client.post(f"/api/v1/articles/{article['id']}/archive").json()["status"] == "archived"
    assert Client().get(f"/api/v1/help/articles/{article['id']}").status_code == 404
    verbs = list(Event.objects.filter(object_type="article").values_list("verb", flat=True))
    assert sorted(verbs) == sorted(
        ["article.created", "article.published", "article.updated", "article.archived"]
    )
