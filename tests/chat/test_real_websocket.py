"""A real WebSocket client (the `websockets` library) against guanxi.asgi under uvicorn:
the handshake, cookies, origin check and pushes as a browser meets them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from guanxi.chat.models import Message
from guanxi.chat.visitors import COOKIE, token_for

pytestmark = pytest.mark.django_db(transaction=True)


async def next_of(socket: ClientConnection, kind: str, **match: Any) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == kind and all(
                frame.get(k) == v or (frame.get("message") or {}).get(k) == v
                for k, v in match.items()
            ):
                return frame


def test_a_visitor_and_an_agent_chat_over_real_sockets_and_the_lines_persist(
    asgi_server: str,
    users: dict[str, Any],
    start_chat: Callable[..., Any],
    session_cookie: Callable[[Any], str],
) -> None:
    conversation = start_chat("王先生", "发票怎么开？")
    agent_cookie = session_cookie(users["carol"])
    origin = f"http://{asgi_server}"

    async def scenario() -> None:
        async with (
            connect(
                f"ws://{asgi_server}/ws/chat/console/",
                origin=origin,  # type: ignore[arg-type]
                additional_headers={"Cookie": agent_cookie},
            ) as agent,
            connect(
                f"ws://{asgi_server}/ws/chat/visitor/{conversation.pk}/",
                origin=origin,  # type: ignore[arg-type]
                additional_headers={"Cookie": f"{COOKIE}={token_for(conversation.pk)}"},
            ) as visitor,
        ):
            queue = await next_of(agent, "queue")
            assert [c["id"] for c in queue["waiting"]] == [conversation.pk]
            await next_of(visitor, "history")

            await agent.send(json.dumps({"type": "accept", "conversation": conversation.pk}))
            await next_of(visitor, "status")
            await agent.send(
                json.dumps(
                    {"type": "message", "conversation": conversation.pk, "body": "请提供订单号"}
                )
            )
            assert (await next_of(visitor, "message", sender="agent"))["message"][
                "body"
            ] == "请提供订单号"

            await visitor.send(json.dumps({"type": "typing", "typing": True}))
            assert (await next_of(agent, "typing"))["typing"] is True
            await visitor.send(
                json.dumps({"type": "message", "body": "DD20261123", "client_id": "v1"})
            )
            heard = await next_of(agent, "message", sender="visitor")
            assert (heard["message"]["body"], heard["client_id"]) == ("DD20261123", "v1")

    asyncio.run(scenario())
    assert list(
        Message.objects.filter(conversation=conversation)
        .exclude(sender="system")
        .values_list("sender", "body")
    ) == [("visitor", "发票怎么开？"), ("agent", "请提供订单号"), ("visitor", "DD20261123")]


def test_real_handshakes_without_the_right_cookie_or_origin_are_refused_with_403(
    asgi_server: str,
    users: dict[str, Any],
    start_chat: Callable[..., Any],
    session_cookie: Callable[[Any], str],
) -> None:
    mine, theirs = start_chat("甲"), start_chat("乙")
    bob_cookie = session_cookie(users["bob"])
    origin = f"http://{asgi_server}"
    attempts = [
        (f"/ws/chat/visitor/{theirs.pk}/", origin, f"{COOKIE}={token_for(mine.pk)}"),
        (f"/ws/chat/visitor/{mine.pk}/", "https://evil.example", f"{COOKIE}={token_for(mine.pk)}"),
        ("/ws/chat/console/", origin, bob_cookie),
        ("/ws/chat/console/", origin, ""),
    ]

    async def scenario() -> list[int]:
        statuses = []
        for path, from_origin, cookie in attempts:
            headers = {"Cookie": cookie} if cookie else {}
            try:
                async with connect(
                    f"ws://{asgi_server}{path}",
                    origin=from_origin,  # type: ignore[arg-type]
                    additional_headers=headers,
                ):
                    statuses.append(101)
            except InvalidStatus as exc:
                statuses.append(exc.response.status_code)
        return statuses

    assert asyncio.run(scenario()) == [403, 403, 403, 403]
