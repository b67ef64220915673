"""Service-desk fixtures: tickets made through the real action, a real SMTP server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture
def make_ticket(users: dict[str, Any]) -> Callable[..., Any]:
    from guanxi.service.actions import create_ticket

    def make(by: str = "carol", customer: Any = None, **fields: Any) -> Any:
        data: dict[str, Any] = {
            "ticket_type": "inquiry",
            "channel": "hotline",
            "priority": "normal",
            "subject": "油品质量咨询",
            "contact_name": "张先生",
        }
        data.update(fields)
        extra = {k: data.pop(k) for k in ("bay", "appointment_day") if k in data}
        return create_ticket(data, by=users[by] if by else None, customer=customer, **extra)

    return make


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on a free local port; Django's SMTP backend talks to it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        yield inbox
    finally:
        controller.stop()
