"""The public chat page: start a conversation without an account, honeypot, rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from guanxi.chat.models import Conversation, Message
from guanxi.chat.visitors import COOKIE, conversation_id_from, token_for

pytestmark = pytest.mark.django_db

START = {"visitor_name": "王先生", "visitor_phone": "138 1234 5678", "body": "加油卡怎么充值？"}


def test_a_visitor_starts_a_conversation_and_the_cookie_names_it(users: dict[str, Any]) -> None:
    client = Client()
    page = client.get("/chat/")
    assert page.status_code == 200
    assert "开始咨询" in page.content.decode()

    response = client.post("/chat/", START)
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert (conversation.visitor_name, conversation.visitor_phone) == ("王先生", "+8613812345678")
    assert conversation.status == "waiting"
    assert list(conversation.messages.values_list("sender", "body")) == [
        ("visitor", "加油卡怎么充值？")
    ]
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert conversation_id_from(cookie.value) == conversation.pk

    widget = client.get("/chat/").content.decode()
    assert f'data-socket="/ws/chat/visitor/{conversation.pk}/"' in widget
    assert token_for(conversation.pk) not in widget  # the token stays in the HttpOnly cookie


def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(users: dict[str, Any]) -> None:
    client = Client()
    response = client.post(
        "/chat/",
        {"visitor_name": "", "visitor_phone": "12", "visitor_email": "x@", "body": "问" * 2001},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"visitor_name", "visitor_phone", "visitor_email", "body"}
    assert not Conversation.objects.exists()


def test_a_bot_filling_the_honeypot_is_thanked_and_ignored(users: dict[str, Any]) -> None:
    response = Client().post("/chat/", {**START, "website": "http://spam.example"})
    assert response.status_code == 200
    assert not Conversation.objects.exists()


def test_an_address_that_starts_too_many_conversations_is_throttled(
    users: dict[str, Any], settings: Any
) -> None:
    settings.GUANXI_CHAT_STARTS_PER_HOUR = 2
    for _ in range(2):
        assert Client().post("/chat/", START).status_code == 302
    refused = Client().post("/chat/", START)
    assert refused.status_code == 429
    assert Conversation.objects.count() == 2 and Message.objects.count() == 2


def test_a_forged_cookie_shows_the_start_form_not_a_conversation(users: dict[str, Any]) -> None:
    client = Client()
    client.post("/chat/", START)
    stranger = Client()
    stranger.cookies[COOKIE] = token_for(Conversation.objects.get().pk) + "x"
    page = stranger.get("/chat/").content.decode()
    assert "开始咨询" in page and "data-socket" not in page


def test_leaving_forgets_the_conversation_in_this_browser(users: dict[str, Any]) -> None:
    client = Client()
    client.post("/chat/", START)
    response = client.post("/chat/leave/")
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == ""
    assert "开始咨询" in client.get("/chat/").content.decode()
