"""The live-chat section of the customer 360: the customer's transcripts, one query, scoped."""

from __future__ import annotations

from typing import Any

from django import template

from ..queries import customer_conversations

register = template.Library()


@register.inclusion_tag("chat/_customer_chats.html", takes_context=True)
def customer_chats_section(context: dict[str, Any], customer: Any) -> dict[str, Any]:
    return {"conversations": customer_conversations(context["request"].user, customer)}
