"""The production channel layer: the same exchange through Redis (127.0.0.1:6379).

Several uvicorn workers only meet through a shared layer; this proves the pushes
the actions queue after commit travel through channels_redis as well.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async

from guanxi.chat.visitors import token_for

from .conftest import console_socket, receive_type, visitor_socket

REDIS = ("127.0.0.1", 6379)


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not redis_reachable(), reason="Redis is not reachable on 127.0.0.1:6379"),
]


@pytest.fixture
def redis_layer(settings: Any, fresh_channel_layer: None) -> None:
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # A prefix of our own, so parallel runs and other users of this Redis never mix.
            "CONFIG": {
                "hosts": ["redis://127.0.0.1:6379/0"],
                "prefix": f"guanxi-test-{uuid.uuid4().hex}",
            },
        }
    }
    channel_layers.backends.clear()


async def test_lines_and_typing_travel_through_the_redis_layer(
    redis_layer: None,
    users: dict[str, Any],
    start_chat: Callable[..., Any],
    session_cookie: Callable[[Any], str],
) -> None:
    from channels.layers import get_channel_layer
    from channels_redis.core import RedisChannelLayer

    assert isinstance(get_channel_layer(), RedisChannelLayer)
    conversation = await database_sync_to_async(start_chat)()
    console = console_socket(await database_sync_to_async(session_cookie)(users["carol"]))
    assert (await console.connect())[0]
    await receive_type(console, "queue")
    visitor = visitor_socket(conversation.pk, token_for(conversation.pk))
    assert (await visitor.connect())[0]
    await receive_type(visitor, "history")

    await console.send_json_to({"type": "accept", "conversation": conversation.pk})
    await receive_type(console, "history")
    assert (await receive_type(visitor, "status"))["conversation"]["status"] == "active"

    await visitor.send_json_to({"type": "typing", "typing": True})
    assert (await receive_type(console, "typing"))["typing"] is True
    await visitor.send_json_to({"type": "message", "body": "经 Redis 转发"})
    heard = await receive_type(console, "message")
    assert heard["message"]["body"] == "经 Redis 转发"
    await console.send_json_to({"type": "message", "conversation": conversation.pk, "body": "收到"})
    reply = await receive_type(visitor, "message")
    while reply["message"]["sender"] != "agent":
        reply = await receive_type(visitor, "message")
    assert reply["message"]["body"] == "收到"
    await visitor.disconnect()
    await console.disconnect()
    await get_channel_layer().flush()
