"""Suggested articles while a ticket or chat is written: `suggest_articles` and the htmx
fragment `knowledge:suggest` the ticket form and chat console ask as the agent types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.knowledge.queries import suggest_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(make_article: Callable[..., Any]) -> dict[str, Any]:
    return {
        "service": make_article(
            "车辆保养周期", "每5000公里保养一次，可在线预约。", visibility="public"
        ),
        "invoice": make_article("如何开具增值税发票", "在订单页申请开票。", visibility="public"),
        "tyre": make_article("轮胎更换与补胎", "补胎免费，更换按配件价收费。"),
        "draft": make_article("保养套餐价格（草稿）", "价格尚待确定。", publish=False),
    }


def titles(articles: list[Any]) -> list[str]:
    return [a.title for a in articles]


def test_it_suggests_the_article_that_answers_a_ticket_sentence(
    library: dict[str, Any], users: dict[str, Any]
) -> None:
    found = suggest_articles("我的车多久需要保养一次？", users["carol"])
    assert titles(found)[0] == "车辆保养周期"
    assert "如何开具增值税发票" not in titles(found)


def test_it_ranks_by_how_much_of_the_text_the_article_answers(
    library: dict[str, Any], users: dict[str, Any]
) -> None:
    found = suggest_articles("轮胎扎了想补胎，顺便问下发票", users["carol"])
    assert titles(found)[:2] == ["轮胎更换与补胎", "如何开具增值税发票"]


def test_it_never_suggests_drafts_even_to_writers(
    library: dict[str, Any], users: dict[str, Any]
) -> None:
    assert "保养套餐价格（草稿）" not in titles(suggest_articles("保养套餐价格", users["alice"]))


def test_it_returns_nothing_for_empty_or_function_words_only(
    library: dict[str, Any], users: dict[str, Any]
) -> None:
    assert suggest_articles("", users["carol"]) == []
    assert suggest_articles("你好，请问在吗？", users["carol"]) == []


def test_it_respects_the_limit_and_the_readers_reach(
    library: dict[str, Any], users: dict[str, Any]
) -> None:
    assert len(suggest_articles("保养 发票 补胎", users["carol"], limit=2)) == 2
    assert titles(suggest_articles("补胎", None)) == []  # internal: not for the public


def test_the_fragment_lists_links_for_the_typed_subject(
    library: dict[str, Any], users: dict[str, Any], login: Callable[[Any], Client]
) -> None:
    response = login(users["carol"]).get(
        reverse("knowledge:suggest"), {"subject": "客户问保养周期", "description": ""},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert reverse("knowledge:detail", args=[library["service"].pk]) in html
    assert "车辆保养周期" in html


def test_the_fragment_says_so_when_nothing_matches(
    library: dict[str, Any], users: dict[str, Any], login: Callable[[Any], Client]
) -> None:
    html = login(users["bob"]).get(reverse("knowledge:suggest"), {"q": "火星探测"}).content.decode()
    assert "暂无相关知识库文章" in html


def test_the_fragment_needs_a_login(library: dict[str, Any], client: Client) -> None:
    response = client.get(reverse("knowledge:suggest"), {"q": "保养"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_ticket_form_asks_for_suggestions_as_the_agent_types(
    users: dict[str, Any], login: Callable[[Any], Client]
) -> None:
    page = login(users["carol"]).get(reverse("service:create")).content.decode()
    assert f'hx-get="{reverse("knowledge:suggest")}' in page


def test_the_api_suggests_too(
    library: dict[str, Any], users: dict[str, Any], login: Callable[[Any], Client]
) -> None:
    found = login(users["carol"]).get("/api/v1/articles/suggestions", {"q": "怎么补胎"}).json()
    assert [a["title"] for a in found] == ["轮胎更换与补胎"]
