"""Pushes over the channel layer, always after the transaction that wrote the change.

Groups: one per conversation (its visitor socket and its agent's console) and one
for all agents (the queue). A push that fails is logged and dropped: the row is
committed and a reconnect reads it back from the database.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from functools import partial
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)
T = TypeVar("T")

AGENTS = "chat.agents"


def conversation_group(conversation_id: int) -> str:
    return f"chat.conversation.{conversation_id}"


def send_after_commit(group: str, event: dict[str, Any]) -> None:
    """Queue one group send for when the surrounding transaction commits."""
    transaction.on_commit(partial(_deliver, group, event))


# A socket's own calls collect their pushes here and send them from the event loop
# once the call returns, so the one database thread never waits on the loop (see
# `collecting`). Everyone else (pages, API, tasks) sends at once, from its thread.
_outbox: ContextVar[list[tuple[str, dict[str, Any]]] | None] = ContextVar(
    "chat_outbox", default=None
)


def _deliver(group: str, event: dict[str, Any]) -> None:
    box = _outbox.get()
    if box is not None:
        box.append((group, event))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # noqa: BLE001 — a push is best effort; the database has the truth
        log.exception("chat push to %s failed", group)


async def collecting(call: Callable[[], Awaitable[T]]) -> T:
    """Run `call` (a database call from a socket), then send the pushes it committed.

    The outbox is a context variable, which asgiref copies into the database
    thread: pushes queued by on_commit land in this list instead of blocking that
    thread until the loop is free. A rolled-back transaction queues nothing.
    """
    box: list[tuple[str, dict[str, Any]]] = []
    token = _outbox.set(box)
    try:
        return await call()
    finally:
        _outbox.reset(token)
        layer = get_channel_layer()
        for group, event in box:
            try:
                await layer.group_send(group, event)
            except Exception:  # noqa: BLE001 — as above: best effort
                log.exception("chat push to %s failed", group)
