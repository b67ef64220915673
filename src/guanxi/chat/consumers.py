"""WebSocket consumers: the visitor's widget and the agents' console.

Sockets carry three things: lines (persisted by `actions.post_message` before
anyone is told), typing (never stored: it is stale in a second) and read
positions. Every database call runs in `chat_db` (one thread, one reused connection); pushes leave from the
actions after commit and arrive here as group events (`chat.*` handlers).

Frames are JSON objects with a `type`. Refusals answer `{"type": "error",
"code", "message", "field"}`, the API's error vocabulary, and keep the socket open.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from guanxi.core.actions import ActionError
from guanxi.core.models import User
from guanxi.core.permissions import CHAT, can

from . import actions, limits, push, visitors
from .choices import Sender, Status
from .db import chat_db
from .forms import MessageForm, RatingForm, first_error
from .models import Conversation
from .payloads import conversation_payload, message_payload, visitor_view
from .queries import console_queue, recent_messages, visitor_unread

T = TypeVar("T")

# Close codes after the handshake (4000–4999 are the application's own).
CLOSE_TOO_BIG = 4413


def _stub(conversation_id: int) -> Conversation:
    # The actions lock and re-read the row themselves; the id is all they need,
    # and skipping a read here keeps a line to one thread hop and one transaction.
    return Conversation(pk=conversation_id)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


class ChatSocket(AsyncJsonWebsocketConsumer):
    """What both sides share: size check before parsing, error replies, typing."""

    side = ""

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        raw = text_data if text_data is not None else (bytes_data or b"").decode("utf-8", "replace")
        if len(raw.encode("utf-8")) > limits.MAX_FRAME:
            await self.close(code=CLOSE_TOO_BIG)
            return
        try:
            content = json.loads(raw)
        except ValueError:
            await self.error("bad_request", "不是有效的 JSON。")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.error("bad_request", "缺少 type。", "type")
            return
        await self.receive_json(content)

    async def act(self, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a write action on the database thread; its pushes leave from the loop after."""
        return await push.collecting(lambda: chat_db(action)(*args, **kwargs))

    async def error(self, code: str, message: str, field: str | None = None, **extra: Any) -> None:
        await self.send_json(
            {"type": "error", "code": code, "message": message, "field": field, **extra}
        )

    async def action_error(self, exc: ActionError, **extra: Any) -> None:
        code = "not_found" if exc.code == "not_found" else exc.code
        await self.error(code, exc.message, exc.field, **extra)

    def checked_body(
        self, content: dict[str, Any]
    ) -> tuple[str | None, tuple[str | None, str, str]]:
        form = MessageForm(
            {"body": content.get("body") if isinstance(content.get("body"), str) else ""}
        )
        if form.is_valid():
            return form.cleaned_data["body"], (None, "", "")
        return None, first_error(form)

    async def typing_to(self, conversation_id: int, typing: Any) -> None:
        await self.channel_layer.group_send(
            push.conversation_group(conversation_id),
            {
                "type": "chat.typing",
                "conversation": conversation_id,
                "sender": self.side,
                "typing": bool(typing),
            },
        )


class VisitorConsumer(ChatSocket):
    """/ws/chat/visitor/<id>/: the visitor's own conversation, proven by the signed cookie."""

    side = Sender.VISITOR

    async def connect(self) -> None:
        self.conversation_id = int(self.scope["url_route"]["kwargs"]["conversation_id"])
        token = self.scope.get("cookies", {}).get(visitors.COOKIE)
        if visitors.conversation_id_from(token) != self.conversation_id:
            await self.close()  # before accept: the handshake is refused (HTTP 403)
            return
        state = await chat_db(self._state)()
        if state is None:
            await self.close()
            return
        self.bucket = limits.TokenBucket(limits.visitor_burst(), limits.visitor_per_minute())
        self.group = push.conversation_group(self.conversation_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(state)

    def _state(self) -> dict[str, Any] | None:
        conversation = (
            Conversation.objects.select_related("agent").filter(pk=self.conversation_id).first()
        )
        if conversation is None:
            return None
        return {
            "type": "history",
            "conversation": self._public(conversation_payload(conversation)),
            "messages": [visitor_view(message_payload(m)) for m in recent_messages(conversation)],
            "unread": visitor_unread(conversation),
            "rating": conversation.rating,
        }

    @staticmethod
    def _public(conversation: dict[str, Any]) -> dict[str, Any]:
        """The visitor learns the status and who answers, not internal ids."""
        return {k: conversation[k] for k in ("id", "status", "agent", "visitor_name")}

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.typing_to(self.conversation_id, False)
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content["type"]
        try:
            if kind == "message":
                await self._message(content)
            elif kind == "typing":
                await self.typing_to(self.conversation_id, content.get("typing"))
            elif kind == "read" and _int(content.get("upto")):
                await self.act(
                    actions.mark_read, _stub(self.conversation_id), content["upto"], by=None
                )
            elif kind == "close":
                await self.act(actions.close_conversation, _stub(self.conversation_id), by=None)
            elif kind == "rate":
                await self._rate(content)
            else:
                await self.error("bad_request", "未知的消息类型。", "type")
        except ActionError as exc:
            await self.action_error(exc)

    async def _message(self, content: dict[str, Any]) -> None:
        body, (field, message, code) = self.checked_body(content)
        if body is None:
            await self.error(code, message, field, client_id=content.get("client_id"))
            return
        if not self.bucket.take():
            await self.error(
                "throttled", "发送过于频繁，请稍候。", "body", client_id=content.get("client_id")
            )
            return
        client_id = content.get("client_id") if isinstance(content.get("client_id"), str) else ""
        await self.act(
            actions.post_message, _stub(self.conversation_id), body, by=None, client_id=client_id
        )

    async def _rate(self, content: dict[str, Any]) -> None:
        form = RatingForm({"score": content.get("score")})
        if not form.is_valid():
            field, message, code = first_error(form)
            await self.error(code, message, field)
            return
        await self.act(
            actions.rate_conversation, _stub(self.conversation_id), form.cleaned_data["score"]
        )
        await self.send_json({"type": "rated", "score": form.cleaned_data["score"]})

    # --- group events ----------------------------------------------------------------

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "message",
                "message": visitor_view(event["message"]),
                "client_id": event.get("client_id", "")
                if event["message"]["sender"] == self.side
                else "",
            }
        )

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event["sender"] != self.side:
            await self.send_json(
                {"type": "typing", "sender": event["sender"], "typing": event["typing"]}
            )

    async def chat_status(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {"type": "status", "conversation": self._public(event["conversation"])}
        )


class AgentConsumer(ChatSocket):
    """/ws/chat/console/: one agent's console — the queue plus their active conversations."""

    side = Sender.AGENT

    async def connect(self) -> None:
        self.user: User = self.scope.get("user")  # type: ignore[assignment]
        if self.user is None or not can(self.user, CHAT):
            await self.close()  # before accept: HTTP 403, whatever the role
            return
        self.joined: set[int] = set()
        waiting, active = await chat_db(console_queue)(self.user)
        await self.channel_layer.group_add(push.AGENTS, self.channel_name)
        for conversation in active:
            await self._join(conversation.pk)
        await self.accept()
        await self.send_json(
            {
                "type": "queue",
                "waiting": [conversation_payload(c, unread=c.unread) for c in waiting],
                "active": [conversation_payload(c, unread=c.unread) for c in active],
            }
        )

    async def _join(self, conversation_id: int) -> None:
        if conversation_id not in self.joined:
            self.joined.add(conversation_id)
            await self.channel_layer.group_add(
                push.conversation_group(conversation_id), self.channel_name
            )

    async def _leave(self, conversation_id: int) -> None:
        if conversation_id in self.joined:
            self.joined.discard(conversation_id)
            await self.channel_layer.group_discard(
                push.conversation_group(conversation_id), self.channel_name
            )

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "joined"):
            return
        for conversation_id in list(self.joined):
            await self.typing_to(conversation_id, False)
            await self._leave(conversation_id)
        await self.channel_layer.group_discard(push.AGENTS, self.channel_name)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content["type"]
        conversation_id = _int(content.get("conversation"))
        if conversation_id is None:
            await self.error("validation_error", "请指定会话。", "conversation")
            return
        conversation = _stub(conversation_id)
        try:
            if kind == "accept":
                await self.act(actions.accept_conversation, conversation, by=self.user)
                await self._join(conversation_id)
                await self._history(conversation_id)
            elif kind == "history":
                await self._history(conversation_id)
            elif kind == "message":
                body, (field, message, code) = self.checked_body(content)
                if body is None:
                    await self.error(code, message, field, conversation=conversation_id)
                    return
                client_id = (
                    content.get("client_id") if isinstance(content.get("client_id"), str) else ""
                )
                await self.act(
                    actions.post_message, conversation, body, by=self.user, client_id=client_id
                )
            elif kind == "typing":
                if conversation_id in self.joined:
                    await self.typing_to(conversation_id, content.get("typing"))
            elif kind == "read" and _int(content.get("upto")):
                await self.act(actions.mark_read, conversation, content["upto"], by=self.user)
            elif kind == "close":
                await self.act(actions.close_conversation, conversation, by=self.user)
            else:
                await self.error("bad_request", "未知的消息类型。", "type")
        except ActionError as exc:
            await self.action_error(exc, conversation=conversation_id)

    async def _history(self, conversation_id: int) -> None:
        state = await chat_db(self._conversation_state)(conversation_id)
        if state is None:
            await self.error(
                "not_found", "记录不存在。", "conversation", conversation=conversation_id
            )
            return
        await self.send_json(state)

    def _conversation_state(self, conversation_id: int) -> dict[str, Any] | None:
        from .queries import with_agent_unread

        conversation = (
            with_agent_unread(Conversation.objects.restrict(self.user, CHAT))
            .select_related("agent")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None:
            return None
        return {
            "type": "history",
            "conversation": conversation_payload(conversation, unread=conversation.unread),
            "messages": [message_payload(m) for m in recent_messages(conversation)],
        }

    # --- group events ----------------------------------------------------------------

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "message",
                "conversation": event["conversation"],
                "message": event["message"],
                "client_id": event.get("client_id", ""),
            }
        )

    async def chat_queue_message(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "queue_message",
                "conversation": event["conversation"],
                "message": event["message"],
            }
        )

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event["sender"] != self.side:
            await self.send_json(
                {"type": "typing", "conversation": event["conversation"], "typing": event["typing"]}
            )

    async def chat_status(self, event: dict[str, Any]) -> None:
        """Heard on a conversation's group; the queue's copy (below) is the one acted on."""

    async def chat_queue_status(self, event: dict[str, Any]) -> None:
        conversation = event["conversation"]
        if conversation["status"] == Status.ACTIVE and conversation["agent_id"] == self.user.pk:
            await self._join(conversation["id"])
        elif conversation["status"] == Status.CLOSED:
            await self._leave(conversation["id"])
        await self.send_json({"type": "status", "conversation": conversation})
