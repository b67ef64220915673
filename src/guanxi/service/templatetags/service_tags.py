"""The tickets/CSAT section of the customer 360: one query, scoped by the viewer."""

from __future__ import annotations

from typing import Any

from django import template

from ..queries import customer_tickets

register = template.Library()


@register.inclusion_tag("service/_customer_tickets.html", takes_context=True)
def customer_tickets_section(context: dict[str, Any], customer: Any) -> dict[str, Any]:
    return {"tickets": customer_tickets(context["request"].user, customer)}
