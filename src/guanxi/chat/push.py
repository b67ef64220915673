"""Pushes over the channel layer, always after the transaction that wrote the change.

Groups: one per conversation (its visitor socket and its agent's console) and one
for all agents (the queue). A push that fails is logged and dropped: the row is
committed and a reconnect reads it back from the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

AGENTS = "chat.agents"


def conversation_group(conversation_id: int) -> str:
    return f"chat.conversation.{conversation_id}"


def send_after_commit(group: str, event: dict[str, Any]) -> None:
    """Queue one group send for when the surrounding transaction commits."""
    transaction.on_commit(_sender(group, event))


def _sender(group: str, event: dict[str, Any]) -> Callable[[], None]:
    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, event)
        except Exception:  # noqa: BLE001 — a push is best effort; the database has the truth
            log.exception("chat push to %s failed", group)

    return send
