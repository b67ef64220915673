"""The JSON shapes sent to sockets, written once so visitor, console and API agree."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .choices import Sender
from .models import Conversation, Message


def message_payload(message: Message) -> dict[str, Any]:
    author = message.author if message.author_id else None
    return {
        "id": message.pk,
        "sender": message.sender,
        "author": str(author) if author is not None else "",
        "body": message.body,
        "created_at": timezone.localtime(message.created_at).isoformat(),
    }


def conversation_payload(conversation: Conversation, unread: int | None = None) -> dict[str, Any]:
    """What a console or the widget needs to draw a conversation, never the visitor's phone."""
    agent = conversation.agent if conversation.agent_id else None
    data: dict[str, Any] = {
        "id": conversation.pk,
        "visitor_name": conversation.visitor_name,
        "status": conversation.status,
        "agent_id": conversation.agent_id,
        "agent": str(agent) if agent is not None else "",
        "customer_id": conversation.customer_id,
        "ticket_id": conversation.ticket_id,
        "started_at": timezone.localtime(conversation.started_at).isoformat(),
    }
    if unread is not None:
        data["unread"] = unread
    return data


def visitor_view(message: dict[str, Any]) -> dict[str, Any]:
    """A visitor sees who answered as 客服 plus the agent's display name, nothing more."""
    if message["sender"] == Sender.AGENT:
        return message
    return {**message, "author": ""}
