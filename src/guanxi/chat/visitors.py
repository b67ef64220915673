"""The visitor's credential: a signed token naming one conversation, no account.

It travels in an HttpOnly cookie, so the page's script never handles it and the
WebSocket handshake carries it like any cookie; the socket checks that it names
the conversation in the path.
"""

from __future__ import annotations

from django.core import signing

from . import limits

SALT = "guanxi.chat.visitor"
COOKIE = "guanxi_chat"


def token_for(conversation_id: int) -> str:
    return signing.dumps({"c": conversation_id}, salt=SALT, compress=True)


def conversation_id_from(token: str | None) -> int | None:
    """The conversation id, or None for a missing, forged, altered or expired token."""
    if not token:
        return None
    try:
        value = signing.loads(token, salt=SALT, max_age=limits.token_max_age())
    except signing.BadSignature:
        return None
    conversation_id = value.get("c") if isinstance(value, dict) else None
    return conversation_id if isinstance(conversation_id, int) else None
