"""The visitor's socket: only their own conversation, lines stored before they are shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async

from guanxi.chat.models import Conversation, Message
from guanxi.chat.visitors import token_for

from .conftest import receive_type, visitor_socket

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_a_visitor_gets_their_history_and_their_line_is_stored(
    start_chat: Callable[..., Any],
) -> None:
    conversation = await database_sync_to_async(start_chat)()
    socket = visitor_socket(conversation.pk, token_for(conversation.pk))
    connected, _ = await socket.connect()
    assert connected

    history = await receive_type(socket, "history")
    assert history["conversation"]["status"] == "waiting"
    assert [m["body"] for m in history["messages"]] == ["请问0号柴油今天什么价？"]
    assert "customer_id" not in history["conversation"]

    await socket.send_json_to({"type": "message", "body": "  还有92号汽油  ", "client_id": "c1"})
    echo = await receive_type(socket, "message")
    assert echo["message"]["body"] == "还有92号汽油"
    assert echo["client_id"] == "c1"

    stored = await database_sync_to_async(
        lambda: list(
            Message.objects.filter(conversation=conversation).values_list("sender", "body")
        )
    )()
    assert stored == [("visitor", "请问0号柴油今天什么价？"), ("visitor", "还有92号汽油")]
    await socket.disconnect()


async def test_a_visitor_cannot_join_another_visitors_conversation(
    start_chat: Callable[..., Any],
) -> None:
    mine = await database_sync_to_async(start_chat)("王先生")
    theirs = await database_sync_to_async(start_chat)("李女士")
    from guanxi.service.surveys import token_for as survey_token

    tampered = token_for(mine.pk).replace(":", ";", 1)
    for path_id, token in [
        (theirs.pk, token_for(mine.pk)),  # my cookie on their conversation
        (theirs.pk, None),  # no cookie at all
        (theirs.pk, tampered),  # an altered signature
        (theirs.pk, survey_token(theirs.pk)),  # another feature's signed token
    ]:
        socket = visitor_socket(path_id, token)
        connected, _ = await socket.connect()
        assert not connected, (path_id, token)
        await socket.disconnect()


async def test_a_socket_opened_from_another_site_is_refused(start_chat: Callable[..., Any]) -> None:
    conversation = await database_sync_to_async(start_chat)()
    socket = visitor_socket(
        conversation.pk, token_for(conversation.pk), origin=b"https://evil.example"
    )
    connected, _ = await socket.connect()
    assert not connected


async def test_blank_overlong_and_malformed_lines_are_refused_and_nothing_is_stored(
    start_chat: Callable[..., Any],
) -> None:
    conversation = await database_sync_to_async(start_chat)()
    socket = visitor_socket(conversation.pk, token_for(conversation.pk))
    await socket.connect()
    await receive_type(socket, "history")

    await socket.send_json_to({"type": "message", "body": "   "})
    blank = await receive_type(socket, "error")
    assert (blank["field"], blank["code"]) == ("body", "required")

    await socket.send_json_to({"type": "message", "body": "长" * 2001})
    too_long = await receive_type(socket, "error")
    assert (too_long["field"], too_long["code"]) == ("body", "max_length")

    await socket.send_to(text_data="not json")
    assert (await receive_type(socket, "error"))["code"] == "bad_request"
    await socket.send_json_to({"type": "message", "body": 42})
    assert (await receive_type(socket, "error"))["field"] == "body"

    count = await database_sync_to_async(Message.objects.filter(conversation=conversation).count)()
    assert count == 1  # only the opening question

    # A frame beyond the size limit ends the connection.
    await socket.send_to(text_data='{"type":"message","body":"' + "x" * 20_000 + '"}')
    closed = await socket.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4413}


async def test_a_visitor_who_sends_too_fast_is_throttled(
    start_chat: Callable[..., Any], settings: Any
) -> None:
    settings.GUANXI_CHAT_VISITOR_BURST = 3
    settings.GUANXI_CHAT_VISITOR_PER_MINUTE = 1
    conversation = await database_sync_to_async(start_chat)()
    socket = visitor_socket(conversation.pk, token_for(conversation.pk))
    await socket.connect()
    await receive_type(socket, "history")
    for n in range(3):
        await socket.send_json_to({"type": "message", "body": f"第{n}条"})
        await receive_type(socket, "message")
    await socket.send_json_to({"type": "message", "body": "第4条"})
    refused = await receive_type(socket, "error")
    assert refused["code"] == "throttled"
    count = await database_sync_to_async(Message.objects.filter(conversation=conversation).count)()
    assert count == 4
    await socket.disconnect()


async def test_a_visitor_closes_and_rates_the_conversation(start_chat: Callable[..., Any]) -> None:
    conversation = await database_sync_to_async(start_chat)()
    socket = visitor_socket(conversation.pk, token_for(conversation.pk))
    await socket.connect()
    await receive_type(socket, "history")

    await socket.send_json_to({"type": "rate", "score": 5})
    early = await receive_type(socket, "error")
    assert early["code"] == "not_closed"

    await socket.send_json_to({"type": "close"})
    status = await receive_type(socket, "status")
    assert status["conversation"]["status"] == "closed"
    await socket.send_json_to({"type": "message", "body": "还在吗"})
    assert (await receive_type(socket, "error"))["code"] == "closed"

    await socket.send_json_to({"type": "rate", "score": 9})
    assert (await receive_type(socket, "error"))["field"] == "score"
    await socket.send_json_to({"type": "rate", "score": 4})
    assert (await receive_type(socket, "rated"))["score"] == 4
    rating = await database_sync_to_async(
        lambda: Conversation.objects.get(pk=conversation.pk).rating
    )()
    assert rating == 4
    await socket.disconnect()
