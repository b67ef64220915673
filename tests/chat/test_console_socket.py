"""The agents' console socket: chat duty only, the queue, accepting, lines both ways,
typing and unread counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async

from guanxi.chat.models import Conversation, Message
from guanxi.chat.visitors import token_for
from guanxi.core.models import Event

from .conftest import console_socket, receive_type, visitor_socket

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_staff_without_chat_duty_and_strangers_cannot_open_the_console(
    users: dict[str, Any], session_cookie: Callable[[Any], str]
) -> None:
    for name in ("bob", "dave", "erin", "mona", "frank", "mallory"):
        cookie = await database_sync_to_async(session_cookie)(users[name])
        socket = console_socket(cookie)
        connected, _ = await socket.connect()
        assert not connected, name
        await socket.disconnect()
    anonymous = console_socket(None)
    assert (await anonymous.connect())[0] is False
    await anonymous.disconnect()


async def test_an_agent_accepts_from_the_queue_and_lines_go_both_ways_and_persist(
    users: dict[str, Any], start_chat: Callable[..., Any], session_cookie: Callable[[Any], str]
) -> None:
    conversation = await database_sync_to_async(start_chat)()
    cookie = await database_sync_to_async(session_cookie)(users["carol"])
    console = console_socket(cookie)
    assert (await console.connect())[0]
    queue = await receive_type(console, "queue")
    assert [(c["id"], c["unread"]) for c in queue["waiting"]] == [(conversation.pk, 1)]
    assert queue["active"] == []

    visitor = visitor_socket(conversation.pk, token_for(conversation.pk))
    assert (await visitor.connect())[0]
    await receive_type(visitor, "history")

    # A line while still waiting reaches the queue, not a conversation pane.
    await visitor.send_json_to({"type": "message", "body": "有人吗？"})
    queued = await receive_type(console, "queue_message")
    assert queued["message"]["body"] == "有人吗？"

    await console.send_json_to({"type": "accept", "conversation": conversation.pk})
    history = await receive_type(console, "history")
    assert history["conversation"]["status"] == "active"
    assert [m["body"] for m in history["messages"]][:2] == ["请问0号柴油今天什么价？", "有人吗？"]
    status = await receive_type(visitor, "status")
    assert (status["conversation"]["status"], status["conversation"]["agent"]) == (
        "active",
        "陈可儿",
    )

    await console.send_json_to(
        {
            "type": "message",
            "conversation": conversation.pk,
            "body": "您好，今日价格7.8元/升。",
            "client_id": "a1",
        }
    )
    reply = await receive_type(visitor, "message")
    while reply["message"]["sender"] != "agent":
        reply = await receive_type(visitor, "message")
    assert (reply["message"]["body"], reply["message"]["author"]) == (
        "您好，今日价格7.8元/升。",
        "陈可儿",
    )

    await visitor.send_json_to({"type": "message", "body": "好的，谢谢"})
    heard = await receive_type(console, "message")
    while heard["message"]["sender"] != "visitor":
        heard = await receive_type(console, "message")
    assert (heard["conversation"], heard["message"]["body"]) == (conversation.pk, "好的，谢谢")

    lines = await database_sync_to_async(
        lambda: list(
            Message.objects.filter(conversation=conversation)
            .exclude(sender="system")
            .values_list("sender", "body")
        )
    )()
    assert lines == [
        ("visitor", "请问0号柴油今天什么价？"),
        ("visitor", "有人吗？"),
        ("agent", "您好，今日价格7.8元/升。"),
        ("visitor", "好的，谢谢"),
    ]
    verbs = await database_sync_to_async(
        lambda: list(
            Event.objects.filter(object_type="conversation").values_list("verb", flat=True)
        )
    )()
    assert verbs.count("chat.message") == 3 and "chat.accepted" in verbs
    await visitor.disconnect()
    await console.disconnect()


async def test_an_agent_cannot_write_into_a_conversation_they_have_not_accepted(
    users: dict[str, Any], start_chat: Callable[..., Any], session_cookie: Callable[[Any], str]
) -> None:
    from guanxi.chat.actions import accept_conversation

    waiting = await database_sync_to_async(start_chat)("甲")
    taken = await database_sync_to_async(start_chat)("乙")
    await database_sync_to_async(accept_conversation)(taken, by=users["alice"])
    console = console_socket(await database_sync_to_async(session_cookie)(users["carol"]))
    await console.connect()
    await receive_type(console, "queue")
    for conversation in (waiting, taken):
        await console.send_json_to(
            {"type": "message", "conversation": conversation.pk, "body": "插话"}
        )
        refused = await receive_type(console, "error")
        assert refused["code"] == "not_your_conversation"
    await console.send_json_to({"type": "accept", "conversation": taken.pk})
    assert (await receive_type(console, "error"))["code"] == "not_waiting"
    await console.send_json_to({"type": "history", "conversation": 999_999})
    assert (await receive_type(console, "error"))["code"] == "not_found"
    count = await database_sync_to_async(Message.objects.filter(body="插话").count)()
    assert count == 0
    await console.disconnect()


async def test_typing_reaches_the_other_side_only_and_is_never_stored(
    users: dict[str, Any], start_chat: Callable[..., Any], session_cookie: Callable[[Any], str]
) -> None:
    conversation = await database_sync_to_async(start_chat)()
    console = console_socket(await database_sync_to_async(session_cookie)(users["carol"]))
    await console.connect()
    await receive_type(console, "queue")
    await console.send_json_to({"type": "accept", "conversation": conversation.pk})
    await receive_type(console, "history")
    visitor = visitor_socket(conversation.pk, token_for(conversation.pk))
    await visitor.connect()
    await receive_type(visitor, "history")
    before = await database_sync_to_async(Message.objects.count)()

    await visitor.send_json_to({"type": "typing", "typing": True})
    typing = await receive_type(console, "typing")
    assert (typing["conversation"], typing["typing"]) == (conversation.pk, True)

    await console.send_json_to({"type": "typing", "conversation": conversation.pk, "typing": True})
    assert (await receive_type(visitor, "typing"))["typing"] is True
    await console.send_json_to({"type": "typing", "conversation": conversation.pk, "typing": False})
    assert (await receive_type(visitor, "typing"))["typing"] is False
    # Nobody hears their own typing.
    assert await visitor.receive_nothing(timeout=0.3)

    assert await database_sync_to_async(Message.objects.count)() == before
    await visitor.disconnect()
    await console.disconnect()


async def test_unread_counts_follow_each_sides_read_position_across_reconnects(
    users: dict[str, Any], start_chat: Callable[..., Any], session_cookie: Callable[[Any], str]
) -> None:
    from guanxi.chat.actions import accept_conversation, post_message

    conversation = await database_sync_to_async(start_chat)()
    await database_sync_to_async(accept_conversation)(conversation, by=users["carol"])
    await database_sync_to_async(post_message)(conversation, "第二个问题", by=None)
    last = await database_sync_to_async(post_message)(conversation, "第三个问题", by=None)
    cookie = await database_sync_to_async(session_cookie)(users["carol"])

    console = console_socket(cookie)
    await console.connect()
    queue = await receive_type(console, "queue")
    assert [(c["id"], c["unread"]) for c in queue["active"]] == [(conversation.pk, 3)]

    await console.send_json_to({"type": "read", "conversation": conversation.pk, "upto": last.pk})
    await console.send_json_to({"type": "history", "conversation": conversation.pk})
    assert (await receive_type(console, "history"))["conversation"]["unread"] == 0
    await console.disconnect()

    # A later line counts again after a reconnect; reading backwards changes nothing.
    await database_sync_to_async(post_message)(conversation, "第四个问题", by=None)
    again = console_socket(cookie)
    await again.connect()
    assert (await receive_type(again, "queue"))["active"][0]["unread"] == 1
    await again.send_json_to({"type": "read", "conversation": conversation.pk, "upto": 1})
    await again.disconnect()
    position = await database_sync_to_async(
        lambda: Conversation.objects.get(pk=conversation.pk).agent_read_id
    )()
    assert position == last.pk

    # The visitor's own unread: the agent's reply (the welcome line came before
    # their own later lines, so they had seen it).
    await database_sync_to_async(post_message)(conversation, "马上为您查询", by=users["carol"])
    visitor = visitor_socket(conversation.pk, token_for(conversation.pk))
    await visitor.connect()
    assert (await receive_type(visitor, "history"))["unread"] == 1
    await visitor.disconnect()
