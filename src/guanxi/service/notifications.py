"""Telling staff and customers: in-app notifications and e-mail, mail always after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from guanxi.core.models import User

from .models import Notification, Ticket

log = logging.getLogger(__name__)


def send_after_commit(messages: Sequence[tuple[str, str, str]]) -> None:
    """Queue (to, subject, body) mails for when the surrounding transaction commits.

    A mail server that is down must not undo the ticket; the failure is logged.
    """
    if not messages:
        return

    def send() -> None:
        try:
            with get_connection() as connection:
                for to, subject, body in messages:
                    EmailMessage(
                        subject, body, settings.DEFAULT_FROM_EMAIL, [to], connection=connection
                    ).send()
        except OSError:
            log.exception("service mail not sent (%d messages)", len(messages))

    transaction.on_commit(send)


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
