"""Who reads what: the public help centre and public API never show internal, draft or
archived articles; staff read published ones; only writers see drafts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.knowledge.actions import archive_article
from guanxi.knowledge.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(make_article: Callable[..., Any], users: dict[str, Any]) -> dict[str, Any]:
    archived = make_article("旧版发票流程", "已作废的发票流程。", visibility="public")
    archive_article(archived, by=users["carol"])
    return {
        "public": make_article("发票开具指南", "公开的发票说明。", visibility="public"),
        "internal": make_article("发票红冲内部流程", "内部的发票红冲步骤。"),
        "draft": make_article(
            "发票新政草稿", "尚未发布的发票说明。", visibility="public", publish=False
        ),
        "archived": archived,
    }


def test_the_public_help_search_shows_only_public_published_articles(
    shelf: dict[str, Any], client: Client
) -> None:
    page = client.get(reverse("knowledge:help"), {"q": "发票"}).content.decode()
    assert "发票开具指南" in page
    for hidden in ("发票红冲内部流程", "发票新政草稿", "旧版发票流程"):
        assert hidden not in page


def test_a_signed_in_agent_on_the_public_page_still_sees_only_public_articles(
    shelf: dict[str, Any], login: Callable[[Any], Client], users: dict[str, Any]
) -> None:
    page = login(users["carol"]).get(reverse("knowledge:help"), {"q": "发票"}).content.decode()
    assert "发票开具指南" in page and "发票红冲内部流程" not in page


@pytest.mark.parametrize("hidden", ["internal", "draft", "archived"])
def test_the_public_article_page_answers_404_for_anything_not_public(
    shelf: dict[str, Any], client: Client, hidden: str
) -> None:
    url = reverse("knowledge:help_article", args=[shelf[hidden].pk])
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("knowledge:help_article", args=[shelf["public"].pk])).status_code == 200
    )


def test_the_public_api_never_leaks_internal_or_unpublished_articles(
    shelf: dict[str, Any], client: Client
) -> None:
    found = client.get("/api/v1/help/articles", {"q": "发票"}).json()
    assert [a["title"] for a in found] == ["发票开具指南"]
    newest = client.get("/api/v1/help/articles").json()
    assert [a["title"] for a in newest] == ["发票开具指南"]
    for hidden in ("internal", "draft", "archived"):
        response = client.get(f"/api/v1/help/articles/{shelf[hidden].pk}")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(f"/api/v1/help/articles/{shelf['public'].pk}").status_code == 200


def test_the_help_front_page_lists_only_categories_with_public_articles(
    make_article: Callable[..., Any], users: dict[str, Any], client: Client
) -> None:
    from guanxi.knowledge.actions import save_category

    open_shelf = save_category({"name": "公开问答"}, by=users["alice"])
    closed_shelf = save_category({"name": "内部手册"}, by=users["alice"])
    make_article("如何预约保养", "在线预约。", visibility="public", category=open_shelf.pk)
    make_article("投诉升级规则", "内部规则。", category=closed_shelf.pk)
    page = client.get(reverse("knowledge:help")).content.decode()
    assert "公开问答" in page and "内部手册" not in page
    assert client.get(reverse("knowledge:help_category", args=[closed_shelf.pk])).status_code == 404
    shelf_page = client.get(reverse("knowledge:help_category", args=[open_shelf.pk]))
    assert "如何预约保养" in shelf_page.content.decode()


def test_staff_read_published_internal_articles_but_only_writers_see_drafts(
    shelf: dict[str, Any], users: dict[str, Any]
) -> None:
    for name in ("bob", "dave", "erin", "mona", "frank", "mallory"):
        visible = set(Article.objects.restrict(users[name], "view").values_list("title", flat=True))
        assert visible == {"发票开具指南", "发票红冲内部流程"}, name
    for name in ("alice", "carol"):
        assert Article.objects.restrict(users[name], "view").count() == 4


def test_the_staff_api_lists_drafts_to_writers_only(
    shelf: dict[str, Any], login: Callable[[Any], Client], users: dict[str, Any]
) -> None:
    rep = login(users["bob"]).get("/api/v1/articles").json()["items"]
    assert {a["title"] for a in rep} == {"发票开具指南", "发票红冲内部流程"}
    assert login(users["bob"]).get(f"/api/v1/articles/{shelf['draft'].pk}").status_code == 404
    agent = login(users["carol"]).get("/api/v1/articles", {"status": "draft"}).json()["items"]
    assert [a["title"] for a in agent] == ["发票新政草稿"]


def test_a_vote_counts_once_per_session_and_only_on_public_articles(
    shelf: dict[str, Any], client: Client
) -> None:
    url = reverse("knowledge:help_vote", args=[shelf["public"].pk])
    client.post(url, {"helpful": "1"})
    client.post(url, {"helpful": "1"})
    shelf["public"].refresh_from_db()
    assert (shelf["public"].helpful_count, shelf["public"].unhelpful_count) == (1, 0)
    assert (
        client.post(
            reverse("knowledge:help_vote", args=[shelf["internal"].pk]), {"helpful": "0"}
        ).status_code
        == 404
    )
    Client().post(url, {"helpful": "0"}, HTTP_HX_REQUEST="true")
    shelf["public"].refresh_from_db()
    assert shelf["public"].unhelpful_count == 1
