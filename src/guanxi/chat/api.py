"""REST endpoints for live chat: /api/v1/chat/conversations….

Reading follows the customer's scope, like tickets (a conversation without a
customer is read only by the all-seeing roles); turning a chat into a ticket
needs the chat duty (admins, service agents): 403 for other roles, 404 outside
the scope. The live exchange itself is the WebSocket, not this API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from guanxi.core.api import (
    ERRORS,
    Strict,
    actor,
    clamp_limit,
    form_data,
    form_error,
    newest_first_page,
    scoped_or_404,
    writable_or_404,
)
from guanxi.core.models import User
from guanxi.core.permissions import CHAT, sees_masked
from guanxi.core.validators import mask_name
from guanxi.service.choices import TicketType

from . import actions
from .choices import Status as ChatStatus
from .forms import TicketFromChatForm
from .models import Conversation
from .queries import conversation_list, recent_messages

router = Router(tags=["chat"])


class ConversationOut(Schema):
    id: int
    visitor_name: str
    status: str
    customer_id: int | None
    agent_id: int | None
    ticket_id: int | None
    rating: int | None
    started_at: datetime
    accepted_at: datetime | None
    closed_at: datetime | None


class ConversationListOut(Schema):
    items: list[ConversationOut]
    next_cursor: str | None


class ChatMessageOut(Schema):
    id: int
    sender: str
    author_id: int | None
    body: str
    created_at: datetime


class ConversationDetailOut(ConversationOut):
    messages: list[ChatMessageOut]


class TicketFromChatIn(Strict):
    ticket_type: TicketType
    subject: str


class TicketRef(Schema):
    ticket_id: int


def conversation_out(c: Conversation, user: User) -> dict[str, Any]:
    fields = ("id", "status", "customer_id", "agent_id", "ticket_id", "rating", "started_at",
              "accepted_at", "closed_at")  # fmt: skip
    name = mask_name(c.visitor_name) if sees_masked(user) else c.visitor_name
    return {**{f: getattr(c, f) for f in fields}, "visitor_name": name}


@router.get("/chat/conversations", response={200: ConversationListOut, **ERRORS})
def list_conversations(
    request: HttpRequest,
    status: ChatStatus | None = None,
    customer_id: int | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Any:
    """Newest first, by keyset cursor."""
    user = actor(request)
    filters = {"status": status or "", "customer_id": str(customer_id or "")}
    rows, next_cursor = newest_first_page(
        conversation_list(user, filters), "started_at", cursor, clamp_limit(limit)
    )
    return {"items": [conversation_out(c, user) for c in rows], "next_cursor": next_cursor}


@router.get("/chat/conversations/{id}", response={200: ConversationDetailOut, **ERRORS})
def get_conversation(request: HttpRequest, id: int) -> Any:
    user = actor(request)
    conversation = scoped_or_404(Conversation, user, id)
    return {
        **conversation_out(conversation, user),
        "messages": [
            {
                "id": m.pk,
                "sender": m.sender,
                "author_id": m.author_id,
                "body": m.body,
                "created_at": m.created_at,
            }
            for m in recent_messages(conversation, limit=1000)
        ],  # fmt: skip
    }


@router.post("/chat/conversations/{id}/ticket", response={201: TicketRef, **ERRORS})
def conversation_to_ticket(request: HttpRequest, id: int, payload: TicketFromChatIn) -> Any:
    """Turn the chat into a service ticket (channel live_chat) carrying the transcript."""
    user, conversation = writable_or_404(request, Conversation, id, CHAT)
    form = TicketFromChatForm(data=form_data(payload.model_dump()))
    if not form.is_valid():
        raise form_error(form)
    ticket = actions.create_ticket_from_chat(conversation, form.cleaned_data, by=user)
    return Status(201, {"ticket_id": ticket.pk})
