"""Every save is a new, immutable version: who, when, why; old versions can be read and
restored (as a new version, the history in between kept)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.core.actions import ActionError
from guanxi.core.models import Event
from guanxi.knowledge import actions
from guanxi.knowledge.models import ArticleVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(make_article: Callable[..., Any]) -> Any:
    return make_article("保养周期", "每5000公里保养一次。")


def test_each_save_appends_a_version_with_author_and_note(
    article: Any, users: dict[str, Any]
) -> None:
    actions.update_article(
        article, {"body": "每10000公里保养一次。"}, by=users["alice"], note="新车型"
    )
    versions = list(article.versions.order_by("number"))
    assert [(v.number, v.body, v.created_by.username, v.note) for v in versions] == [
        (1, "每5000公里保养一次。", "carol", "创建"),
        (2, "每10000公里保养一次。", "alice", "新车型"),
    ]
    article.refresh_from_db()
    assert article.version == 2
    assert Event.objects.filter(verb="article.updated", object_id=article.pk).count() == 1


def test_a_save_without_changes_makes_no_version(article: Any, users: dict[str, Any]) -> None:
    actions.update_article(article, {"title": "保养周期"}, by=users["carol"])
    assert article.versions.count() == 1
    assert not Event.objects.filter(verb="article.updated").exists()


def test_versions_cannot_be_changed_or_deleted(article: Any) -> None:
    version = article.versions.get()
    version.body = "篡改"
    with pytest.raises(PermissionError):
        version.save()
    with pytest.raises(PermissionError):
        version.delete()
    assert ArticleVersion.objects.get(pk=version.pk).body == "每5000公里保养一次。"


def test_restoring_an_old_version_makes_a_new_one_and_keeps_the_history(
    article: Any, users: dict[str, Any]
) -> None:
    actions.update_article(
        article, {"body": "错误的内容。", "title": "保养周期（错）"}, by=users["carol"]
    )
    restored = actions.restore_version(article.versions.get(number=1), by=users["alice"])
    assert (restored.version, restored.title, restored.body) == (
        3,
        "保养周期",
        "每5000公里保养一次。",
    )
    latest = restored.versions.get(number=3)
    assert latest.restored_from == 1 and latest.note == "恢复自版本 1"
    assert restored.versions.count() == 3
    # and search follows the restored text
    from guanxi.knowledge.queries import search_articles

    assert [a.pk for a in search_articles("保养周期", users["bob"])] == [article.pk]
    assert search_articles("错误", users["bob"]) == []


def test_an_edit_from_a_stale_version_is_refused_and_nothing_is_written(
    article: Any, users: dict[str, Any]
) -> None:
    actions.update_article(article, {"body": "carol 的修改。"}, by=users["carol"], base_version=1)
    with pytest.raises(ActionError) as refused:
        actions.update_article(
            article, {"body": "alice 的修改。"}, by=users["alice"], base_version=1
        )
    assert refused.value.code == "version_conflict"
    article.refresh_from_db()
    assert article.body == "carol 的修改。" and article.versions.count() == 2


def test_the_history_pages_show_and_restore_a_version(
    article: Any, users: dict[str, Any], login: Callable[[Any], Client]
) -> None:
    actions.update_article(article, {"body": "第二版内容。"}, by=users["carol"], note="改写")
    client = login(users["carol"])
    history = client.get(reverse("knowledge:versions", args=[article.pk])).content.decode()
    assert "v1" in history and "v2" in history and "改写" in history
    first = article.versions.get(number=1)
    old = client.get(reverse("knowledge:version", args=[first.pk])).content.decode()
    assert "每5000公里保养一次。" in old
    response = client.post(reverse("knowledge:restore", args=[first.pk]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.version, article.body) == (3, "每5000公里保养一次。")


def test_the_api_lists_versions_newest_first(
    article: Any, users: dict[str, Any], login: Callable[[Any], Client]
) -> None:
    actions.update_article(article, {"body": "第二版内容。"}, by=users["carol"])
    versions = login(users["alice"]).get(f"/api/v1/articles/{article.pk}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[1]["created_by"] == str(users["carol"])
