"""The live-chat section of the customer 360: a placeholder that htmx fills.

The 360 page pins its query count; the customer's transcripts are a section of
their own (`chat:customer_chats`), so they cost the page nothing and appear a
moment later.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("chat/_customer_chats_slot.html")
def customer_chats_section(customer: Any) -> dict[str, Any]:
    return {"customer": customer}
