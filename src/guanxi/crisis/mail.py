"""Crisis e-mail: one message per customer (never a shared To: list), after commit."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

log = logging.getLogger(__name__)


def send_after_commit(subject: str, body: str, addresses: Sequence[str]) -> None:
    """Queue the mail for when the surrounding transaction commits.

    A crisis notice must not reveal who else was told, so each address gets its
    own message; one SMTP connection carries them all. A mail server that is down
    does not undo the record of the communication; the failure is logged.
    """
    if not addresses:
        return

    def send() -> None:
        try:
            with get_connection() as connection:
                for to in addresses:
                    EmailMessage(
                        subject, body, settings.DEFAULT_FROM_EMAIL, [to], connection=connection
                    ).send()
        except OSError:
            log.exception("crisis mail not sent (%d addresses)", len(addresses))

    transaction.on_commit(send)
