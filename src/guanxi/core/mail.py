"""E-mail to customers and staff, always sent after the surrounding transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

log = logging.getLogger(__name__)


def send_after_commit(messages: Sequence[tuple[str, str, str]]) -> None:
    """Queue (to, subject, body) mails for when the surrounding transaction commits.

    Each address gets its own message (a notice never reveals who else was told);
    one SMTP connection carries them all. A mail server that is down must not undo
    the record that caused the mail (a ticket, a crisis communication): the failure
    is logged.
    """
    if not messages:
        return
    queued = list(messages)

    def send() -> None:
        try:
            with get_connection() as connection:
                for to, subject, body in queued:
                    EmailMessage(
                        subject, body, settings.DEFAULT_FROM_EMAIL, [to], connection=connection
                    ).send()
        except OSError:
            log.exception("mail not sent (%d messages)", len(queued))

    transaction.on_commit(send)
