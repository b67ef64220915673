"""No N+1: the staff list, the search results and the help centre pin their query count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def queries_for(client: Client, url: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url,params",
    [("knowledge:list", {}), ("knowledge:list", {"q": "发票"}), ("knowledge:help", {}),
     ("knowledge:help", {"q": "发票"})],
)  # fmt: skip
def test_a_page_costs_the_same_queries_for_3_and_for_30_articles(
    make_article: Callable[..., Any],
    users: dict[str, Any],
    login: Callable[[Any], Client],
    url: str,
    params: dict[str, str],
) -> None:
    from guanxi.knowledge.actions import save_category

    shelves = [save_category({"name": f"分类{i}"}, by=users["alice"]) for i in range(3)]

    def add(n: int) -> None:
        for i in range(n):
            make_article(f"发票问题{i}", "发票相关说明。", visibility="public",
                         category=shelves[i % 3].pk)  # fmt: skip

    client = login(users["bob"])
    add(3)
    few = queries_for(client, reverse(url), params)
    add(27)
    assert queries_for(client, reverse(url), params) == few
