"""Reusable reads of the live chat: the console's queue, unread counts, transcripts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.models import User
from guanxi.core.permissions import CHAT, VIEW

from .choices import Sender, Status
from .models import Conversation, ConversationQuerySet, Message

# How many lines a socket or page loads at once; older ones are on the transcript page.
HISTORY = 200


def with_agent_unread(qs: ConversationQuerySet) -> ConversationQuerySet:
    """Annotate `unread`: visitor lines after the agent's read position (one grouped query)."""
    return qs.annotate(
        unread=Count(
            "messages",
            filter=Q(messages__sender=Sender.VISITOR, messages__id__gt=F("agent_read_id")),
        )
    )


def console_queue(user: User) -> tuple[list[Conversation], list[Conversation]]:
    """(waiting conversations, the user's own active ones), each with `unread`."""
    base = with_agent_unread(Conversation.objects.restrict(user, CHAT).select_related("agent"))
    return list(base.waiting()[:100]), list(base.active_for(user))


def visitor_unread(conversation: Conversation) -> int:
    return (
        conversation.messages.exclude(sender=Sender.VISITOR)
        .filter(id__gt=conversation.visitor_read_id)
        .count()
    )


def recent_messages(conversation: Conversation, limit: int = HISTORY) -> list[Message]:
    """The last `limit` lines, oldest first."""
    rows = list(conversation.messages.select_related("author").order_by("-id")[:limit])
    rows.reverse()
    return rows


def conversation_list(user: User, filters: dict[str, str]) -> Any:
    """Conversations the user may read, newest first (transcripts page and API)."""
    qs = Conversation.objects.restrict(user, VIEW).select_related("agent", "customer")
    if filters.get("status") in Status.values:
        qs = qs.filter(status=filters["status"])
    customer_id = filters.get("customer_id") or ""
    if customer_id.isdigit():
        qs = qs.filter(customer_id=int(customer_id))
    return qs


def customer_conversations(user: User, customer: Any, limit: int = 10) -> list[Conversation]:
    """The latest chats of one customer, as far as the user may read them: one query."""
    return list(
        Conversation.objects.restrict(user, VIEW)
        .filter(customer=customer)
        .select_related("agent")
        .order_by("-started_at", "-id")[:limit]
    )


def transcript_text(conversation: Conversation) -> str:
    """The whole conversation as plain text, times in the display zone (tickets, export)."""
    lines = [
        _("在线客服会话 #%(id)s · 访客：%(name)s")
        % {"id": conversation.pk, "name": conversation.visitor_name}
    ]
    for message in conversation.messages.select_related("author").order_by("id"):
        when = timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M:%S")
        if message.sender == Sender.VISITOR:
            who = _("访客 %(name)s") % {"name": conversation.visitor_name}
        elif message.sender == Sender.AGENT:
            who = _("客服 %(name)s") % {"name": message.author}
        else:
            who = _("系统")
        lines.append(f"[{when}] {who}：{message.body}")
    return "\n".join(lines)
