"""Telling staff and customers: in-app notifications and e-mail, mail always after commit."""

from __future__ import annotations

from collections.abc import Iterable

from guanxi.core.mail import send_after_commit
from guanxi.core.models import User

from .models import Notification, Ticket

__all__ = ["notify", "notify_many", "send_after_commit"]


def notify(
    users: Iterable[User],
    kind: str,
    message: str,
    ticket: Ticket | None = None,
    *,
    mail: bool = True,
) -> list[Notification]:
    rows = [
        Notification(user=user, ticket=ticket, kind=kind, message=message[:255])
        for user in {u.pk: u for u in users}.values()
    ]
    Notification.objects.bulk_create(rows)
    if mail:
        send_after_commit([(n.user.email, message[:120], message) for n in rows if n.user.email])
    return rows


def notify_many(rows: list[Notification], emails: list[tuple[str, str, str]]) -> None:
    """The bulk path of the SLA scan: one INSERT for all rows, one SMTP session for all mail."""
    Notification.objects.bulk_create(rows, batch_size=1000)
    send_after_commit(emails)
