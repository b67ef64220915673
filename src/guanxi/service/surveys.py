"""The CSAT link: a signed token naming the ticket, good for a limited time, no login."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

SALT = "guanxi.service.survey"


def token_for(ticket_id: int) -> str:
    return signing.dumps({"t": ticket_id}, salt=SALT, compress=True)


def ticket_id_from(token: str) -> int | None:
    """The ticket id, or None for a forged, altered or expired token."""
    try:
        value = signing.loads(token, salt=SALT, max_age=settings.GUANXI_SURVEY_MAX_AGE_DAYS * 86400)
    except signing.BadSignature:
        return None
    ticket_id = value.get("t") if isinstance(value, dict) else None
    return ticket_id if isinstance(ticket_id, int) else None
