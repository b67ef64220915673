"""Conversation lists (page and API) read a fixed number of queries however many rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from guanxi.chat import actions

pytestmark = pytest.mark.django_db


def make_chats(
    n: int, users: dict[str, Any], start_chat: Callable[..., Any], customer: Any
) -> None:
    for i in range(n):
        conversation = start_chat(f"访客{i}")
        actions.accept_conversation(conversation, by=users["carol"])
        actions.link_customer(conversation, customer, by=users["carol"])


@pytest.mark.parametrize("path", ["/chat/conversations/", "/api/v1/chat/conversations"])
def test_the_conversation_list_costs_the_same_queries_for_2_or_12_rows(
    path: str,
    users: dict[str, Any],
    start_chat: Callable[..., Any],
    bob_customer: Any,
    login: Callable[[Any], Client],
    django_assert_max_num_queries: Any,
) -> None:
    make_chats(2, users, start_chat, bob_customer)
    client = login(users["carol"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    make_chats(10, users, start_chat, bob_customer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(path)
    assert response.status_code == 200
    if path.startswith("/api/"):
        assert len(response.json()["items"]) == 12
