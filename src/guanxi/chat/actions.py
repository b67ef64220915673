"""Every write of the live chat. Consumers, views and the API validate input and call these.

Each action writes in one transaction, records one event and queues its pushes
for after the commit (`push.send_after_commit`), so a socket never shows a line
the database does not have. Events about a single line stay off the customer
timeline (no customer on them: audit only); the transcript reaches the timeline
once, when the conversation closes or is linked to a customer afterwards.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import events
from guanxi.core.actions import ActionError
from guanxi.core.models import User
from guanxi.core.permissions import CHAT, VIEW
from guanxi.customers.actions import NotFound
from guanxi.customers.models import Customer
from guanxi.service.choices import Channel
from guanxi.service.models import Ticket

from . import push
from .choices import Sender, Status
from .models import Conversation, Message
from .payloads import conversation_payload, message_payload
from .queries import transcript_text


def check_chat(user: User | None, conversation: Conversation) -> None:
    """Only the roles on chat duty answer conversations; for anyone else it does not exist."""
    if not Conversation.objects.restrict(user, CHAT).filter(pk=conversation.pk).exists():
        raise NotFound()


def _locked(conversation_id: int, by: User | None = None) -> Conversation:
    """The row, locked; with `by`, only if it is on that user's chat duty (one query for both)."""
    rows = Conversation.objects.restrict(by, CHAT) if by is not None else Conversation.objects
    # No select_related: the join cost more CPU per line than the rare status
    # push that needs the agent's name loads lazily.
    conversation = rows.select_for_update().filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound()
    return conversation


def _record(by: User | None, verb: str, conversation: Conversation, summary: str, *,
            on_timeline: bool = False, **changes: Any) -> None:  # fmt: skip
    events.record(
        by,
        verb,
        conversation,
        customer_id=conversation.customer_id if on_timeline else None,
        summary=f"#{conversation.pk} {summary}",
        changes={k: [events.masked(k, v[0]), events.masked(k, v[1])] for k, v in changes.items()},
    )


def _push_status(conversation: Conversation) -> None:
    """The visitor's socket hears it on the conversation group, every console on the queue's.

    Two event types, because a console is in both groups and must act once.
    """
    payload = conversation_payload(conversation)
    push.send_after_commit(
        push.conversation_group(conversation.pk), {"type": "chat.status", "conversation": payload}
    )
    push.send_after_commit(push.AGENTS, {"type": "chat.queue_status", "conversation": payload})


def _system_line(conversation: Conversation, body: str) -> Message:
    message = Message.objects.create(conversation=conversation, sender=Sender.SYSTEM, body=body)
    push.send_after_commit(
        push.conversation_group(conversation.pk),
        {
            "type": "chat.message",
            "conversation": conversation.pk,
            "message": message_payload(message),
        },
    )
    return message


@transaction.atomic
def start_conversation(data: dict[str, Any], *, ip: str | None) -> Conversation:
    """A visitor asks a question on the public page: a waiting conversation in the queue."""
    conversation = Conversation.objects.create(
        visitor_name=data["visitor_name"],
        visitor_phone=data.get("visitor_phone") or "",
        visitor_email=data.get("visitor_email") or "",
        visitor_ip=ip,
    )
    message = Message.objects.create(
        conversation=conversation, sender=Sender.VISITOR, body=data["body"]
    )
    conversation.last_message_at = message.created_at
    conversation.visitor_read_id = message.pk
    conversation.save(update_fields=["last_message_at", "visitor_read_id"])
    _record(None, "chat.started", conversation, conversation.visitor_name)
    push.send_after_commit(
        push.AGENTS,
        {"type": "chat.queue_status", "conversation": conversation_payload(conversation, unread=1)},
    )
    return conversation


@transaction.atomic
def accept_conversation(conversation: Conversation, *, by: User) -> Conversation:
    """An agent takes a waiting conversation; two agents clicking at once: the first wins."""
    conversation = _locked(conversation.pk, by)
    if conversation.status != Status.WAITING:
        raise ActionError(_("该会话已被接入或已结束。"), code="not_waiting", field="conversation")
    conversation.status, conversation.agent, conversation.accepted_at = (
        Status.ACTIVE,
        by,
        timezone.now(),
    )
    conversation.save(update_fields=["status", "agent", "accepted_at"])
    _system_line(conversation, _("客服 %(name)s 为您服务。") % {"name": by})
    _record(by, "chat.accepted", conversation, str(by))
    _push_status(conversation)
    return conversation


@transaction.atomic
def post_message(conversation: Conversation, body: str, *, by: User | None,
                 client_id: str = "") -> Message:  # fmt: skip
    """A line from the visitor (`by=None`) or from the conversation's agent.

    `client_id` is the sender's own tag for the line, echoed in the push so the
    sender can match its optimistic copy (and a benchmark its round trip).
    """
    body = body.strip()
    if not body:
        raise ActionError(_("内容不能为空。"), code="required", field="body")
    conversation = _locked(conversation.pk, by)
    if conversation.status == Status.CLOSED:
        raise ActionError(_("会话已结束。"), code="closed", field="conversation")
    if by is not None and (conversation.status != Status.ACTIVE or conversation.agent_id != by.pk):
        raise ActionError(_("请先接入该会话。"), code="not_your_conversation", field="conversation")
    sender = Sender.VISITOR if by is None else Sender.AGENT
    message = Message.objects.create(conversation=conversation, sender=sender, author=by, body=body)
    # The sender has seen everything up to their own line.
    read_field = "visitor_read_id" if by is None else "agent_read_id"
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=message.created_at, **{read_field: message.pk}
    )
    _record(by, "chat.message", conversation, Sender(sender).label, length=[None, len(body)])
    event = {
        "type": "chat.message",
        "conversation": conversation.pk,
        "message": message_payload(message),
        "client_id": client_id[:64],
    }
    push.send_after_commit(push.conversation_group(conversation.pk), event)
    if conversation.status == Status.WAITING:
        # Nobody has joined yet: the queue is where agents see the line arrive.
        push.send_after_commit(push.AGENTS, {**event, "type": "chat.queue_message"})
    return message


def mark_read(conversation: Conversation, upto: int, *, by: User | None) -> int:
    """Move one side's read position forward (never back); returns the new position.

    Bookkeeping of what a screen has shown, like a mail client's unread flag, so
    no event: one per line read would bury the audit trail.
    """
    if by is not None:
        check_chat(by, conversation)
    field = "visitor_read_id" if by is None else "agent_read_id"
    Conversation.objects.filter(pk=conversation.pk, **{f"{field}__lt": upto}).update(
        **{field: upto}
    )
    return upto


@transaction.atomic
def close_conversation(conversation: Conversation, *, by: User | None) -> Conversation:
    """End a conversation (the visitor, its agent, or any agent for one still waiting).

    When it has a customer, the transcript joins the customer's timeline.
    """
    conversation = _locked(conversation.pk, by)
    if conversation.status == Status.CLOSED:
        raise ActionError(_("会话已结束。"), code="closed", field="conversation")
    if (
        by is not None
        and conversation.status == Status.ACTIVE
        and conversation.agent_id not in (by.pk, None)
        and by.role != "admin"
    ):
        raise ActionError(
            _("只有接待的客服可以结束会话。"), code="not_your_conversation", field="conversation"
        )
    conversation.status, conversation.closed_at = Status.CLOSED, timezone.now()
    conversation.save(update_fields=["status", "closed_at"])
    who = _("访客") if by is None else str(by)
    _system_line(conversation, _("%(who)s 结束了会话。") % {"who": who})
    count = conversation.messages.exclude(sender=Sender.SYSTEM).count()
    _record(
        by,
        "chat.closed",
        conversation,
        _("在线客服会话（%(n)s 条消息）") % {"n": count},
        on_timeline=True,
    )
    _push_status(conversation)
    return conversation


@transaction.atomic
def rate_conversation(conversation: Conversation, score: int) -> Conversation:
    """The visitor's 1–5 rating once the conversation has ended (no login, so no actor)."""
    if not 1 <= score <= 5:
        raise ActionError(_("请选择 1 到 5 分。"), code="out_of_range", field="score")
    conversation = _locked(conversation.pk)
    if conversation.status != Status.CLOSED:
        raise ActionError(_("会话结束后才能评价。"), code="not_closed", field="score")
    if conversation.rating is not None:
        raise ActionError(_("您已评价过，谢谢。"), code="already_answered", field="score")
    conversation.rating = score
    conversation.save(update_fields=["rating"])
    _record(
        None,
        "chat.rated",
        conversation,
        _("满意度 %(score)s 分") % {"score": score},
        on_timeline=True,
        rating=[None, score],
    )
    return conversation


@transaction.atomic
def link_customer(conversation: Conversation, customer: Customer, *, by: User) -> Conversation:
    """Say which customer the visitor is; the transcript then shows on that customer's timeline."""
    conversation = _locked(conversation.pk, by)
    if not Customer.objects.restrict(by, VIEW).filter(pk=customer.pk).exists():
        raise NotFound()
    if conversation.customer_id is not None:
        raise ActionError(_("该会话已关联客户。"), code="already_linked", field="customer_id")
    conversation.customer = customer
    conversation.save(update_fields=["customer"])
    count = conversation.messages.exclude(sender=Sender.SYSTEM).count()
    _record(
        by,
        "chat.customer_linked",
        conversation,
        _("在线客服会话（%(n)s 条消息）") % {"n": count},
        on_timeline=True,
    )
    _push_status(conversation)
    return conversation


@transaction.atomic
def create_ticket_from_chat(
    conversation: Conversation, data: dict[str, Any], *, by: User
) -> Ticket:
    """Turn a chat into a service ticket (channel 在线客服) carrying the transcript."""
    from guanxi.service.actions import create_ticket

    conversation = _locked(conversation.pk, by)
    if conversation.ticket_id is not None:
        raise ActionError(_("该会话已转为工单。"), code="already_ticketed", field="conversation")
    ticket = create_ticket(
        {
            "ticket_type": data["ticket_type"],
            "channel": Channel.LIVE_CHAT,
            "subject": data["subject"],
            "description": transcript_text(conversation),
            "contact_name": conversation.visitor_name,
            "contact_phone": conversation.visitor_phone,
            "contact_email": conversation.visitor_email,
            "received_at": conversation.started_at,
        },
        by=by,
        customer=conversation.customer,
    )
    conversation.ticket = ticket
    conversation.save(update_fields=["ticket"])
    _record(
        by,
        "chat.ticket_created",
        conversation,
        _("转为工单 #%(id)s") % {"id": ticket.pk},
        on_timeline=True,
    )
    _push_status(conversation)
    return ticket
